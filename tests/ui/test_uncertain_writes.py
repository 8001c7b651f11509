"""Writes whose answer never arrives readably: Wix had the request, so the write may have
happened. The app never repeats it by itself, finds out what Wix has, and says so.

The sandbox's faults make it concrete: ``malformed`` and ``empty`` process the request and then
answer 200 with a broken or empty body; ``drop`` (phase ``after``) processes it and cuts the
connection mid-answer. The sandbox's own state and mailbox prove nothing was done twice.
"""

from __future__ import annotations

import pytest

from tests.support import SandboxControl
from tests.ui.conftest import messages, paste_into, settle, signed_in_app
from tests.ui.test_domains import CRAWL, MIDWAY, SIZE, badges, open_domains, publish, wait_for
from tests.ui.test_domains_auth import HOUR, saved
from tests.ui.test_senders import NEW_ADDRESS, add_address, email_rows, error_text
from tui.sandbox import SandboxServer
from tui.screens.code import CodeScreen
from tui.screens.sender_details import CreateSenderDetailsScreen
from tui.store.credentials import SecretStores
from tui.store.paths import Paths

UNREADABLE = ["malformed", "empty"]


@pytest.fixture
def fresh(sandbox_server: SandboxServer, control: SandboxControl) -> SandboxServer:
    control.time_scale(CRAWL)
    return sandbox_server


@pytest.fixture
def midway(sandbox_server: SandboxServer, control: SandboxControl) -> SandboxServer:
    control.reset("midway")
    control.time_scale(CRAWL)
    return sandbox_server


# (An empty body is a fine answer to Send Code, whose answer is "{}": only a broken one here.)
@pytest.mark.parametrize("fault", ["malformed"])
async def test_an_unreadable_answer_to_send_code_starts_the_cooldown(
    paths: Paths,
    keyring_stores: SecretStores,
    fresh: SandboxServer,
    control: SandboxControl,
    fault: str,
) -> None:
    app = signed_in_app(paths, keyring_stores, fresh)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        control.fault("sender-emails.send-verification-code", fault, count=2)
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CodeScreen)
        said = error_text(app, "#code-error")
        assert "may or may not have sent a code" in said and "No code was sent" not in said
        assert screen.resend_wait.total_seconds() > 0  # the cooldown runs
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Not yet" in error_text(app, "#code-error")
        assert len(control.mailbox(NEW_ADDRESS)) == 1  # one code, never two
        assert control.fired("sender-emails.send-verification-code") == 1
        await paste_into(pilot, "#code", control.latest_code(NEW_ADDRESS))
        await pilot.press("enter")
        await settle(pilot)
        assert email_rows(app) == {NEW_ADDRESS: "✓ verified"}


@pytest.mark.parametrize("fault", UNREADABLE)
async def test_an_unreadable_answer_to_verify_reads_the_address(
    paths: Paths,
    keyring_stores: SecretStores,
    fresh: SandboxServer,
    control: SandboxControl,
    fault: str,
) -> None:
    app = signed_in_app(paths, keyring_stores, fresh)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        await pilot.press("v")
        await settle(pilot)
        control.fault("sender-emails.verify", fault, count=2)  # a 2nd try would show
        await paste_into(pilot, "#code", control.latest_code(NEW_ADDRESS))
        await pilot.press("enter")
        await settle(pilot)
        # Wix took the code; the address read afterwards says so: done, no second try.
        assert not isinstance(app.screen, CodeScreen)
        assert email_rows(app) == {NEW_ADDRESS: "✓ verified"}
        assert control.fired("sender-emails.verify") == 1


@pytest.mark.parametrize("fault", [*UNREADABLE, "drop"])
async def test_an_unreadable_answer_to_add_finds_the_address(
    paths: Paths,
    keyring_stores: SecretStores,
    fresh: SandboxServer,
    control: SandboxControl,
    fault: str,
) -> None:
    app = signed_in_app(paths, keyring_stores, fresh)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        control.fault("sender-emails.create", fault, phase="after", count=2)
        await add_address(pilot, NEW_ADDRESS)
        await settle(pilot)
        assert email_rows(app) == {NEW_ADDRESS: "✗ not verified"}
        assert "Added" in messages(app) and "already" not in messages(app)
        assert control.fired("sender-emails.create") == 1  # sent once, never again


@pytest.mark.parametrize("fault", UNREADABLE)
async def test_an_unreadable_answer_to_create_sender_details_finds_them(
    paths: Paths,
    keyring_stores: SecretStores,
    fresh: SandboxServer,
    control: SandboxControl,
    fault: str,
) -> None:
    app = signed_in_app(paths, keyring_stores, fresh)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await add_address(pilot, NEW_ADDRESS)
        await pilot.press("v")
        await settle(pilot)
        await paste_into(pilot, "#code", control.latest_code(NEW_ADDRESS))
        await pilot.press("enter")
        await settle(pilot)
        control.fault("sender-details.create", fault, count=2)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CreateSenderDetailsScreen)
        await paste_into(pilot, "#from-name", "Sunrise Bakery")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CreateSenderDetailsScreen)
        assert "Created Sunrise Bakery" in messages(app)
        assert control.fired("sender-details.create") == 1  # sent once, never again


@pytest.mark.parametrize("fault", ["malformed", "drop"])
async def test_a_lost_answer_to_a_successful_authenticate_is_found_out(
    paths: Paths,
    keyring_stores: SecretStores,
    midway: SandboxServer,
    control: SandboxControl,
    fault: str,
) -> None:
    app = signed_in_app(paths, keyring_stores, midway)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await publish(pilot)
        await wait_for(pilot, lambda: "records_first_seen" in saved(paths))
        control.advance(HOUR + 60)
        control.fault("sending-domains.authenticate", fault, phase="after", count=2)
        await wait_for(pilot, lambda: "allows an attempt now" in note_of(app, "#auth-line"))
        await pilot.press("t")
        # Wix authenticated it behind the lost answer; the domain read afterwards says so.
        await wait_for(pilot, lambda: badges(app)[MIDWAY] == "✓ authenticated")
        await wait_for(pilot, lambda: saved(paths).get("last_auth_result") == "authenticated")
        assert control.fired("sending-domains.authenticate") == 1  # asked once


@pytest.mark.parametrize("fault", ["malformed", "drop"])
async def test_a_lost_answer_to_a_failed_authenticate_counts_as_an_attempt(
    paths: Paths,
    keyring_stores: SecretStores,
    midway: SandboxServer,
    control: SandboxControl,
    fault: str,
) -> None:
    """Nothing is published, so Wix looks and refuses; its answer is lost. The app cannot know
    whether Wix looked: it counts an attempt (the 4-hour rule holds off a second one), says
    so, and reads the domain again."""
    app = signed_in_app(paths, keyring_stores, midway)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await pilot.press("m")  # "I added them" (they are not there)
        await wait_for(pilot, lambda: "marked_added" in saved(paths))
        control.advance(HOUR + 60)
        control.fault("sending-domains.authenticate", fault, phase="after", count=2)
        await wait_for(pilot, lambda: "allows an attempt now" in note_of(app, "#auth-line"))
        await pilot.press("t")
        await wait_for(pilot, lambda: "may or may not have authenticated it" in messages(app))
        await wait_for(pilot, lambda: "unknown" in saved(paths).get("last_auth_result", ""))
        assert badges(app)[MIDWAY] == "✗ not authenticated"
        line = "#auth-line"
        await wait_for(pilot, lambda: "The last attempt failed" in note_of(app, line))
        assert "allowed in 3 h 59 min" in note_of(app, line) or "allowed in 4 h" in note_of(
            app, line
        )
        assert control.fired("sending-domains.authenticate") == 1


def note_of(app: object, selector: str) -> str:
    from tui.widgets.fields import Note

    return str(app.screen.query_one(selector, Note).content)  # type: ignore[attr-defined]
