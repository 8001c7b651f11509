"""The Senders pane: the site's sender emails and its sender details.

Keys (ids in brackets, remappable in the config's [keymap]):

- a add an address [senders-add], v send the code / verify it [senders-verify],
  d delete it [senders-delete] (these act on the sender emails table);
- c create sender details [details-create], m make the highlighted one the default
  [details-default] (on the sender details table);
- r read both lists again [senders-refresh]; g the guided fix [senders-guided-fix].

Both lists are read in one worker (never blocking input) on sign-in, on ``r`` and after every
change. The sender details half (the table, making one the default) is its own widget
(``widgets/sender_details_section.py``); the emails half (add, verify, delete) stays here with the
loading of both lists, as it shares the emails table, its focus rules and the pane's keys.

A failed read says what happened and retries by itself (``flow.retry``) with backoff on the app's
clock for network and server trouble; other refusals wait for ``r``.
"""

from __future__ import annotations

import logging

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Tabs

from tui.flow.retry import read_retry
from tui.flow.writes import write_failure
from tui.screens.code import CodeScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.guided_fix import (
    GuidedFixScreen,
    handle_sender_details_error,
    open_guided_fix,
)
from tui.screens.journey_keys import journey_keys
from tui.screens.sender_details import CreateSenderDetailsScreen
from tui.services import Session
from tui.time_words import duration, is_world
from tui.widgets.email_form import AddEmailForm
from tui.widgets.fields import Note
from tui.widgets.jobs import Job, job
from tui.widgets.pane import ONLINE, Connection, JourneyData, Pane
from tui.widgets.sender_details_section import SenderDetailsSection
from tui.widgets.sender_tables import SenderDetailsTable, SenderEmailsTable
from tui.wix.errors import NotFound, WixError
from tui.wix.models import SenderDetails, SenderEmail

log = logging.getLogger("tui.screens.senders")

NO_EMAILS = "No sender emails yet: press {key} to add the address you want to send from."
READING = "Reading the sender emails…"


def plural(count: int, one: str, many: str = "") -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


class SendersPane(Pane):
    TITLE = "Senders"
    HELP = (
        "Sender emails are the addresses this site may send from. Add one with a; Wix then "
        "emails a code to it, which you type in after pressing v (addresses Wix already trusts, "
        "like your Wix login email, are verified at once). Delete one with d. Sender details "
        "give a verified address a from-name (c); the first becomes the site's default, and "
        "m makes another one the default. Sender details are what unlock the Sending Domains "
        "API: until the site has them, Wix answers SENDER_DETAILS_DO_NOT_EXIST and g opens a "
        "guided fix, also for when you cannot read the inbox and the owner must verify the "
        "address in the Wix dashboard. r reads both lists again."
    )
    BINDINGS = [
        # In the journey's order: the footer shows the first ones that fit (at 80 columns, up
        # to "Create sender"); the rest are in F1 and the palette.
        Binding("a", "add", "Add address", id="senders-add"),
        Binding("v", "verify", "Verify", id="senders-verify"),
        Binding("c", "create_details", "Create sender", id="details-create"),
        Binding("m", "mark_default", "Make default", id="details-default"),
        Binding("d", "delete", "Delete", id="senders-delete"),
        Binding("r", "refresh", "Refresh", id="senders-refresh"),
        Binding("g", "guided_fix", "Guided fix", id="senders-guided-fix", show=False),
    ]
    # Keys that act on one table are offered only while that table has the focus.
    _EMAIL_ACTIONS = frozenset({"verify", "delete"})
    _DETAILS_ACTIONS = frozenset({"mark_default"})

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.busy = False  # a write is in flight: one at a time

    def compose(self) -> ComposeResult:
        # Two halves of equal height (the add form, when open, takes room from both).
        with Vertical(id="emails"):
            yield Note("Sender emails", classes="section-title")
            yield Note("", id="emails-status", classes="hint")
            yield AddEmailForm(id="add-email")
            yield SenderEmailsTable(id="emails-table")
        yield SenderDetailsSection(id="details")

    def on_mount(self) -> None:
        self.query_one(AddEmailForm).display = False
        self.follow_session(self._session_changed)

    @property
    def emails_table(self) -> SenderEmailsTable:
        return self.query_one("#emails-table", SenderEmailsTable)

    @property
    def details(self) -> SenderDetailsSection:
        return self.query_one(SenderDetailsSection)

    @property
    def details_table(self) -> SenderDetailsTable:
        return self.details.table

    # --- the session and loading ----------------------------------------------------------

    def _session_changed(self, session: Session | None) -> None:
        # Another site's (or nobody's) addresses: the old rows must not linger meanwhile.
        self.workers.cancel_group(self, "senders-load")
        self.busy = False
        self.emails_table.show([])
        self.details.clear()
        if session is None:
            self._emails_status("Not signed in.")
            return
        self._emails_status(READING)
        self.reload()
        self._focus_first_time()

    def reload(self, select: str | None = None) -> None:
        """Read both lists again; ``select`` (a sender email id) gets the cursor."""
        self._load(select)

    def action_refresh(self) -> None:
        if self.session is None:
            self.app.notify("Not signed in: there is nothing to refresh.", markup=False)
            return
        self._emails_status(READING)
        self.reload()

    @job(
        "senders-load",
        "Reading the sender emails and sender details",
        "Press r to read them again.",
    )
    async def _load(self, select: str | None = None) -> None:
        session = self.session
        if session is None:
            return
        attempt = 0
        while True:
            try:
                emails = await session.client.list_sender_emails()
                details = await session.client.list_sender_details()
                break
            except WixError as exc:
                if self.session is not session:
                    return  # signed out or switched site meanwhile
                if handle_sender_details_error(self.app, exc):
                    self._emails_status(f"✗ {exc.user_message()}")
                    return
                attempt += 1
                retry = read_retry(exc, attempt)
                if not retry.again:
                    self._emails_status(
                        f"✗ Could not read the sender emails: {exc.user_message()} "
                        "Press r to try again."
                    )
                    self.post_message(Connection(f"⚠ {retry.reason}; press r to retry"))
                    return
                wait = duration(retry.delay)
                self._emails_status(
                    f"⚠ Could not read the sender emails: {exc.user_message()} Retrying in "
                    f"{wait} (r: now)."
                )
                self.post_message(Connection(f"⚠ {retry.reason}; retrying in {wait}"))
                await self.services.clock.sleep(retry.delay)
        if self.session is not session:
            return
        self._show(emails, details, select)
        self.post_message(JourneyData(emails=emails, details=details))
        self.post_message(Connection(ONLINE))

    def _show(
        self, emails: list[SenderEmail], details: list[SenderDetails], select: str | None
    ) -> None:
        # First the focus (at start-up the screen's own auto-focus may have run after the
        # first claim), then the words that invite a key: "press a" must work once shown.
        self._focus_first_time()
        world = is_world(self.services.clock)  # the demo: dates on the sandbox's clock
        self.emails_table.show(emails, select=select, world=world)
        # The keys as this user has them (the config's [keymap]), as "Next:" names them.
        keys = journey_keys(self.app, self.services.config.keymap)
        self.details.show(details, keys["details-create"])
        verified = sum(1 for e in emails if e.verified)
        self._emails_status(
            f"{plural(len(emails), 'address', 'addresses')}, {verified} verified."
            if emails
            else NO_EMAILS.format(key=keys["senders-add"])
        )

    def _focus_first_time(self) -> None:
        """Put the cursor in the table when nothing useful has the focus yet, so the pane's
        keys work at once (on the tab bar, a would be the home screen's About)."""
        self._claim_focus()
        # Again after the refresh: the screen's own auto-focus may run in between.
        self.call_after_refresh(self._claim_focus)

    def _claim_focus(self) -> None:
        if not self.is_attached or self.screen is not self.app.screen:
            return
        focused = self.screen.focused
        if self.is_current_tab and (focused is None or isinstance(focused, Tabs)):
            self.emails_table.focus()

    def focus_target(self) -> Widget | None:
        return self.emails_table

    def on_show(self) -> None:
        # Back on this tab (1, Tab, a click): the keys should work at once. Checked again
        # after the refresh: by then the user may have chosen another tab.
        self.call_after_refresh(self.focus_inside)

    def _emails_status(self, text: str) -> None:
        self.query_one("#emails-status", Note).update(text)

    def recover(self, failed: Job, error: BaseException) -> str | None:
        self.busy = False
        if failed.group == "senders-load":
            self._emails_status(
                "✗ The sender emails could not be read (a bug). Press r to try again."
            )
            return None
        # A write failed half-way: what Wix has now is only known by reading again.
        self.reload()
        return "The lists are read again: check them before trying again."

    # --- which keys apply ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            return True
        focused = self.screen.focused
        if action in self._EMAIL_ACTIONS:
            return focused is not self.details_table
        if action in self._DETAILS_ACTIONS:
            return focused is self.details_table
        return True

    def on_descendant_focus(self) -> None:
        self.screen.refresh_bindings()

    def _signed_in(self) -> Session | None:
        session = self.session
        if session is None:
            self.app.notify("Not signed in: log in to a site first.", markup=False)
        return session

    # --- add ------------------------------------------------------------------------------

    def action_add(self) -> None:
        if self._signed_in() is None:
            return
        form = self.query_one(AddEmailForm)
        form.display = True
        # The form's room comes out of both halves alike, as when the lists had one container.
        self.query_one("#emails").add_class("-adding")
        form.start()

    @on(AddEmailForm.Cancelled)
    def _add_cancelled(self, event: AddEmailForm.Cancelled) -> None:
        event.stop()
        self._close_form()

    def _close_form(self) -> None:
        self.query_one(AddEmailForm).display = False
        self.query_one("#emails").remove_class("-adding")
        self.emails_table.focus()

    @on(AddEmailForm.Added)
    def _added(self, event: AddEmailForm.Added) -> None:
        event.stop()
        email = event.email
        self._close_form()
        if event.existed:
            self.app.notify(
                f"{email.email_address} is already a sender email of this site: it is "
                "selected in the list.",
                markup=False,
            )
        elif email.verified:
            # Wix vouches for it (the Wix login email, a Wix mailbox): no code step.
            self.app.notify(
                f"✓ {email.email_address} was added and is verified already: no code needed. "
                "Press c to create sender details with it.",
                title="Sender email added",
                markup=False,
            )
        else:
            self.app.notify(
                f"Added {email.email_address} (✗ not verified yet). Press v to have Wix "
                "email it a code.",
                title="Sender email added",
                markup=False,
            )
        self.reload(select=email.id)

    @on(AddEmailForm.Uncertain)
    def _add_uncertain(self, event: AddEmailForm.Uncertain) -> None:
        event.stop()
        self.reload()

    # --- verify ---------------------------------------------------------------------------

    def action_verify(self) -> None:
        email = self.emails_table.selected
        if self._signed_in() is None:
            return
        if email is None:
            self.app.notify("No sender email is highlighted: add one with a.", markup=False)
            return
        if email.verified:
            self.app.notify(
                f"✓ {email.email_address} is verified already: no code needed.", markup=False
            )
            return

        def verified(result: SenderEmail | None) -> None:
            if result is None:
                return
            # What led here (the code sent, the demo mailbox) is done with; on an 80x24
            # screen those toasts would hide the next step for half a minute.
            self.app.clear_notifications()
            self.app.notify(
                f"✓ {result.email_address} is verified. Press c to create sender details.",
                title="Verified",
                markup=False,
            )
            self.reload(select=result.id)

        self.app.push_screen(CodeScreen(email), verified)

    @on(DataTable.RowSelected, "#emails-table")
    def _email_chosen(self, event: DataTable.RowSelected) -> None:
        # Enter on a row does its next step: the code for an unverified one.
        event.stop()
        email = self.emails_table.selected
        if email is not None and not email.verified:
            self.action_verify()

    # --- delete ---------------------------------------------------------------------------

    def action_delete(self) -> None:
        email = self.emails_table.selected
        if self._signed_in() is None or self.busy:
            return
        if email is None:
            self.app.notify("No sender email is highlighted.", markup=False)
            return
        body = (
            f"Wix forgets {email.email_address} as a sender email of this site. To send from "
            "it again you would add it and verify it again. Sender details that use it are "
            "not deleted."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self._delete(email)

        self.app.push_screen(
            ConfirmScreen(f"Delete {email.email_address}?", body, "Delete"), answered
        )

    @job("senders-write", "Deleting the sender email", "")
    async def _delete(self, email: SenderEmail) -> None:
        try:
            session = self.session
            if session is None:
                return
            try:
                await session.client.delete_sender_email(email.id)
            except NotFound:
                self.app.notify(f"{email.email_address} was gone already.", markup=False)
            except WixError as exc:
                self.app.notify(
                    write_failure(exc, "deleted it"),
                    title=f"Delete {email.email_address}",
                    severity="error",
                    markup=False,
                )
            else:
                self.app.notify(f"Deleted {email.email_address}.", markup=False)
        finally:
            self.busy = False
        self.reload()

    # --- sender details ---------------------------------------------------------------------

    def action_create_details(self) -> None:
        if self._signed_in() is None:
            return
        emails = list(self.emails_table.emails.values())
        verified = [e for e in emails if e.verified]
        if not verified:
            self.app.notify(
                "No verified sender email yet: add an address (a) and verify it (v) first.",
                markup=False,
            )
            return
        highlighted = self.emails_table.selected
        selected = highlighted.email_address if highlighted and highlighted.verified else None

        def created(details: SenderDetails | None) -> None:
            if details is None:
                return
            default = " It is the site's default sender." if details.default else ""
            self.app.notify(
                f"✓ Created {details.from_name} <{details.from_email_address}>.{default}",
                title="Sender details",
                markup=False,
            )
            self.reload()

        self.app.push_screen(CreateSenderDetailsScreen(verified, selected), created)

    def action_mark_default(self) -> None:
        if self._signed_in() is not None:
            self.details.mark_default()

    def on_sender_details_section_changed(self, event: SenderDetailsSection.Changed) -> None:
        event.stop()
        self.reload()

    # --- the guided fix ---------------------------------------------------------------------

    def action_guided_fix(self) -> None:
        if self._signed_in() is not None:
            open_guided_fix(self.app)


# Every class of this pane's family with remappable bindings, for the app's list of known
# binding ids (``known_binding_ids`` in tui/app.py checks the config's [keymap] against it).
KEYMAP_OWNERS: tuple[type[object], ...] = (
    SendersPane,
    AddEmailForm,
    CodeScreen,
    CreateSenderDetailsScreen,
    GuidedFixScreen,
)
