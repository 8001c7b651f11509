"""The "add a sender email" form: one address field, checked as it is typed, then Create.

Used inline by the Senders pane and by the guided fix. Nothing is sent while the field is
invalid. When Wix already has the address (409) the form looks it up and hands it back as
``existed`` so the caller can select it instead of failing.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label

from tui.flow.checks import email_problem
from tui.flow.writes import READ_AGAIN, may_have_happened, write_failure
from tui.widgets.fields import ErrorLine, Note
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, job
from tui.wix.errors import AlreadyExists, InvalidArgument, WixError
from tui.wix.models import SenderEmail


class AddEmailForm(UsesServices, RunsJobs, Vertical):
    DEFAULT_CSS = """
    AddEmailForm { height: auto; padding: 0 1; }
    AddEmailForm > Input { width: 60; max-width: 100%; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="senders-add-cancel")]

    class Added(Message):
        """The address is a sender email of the site now (``existed``: it already was)."""

        def __init__(self, form: AddEmailForm, email: SenderEmail, existed: bool) -> None:
            super().__init__()
            self.form = form
            self.email = email
            self.existed = existed

    class Cancelled(Message):
        def __init__(self, form: AddEmailForm) -> None:
            super().__init__()
            self.form = form

    class Uncertain(Message):
        """The create may or may not have reached Wix: the caller should read the list."""

        def __init__(self, form: AddEmailForm, address: str) -> None:
            super().__init__()
            self.form = form
            self.address = address

    def __init__(self, *, id: str | None = None, cancellable: bool = True) -> None:
        super().__init__(id=id)
        self.cancellable = cancellable
        self.busy = False
        self._touched = False

    def compose(self) -> ComposeResult:
        yield Label("Address to send from (Enter adds it, Esc cancels)")
        yield Input(id="new-email", placeholder="e.g. info@example.com")
        yield ErrorLine(id="new-email-error")
        yield Note("", id="new-email-status", classes="hint")

    @property
    def field(self) -> Input:
        return self.query_one("#new-email", Input)

    def start(self) -> None:
        """Empty the form and put the cursor in it."""
        self.field.value = ""
        self._touched = False
        self.query_one("#new-email-error", ErrorLine).clear()
        self.query_one("#new-email-status", Note).update("")
        self.field.focus()

    @on(Input.Changed, "#new-email")
    def _changed(self, event: Input.Changed) -> None:
        # Only once the user has tried to submit: an error on the first key press is noise.
        event.stop()
        if self._touched:
            self._check(event.value.strip())

    def _check(self, address: str) -> bool:
        problem = email_problem(address)
        error = self.query_one("#new-email-error", ErrorLine)
        if problem:
            error.show(problem)
        else:
            error.clear()
        return not problem

    @on(Input.Submitted, "#new-email")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:
            return
        self._touched = True
        address = event.value.strip()
        if not self._check(address):
            return
        self.busy = True
        self.query_one("#new-email-status", Note).update(f"Adding {address}…")
        self._create(address)

    def recover(self, failed: Job, error: BaseException) -> str | None:
        self.busy = False
        self.query_one("#new-email-status", Note).update("")
        self.query_one("#new-email-error", ErrorLine).show(
            f"{failed.what} failed: an unexpected error (in the log file)."
        )
        # Whether Wix has it now is only known by reading the list again.
        self.post_message(self.Uncertain(self, self.field.value.strip()))
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Not cancellable (the guided fix): Esc falls through to the screen, which closes.
        return self.cancellable if action == "cancel" else True

    def action_cancel(self) -> None:
        if self.cancellable and not self.busy:
            self.post_message(self.Cancelled(self))

    @job(
        "add-sender-email",
        "Adding the sender email",
        "It may or may not have been added: the list is read again.",
    )
    async def _create(self, address: str) -> None:
        status = self.query_one("#new-email-status", Note)
        error = self.query_one("#new-email-error", ErrorLine)
        try:
            session = self.session
            if session is None:
                error.show("Not signed in: log in to a site first.")
                return
            try:
                email = await session.client.create_sender_email(address)
            except AlreadyExists:
                await self._existing(address)
                return
            except InvalidArgument as exc:
                # Wix's own words for the field ("must be a valid email address").
                reasons = [v.description for v in exc.field_violations if v.description]
                error.show(
                    f"Wix refused it: {'; '.join(reasons)}." if reasons else exc.user_message()
                )
                self.field.focus()
                return
            except WixError as exc:
                if may_have_happened(exc):
                    # Wix may have it now: look before anyone adds it again.
                    await self._existing(address, uncertain=write_failure(exc, "added it", ""))
                    return
                error.show(write_failure(exc, "added it"))
                return
            self.post_message(self.Added(self, email, existed=False))
        finally:
            self.busy = False
            status.update("")

    async def _existing(self, address: str, uncertain: str = "") -> None:
        """Wix says the address is there already (or, with ``uncertain``, a create may have
        reached it): find it so the caller can select it."""
        session = self.session
        found: list[SenderEmail] | None = None
        if session is not None:
            try:
                found = await session.client.list_sender_emails(email_address=address)
            except WixError:
                found = None
        if found:
            self.post_message(self.Added(self, found[0], existed=not uncertain))
        elif found is not None and uncertain:
            # Looked, and Wix does not have it: the create did not happen.
            self.query_one("#new-email-error", ErrorLine).show(
                f"{uncertain} It did not: press Enter to add it again."
            )
        else:
            if uncertain:
                self.query_one("#new-email-error", ErrorLine).show(f"{uncertain} {READ_AGAIN}")
            self.post_message(self.Uncertain(self, address))
