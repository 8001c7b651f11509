"""The whole journey in one app, by keys only, against the sandbox over real loopback HTTP:
a fresh site, an address added and verified with the emailed code, sender details, the
sending domain Wix then prepares (INITIALIZING, polled), its records published at the sandbox's
DNS host, the grid turning green, and Authenticate once the schedule allows: AUTHENTICATED."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import TabbedContent

from tests.support import SandboxControl
from tests.ui.conftest import messages, note_text, paste_into, settle, signed_in_app
from tests.ui.test_domains import (
    CRAWL,
    NEW_DOMAIN,
    SIZE,
    adds_records,
    badges,
    grid,
    note,
    pane,
    publish,
    statuses,
    toast,
    wait_for,
    watch,
)
from tui.propagation import Role, Status
from tui.sandbox import SandboxServer
from tui.screens.code import CodeScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.sender_details import CreateSenderDetailsScreen
from tui.store.credentials import SecretStores
from tui.store.paths import Paths
from tui.widgets.records import RecordsTable

ADDRESS = f"hello@{NEW_DOMAIN}"
HOUR = 3600


@pytest.fixture
def server(sandbox_server: SandboxServer, control: SandboxControl) -> Iterator[SandboxServer]:
    """The session's sandbox on the 'fresh' scenario, its clock moved by hand."""
    control.reset("fresh")
    control.time_scale(CRAWL)
    yield sandbox_server


async def test_fresh_site_to_an_authenticated_domain(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Add the address" in note_text(pilot, "#next-step"))

        # 1. The sender email, and the code from the (sandbox) inbox.
        await pilot.press("a")
        await paste_into(pilot, "#new-email", ADDRESS)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
        code = control.latest_code(ADDRESS)
        # The demo mailbox's code, shown in the code screen itself.
        await wait_for(pilot, lambda: code in note_text(pilot, "#code-mailbox"))
        await paste_into(pilot, "#code", code)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.home)

        # 2. Sender details: Wix starts preparing the sending domain.
        await wait_for(pilot, lambda: "Create sender details" in note_text(pilot, "#next-step"))
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateSenderDetailsScreen))
        await paste_into(pilot, "#from-name", "Sunrise Bakery")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.home)
        await wait_for(pilot, lambda: f"preparing {NEW_DOMAIN}" in note_text(pilot, "#next-step"))

        # 3. The Domains pane: INITIALIZING, polled until Wix made the records.
        await pilot.press("2")
        await wait_for(pilot, lambda: app.home.query_one(TabbedContent).active == "domains")
        await wait_for(pilot, lambda: badges(app).get(NEW_DOMAIN) == "⧗ initializing")
        control.advance(150)  # past the sandbox's 120 s of INITIALIZING
        await wait_for(pilot, lambda: badges(app)[NEW_DOMAIN] == "✗ not authenticated")
        await toast(pilot, f"Wix made the DNS records for {NEW_DOMAIN}")
        await wait_for(pilot, lambda: len(pane(app).query_one(RecordsTable).records) >= 3)
        await wait_for(pilot, lambda: adds_records(note_text(pilot, "#next-step")))

        # 4. Published at the sandbox's DNS host: the authoritative servers answer at once;
        # public resolvers that asked too early keep their cached "no such name" for a while.
        await wait_for(pilot, lambda: grid(app).report is not None)
        await publish(pilot)
        await wait_for(pilot, lambda: grid(app).report is not None)
        assert statuses(app, Role.AUTHORITATIVE) == {Status.OK}
        # The next step follows the check. Public resolvers were not asked before the records
        # were served (no "does not exist" got cached), so they all see them already.
        visible = f"All of {NEW_DOMAIN}'s records are visible: authenticate it"
        await wait_for(pilot, lambda: visible in note_text(pilot, "#next-step"))

        # 5. Too early for Authenticate (the schedule wants an hour): it asks first; no.
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is app.home)

        # 6. An hour after the records were first seen: still all green, and now allowed.
        control.advance(HOUR + 60)
        before = watch(app).sweeps
        await pilot.press("r")
        await wait_for(pilot, lambda: watch(app).sweeps > before and not watch(app).sweeping)
        assert statuses(app) == {Status.OK}
        await wait_for(pilot, lambda: "allows an attempt now" in note(app, "#auth-line"))
        await pilot.press("t")
        await wait_for(pilot, lambda: badges(app)[NEW_DOMAIN] == "✓ authenticated")
        await toast(pilot, f"{NEW_DOMAIN} is authenticated")
        await wait_for(pilot, lambda: "is authenticated" in note_text(pilot, "#next-step"))
    assert "Traceback" not in messages(app)
