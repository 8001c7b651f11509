"""What every pane of the main screen has: contextual help for F1, a hook for when the signed-in
site changes, and knowing whether it is on screen (so background work pauses while hidden)."""

from __future__ import annotations

from typing import ClassVar

from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from tui.store.credentials import Credentials


class JourneyData(Message):
    """A pane learned something the "next step" line needs (None fields: unchanged)."""

    def __init__(self, *, emails=None, details=None, domains=None) -> None:
        super().__init__()
        self.emails = emails
        self.details = details
        self.domains = domains


class Connection(Message):
    """How the last API call went, for the status line ("● online", "⚠ retrying in 8 s")."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Pane(Vertical):
    TITLE: ClassVar[str] = ""
    HELP: ClassVar[str] = ""  # F1: what this pane is for, in plain words

    def session_changed(self, credentials: Credentials | None) -> None:
        """The signed-in site changed (or signed out): reload."""

    def reload(self) -> None:
        """Read the pane's data again."""

    def focus_target(self) -> Widget | None:
        """Where the focus goes when the pane is chosen, so its keys work at once."""
        return None

    def focus_inside(self) -> None:
        """Move the focus into the pane, unless it is there already or the pane's tab is
        not the chosen one (moving it there would switch tabs behind the user's back)."""
        if not self.is_current_tab or self.screen is not self.app.screen:
            return
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            return
        target = self.focus_target()
        if target is not None:
            target.focus()

    @property
    def on_screen(self) -> bool:
        return self.is_mounted and self.display and self.is_on_screen

    @property
    def is_current_tab(self) -> bool:
        """Whether this pane's tab is the chosen one. Focus must not be moved into a pane
        whose tab is not: TabbedContent would switch to it, undoing the user's choice."""
        if not self.is_attached:
            return False
        tab_pane = next((n for n in self.ancestors if isinstance(n, TabPane)), None)
        tabs = next((n for n in self.ancestors if isinstance(n, TabbedContent)), None)
        if tab_pane is None or tabs is None:
            return True
        return tabs.active == tab_pane.id
