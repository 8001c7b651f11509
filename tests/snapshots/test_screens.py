"""Appearance of the main screens, each at 80x24, at 120x36 and with NO_COLOR (80x24).

The app runs as the demo wires it, against an in-process sandbox on a frozen clock (see
``support.py``). A failing test writes ``snapshot_report.html`` with the old and new pictures;
after a deliberate change of the UI, accept the new ones with
``pytest tests/snapshots --snapshot-update`` and look at the SVGs before committing them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from tests.snapshots.support import Variant, demo_app, settle, wait_for
from tui.app import WixSendingApp
from tui.sandbox import SandboxServer
from tui.screens.cell_evidence import CellEvidence
from tui.screens.choice import ChoiceScreen
from tui.screens.code import CodeScreen
from tui.screens.doctor import DoctorPane
from tui.screens.domains import DomainsPane
from tui.screens.help import HelpScreen
from tui.screens.login import LoginScreen
from tui.screens.senders import SendersPane
from tui.widgets.fields import Note
from tui.widgets.findings import FindingList
from tui.widgets.grid import PropagationGrid, PropagationWatch

Snap = Callable[..., bool]
Sandbox = Callable[[str], SandboxServer]


def the_app(pilot: Pilot[object]) -> WixSendingApp:
    app = pilot.app
    assert isinstance(app, WixSendingApp)
    return app


def senders(app: WixSendingApp) -> SendersPane:
    return app.home.query_one(SendersPane)


def domains(app: WixSendingApp) -> DomainsPane:
    return app.home.query_one(DomainsPane)


def note(app: WixSendingApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Note).content)


async def quiet(pilot: Pilot[object]) -> None:
    """Settled, and without toasts (they leave on a real-time timer)."""
    await settle(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)


async def senders_loaded(pilot: Pilot[object]) -> None:
    """The home screen with the Senders pane read, and its cursor in the emails table."""
    app = the_app(pilot)
    await wait_for(pilot, lambda: app.screen is app.home and app.home.query(SendersPane))
    pane = senders(app)
    await wait_for(pilot, lambda: "Reading" not in str(pane.query_one("#emails-status").content))
    await wait_for(pilot, lambda: app.focused is pane.emails_table)
    await settle(pilot)


async def domains_swept(pilot: Pilot[object]) -> None:
    """The Domains pane, with its domain selected and a propagation check finished."""
    app = the_app(pilot)
    await senders_loaded(pilot)
    await pilot.press("2")
    await wait_for(pilot, lambda: app.home.query_one(TabbedContent).active == "domains")
    watch = domains(app).query_one(PropagationWatch)
    await wait_for(pilot, lambda: watch.sweeps >= 1 and not watch.sweeping)


# --- (a) the login form: no profile yet -----------------------------------------------------------


def test_login(snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox) -> None:
    app = demo_app(tmp_path, sandbox("fresh"), signed_in=False)

    async def run_before(pilot: Pilot[object]) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LoginScreen))
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#storage-keyring").label)
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- (b) home, Senders pane, fresh site -----------------------------------------------------------


def test_home_fresh(snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox) -> None:
    app = demo_app(tmp_path, sandbox("fresh"))

    async def run_before(pilot: Pilot[object]) -> None:
        await senders_loaded(pilot)
        assert "No sender emails yet" in note(the_app(pilot), "#emails-status")
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- (c) Senders: a verified address, one waiting for its code, and sender details ---------------


def test_senders_with_details(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    app = demo_app(tmp_path, sandbox("midway"))

    async def run_before(pilot: Pilot[object]) -> None:
        await senders_loaded(pilot)
        assert "Default sender: Harbor Ceramics" in note(the_app(pilot), "#details-status")
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- (d) the verification-code modal, with the demo mailbox's code inside it ---------------------


def test_code_modal(snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox) -> None:
    # At the demo's speed: the time the code was sent is read off the sandbox's fast clock, and
    # says so ("world time").
    app = demo_app(tmp_path, sandbox("midway"), speed=60)
    address = "orders@harbor-ceramics.example"

    async def run_before(pilot: Pilot[object]) -> None:
        await senders_loaded(pilot)
        table = senders(app).emails_table
        table.select_key(table.find_address(address).id)  # type: ignore[union-attr]
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
        await wait_for(pilot, lambda: "A code was sent" in note(app, "#code-sent"))
        # The demo mailbox's code, in the screen itself (no toast over its buttons).
        await wait_for(pilot, lambda: "latest code sent is" in note(app, "#code-mailbox"))
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- (e) Domains: records, and the propagation grid after publishing them -------------------------


def test_domains_after_publishing(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    app = demo_app(tmp_path, sandbox("midway"))

    async def run_before(pilot: Pilot[object]) -> None:
        await domains_swept(pilot)
        watch = domains(app).query_one(PropagationWatch)
        before = watch.sweeps
        await pilot.press("h")  # the demo's "publish at the sandbox DNS host"
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("1")  # correctly: isp-1 and isp-2 had asked too early
        await wait_for(pilot, lambda: watch.sweeps > before and not watch.sweeping)
        # Bring the grid into view and put the cursor on a cached "does not exist".
        grid = watch.query_one(PropagationGrid)
        # Focus and cursor first, without scrolling; then, once every worker and table above has
        # settled (on a loaded machine the records table sizes itself late, which moved a scroll
        # made before it: seen in CI as a shifted scrollbar), one scroll that puts the watch
        # (its heading, the grid and the cell's detail) at the top of the pane.
        grid.focus(scroll_visible=False)
        grid.move_cursor(row=2, column=1, scroll=False)
        await quiet(pilot)
        await settle(pilot)
        watch.scroll_visible(animate=False, top=True)
        await settle(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


def test_cell_evidence(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    """Enter on a grid cell: the evidence of a cached 'does not exist' at a public resolver."""
    app = demo_app(tmp_path, sandbox("midway"))

    async def run_before(pilot: Pilot[object]) -> None:
        await domains_swept(pilot)
        watch = domains(app).query_one(PropagationWatch)
        before = watch.sweeps
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("1")
        await wait_for(pilot, lambda: watch.sweeps > before and not watch.sweeping)
        grid = watch.query_one(PropagationGrid)
        grid.focus(scroll_visible=False)
        grid.move_cursor(row=2, column=1, scroll=False)
        await quiet(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CellEvidence))
        # The sandbox's resolvers listen on free ports and answer in a few ms: fixed here, so
        # the picture is the same on every run (the words around them are what is checked).
        body = app.screen.query_one("#evidence-body", Note)
        text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:5301", str(body.content))
        body.update(re.sub(r"Round trip: \d+ ms", "Round trip: 40 ms", text))
        await settle(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- (f) F1: help for the pane on screen ---------------------------------------------------------


def test_help(snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox) -> None:
    app = demo_app(tmp_path, sandbox("fresh"))

    async def run_before(pilot: Pilot[object]) -> None:
        await senders_loaded(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- (g) ctrl+p: the command palette, the app's own actions only ---------------------------------


def test_palette(snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox) -> None:
    app = demo_app(tmp_path, sandbox("fresh"))

    async def run_before(pilot: Pilot[object]) -> None:
        await senders_loaded(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        commands = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: commands.option_count > 0)
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- (h) the Doctor pane: a site with problems, and a healthy one -------------------------------


async def doctor_checked(pilot: Pilot[object]) -> DoctorPane:
    """3: the Doctor pane, once its first check-up has ended."""
    app = the_app(pilot)
    await senders_loaded(pilot)
    await pilot.press("3")
    await wait_for(pilot, lambda: app.home.query_one(TabbedContent).active == "doctor")
    pane = app.home.query_one(DoctorPane)
    await wait_for(pilot, lambda: pane.checks >= 1 and not pane.checking)
    return pane


def test_doctor_findings(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    """The agency site at the demo's speed (times labelled world time): a domain waiting for
    the retry schedule, one whose records are not published, one still initializing; the
    cursor on the unpublished one, whose evidence says where the records were not seen."""
    app = demo_app(tmp_path, sandbox("agency"), speed=60)

    async def run_before(pilot: Pilot[object]) -> None:
        pane = await doctor_checked(pilot)
        listed = pane.query_one(FindingList)
        for _ in range(len(listed.findings)):
            current = listed.current
            if current is not None and current.code == "records_not_visible":
                break
            await pilot.press("down")
        current = listed.current
        assert current is not None and current.code == "records_not_visible"
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


def test_doctor_healthy(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    """The healthy site (authenticated, SPF and DMARC published): no problem found, and what
    was checked."""
    app = demo_app(tmp_path, sandbox("healthy"))

    async def run_before(pilot: Pilot[object]) -> None:
        pane = await doctor_checked(pilot)
        assert not pane.findings
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)
