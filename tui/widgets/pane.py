"""What every pane of the main screen has: contextual help for F1, a hook for when the signed-in
site changes, and knowing whether it is on screen (so background work pauses while hidden)."""

from __future__ import annotations

from typing import ClassVar

from textual.containers import Vertical
from textual.message import Message

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

    @property
    def on_screen(self) -> bool:
        return self.is_mounted and self.display and self.is_on_screen
