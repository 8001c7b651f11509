"""The Senders pane, driven by keys, against the sandbox over real loopback HTTP.

The app is built signed in to the sandbox's site, sharing the sandbox's clock (as the demo
does), so advancing the sandbox clock through its control route moves the app's countdowns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from textual.binding import Binding
from textual.widgets import Input

from tests.support import SandboxControl
from tests.ui.conftest import messages, note_text, paste_into, settle, signed_in_app
from tui.app import WixSendingApp
from tui.sandbox import SandboxServer
from tui.screens.code import CodeScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.sender_details import CreateSenderDetailsScreen
from tui.screens.senders import KEYMAP_OWNERS, SendersPane
from tui.store.credentials import SecretStores
from tui.store.paths import Paths
from tui.widgets.fields import ErrorLine

NEW_ADDRESS = "hello@sunrise-bakery.example"
SIZE = (100, 40)


@pytest.fixture
def server(sandbox_server: SandboxServer, control: SandboxControl) -> Iterator[SandboxServer]:
    """The session's sandbox, reset to the 'fresh' scenario at real speed by ``control``."""
    yield sandbox_server


def pane(app: WixSendingApp) -> SendersPane:
    return app.home.query_one(SendersPane)


def email_rows(app: WixSendingApp) -> dict[str, str]:
    """Address -> status cell of the sender emails table."""
    table = pane(app).emails_table
    return {
        str(table.get_cell(key, "address")): str(table.get_cell(key, "status"))
        for key in table.rows
    }


def details_rows(app: WixSendingApp) -> list[tuple[str, str, str]]:
    table = pane(app).details_table
    return [tuple(str(cell) for cell in table.get_row(key)) for key in table.rows]  # type: ignore[misc]


def error_text(app: WixSendingApp, selector: str) -> str:
    return app.screen.query_one(selector, ErrorLine).message


async def add_address(pilot, address: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("a")
    await paste_into(pilot, "#new-email", address)
    await pilot.press("enter")
    await settle(pilot)


async def enter_code(pilot, code: str) -> None:  # type: ignore[no-untyped-def]
    await paste_into(pilot, "#code", code)
    await pilot.press("enter")
    await settle(pilot)


async def test_fresh_site_to_sender_details(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert email_rows(app) == {}
        assert "No sender emails yet" in note_text(pilot, "#emails-status")
        assert "Add the address" in note_text(pilot, "#next-step")

        await add_address(pilot, NEW_ADDRESS)
        assert email_rows(app) == {NEW_ADDRESS: "✗ not verified"}
        assert "press v" in messages(app).lower()
        assert control.mailbox(NEW_ADDRESS) == []  # adding sends nothing
        assert "Verify hello@" in note_text(pilot, "#next-step")

        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, CodeScreen)
        code = control.latest_code(NEW_ADDRESS)
        # The demo: the code from the sandbox mailbox, in the code screen, as a newcomer reads it.
        assert note_text(pilot, "#code-mailbox").endswith(f"the latest code sent is {code}")
        sent = note_text(pilot, "#code-sent")
        # The address, the clock time and how long ago.
        assert NEW_ADDRESS in sent and re.search(r" at \d\d:\d\d:\d\d ", sent)
        assert "ago" in sent or "just now" in sent
        assert await app.services.sandbox.latest_code(NEW_ADDRESS) == code  # type: ignore[union-attr]

        await enter_code(pilot, code)
        assert app.screen is app.home
        assert email_rows(app) == {NEW_ADDRESS: "✓ verified"}
        assert len(control.mailbox(NEW_ADDRESS)) == 1  # one code, no accidental resend

        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CreateSenderDetailsScreen)
        await paste_into(pilot, "#from-name", "Sunrise Bakery")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.home
        assert details_rows(app) == [("Sunrise Bakery", NEW_ADDRESS, "★ default")]
        assert "Default sender: Sunrise Bakery" in note_text(pilot, "#details-status")
        assert "preparing sunrise-bakery.example" in note_text(pilot, "#next-step")
    site = control.state()["sites"][0]
    assert [d["fromName"] for d in site["senderDetails"]] == ["Sunrise Bakery"]


async def test_wrong_code_then_the_right_one(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        await pilot.press("v")
        await settle(pilot)
        code = control.latest_code(NEW_ADDRESS)
        wrong = "000000" if code != "000000" else "111111"

        await enter_code(pilot, wrong)
        assert isinstance(app.screen, CodeScreen)  # still open
        assert "not right" in error_text(app, "#code-error")
        field = app.screen.query_one("#code", Input)
        assert field.value == "" and field.has_focus

        # Too short: said inline, and nothing is sent.
        await enter_code(pilot, "12")
        assert "3 to 10" in error_text(app, "#code-error")

        # Pasted the way mail clients show it: the spaces are dropped.
        await enter_code(pilot, f" {code[:3]} {code[3:]}\n")
        assert app.screen is app.home
        assert email_rows(app) == {NEW_ADDRESS: "✓ verified"}


async def test_already_verified_counts_as_success(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        await pilot.press("v")
        await settle(pilot)
        # Meanwhile someone else (the owner, another tab) verifies it with the code.
        email = pane(app).emails_table.selected
        assert email is not None and app.client is not None
        await app.client.verify_sender_email(email.id, control.latest_code(NEW_ADDRESS))
        await enter_code(pilot, "123456")  # Wix answers 409: already verified
        assert app.screen is app.home
        assert email_rows(app) == {NEW_ADDRESS: "✓ verified"}


async def test_resend_waits_out_the_cooldown(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        await pilot.press("v")
        await settle(pilot)
        assert len(control.mailbox(NEW_ADDRESS)) == 1
        assert "Resend possible in" in note_text(pilot, "#code-resend-status")

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Not yet" in error_text(app, "#code-error")
        assert len(control.mailbox(NEW_ADDRESS)) == 1

        # Closing and opening again does not reset the cooldown, nor send another code.
        await pilot.press("escape")
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, CodeScreen)
        assert len(control.mailbox(NEW_ADDRESS)) == 1

        control.advance(61)
        await pilot.pause(0.6)  # one tick of the countdown
        assert "ctrl+r" in note_text(pilot, "#code-resend-status")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(control.mailbox(NEW_ADDRESS)) == 2
        assert "Resend possible in" in note_text(pilot, "#code-resend-status")

        # Only the newest code works now.
        await enter_code(pilot, control.latest_code(NEW_ADDRESS))
        assert email_rows(app) == {NEW_ADDRESS: "✓ verified"}


async def test_auto_verified_owner_address_skips_the_code(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    owner = server.credentials[0].owner_email
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, owner)
        assert app.screen is app.home
        assert email_rows(app) == {owner: "✓ verified"}
        assert "verified already: no code needed" in messages(app)
        await pilot.press("v")
        await settle(pilot)
        assert app.screen is app.home  # no code screen for a verified address
    assert control.mailbox(owner) == []


async def test_adding_an_address_twice_selects_it(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        await add_address(pilot, "owner.bakery@gmail.com")
        await add_address(pilot, NEW_ADDRESS.upper())
        assert len(email_rows(app)) == 2
        assert "already a sender email" in messages(app)
        selected = pane(app).emails_table.selected
        assert selected is not None and selected.email_address == NEW_ADDRESS


async def test_invalid_email_is_said_inline_and_nothing_is_sent(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, "not-an-address")
        assert "exactly one @" in error_text(app, "#new-email-error")
        # Fixing it as you type clears the error; Esc closes the form.
        await paste_into(pilot, "#new-email", "info@example")
        assert "domain such as example.com" in error_text(app, "#new-email-error")
        await paste_into(pilot, "#new-email", "info@example.com")
        assert error_text(app, "#new-email-error") == ""
        await pilot.press("escape")
        await settle(pilot)
        assert not pane(app).query_one("#add-email").display
    assert control.state()["sites"][0]["senderEmails"] == []


async def test_delete_asks_first(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep it
        await settle(pilot)
        assert email_rows(app) == {NEW_ADDRESS: "✗ not verified"}

        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert email_rows(app) == {}
        assert f"Deleted {NEW_ADDRESS}" in messages(app)
    assert control.state()["sites"][0]["senderEmails"] == []


async def test_several_senders_and_the_default(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.account(packageId="Ascend_Core")  # more than one sender needs Core or Advanced
    owner = server.credentials[0].owner_email
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, owner)
        for name in ("Sunrise Bakery", "Sunrise (owner)"):
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, CreateSenderDetailsScreen)
            await paste_into(pilot, "#from-name", name)
            await pilot.press("enter")
            await settle(pilot)
        assert details_rows(app) == [
            ("Sunrise Bakery", owner, "★ default"),
            ("Sunrise (owner)", owner, "·"),
        ]
        # m works on the sender details table: move there, pick the second row.
        pane(app).details_table.focus()
        await pilot.press("down", "m")
        await settle(pilot)
        assert details_rows(app) == [
            ("Sunrise Bakery", owner, "·"),
            ("Sunrise (owner)", owner, "★ default"),
        ]
        assert "is the default sender now" in messages(app)


async def test_create_sender_details_checks_the_name_and_shows_wix_refusals(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    owner = server.credentials[0].owner_email
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, owner)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")  # empty from-name
        await settle(pilot)
        assert "Type the name" in error_text(app, "#from-name-error")
        await paste_into(pilot, "#from-name", "x" * 101)
        assert "at most 100" in error_text(app, "#from-name-error")
        await paste_into(pilot, "#from-name", "Sunrise Bakery")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.home
        # A second sender on the Free plan: Wix's reason is shown, in the form.
        await pilot.press("c")
        await settle(pilot)
        await paste_into(pilot, "#from-name", "Another name")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CreateSenderDetailsScreen)
        assert "plan allows one sender" in error_text(app, "#details-form-error")
        await pilot.press("escape")
        await settle(pilot)
        assert len(details_rows(app)) == 1


async def test_switching_back_to_the_pane_puts_its_keys_to_work(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert app.focused is not None and pane(app) in app.focused.ancestors
        await pilot.press("a")
        await settle(pilot)
        assert app.focused is app.screen.query_one("#new-email", Input)


async def test_every_key_is_in_the_palette_too(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"add address")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pane(app).query_one("#add-email").display
        assert app.focused is app.screen.query_one("#new-email", Input)


def test_binding_ids_are_unique_and_named() -> None:
    ids = [
        binding.id
        for owner in KEYMAP_OWNERS
        for binding in getattr(owner, "BINDINGS", [])
        if isinstance(binding, Binding)
    ]
    assert all(ids) and len(ids) == len(set(ids))
    assert {"senders-add", "senders-delete", "senders-verify", "senders-refresh"} <= set(ids)
    assert {"details-create", "details-default", "code-resend"} <= set(ids)
