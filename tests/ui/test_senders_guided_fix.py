"""The guided fix for SENDER_DETAILS_DO_NOT_EXIST: both branches, against the sandbox."""

from __future__ import annotations

from tests.conftest import client_for
from tests.support import SandboxControl
from tests.ui.conftest import messages, note_text, paste_into, settle
from tests.ui.test_senders import (
    NEW_ADDRESS,
    SIZE,
    details_rows,
    email_rows,
    server,
    signed_in_app,
)
from tui.sandbox import SandboxServer
from tui.screens.code import CodeScreen
from tui.screens.guided_fix import GuidedFixScreen, handle_sender_details_error, open_guided_fix
from tui.screens.sender_details import CreateSenderDetailsScreen
from tui.store.credentials import SecretStores
from tui.store.paths import Paths
from tui.wix import SenderDetailsDoNotExist

__all__ = ["server"]  # the fixture, imported so pytest finds it here too


async def sender_details_error(server: SandboxServer) -> SenderDetailsDoNotExist:
    """The real error: the Sending Domains API on a site without sender details."""
    async with client_for(server, server.credentials[0]) as wix:
        try:
            await wix.query_sending_domains(domains=["sunrise-bakery.example"])
        except SenderDetailsDoNotExist as exc:
            return exc
    raise AssertionError("the sandbox did not answer SENDER_DETAILS_DO_NOT_EXIST")


async def owner_verifies_in_dashboard(
    server: SandboxServer, control: SandboxControl, address: str
) -> None:
    """What the owner does in the Wix dashboard, done here through the API directly."""
    async with client_for(server, server.credentials[0]) as wix:
        email = await wix.create_sender_email(address)
        await wix.send_verification_code(email.id)
        await wix.verify_sender_email(email.id, control.latest_code(address))


async def test_i_can_read_the_inbox(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, GuidedFixScreen)
        await pilot.press("y")
        await settle(pilot)
        # No addresses yet: the cursor is in the add field. Add, and it goes straight on.
        await paste_into(pilot, "#new-email", NEW_ADDRESS)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CodeScreen)
        await paste_into(pilot, "#code", control.latest_code(NEW_ADDRESS))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CreateSenderDetailsScreen)
        await paste_into(pilot, "#from-name", "Sunrise Bakery")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.home
        assert "Sender details created" in messages(app)
        # The pane read the site again when the fix closed.
        assert email_rows(app) == {NEW_ADDRESS: "✓ verified"}
        assert details_rows(app) == [("Sunrise Bakery", NEW_ADDRESS, "★ default")]


async def test_the_owner_verifies_in_the_dashboard(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    error = await sender_details_error(server)
    done: list[bool] = []
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Another pane (Domains) met the error: it hands it over, and the fix opens once.
        assert handle_sender_details_error(app, error, on_done=done.append)
        await settle(pilot)
        assert isinstance(app.screen, GuidedFixScreen)
        assert not open_guided_fix(app)
        await pilot.press("n")
        await pilot.press("c")
        await settle(pilot)
        assert "no verified sender email yet" in note_text(pilot, "#fix-owner-status")

        await owner_verifies_in_dashboard(server, control, NEW_ADDRESS)
        await pilot.press("c")
        await settle(pilot)
        status = note_text(pilot, "#fix-owner-status")
        assert f"✓ {NEW_ADDRESS} is verified" in status
        await pilot.press("enter")  # on the verified row
        await settle(pilot)
        assert isinstance(app.screen, CreateSenderDetailsScreen)
        await paste_into(pilot, "#from-name", "Sunrise Bakery")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.home
        assert done == [True]
        assert details_rows(app) == [("Sunrise Bakery", NEW_ADDRESS, "★ default")]
    # The Sending Domains API answers now.
    async with client_for(server, server.credentials[0]) as wix:
        assert await wix.find_sending_domain("sunrise-bakery.example") is not None


async def test_other_errors_do_not_open_it_and_esc_closes_it(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    done: list[bool] = []
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not handle_sender_details_error(app, ValueError("something else"))
        assert open_guided_fix(app, on_done=done.append)
        await settle(pilot)
        await pilot.press("n", "b", "escape")
        await settle(pilot)
        assert app.screen is app.home
        assert done == [False]
