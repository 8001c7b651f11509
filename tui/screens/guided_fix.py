"""The guided fix for SENDER_DETAILS_DO_NOT_EXIST, wherever that error appears.

Wix opens the Sending Domains API only once the site has sender details: a from-name and a
verified sender email (fact sheet §1.7, the docs' troubleshooting). Two ways there:

(a) "I can read the inbox": pick or add an address, enter the emailed code, give a from-name.
    Reuses the add form, the code modal and the create-sender-details modal.
(b) "I can't": the site owner verifies the address in the Wix dashboard; "Check again" lists
    the sender emails and, once one is verified, offers to create sender details with it.

Other panes open it with :func:`open_guided_fix`, or :func:`handle_sender_details_error` for
"open it if this error is the one".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, ContentSwitcher, DataTable, Footer

from tui.screens.code import CodeScreen
from tui.screens.sender_details import CreateSenderDetailsScreen
from tui.time_words import clock_time, is_world
from tui.widgets.email_form import AddEmailForm
from tui.widgets.fields import Note
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, job
from tui.widgets.pane import Pane
from tui.widgets.sender_tables import SenderEmailsTable
from tui.wix.errors import SenderDetailsDoNotExist, WixError
from tui.wix.models import SenderDetails, SenderEmail

WHY = (
    "Wix answered SENDER_DETAILS_DO_NOT_EXIST: the Sending Domains API opens only once the site "
    "has sender details, a from-name with a verified sender email."
)
QUESTION = "Can you read the inbox of the address you want to send from?"
INBOX_STEPS = (
    "1. Pick an address (Enter) or add one (a).  2. Type the code Wix emails to it.  "
    "3. Give a from-name: the sender details are created."
)
OWNER_STEPS = (
    "Ask the site owner to open the site's Wix dashboard, go to the email marketing settings "
    "(Marketing > Email settings, or similar: the menu names change) and add and verify the "
    "sender address there; Wix emails the code to that inbox. Then press c to check again."
)


class GuidedFixScreen(UsesServices, RunsJobs, ModalScreen[bool]):
    """Dismisses with True once the site has sender details, False when closed before."""

    # Focused as the screen is composed: a focus() in on_mount lands a moment later, and
    # keys typed at once (a paste, a fast typist) would go to the first field instead.
    AUTO_FOCUS = "#fix-yes"

    CSS_PATH = "guided_fix.tcss"
    BINDINGS = [
        Binding("y", "branch('inbox')", "I can read the inbox", id="fix-inbox"),
        Binding("n", "branch('owner')", "I can't", id="fix-owner"),
        Binding("a", "add", "Add address", id="fix-add"),
        Binding("c", "check", "Check again", id="fix-check"),
        Binding("b", "back", "Back", id="fix-back"),
        Binding("escape", "close", "Close", id="fix-close"),
    ]
    # Which view each key works in.
    _VIEWS = {
        "branch": {"fix-choose"},
        "add": {"fix-inbox-view"},
        "check": {"fix-owner-view"},
        "back": {"fix-inbox-view", "fix-owner-view"},
    }

    def __init__(self) -> None:
        super().__init__(id="guided-fix")
        self.emails: list[SenderEmail] = []
        self.details: list[SenderDetails] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="fix-box", classes="modal-box"):
            yield Note("Guided fix: no sender details yet", classes="title")
            yield Note(WHY, id="fix-why")
            yield Note("", id="fix-existing", classes="notice")
            with ContentSwitcher(initial="fix-choose", id="fix-views"):
                with Vertical(id="fix-choose"):
                    yield Note(QUESTION)
                    with Horizontal(id="fix-choice-buttons"):
                        yield Button("Yes, I can read it (y)", id="fix-yes", variant="primary")
                        yield Button("No, the owner can (n)", id="fix-no")
                with Vertical(id="fix-inbox-view"):
                    yield Note(INBOX_STEPS, classes="hint")
                    yield AddEmailForm(id="fix-add-form", cancellable=False)
                    yield SenderEmailsTable(id="fix-inbox-table")
                    yield Note("", id="fix-inbox-status")
                with Vertical(id="fix-owner-view"):
                    yield Note(OWNER_STEPS, classes="hint")
                    yield SenderEmailsTable(id="fix-owner-table")
                    yield Note("", id="fix-owner-status")
                    yield Button("Check again (c)", id="fix-check-button")
        yield Footer()

    def on_mount(self) -> None:
        self._load(announce=False)

    @property
    def view(self) -> str:
        return self.query_one(ContentSwitcher).current or "fix-choose"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        views = self._VIEWS.get(action)
        if views is None or not self.is_mounted:
            return True
        return self.view in views

    # --- moving between the views -------------------------------------------------------

    def action_branch(self, branch: str) -> None:
        self.query_one(ContentSwitcher).current = f"fix-{branch}-view"
        self.refresh_bindings()
        if branch == "inbox":
            table = self.query_one("#fix-inbox-table", SenderEmailsTable)
            if table.row_count:
                table.focus()
            else:
                self.query_one(AddEmailForm).start()
        else:
            self.query_one("#fix-check-button", Button).focus()

    @on(Button.Pressed, "#fix-yes")
    def _yes(self) -> None:
        self.action_branch("inbox")

    @on(Button.Pressed, "#fix-no")
    def _no(self) -> None:
        self.action_branch("owner")

    def action_back(self) -> None:
        self.query_one(ContentSwitcher).current = "fix-choose"
        self.refresh_bindings()
        self.query_one("#fix-yes", Button).focus()

    def action_add(self) -> None:
        self.query_one(AddEmailForm).start()

    def action_close(self) -> None:
        self.dismiss(False)

    # --- reading the site ---------------------------------------------------------------

    def action_check(self) -> None:
        self.query_one("#fix-owner-status", Note).update("Checking the sender emails…")
        self._load(announce=True)

    @on(Button.Pressed, "#fix-check-button")
    def _check_pressed(self) -> None:
        self.action_check()

    @job("fix-load", "Reading the site's sender emails", "Press c to check again.")
    async def _load(self, announce: bool) -> None:
        session = self.session
        if session is None:
            self._status("Not signed in: log in to a site first.")
            return
        try:
            emails = await session.client.list_sender_emails()
            details = await session.client.list_sender_details()
        except WixError as exc:
            self._status(f"✗ Could not read the site: {exc.user_message()} Press c to try again.")
            return
        self._show(emails, details)
        if details and announce:
            first = next((d for d in details if d.default), details[0])
            self.app.notify(
                f"✓ The site has sender details now: {first.from_name} <"
                f"{first.from_email_address}>.",
                title="Sender details",
                markup=False,
            )
            self.dismiss(True)
            return
        if announce:
            self._announce_owner_check()

    def _show(self, emails: list[SenderEmail], details: list[SenderDetails]) -> None:
        self.emails, self.details = emails, details
        for table in self.query(SenderEmailsTable):
            table.show(emails)
        existing = self.query_one("#fix-existing", Note)
        if details:
            names = ", ".join(f"{d.from_name} <{d.from_email_address}>" for d in details[:3])
            existing.update(
                f"This site has sender details already ({names}). If Wix still answers this "
                "error, its domain may not be linked to the new sending-domains system: "
                "contact Wix support."
            )
        existing.display = bool(details)

    def _announce_owner_check(self) -> None:
        clock = self.services.clock
        when = clock_time(clock.now(), seconds=True, world=is_world(clock))
        verified = [e for e in self.emails if e.verified]
        table = self.query_one("#fix-owner-table", SenderEmailsTable)
        if verified:
            table.select_key(verified[0].id)
            table.focus()
            self._status(
                f"Checked at {when}: ✓ {verified[0].email_address} is verified. Press Enter on "
                "it to create sender details with it."
            )
        else:
            self._status(
                f"Checked at {when}: ✗ no verified sender email yet. When the owner has "
                "verified one, press c again."
            )

    def _status(self, text: str) -> None:
        """Say it in the view that is showing (the question view has no status line)."""
        if self.view == "fix-choose":
            note = self.query_one("#fix-existing", Note)
            note.update(text)
            note.display = bool(text)
            return
        target = "#fix-owner-status" if self.view == "fix-owner-view" else "#fix-inbox-status"
        self.query_one(target, Note).update(text)

    def recover(self, failed: Job, error: BaseException) -> str | None:
        self._status(
            f"✗ {failed.what} failed: an unexpected error (in the log file). {failed.then}"
        )
        return None

    # --- (a) the user can read the inbox ------------------------------------------------

    @on(AddEmailForm.Added)
    def _added(self, event: AddEmailForm.Added) -> None:
        event.stop()
        if event.email.id not in {e.id for e in self.emails}:
            self.emails.append(event.email)
            self.query_one("#fix-inbox-table", SenderEmailsTable).show(self.emails)
        self._use(event.email)

    @on(AddEmailForm.Uncertain)
    def _uncertain(self, event: AddEmailForm.Uncertain) -> None:
        event.stop()
        self._load(announce=False)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        table = event.data_table
        if not isinstance(table, SenderEmailsTable) or table.selected is None:
            return
        email = table.selected
        if table.id == "fix-owner-table" and not email.verified:
            self._status(
                f"{email.email_address} is not verified yet: the owner finishes in the "
                "dashboard, then press c."
            )
            return
        self._use(email)

    def _use(self, email: SenderEmail) -> None:
        """Verified: on to the from-name. Not yet: the code first."""
        if email.verified:
            self._create_details(email)
            return

        def verified(result: SenderEmail | None) -> None:
            if result is None:
                self._status(
                    f"{email.email_address} is not verified yet. Pick it again to enter a code."
                )
                return
            self.emails = [result if e.id == result.id else e for e in self.emails]
            for table in self.query(SenderEmailsTable):
                table.show(self.emails, select=result.id)
            self._create_details(result)

        self.app.push_screen(CodeScreen(email), verified)

    def _create_details(self, email: SenderEmail) -> None:
        verified = [e for e in self.emails if e.verified]
        if email.id not in {e.id for e in verified}:
            verified.append(email)

        def created(details: SenderDetails | None) -> None:
            if details is None:
                self._status("No sender details were created yet. Pick an address to go on.")
                return
            self.app.notify(
                f"✓ Sender details created: {details.from_name} <{details.from_email_address}>."
                " The sending domain can be set up now.",
                title="Sender details",
                markup=False,
            )
            self.dismiss(True)

        self.app.push_screen(
            CreateSenderDetailsScreen(verified, selected=email.email_address), created
        )


def reload_senders(app: App[Any]) -> None:
    """Have the Senders pane read the site again (it lives on the home screen)."""
    for screen in app.screen_stack:
        for pane in screen.query("#senders-pane").results(Pane):
            pane.reload()


def open_guided_fix(app: App[Any], on_done: Callable[[bool], None] | None = None) -> bool:
    """Push the guided fix unless it is open already (two panes may hit the error at once).

    ``on_done(True)`` once the site has sender details (e.g. the Domains pane then queries
    again), ``on_done(False)`` when the user closed it first. Returns whether it was pushed."""
    if any(isinstance(screen, GuidedFixScreen) for screen in app.screen_stack):
        return False

    def closed(fixed: bool | None) -> None:
        # Addresses may have been added or verified even when the user gave up half-way.
        reload_senders(app)
        if on_done is not None:
            on_done(bool(fixed))

    app.push_screen(GuidedFixScreen(), closed)
    return True


def handle_sender_details_error(
    app: App[Any], error: BaseException, on_done: Callable[[bool], None] | None = None
) -> bool:
    """Open the guided fix if ``error`` is SENDER_DETAILS_DO_NOT_EXIST; True if it was."""
    if isinstance(error, SenderDetailsDoNotExist):
        open_guided_fix(app, on_done)
        return True
    return False
