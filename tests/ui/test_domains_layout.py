"""The Domains pane at 80x24 (what users have over SSH): after publishing, the grid (the
authoritative rows and at least four resolver rows), the ETA, the first diagnosis and the
authenticate line are on screen without scrolling; v switches records and grid; the tables do
not trap Down/PageDown; Enter on a cell shows its evidence; the countdown before the next check
counts down, and only its line is redrawn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.containers import VerticalScroll
from textual.widget import Widget

from tests.support import SandboxControl
from tests.ui.conftest import signed_in_app
from tests.ui.test_domains import (
    CRAWL,
    MIDWAY,
    SIZE,
    grid,
    note,
    open_domains,
    pane,
    publish,
    wait_for,
    watch,
)
from tui.propagation import Role
from tui.sandbox import SandboxServer
from tui.screens.cell_evidence import CellEvidence
from tui.screens.domains import GRID, RECORDS
from tui.store.credentials import SecretStores
from tui.store.paths import Paths
from tui.widgets.fields import Note
from tui.widgets.records import RecordsTable


@pytest.fixture
def server(sandbox_server: SandboxServer, control: SandboxControl) -> Iterator[SandboxServer]:
    """As in test_domains: the session's sandbox, its clock at a crawl."""
    control.time_scale(CRAWL)
    yield sandbox_server


def fully_visible(widget: Widget) -> bool:
    """Painted whole inside the pane's scrolling body as it is now (no scrolling needed) and
    inside the screen."""
    body = widget.app.screen.query_one("#domains-body", VerticalScroll)
    region, visible = widget.region, body.content_region.intersection(widget.app.screen.region)
    return (
        widget.display
        and region.height >= widget.virtual_size.height > 0
        and visible.contains_region(region)
    )


async def test_after_publishing_with_a_mistake_the_grid_eta_diagnosis_and_next_action_fit(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await wait_for(pilot, lambda: grid(app).report is not None and not watch(app).sweeping)
        assert pane(app).compact and pane(app).view == RECORDS  # nothing published yet
        assert fully_visible(pane(app).query_one(RecordsTable))
        await publish(pilot, variant=2)  # the domain typed into the Host field
        await wait_for(pilot, lambda: pane(app).view == GRID)
        await pilot.pause()
        body = pane(app).query_one("#domains-body", VerticalScroll)
        assert body.scroll_y == 0
        table = grid(app)
        report = table.report
        assert report is not None
        authoritative = sum(r.role is Role.AUTHORITATIVE for r in report.resolvers)
        assert authoritative >= 1 and table.row_count >= authoritative + 4
        assert table.region.height >= 1 + authoritative + 4  # header, auth rows, 4 resolvers
        assert fully_visible(table)
        eta, first = pane(app).query_one("#eta", Note), pane(app).query_one("#diagnoses", Note)
        auth = pane(app).query_one("#auth-line", Note)
        assert "No ETA yet" in note(app, "#eta") and fully_visible(eta)
        assert note(app, "#diagnoses").startswith("• [double_suffix]") and fully_visible(first)
        assert "Enter only 's1._domainkey'".lower() in note(app, "#diagnoses").lower()
        assert note(app, "#auth-line").startswith("Authenticate (t)") and fully_visible(auth)
        assert MIDWAY in note(app, "#domain-summary")
        assert app.focused is table  # the keys work on the grid at once

        # v brings the records back (and the grid again); the user's choice sticks.
        await pilot.press("v")
        assert pane(app).view == RECORDS and not fully_visible(table)
        assert fully_visible(pane(app).query_one(RecordsTable))
        # Down past the last record goes on to the grid instead of doing nothing.
        records = pane(app).query_one(RecordsTable)
        records.focus()
        for _ in range(len(records.records) + 1):
            await pilot.press("down")
        assert pane(app).view == GRID and app.focused is table


async def test_larger_terminals_show_records_and_grid_together(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_domains(pilot)
        await publish(pilot, variant=2)
        await pilot.pause()
        assert not pane(app).compact
        for widget in (
            pane(app).query_one(RecordsTable),
            grid(app),
            pane(app).query_one("#eta", Note),
            pane(app).query_one("#diagnoses", Note),
            pane(app).query_one("#auth-line", Note),
        ):
            assert fully_visible(widget), widget


async def test_enter_on_a_cell_shows_its_evidence(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await publish(pilot)  # correctly: isp-1 and isp-2 cached "does not exist"
        await wait_for(pilot, lambda: pane(app).view == GRID)
        table = grid(app)
        report = table.report
        assert report is not None
        rows = list(table.row_keys)
        roles = {r.key: r.role for r in report.resolvers}
        public = next(i for i, key in enumerate(rows) if roles[key] is Role.PUBLIC)
        resolver = next(r for r in report.resolvers if r.key == rows[public])
        record = report.records[0]
        cell = report.cells[(record.name, resolver.key)]
        table.focus()
        table.move_cursor(row=public, column=1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CellEvidence))
        text = str(app.screen.query_one("#evidence-body", Note).content)
        assert f"Question: {record.name} CNAME" in text
        assert f"Server: {resolver.name}" in text
        assert f"Address: {resolver.endpoint}" in text
        assert "Asked: " in text
        assert "Status: ⧗ cached-no" in text and "Clears in" in text
        assert "clears by itself" in text  # what it means
        assert cell.detail in text
        box = app.screen.query_one("#evidence-box")
        assert box.region.height <= SIZE[1] and box.region.width <= SIZE[0]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.home)

        # An authoritative cell: the answer, with its TTL.
        table.move_cursor(row=0, column=1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CellEvidence))
        text = str(app.screen.query_one("#evidence-body", Note).content)
        ok = report.cells[(record.name, rows[0])]
        assert "Status: ✓ ok" in text and f"Answer (TTL {ok.ttl} s):" in text
        assert ok.answer[0] in text
        await pilot.press("escape")


async def test_the_next_check_counts_down_without_redrawing_the_grid(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await wait_for(pilot, lambda: grid(app).report is not None and not watch(app).sweeping)
        pane(app)._tick()
        assert "next check in 30 s" in note(app, "#grid-status")
        table, status = grid(app), pane(app).query_one("#grid-status", Note)
        updates = table.cell_updates
        refreshed: list[str] = []
        original = table.refresh

        def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
            refreshed.append("grid")
            return original(*args, **kwargs)

        table.refresh = spy  # type: ignore[method-assign]
        for left in (29, 28, 27):
            control.advance(1)
            pane(app)._tick()
            await pilot.pause()
            assert f"next check in {left} s" in str(status.content)
        assert table.cell_updates == updates and not refreshed
        table.refresh = original  # type: ignore[method-assign]
