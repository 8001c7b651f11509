"""Notices at 80x24: short toasts, one at a time, never taller than a third of the screen, never
over a dialog's buttons, dismissed by a key; the full text in the messages panel. And the code
screen showing the demo mailbox's newest code, with its times labelled world time."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Button
from textual.widgets._toast import Toast
from textual.widgets.data_table import ColumnKey

from tests.support import SandboxControl
from tests.ui.conftest import note_text, paste_into, settle, signed_in_app
from tui.app import WixSendingApp
from tui.sandbox import SandboxServer
from tui.screens.code import CodeScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.messages import MessagesScreen
from tui.screens.senders import SendersPane
from tui.store.credentials import SecretStores
from tui.store.paths import Paths
from tui.widgets.notices import SEVERITY_SECONDS, NoticeLine, NoticeStrip

SIZE = (80, 24)
ADDRESS = "hello@sunrise-bakery.example"
# As long as the authentication failure that once filled more than the whole screen.
LONG = " ".join(
    f"Step {n}: the record s{n}._domainkey was not found at the authoritative servers."
    for n in range(1, 25)
)


@pytest.fixture
def server(sandbox_server: SandboxServer, control: SandboxControl) -> Iterator[SandboxServer]:
    yield sandbox_server


def toasts(app: WixSendingApp) -> list[Toast]:
    return list(app.screen.query(Toast))


async def toasts_drawn(pilot: Pilot[None]) -> list[Toast]:
    """The toasts once Textual has mounted and laid them out (a few message cycles)."""
    app = pilot.app
    assert isinstance(app, WixSendingApp)
    for _ in range(20):
        await pilot.pause()
        found = toasts(app)
        if found and all(toast.region.height for toast in found):
            return found
    return toasts(app)


async def home(pilot: Pilot[None]) -> WixSendingApp:
    app = pilot.app
    assert isinstance(app, WixSendingApp)
    await settle(pilot)
    app.action_dismiss_notices()
    await pilot.pause()
    return app


async def test_a_long_error_is_a_one_line_toast_and_whole_in_the_messages_panel(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home(pilot)
        app.notify(LONG, title="Authentication failed", severity="error", timeout=40)
        [toast] = await toasts_drawn(pilot)
        assert toast.region.height <= SIZE[1] // 3
        assert toast.region.height == 2  # the title and one line
        [notification] = app._notifications
        assert notification.timeout == SEVERITY_SECONDS["error"] <= 8  # not the 40 s asked
        assert notification.message.endswith("f3 full text")
        assert notification.message.startswith("Step 1: the record")

        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, MessagesScreen)
        shown = "\n".join(str(note.content) for note in app.screen.query(".message-text"))
        assert LONG in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.home


async def test_short_toasts_by_severity_one_at_a_time_and_ctrl_n_dismisses(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home(pilot)
        app.notify("Copied the host name.")
        await pilot.pause()
        [notification] = app._notifications
        assert notification.message == "Copied the host name."  # short: whole
        assert notification.timeout == SEVERITY_SECONDS["information"] <= 5
        app.notify("The sandbox DNS host refused.", severity="warning", timeout=20)
        await pilot.pause()
        [notification] = app._notifications  # the newer replaced the older
        assert notification.timeout == SEVERITY_SECONDS["warning"]
        [toast] = await toasts_drawn(pilot)
        assert toast.region.height <= SIZE[1] // 3

        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not app._notifications and not toasts(app)
        # Both are still in the log, for f3.
        assert [n.message for n in app.notice_log][-2:] == [
            "Copied the host name.",
            "The sandbox DNS host refused.",
        ]


async def test_no_toast_over_a_dialog_and_its_buttons(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home(pilot)
        app.notify("A toast on the home screen.")
        assert await toasts_drawn(pilot)
        answers: list[bool | None] = []
        app.push_screen(ConfirmScreen("Delete it?", "It goes for good.", "Delete"), answers.append)
        await pilot.pause()
        assert not toasts(app)  # not carried over onto the dialog

        app.notify(LONG, title="Authentication failed", severity="error")
        await pilot.pause()
        assert not toasts(app)
        strip = app.screen.query_one(NoticeStrip)
        assert strip.text.startswith("✗ error: Authentication failed — Step 1")
        assert strip.text.endswith("f3 full text")
        assert strip.region.height == 1
        buttons = [button.region for button in app.screen.query(Button)]
        assert buttons and all(not strip.region.overlaps(region) for region in buttons)
        assert all(region.y > 0 for region in buttons)

        await pilot.press("ctrl+n")
        await pilot.pause()
        assert strip.text == "" and not strip.display
        await pilot.press("n")  # the dialog still answers its own keys
        await pilot.pause()
        assert answers == [False]


async def test_the_code_screen_shows_the_newest_code_after_a_resend(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home(pilot)
        await pilot.press("a")
        await paste_into(pilot, "#new-email", ADDRESS)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, CodeScreen)
        first = control.latest_code(ADDRESS)
        assert note_text(pilot, "#code-mailbox").endswith(f"latest code sent is {first}")
        assert not toasts(app)  # the code is in the screen, not in a toast over it

        control.advance(61)
        await pilot.pause(0.6)
        await pilot.press("ctrl+r")
        await settle(pilot)
        second = control.latest_code(ADDRESS)
        assert second != first
        mailbox = note_text(pilot, "#code-mailbox")
        assert mailbox.endswith(f"latest code sent is {second}") and first not in mailbox

        # A notice raised meanwhile lands in the screen's own line, not over its buttons.
        app.notify("Sender emails read again.")
        await pilot.pause()
        assert not toasts(app)
        assert "Sender emails read again." in app.screen.query_one(NoticeLine).text
        assert not app.screen.query(NoticeStrip)

        # The shown code is the one that works.
        await paste_into(pilot, "#code", second)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.home


async def test_reopening_the_code_screen_reads_the_mailbox_again(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home(pilot)
        await pilot.press("a")
        await paste_into(pilot, "#new-email", ADDRESS)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("v")  # a code was sent already: none is sent now
        await settle(pilot)
        assert isinstance(app.screen, CodeScreen)
        assert len(control.mailbox(ADDRESS)) == 1
        code = control.latest_code(ADDRESS)
        assert note_text(pilot, "#code-mailbox").endswith(f"latest code sent is {code}")


async def test_code_screen_times_say_world_time_on_a_fast_clock(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.time_scale(60)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home(pilot)
        await pilot.press("a")
        await paste_into(pilot, "#new-email", ADDRESS)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.pause(0.6)
        sent = note_text(pilot, "#code-sent")
        assert re.search(r" at \d\d:\d\d:\d\d world time ", sent), sent
        # "ago" is on the same (world) clock, says so, and says what that is in real time.
        match = re.search(r"\((.+?) ago in world time, (≈\d+ s|under 1 s) real\)", sent)
        assert match, sent
        shown_world = match.group(1)
        assert shown_world != "just now" and (" min" in shown_world or int(shown_world[:-2]) > 5)


async def test_code_screen_times_are_unlabelled_at_real_speed(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await home(pilot)
        await pilot.press("a")
        await paste_into(pilot, "#new-email", ADDRESS)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        sent = note_text(pilot, "#code-sent")
        assert re.search(r" at \d\d:\d\d:\d\d \((just now|\d+ s ago)\)", sent), sent
        assert "world" not in sent
        status = note_text(pilot, "#code-resend-status")
        assert re.search(r"Resend possible in (1 min|\d+ s);", status), status


async def test_sender_dates_say_world_time_on_a_fast_clock(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.time_scale(60)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await home(pilot)
        await pilot.press("a")
        await paste_into(pilot, "#new-email", ADDRESS)
        await pilot.press("enter")
        await settle(pilot)
        table = app.home.query_one(SendersPane).emails_table
        assert table.columns[ColumnKey("created")].label.plain == "Created (world time)"
        assert table.row_count == 1


async def test_sender_dates_are_unlabelled_at_real_speed(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await home(pilot)
        table = app.home.query_one(SendersPane).emails_table
        assert table.columns[ColumnKey("created")].label.plain == "Created"
