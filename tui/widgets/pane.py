"""What every pane of the main screen has: contextual help for F1, the app's services and who is
signed in (``UsesServices``), its jobs' failures on the one path (``RunsJobs``), and knowing
whether it is on screen (so background work pauses while hidden). And the messages the panes
send the home screen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from tui.widgets.host import UsesServices
from tui.widgets.jobs import RunsJobs

if TYPE_CHECKING:
    from tui.flow.findings import Finding
    from tui.propagation.model import Report
    from tui.wix.models import SenderDetails, SenderEmail, SendingDomain


class JourneyData(Message):
    """A pane learned something the "next step" line needs (None fields: unchanged)."""

    def __init__(
        self,
        *,
        emails: Sequence[SenderEmail] | None = None,
        details: Sequence[SenderDetails] | None = None,
        domains: Sequence[SendingDomain] | None = None,
    ) -> None:
        super().__init__()
        self.emails = emails
        self.details = details
        self.domains = domains


class DomainShown(Message):
    """The Domains pane now shows ``domain`` (None: none), so "Next:" talks about that one."""

    def __init__(self, domain: str | None) -> None:
        super().__init__()
        self.domain = domain


class DnsChecked(Message):
    """A propagation check of ``domain``'s records finished."""

    def __init__(self, domain: str, report: Report) -> None:
        super().__init__()
        self.domain = domain
        self.report = report


class DoctorChecked(Message):
    """A check-up of the site finished (the Doctor pane's): its findings, worst first. The app
    announces new problems from it (bell, desktop notification, webhook) when configured."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__()
        self.findings = tuple(findings)


class ShowPane(Message):
    """A pane asks the home screen to show another one (the Doctor's fixes): ``pane`` is its
    tab's id ("senders", "domains"); ``domain``: the Domains pane shows that domain, and with
    ``authenticate`` then runs its Authenticate flow for it (which asks first when the retry
    schedule says wait)."""

    def __init__(self, pane: str, *, domain: str = "", authenticate: bool = False) -> None:
        super().__init__()
        self.pane = pane
        self.domain = domain
        self.authenticate = authenticate


class Connection(Message):
    """How the last API call went, for the status line ("● online", "⚠ retrying in 8 s")."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


ONLINE = "● online"


class Pane(UsesServices, RunsJobs, Vertical):
    TITLE: ClassVar[str] = ""
    HELP: ClassVar[str] = ""  # F1: what this pane is for, in plain words

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
