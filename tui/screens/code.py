"""The verification-code modal: Wix emails a code to the address; the user types or pastes it.

- Opens by sending a code, unless one was already sent to this address in this session (then
  the user most likely has it; Resend is there if not).
- Shows the address and when the code was sent, as clock time and "12 s ago" (both read off
  the app's clock; on the demo's fast world clock both say "world time", and "ago" adds what
  that is in real time).
- Enter submits, Esc cancels. A wrong code keeps the modal open: inline error, field emptied
  and focused again. 409 (already verified) counts as success. Success re-reads the address
  with Get Sender Email and dismisses with it.
- Resend (ctrl+r) waits out a visible cooldown (``flow.polling.resend_wait`` on the app's
  clock); Wix's own resend limit (428) is shown in its words and its wait is honoured too.
  Only a key press sends a code: failures are never retried by themselves, and a send that
  may have reached Wix starts the cooldown as if it had.
- In demo mode the screen itself shows the latest code in the sandbox mailbox, so a newcomer
  can finish: read after every send (and on opening), so after a resend the new code replaces
  the old one, which no longer works. Not a toast: a toast lands over the dialog's buttons and
  outlives the code it shows.
- Notices raised while it is open go to its own notice line (``tui/widgets/notices.py``).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label

from tui.demo import SandboxError
from tui.flow.checks import code_problem
from tui.flow.codes import SentCodes
from tui.flow.writes import may_have_happened, write_failure
from tui.time_words import ago, clock_time, is_world, span, world_speed
from tui.widgets.code_input import CodeInput
from tui.widgets.fields import ErrorLine, Note
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, job
from tui.widgets.notices import NoticeLine
from tui.wix.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    WixError,
)
from tui.wix.models import SenderEmail

log = logging.getLogger("tui.screens.code")

TICK_SECONDS = 0.5  # real seconds between countdown updates (the demo clock runs 60x)
CHECK_INBOX = (
    "Check the inbox (and the spam folder) first; a new code can be asked for once the "
    "countdown ends."
)


class CodeScreen(UsesServices, RunsJobs, ModalScreen[SenderEmail | None]):
    """Dismisses with the verified sender email (re-read from Wix), or None on Esc."""

    # Focused as the screen is composed: a focus() in on_mount lands a moment later, and
    # keys typed at once (a paste, a fast typist) would go to the first field instead.
    AUTO_FOCUS = "#code"

    CSS_PATH = "code.tcss"
    BINDINGS = [
        Binding("ctrl+r", "resend", "Resend code", id="code-resend"),
        Binding("escape", "cancel", "Cancel", id="code-cancel"),
    ]

    def __init__(self, sender_email: SenderEmail) -> None:
        super().__init__(id="code-screen")
        self.sender_email = sender_email
        self.sending = False
        self.verifying = False
        self._send_problem = ""
        self.mailbox_code: str | None = None  # the demo mailbox's latest code, once read
        self.mailbox_problem = ""  # why the demo mailbox could not be read

    @property
    def address(self) -> str:
        return self.sender_email.email_address

    def compose(self) -> ComposeResult:
        with Vertical(id="code-box", classes="modal-box"):
            yield Note(f"Verify {self.address}", classes="title", id="code-title")
            yield Note("", id="code-sent")
            yield Note("", id="code-mailbox")
            yield Label("Code from the email (3-10 letters or digits)")
            yield CodeInput(id="code")
            yield ErrorLine(id="code-error")
            yield Note("", id="code-resend-status", classes="hint")
            with Horizontal(id="code-buttons"):
                yield Button("Verify (Enter)", id="code-verify", variant="primary")
                yield Button("Resend code (ctrl+r)", id="code-resend")
                yield Button("Cancel (Esc)", id="code-cancel")
            yield NoticeLine(id="code-notice")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#code-mailbox", Note).display = self.services.sandbox is not None
        self.set_interval(TICK_SECONDS, self._tick)
        # Send on open only if this session never sent one (and Wix is not refusing more):
        # whoever reopens the screen most likely has the code already.
        never_sent = self.codes.last_sent(self.sender_email.id) is None
        if never_sent and self.resend_wait.total_seconds() <= 0:
            self._start_send()
        elif not never_sent:
            self._read_mailbox()
        self._tick()

    # --- what the user sees -------------------------------------------------------------

    @property
    def codes(self) -> SentCodes:
        return self.services.sent_codes

    @property
    def resend_wait(self) -> timedelta:
        return self.codes.wait(self.sender_email.id, self.services.clock.now())

    def _tick(self) -> None:
        """Refresh "sent 12 s ago" and the resend countdown (both read the app's clock).
        ``show``: repainted only when the text changed, laid out only when its height did (a
        layout pass of the screen twice a second would slow the typing)."""
        clock = self.services.clock
        now, speed = clock.now(), world_speed(clock)
        sent_at = self.codes.last_sent(self.sender_email.id)
        sent = self.query_one("#code-sent", Note)
        if self.sending:
            sent.show(f"Sending a code to {self.address}…")
        elif sent_at is not None:
            sent.show(
                f"A code was sent to {self.address} at {self._at(sent_at, now)} "
                f"({ago(sent_at, now, speed=speed)}). Check the inbox, and the spam folder."
            )
        else:
            sent.show(self._send_problem or f"No code has been sent to {self.address} yet.")
        wait = self.resend_wait.total_seconds()
        status = self.query_one("#code-resend-status", Note)
        if self.sending:
            status.show("")
        elif wait > 0:
            status.show(
                f"⧗ Resend possible in {span(wait, speed=speed)}; one code a minute at most."
            )
        else:
            status.show("↻ No email? Press ctrl+r to send a new code.")
        self.query_one("#code-resend", Button).disabled = self.sending or wait > 0
        self._show_mailbox()

    def _show_mailbox(self) -> None:
        """The demo mailbox's latest code, or that a new one is on its way (the old one then
        stops working, so it is no longer shown)."""
        if self.services.sandbox is None:
            return
        line = self.query_one("#code-mailbox", Note)
        if self.sending:
            line.show("✉ Demo mailbox: a new code is on its way (the old one stops working).")
        elif self.mailbox_problem:
            line.show(f"✉ Demo mailbox: could not be read ({self.mailbox_problem}).")
        elif self.mailbox_code:
            line.show(f"✉ Demo mailbox: the latest code sent is {self.mailbox_code}")
        else:
            line.show("✉ Demo mailbox: no code yet.")

    def _at(self, when: datetime, now: datetime) -> str:
        clock = self.services.clock
        return clock_time(when, now, seconds=True, world=is_world(clock))

    def _error(self, text: str) -> None:
        self.query_one("#code-error", ErrorLine).show(text)

    # --- sending the code ---------------------------------------------------------------

    def action_resend(self) -> None:
        if self.sending:
            return
        wait = self.resend_wait.total_seconds()
        if wait > 0:
            speed = world_speed(self.services.clock)
            self._error(
                f"Not yet: a new code can be sent in {span(wait, speed=speed)}. The last one "
                "is still on its way; check the spam folder too."
            )
            return
        self._start_send()

    @on(Button.Pressed, "#code-resend")
    def _resend_pressed(self) -> None:
        self.action_resend()

    def _start_send(self) -> None:
        # The flag is set before the worker starts, so a second key press cannot send again.
        self.sending = True
        self._send_problem = ""
        self.mailbox_code = None
        self.query_one("#code-error", ErrorLine).clear()
        self._tick()
        self._send()

    @job(
        "code-send",
        "Sending the verification code",
        "It may have gone out: the resend countdown started as if it had.",
    )
    async def _send(self) -> None:
        codes, clock = self.codes, self.services.clock
        try:
            session = self.session
            if session is None:
                self._send_problem = "Not signed in: no code was sent."
                return
            try:
                await session.client.send_verification_code(self.sender_email.id)
            except AlreadyExists:
                # 409: the address is verified already; that is what we wanted.
                self.sending = False
                await self._succeed()
                return
            except FailedPrecondition as exc:
                # Wix's resend limit (or another reason it will not send now): its words.
                retry = exc.data.get("retryAfterSeconds") or exc.retry_after
                if isinstance(retry, int | float) and retry > 0:
                    codes.refuse_until(self.sender_email.id, clock.now() + timedelta(seconds=retry))
                self._send_problem = "Wix did not send a code."
                self._error(exc.user_message())
                return
            except NotFound as exc:
                self._send_problem = "No code was sent."
                self._error(exc.user_message())
                return
            except WixError as exc:
                if may_have_happened(exc):
                    # It may have gone out: count it, so the cooldown stops a double send.
                    codes.record(self.sender_email.id, clock.now())
                else:
                    self._send_problem = "No code was sent."
                self._error(write_failure(exc, "sent a code", CHECK_INBOX))
                return
            codes.record(self.sender_email.id, clock.now())
            await self._read_sandbox_code()
        finally:
            self.sending = False
            if self.is_attached:
                self._tick()

    @job(
        "code-mailbox",
        "Reading the demo mailbox",
        "Press ctrl+r for a new code once the countdown ends.",
    )
    async def _read_mailbox(self) -> None:
        await self._read_sandbox_code()
        if self.is_attached:
            self._tick()

    async def _read_sandbox_code(self) -> None:
        """The demo: the newest code the sandbox emailed to the address, shown in the screen."""
        sandbox = self.services.sandbox
        if sandbox is None:
            return
        try:
            code = await sandbox.latest_code(self.address)
        except SandboxError as exc:
            log.warning("could not read the sandbox mailbox: %s", exc)
            self.mailbox_code, self.mailbox_problem = None, str(exc)
            return
        self.mailbox_code, self.mailbox_problem = code, ""

    # --- checking the code --------------------------------------------------------------

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#code-verify")
    def _submit(self) -> None:
        if self.verifying:
            return
        code = self.query_one("#code", Input).value.strip()
        problem = code_problem(code)
        if problem:
            self._error(problem)
            self.query_one("#code", Input).focus()
            return
        self.verifying = True
        self.query_one("#code-error", ErrorLine).clear()
        self.query_one("#code-resend-status", Note).update("Checking the code…")
        self._verify(code)

    @job("code-verify", "Checking the code", "Press Enter to check it again.")
    async def _verify(self, code: str) -> None:
        try:
            session = self.session
            if session is None:
                self._error("Not signed in: the code cannot be checked.")
                return
            try:
                await session.client.verify_sender_email(self.sender_email.id, code)
            except AlreadyExists:
                pass  # 409: verified already (maybe by the owner in the dashboard): success
            except InvalidArgument as exc:
                self._wrong_code(exc)
                return
            except WixError as exc:
                if may_have_happened(exc):
                    # Wix had the code: only the address itself can say whether it took it.
                    await self._succeed(uncertain=write_failure(exc, "accepted the code", ""))
                else:
                    self._error(exc.user_message())
                return
            await self._succeed()
        finally:
            self.verifying = False
            if self.is_attached:
                self._tick()

    def _wrong_code(self, error: InvalidArgument) -> None:
        # Wix's description says which case (wrong, replaced by a newer code, none sent).
        reasons = [v.description for v in error.field_violations if v.description]
        why = f" (Wix says: {'; '.join(reasons)})" if reasons else ""
        self._error(
            f"That code is not right{why}. Type the code from the latest email, or press "
            "ctrl+r for a new one."
        )
        field = self.query_one("#code", Input)
        field.value = ""
        field.focus()

    async def _succeed(self, uncertain: str = "") -> None:
        """Verified (or, with ``uncertain``, maybe): read the address again so the caller
        shows what Wix really has."""
        session = self.session
        fresh = replace(self.sender_email, verified=not uncertain)
        if session is not None:
            try:
                fresh = await session.client.get_sender_email(self.sender_email.id)
            except WixError as exc:
                # Accepted: the list will be read again by the caller anyway. Uncertain: the
                # address stays unverified here until a read says otherwise.
                log.warning("could not re-read the sender email after verifying: %s", exc)
        if not fresh.verified and uncertain:
            self._error(f"{uncertain} It is not verified yet: press Enter to check the code again.")
            return
        if not fresh.verified:
            self._error(
                "Wix accepted the code but still lists the address as not verified. "
                "Wait a moment and press Enter again."
            )
            return
        self.dismiss(fresh)

    def recover(self, failed: Job, error: BaseException) -> str | None:
        self.sending = self.verifying = False
        if failed.group == "code-send":
            # Whether the code went out is unknown: a second one unasked would be harm, so
            # the cooldown starts as if it had (unless a send was recorded already).
            now = self.services.clock.now()
            if self.resend_wait.total_seconds() <= 0:
                self.codes.record(self.sender_email.id, now)
        self._error(f"{failed.what} failed: an unexpected error (in the log file).")
        self._tick()
        return None

    def action_cancel(self) -> None:
        # A send already in flight finishes on Wix's side anyway; closing is always allowed.
        self.dismiss(None)

    @on(Button.Pressed, "#code-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
