"""What the Senders pane and the code screen say when Wix or the network fails."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from textual.css.query import NoMatches
from textual.message import Message
from textual.pilot import Pilot

from tests.support import SandboxControl
from tests.ui.conftest import note_text, paste_into, settle
from tests.ui.test_senders import (
    NEW_ADDRESS,
    SIZE,
    add_address,
    email_rows,
    error_text,
    server,
    signed_in_app,
)
from tui.sandbox import SandboxServer
from tui.screens.code import CodeScreen
from tui.store.credentials import Credentials, SecretStores
from tui.store.paths import Paths
from tui.widgets.pane import Connection
from tui.wix import NO_RETRY, ApiKeyAuth
from tui.wix.client import WixClient

__all__ = ["server"]  # the fixture, imported so pytest finds it here too


def without_retries(server: SandboxServer) -> Callable[[Credentials], WixClient]:
    """The client without its own read retries, so a test sees the pane's handling at once."""

    def build(credentials: Credentials) -> WixClient:
        auth = ApiKeyAuth(credentials.secret, credentials.site_id)
        return WixClient(auth, base_url=server.base_url, retry=NO_RETRY)

    return build


async def wait_until(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
    """Poll the screen (no timing assertion: only a generous bound so a bug cannot hang)."""
    for _ in range(250):
        with contextlib.suppress(NoMatches):  # the panes mount after the sign-in
            if condition():
                return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got there")


def connection_reports(reports: list[str]) -> Callable[[Message], None]:
    """A message hook keeping what the pane tells the status line (another pane may write
    the line itself after it, so the messages are what is checked)."""

    def hook(message: Message) -> None:
        if isinstance(message, Connection):
            reports.append(message.text)

    return hook


async def test_a_failed_read_says_what_happened_and_what_comes_next(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.fault("sender-emails.list", "status", status=503, count=1)
    app = signed_in_app(paths, keyring_stores, server)
    app.services.client_factory = without_retries(server)
    reports: list[str] = []
    async with app.run_test(size=SIZE, message_hook=connection_reports(reports)) as pilot:
        await wait_until(pilot, lambda: "Retrying in" in note_text(pilot, "#emails-status"))
        status = note_text(pilot, "#emails-status")
        assert "Could not read the sender emails" in status and "HTTP 503" in status
        assert "Traceback" not in status
        assert "⚠ Wix answered HTTP 503; retrying in 5 s" in reports
        await pilot.press("r")  # now, instead of waiting
        await settle(pilot)
        assert "No sender emails yet" in note_text(pilot, "#emails-status")
        assert reports[-1] == "● online"

        # A refusal that waiting will not fix: said, and left to the user.
        control.fault("sender-emails.list", "status", status=403, count=1)
        await pilot.press("r")
        await settle(pilot)
        status = note_text(pilot, "#emails-status")
        assert "refused" in status and "Press r to try again" in status
        await pilot.press("r")
        await settle(pilot)
        assert "No sender emails yet" in note_text(pilot, "#emails-status")


async def test_a_send_that_may_have_left_is_never_sent_twice(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        # Wix sends the code, then the connection drops before the answer arrives.
        control.fault("sender-emails.send-verification-code", "drop", phase="after")
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, CodeScreen)
        assert "may or may not have sent a code" in error_text(app, "#code-error")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Not yet" in error_text(app, "#code-error")
        assert len(control.mailbox(NEW_ADDRESS)) == 1
        # The code that did arrive works.
        await paste_into(pilot, "#code", control.latest_code(NEW_ADDRESS))
        await pilot.press("enter")
        await settle(pilot)
        assert email_rows(app) == {NEW_ADDRESS: "✓ verified"}


async def test_wix_resend_limit_is_shown_in_its_words(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        await pilot.press("v")
        await settle(pilot)
        for _ in range(5):  # the sandbox takes 5 codes an hour for one address
            control.advance(61)
            await pilot.press("ctrl+r")
            await settle(pilot)
        assert len(control.mailbox(NEW_ADDRESS)) == 5
        error = error_text(app, "#code-error")
        assert "cannot send a code" in error and "at most 5 verification codes" in error
        # Its wait is honoured: no resend offered for a good while.
        control.advance(61)
        await pilot.pause(0.6)
        assert "Resend possible in" in note_text(pilot, "#code-resend-status")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Not yet" in error_text(app, "#code-error")
        assert len(control.mailbox(NEW_ADDRESS)) == 5
