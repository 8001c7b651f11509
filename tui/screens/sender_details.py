"""Create sender details: a from-name plus one of the site's *verified* sender emails.

This is what unlocks the Sending Domains API (fact sheet §0, §3.1). The from-name is checked
inline (1-100 characters) and nothing is sent while it is wrong. Wix's refusals are shown in the
form, in Wix's words where ours would guess: a 428 can mean "not verified" but also "your plan
allows one sender", and the error code names are unconfirmed.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select

from tui.flow.checks import from_name_problem
from tui.flow.writes import may_have_happened, write_failure
from tui.widgets.fields import ErrorLine, Note
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, job
from tui.wix.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    SenderDetailsDoNotExist,
    WixError,
)
from tui.wix.models import SenderDetails, SenderEmail

CHECK_SENDERS = "Check the Senders pane (r reads it again) before trying again."
NAME_HINT = "Recipients see it as the sender, e.g. your business (1-100 characters)."


def precondition_text(error: FailedPrecondition) -> str:
    """A refusal to create the sender, in the client's words: the cause as Wix's data tells
    it (the plan's features, the address's verification; see ``explain_sender_refusal``),
    never guessed from a code, with Wix's own words quoted."""
    return error.user_message()


class CreateSenderDetailsScreen(UsesServices, RunsJobs, ModalScreen[SenderDetails | None]):
    """Dismisses with the created sender details, or None on Esc."""

    # Focused as the screen is composed: a focus() in on_mount lands a moment later, and
    # keys typed at once (a paste, a fast typist) would go to the first field instead.
    AUTO_FOCUS = "#from-name"

    CSS_PATH = "sender_details.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="details-cancel")]

    def __init__(self, verified: Sequence[SenderEmail], selected: str | None = None) -> None:
        """``verified``: the site's verified sender emails; ``selected``: the address to
        offer first."""
        super().__init__(id="details-screen")
        self.verified = [email for email in verified if email.verified]
        addresses = [email.email_address for email in self.verified]
        self.selected = selected if selected in addresses else (addresses or [None])[0]
        self.busy = False
        self._touched = False

    def compose(self) -> ComposeResult:
        # Text prompts: a plain string would be read as markup, and the addresses come from Wix.
        options = [(Text(email.email_address), email.email_address) for email in self.verified]
        with Vertical(id="details-box", classes="modal-box"):
            yield Note("Create sender details", classes="title")
            yield Note(
                "Emails will go out with this name and address; a site's first sender "
                "details become its default.",
                classes="hint",
            )
            yield Label("From address (verified sender emails)")
            yield Select(
                options,
                id="details-address",
                allow_blank=not options,
                value=self.selected if self.selected else Select.BLANK,
            )
            yield ErrorLine(id="details-address-error")
            yield Label("From-name")
            yield Input(id="from-name", placeholder="e.g. Sunrise Bakery")
            yield ErrorLine(id="from-name-error")
            yield Note(NAME_HINT, classes="hint")
            yield ErrorLine(id="details-form-error")
            yield Note("", id="details-status", classes="hint")
            with Horizontal(id="details-buttons"):
                yield Button("Create (Enter)", id="details-create", variant="primary")
                yield Button("Cancel (Esc)", id="details-cancel")
        yield Footer()

    @property
    def address(self) -> str:
        value = self.query_one("#details-address", Select).value
        return value if isinstance(value, str) else ""

    @on(Input.Changed, "#from-name")
    def _name_changed(self, event: Input.Changed) -> None:
        if self._touched:
            self._check_name(event.value)

    def _check_name(self, name: str) -> bool:
        problem = from_name_problem(name)
        error = self.query_one("#from-name-error", ErrorLine)
        if problem:
            error.show(problem)
        else:
            error.clear()
        return not problem

    @on(Input.Submitted, "#from-name")
    @on(Button.Pressed, "#details-create")
    def _submit(self) -> None:
        if self.busy:
            return
        self._touched = True
        name = self.query_one("#from-name", Input).value.strip()
        address = self.address
        name_ok = self._check_name(name)
        address_error = self.query_one("#details-address-error", ErrorLine)
        if not address:
            address_error.show("Verify a sender email first: only verified addresses can send.")
        else:
            address_error.clear()
        if not (name_ok and address):
            return
        self.busy = True
        self.query_one("#details-form-error", ErrorLine).clear()
        self.query_one("#details-status", Note).update(f"Creating {name} <{address}>…")
        self._create(name, address)

    @job(
        "details-create",
        "Creating the sender details",
        "They may or may not have been created: check the Senders pane (r reads it again) "
        "before trying again.",
    )
    async def _create(self, name: str, address: str) -> None:
        form_error = self.query_one("#details-form-error", ErrorLine)
        try:
            session = self.session
            if session is None:
                form_error.show("Not signed in: log in to a site first.")
                return
            try:
                details = await session.client.create_sender_details(name, address)
            except InvalidArgument as exc:
                self._violations(exc)
                return
            except SenderDetailsDoNotExist as exc:
                form_error.show(exc.user_message())
                return
            except FailedPrecondition as exc:
                form_error.show(precondition_text(exc))
                return
            except AlreadyExists as exc:
                form_error.show(exc.user_message())
                return
            except WixError as exc:
                if not may_have_happened(exc):
                    form_error.show(write_failure(exc, "created the sender"))
                    return
                # Wix had the request: look before anyone creates it twice.
                looked, found = await self._find(name, address)
                if found is None:
                    uncertain = write_failure(exc, "created the sender", "")
                    form_error.show(
                        f"{uncertain} It did not: press Enter to create it again."
                        if looked
                        else f"{uncertain} {CHECK_SENDERS}"
                    )
                    return
                details = found
            self.dismiss(details)
        finally:
            self.busy = False
            if self.is_attached:
                self.query_one("#details-status", Note).update("")

    async def _find(self, name: str, address: str) -> tuple[bool, SenderDetails | None]:
        """Whether the site's sender details could be read, and the ones for ``name`` and
        ``address`` if Wix has them."""
        session = self.session
        if session is None:
            return False, None
        try:
            details = await session.client.list_sender_details()
        except WixError:
            return False, None
        wanted = address.casefold()
        found = (d for d in details if d.from_email_address.casefold() == wanted)
        return True, next((d for d in found if d.from_name == name), None)

    def _violations(self, error: InvalidArgument) -> None:
        """Each of Wix's field violations under its field; the rest under the form."""
        rest: list[str] = []
        for violation in error.field_violations:
            if violation.field.endswith("fromName"):
                self.query_one("#from-name-error", ErrorLine).show(
                    f"Wix refused the from-name: {violation.description}."
                )
            elif violation.field.endswith("fromEmailAddress"):
                self.query_one("#details-address-error", ErrorLine).show(
                    f"Wix refused the address: {violation.description}."
                )
            else:
                rest.append(str(violation))
        if rest or not error.field_violations:
            text = "; ".join(rest) if rest else error.user_message()
            self.query_one("#details-form-error", ErrorLine).show(text)

    def recover(self, failed: Job, error: BaseException) -> str | None:
        self.busy = False
        self.query_one("#details-form-error", ErrorLine).show(
            f"{failed.what} failed: an unexpected error (in the log file). {failed.then}"
        )
        return None

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#details-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
