"""The Domains pane against the sandbox over real loopback HTTP and DNS: the domain list and its
INITIALIZING polling, the records table (copy, export), and the live propagation grid.

The app shares the sandbox's clock, as the demo does. The tests slow that clock to a crawl
(nothing moves by itself) and move it with the sandbox's control route, which moves the app's
countdowns and schedules too: no test waits for time to pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from tests.conftest import client_for, site
from tests.support import SandboxControl
from tests.ui.conftest import messages, signed_in_app
from tui.app import WixSendingApp
from tui.propagation import Role, Status, Unanswered
from tui.sandbox import SandboxServer
from tui.screens.choice import ChoiceScreen
from tui.screens.domains import DomainsPane
from tui.store.credentials import SecretStores
from tui.store.paths import Paths
from tui.widgets.fields import Note
from tui.widgets.grid import UNASKED, PropagationGrid, PropagationWatch
from tui.widgets.records import DomainTable, RecordsTable

MIDWAY = "harbor-ceramics.example"
NEW_DOMAIN = "sunrise-bakery.example"
SIZE = (80, 24)
CRAWL = 0.001  # the sandbox clock's speed in these tests: it moves only when told to


@pytest.fixture
def server(sandbox_server: SandboxServer, control: SandboxControl) -> Iterator[SandboxServer]:
    """The session's sandbox, reset to 'fresh' by ``control``, its clock at a crawl."""
    control.time_scale(CRAWL)
    yield sandbox_server


async def wait_for(pilot: Pilot[None], what: Callable[[], object], limit: float = 10.0) -> None:
    """Until ``what()`` holds (a bound, not a timing assertion: the pane ticks every second)."""
    for _ in range(int(limit / 0.05)):
        if what():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"still not true after {limit} s: {what}")


async def toast(pilot: Pilot[None], text: str) -> None:
    """Until a notification holds ``text`` (notify goes through the app's message queue)."""
    await wait_for(pilot, lambda: text in messages(pilot.app))  # type: ignore[arg-type]


def pane(app: WixSendingApp) -> DomainsPane:
    return app.home.query_one(DomainsPane)


def watch(app: WixSendingApp) -> PropagationWatch:
    return pane(app).query_one(PropagationWatch)


def grid(app: WixSendingApp) -> PropagationGrid:
    return pane(app).query_one(PropagationGrid)


def note(app: WixSendingApp, selector: str) -> str:
    return str(pane(app).query_one(selector, Note).content)


def badges(app: WixSendingApp) -> dict[str, str]:
    table = pane(app).query_one(DomainTable)
    return {str(key.value): str(table.get_cell(key, "status")) for key in table.rows}


async def show_domains(pilot: Pilot[None]) -> None:
    """Press 2 once the home screen's tabs are ready (they mount at sign-in)."""
    app: WixSendingApp = pilot.app  # type: ignore[assignment]

    def tabs() -> str:
        found = app.home.query(TabbedContent)
        return found.first().active if found else ""

    # Once, as early as a user could (the main screen is up, its tabs may not have settled
    # yet): the key must stick.
    await wait_for(pilot, lambda: app.screen is app.home)
    await pilot.press("2")
    await wait_for(pilot, lambda: tabs() == "domains" and pane(app).on_screen)
    await pilot.pause(0.3)  # and stay: nothing queued behind it may switch back
    assert tabs() == "domains"


async def open_domains(pilot: Pilot[None]) -> None:
    """The Domains pane with its domains, and the selected one's records when it has any."""
    await show_domains(pilot)
    app: WixSendingApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: badges(app))

    def shown() -> bool:
        records = pane(app).query_one(RecordsTable).records
        return bool(records) or all(b == "⧗ initializing" for b in badges(app).values())

    await wait_for(pilot, shown)


def adds_records(next_step: str) -> bool:
    """The next step asks to add the new domain's records (before or after the grid looked)."""
    return NEW_DOMAIN in next_step and "Add " in next_step and "authenticated" not in next_step


async def swept(pilot: Pilot[None]) -> None:
    """Press r (check now) and wait for that sweep to end."""
    app: WixSendingApp = pilot.app  # type: ignore[assignment]
    before = watch(app).sweeps
    await pilot.press("r")
    await wait_for(pilot, lambda: watch(app).sweeps > before and not watch(app).sweeping)


async def publish(pilot: Pilot[None], variant: int = 1) -> None:
    """The demo action: h, then the variant's number in the modal (1 = correctly); returns
    once the check it starts has ended. (The clock crawls: no other sweep starts meanwhile.)"""
    await wait_for(pilot, lambda: not watch(pilot.app).sweeping)  # type: ignore[arg-type]
    await pilot.press("h")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChoiceScreen))
    before = watch(pilot.app).sweeps  # type: ignore[arg-type]
    await pilot.press(str(variant))
    app: WixSendingApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: watch(app).sweeps > before and not watch(app).sweeping)


def statuses(app: WixSendingApp, role: Role | None = None) -> set[Status]:
    report = grid(app).report
    assert report is not None
    keys = {r.key for r in report.resolvers if role is None or r.role is role}
    return {c.status for (_, key), c in report.cells.items() if key in keys}


# --- domains and INITIALIZING polling ------------------------------------------------------------


async def make_sender(server: SandboxServer, control: SandboxControl, *, details: bool) -> None:
    """A verified address on the bakery's own domain (and sender details for it), by the API."""
    async with client_for(server, site(server)) as wix:
        email = await wix.create_sender_email(f"hello@{NEW_DOMAIN}")
        await wix.send_verification_code(email.id)
        await wix.verify_sender_email(email.id, control.latest_code(email.email_address))
        if details:
            await wix.create_sender_details("Sunrise Bakery", email.email_address)


async def test_initializing_is_polled_until_wix_made_the_records(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    await make_sender(server, control, details=True)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        assert badges(app) == {NEW_DOMAIN: "⧗ initializing"}
        assert "Wix is making its DNS records" in note(app, "#domain-summary")
        assert not pane(app).query_one(RecordsTable).records
        control.advance(150)  # past the sandbox's 120 s of INITIALIZING and the first poll
        await wait_for(pilot, lambda: badges(app)[NEW_DOMAIN] == "✗ not authenticated")
        await toast(pilot, f"Wix made the DNS records for {NEW_DOMAIN}")
        await wait_for(pilot, lambda: len(pane(app).query_one(RecordsTable).records) >= 3)
        # "Add sunrise-bakery.example's 3 CNAME records…", or once the grid has looked:
        # "sunrise-bakery.example: No ETA yet: 3 of 3 record(s) are not at … Add them at …".
        next_step = app.home.query_one("#next-step")
        await wait_for(pilot, lambda: adds_records(str(next_step.content)))


async def test_a_public_mailbox_alone_has_no_sending_domain(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await show_domains(pilot)
        await wait_for(pilot, lambda: "No sending domain yet" in note(app, "#domains-message"))
        assert grid(app).report is None


async def test_missing_sender_details_open_the_guided_fix(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    from tui.screens.guided_fix import GuidedFixScreen

    await make_sender(server, control, details=False)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=(100, 40)) as pilot:
        await show_domains(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, GuidedFixScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, GuidedFixScreen))
        assert "No sender details" in note(app, "#domains-message")
        assert "Press g" in note(app, "#domains-message")


# --- the records: copy and export ----------------------------------------------------------------


async def test_copy_a_cell_and_all_records(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        table = pane(app).query_one(RecordsTable)
        first = table.records[0]
        table.focus()
        await pilot.press("c")  # the cursor starts on the first host
        assert app.clipboard == first.host
        await toast(pilot, f"Copied the host of record 1 of 5:\n{first.host}")
        await pilot.press("right", "right", "c")
        assert app.clipboard == first.value
        await pilot.press("C")
        lines = app.clipboard.splitlines()
        assert len(lines) == 5
        assert lines[0] == f"{first.host}.\t3600\tIN\tCNAME\t{first.value}."
        await toast(pilot, f"Copied all 5 records of {MIDWAY}")


@pytest.mark.parametrize(
    ("choice", "suffix", "check"),
    [
        ("1", "zone", lambda text, host: f"{host}.\t3600\tIN\tCNAME" in text),
        ("2", "csv", lambda text, host: text.startswith("host,type,value\n") and host in text),
        ("3", "json", lambda text, host: json.loads(text)["records"][0]["host"] == host),
    ],
)
async def test_export_writes_the_chosen_format_into_the_export_folder(
    paths: Paths,
    keyring_stores: SecretStores,
    server: SandboxServer,
    control: SandboxControl,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    choice: str,
    suffix: str,
    check: Callable[[str, str], bool],
) -> None:
    """Into the export folder (under WIX_SENDING_HOME here; a user's downloads folder, see
    tests/test_exporting.py), never the current directory; the message names the whole path;
    a second export keeps the first file and takes the next name."""
    control.reset("midway")
    work = (tmp_path / "work").resolve()
    work.mkdir()
    monkeypatch.chdir(work)
    folder = paths.exports_dir
    assert folder is not None
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        host = pane(app).query_one(RecordsTable).records[0].host
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        assert f"into {folder}." in str(app.screen.query_one("#choice-body", Note).content)
        await pilot.press(choice)
        path = folder.resolve() / f"{MIDWAY}-dns-records.{suffix}"
        await wait_for(pilot, lambda: f"to {path}" in note(app, "#export-note"))
        assert check(path.read_text(encoding="utf-8"), host)
        await toast(pilot, f"Exported 5 records of {MIDWAY} to {path}")
        assert not list(work.iterdir())  # nothing in the current directory
        path.write_text("edited by the user", encoding="utf-8")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press(choice)
        second = folder.resolve() / f"{MIDWAY}-dns-records-2.{suffix}"
        await wait_for(pilot, lambda: f"to {second}" in note(app, "#export-note"))
        assert f"{path.name} was there already: kept" in note(app, "#export-note")
        assert path.read_text(encoding="utf-8") == "edited by the user"
        assert check(second.read_text(encoding="utf-8"), host)


async def test_a_failed_export_says_why(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    """The export folder cannot be made (a file sits where it should be): one line saying
    which folder and why, as an error; the pane stays usable."""
    control.reset("midway")
    assert paths.exports_dir is not None
    paths.exports_dir.parent.mkdir(parents=True, exist_ok=True)
    paths.exports_dir.write_text("a file where the export folder should be", encoding="utf-8")
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("1")
        await wait_for(pilot, lambda: "could not be written" in note(app, "#export-note"))
        said = note(app, "#export-note")
        assert f"could not be written: Not a directory: {paths.exports_dir}." in said
        assert "[Errno" not in said and "Traceback" not in app.export_screenshot()
        assert any(n.severity == "error" and n.message == said for n in app.notice_log)
        assert isinstance(app.screen.focused, DomainTable | RecordsTable | PropagationGrid)


# --- the live propagation grid -------------------------------------------------------------------


async def test_the_grid_from_unasked_to_ok(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await wait_for(pilot, lambda: grid(app).report is not None and not watch(app).sweeping)
        table, report = grid(app), grid(app).report
        assert report is not None
        rows = list(table.row_keys)
        roles = {r.key: r.role for r in report.resolvers}
        assert [roles[k] for k in rows[:2]] == [Role.AUTHORITATIVE] * 2
        assert str(table.get_cell(rows[0], LABEL)).startswith("auth ")
        assert statuses(app, Role.AUTHORITATIVE) == {Status.NOT_PUBLISHED}
        public = rows[2:]
        assert {str(table.get_cell(k, c)) for k in public for c in records(app)} == {UNASKED}
        assert "unasked" in note(app, "#unasked")
        # At 80x24 the countdown alone says how fresh the grid is ("checked … ago" otherwise).
        assert "next check in" in note(app, "#grid-status")

        await publish(pilot)  # correctly; isp-1 and isp-2 looked too early
        negatives = cells_showing(app, "⧗ ")
        assert {resolver for resolver, _ in negatives} == {public[0], public[1]}
        assert all("m" in str(table.get_cell(*key)) for key in negatives)
        assert "All visible by" in note(app, "#eta")
        assert "[queried_too_early]" in note(app, "#diagnoses")
        # The app runs on the sandbox's clock, not the wall clock: its times say so.
        assert "world time" in note(app, "#eta") and "world time" in note(app, "#diagnoses")
        next_step = app.home.query_one("#next-step", Note)
        await wait_for(pilot, lambda: f"{MIDWAY}: All visible by" in str(next_step.content))
        await wait_for(pilot, lambda: "records_first_seen" in saved_state(paths))

        # A minute later only the countdowns are redrawn, and nothing else.
        untouched = {key: table.get_cell(*key) for key in cells_showing(app, "✓ ok")}
        before = table.cell_updates
        control.advance(60)
        assert table.tick(app.services.clock.now()) == len(negatives)
        assert table.cell_updates - before == len(negatives)

        # Past the negative TTL, a check turns them ok; the cells that were ok are the same
        # objects (never rewritten).
        control.advance(20 * 60)
        changed = record_updates(table)
        await swept(pilot)
        assert statuses(app) == {Status.OK}
        assert set(changed) == set(negatives)
        assert all(table.get_cell(*key) is cell for key, cell in untouched.items())
        assert "All records are visible" in note(app, "#eta")


async def test_a_doubled_suffix_is_diagnosed(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await wait_for(pilot, lambda: grid(app).report is not None and not watch(app).sweeping)
        await publish(pilot, variant=2)  # "with the domain typed into the Host field"
        assert "[double_suffix]" in note(app, "#diagnoses")
        assert statuses(app, Role.AUTHORITATIVE) == {Status.NOT_PUBLISHED}
        await pilot.press("x")  # remove them, to try again
        await wait_for(pilot, lambda: "Removed" in messages(app))
        await publish(pilot)
        assert "[double_suffix]" not in note(app, "#diagnoses")
        assert statuses(app, Role.AUTHORITATIVE) == {Status.OK}


async def test_sweeps_pause_on_s_and_while_the_pane_is_hidden(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await wait_for(pilot, lambda: watch(app).sweeps == 1 and not watch(app).sweeping)
        await pilot.press("s")
        assert "paused" in note(app, "#grid-status")
        control.advance(120)  # several refresh intervals
        pane(app)._tick()
        assert watch(app).sweeps == 1 and not watch(app).sweeping
        await pilot.press("s")  # resumed: the overdue sweep starts at the next tick
        await wait_for(pilot, lambda: watch(app).sweeps == 2 and not watch(app).sweeping)
        await pilot.press("1")  # the Senders pane: the grid is hidden
        control.advance(120)
        pane(app)._tick()
        assert not watch(app).sweeping and watch(app).sweeps == 2
        await pilot.press("2")
        await wait_for(pilot, lambda: watch(app).sweeps == 3)


LABEL = "resolver"


def records(app: WixSendingApp) -> list[str]:
    report = grid(app).report
    assert report is not None
    return [r.name for r in report.records]


def cells_showing(app: WixSendingApp, prefix: str) -> list[tuple[str, str]]:
    """(resolver, record) of the cells whose text starts with ``prefix``."""
    table = grid(app)
    return [
        (row, name)
        for row in table.row_keys
        for name in records(app)
        if str(table.get_cell(row, name)).startswith(prefix)
    ]


def saved_state(paths: Paths) -> str:
    return paths.state_file.read_text(encoding="utf-8") if paths.state_file.exists() else ""


def record_updates(table: PropagationGrid) -> list[tuple[str, str]]:
    """Records every ``update_cell`` of ``table`` from now on, as (row, column)."""
    seen: list[tuple[str, str]] = []
    original = table.update_cell

    def spy(row_key, column_key, value, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((str(row_key), str(column_key)))
        return original(row_key, column_key, value, **kwargs)

    table.update_cell = spy  # type: ignore[method-assign]
    return seen


async def test_a_late_focus_in_another_tab_does_not_switch_tabs(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    """The senders table claims the cursor once its rows arrive; that news may come after the
    user pressed 2. Only the user switches tabs."""
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await show_domains(pilot)
        await pilot.pause(0.2)
        senders_table = app.home.query_one("#emails-table")
        senders_table.focus()

        def back_in_the_domains_pane() -> bool:
            focused = app.focused
            return focused is not None and pane(app) in focused.ancestors

        # Bounded, not timed: a loaded machine takes longer to hand the focus back.
        await wait_for(pilot, back_in_the_domains_pane)
        assert app.home.query_one(TabbedContent).active == "domains"


async def test_the_status_line_counts_unanswered_questions(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    """Questions nobody answered (a dead server, rate limiting) are counted on the line above
    the grid, never shown as a verdict."""
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await wait_for(pilot, lambda: grid(app).report is not None and not watch(app).sweeping)
        report = grid(app).report
        assert report is not None
        assert "unanswered" not in note(app, "#grid-status")
        dropped = Unanswered("192.0.2.53", True, ("s1._domainkey.x CNAME", "x SOA"))
        grid(app).show_report(replace(report, unanswered=(dropped,)), app.services.clock.now())
        watch(app).tick()
        await pilot.pause()
        assert "2 questions unanswered (2 by authoritative servers)" in note(app, "#grid-status")


async def test_an_incomplete_record_shows_is_not_copied_nor_exported_nor_watched(
    paths: Paths,
    keyring_stores: SecretStores,
    server: SandboxServer,
    control: SandboxControl,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Wix's typings make a record's hostName and value optional (fact sheet §1.2). Played
    with the sandbox's ``body`` fault on every Query until it has a switch of its own."""
    control.reset("midway")
    (found,) = [d for d in control.state()["sites"][0]["sendingDomains"] if d["domain"] == MIDWAY]
    answer = {
        "sendingDomains": [
            {
                "id": found["id"],
                "domain": MIDWAY,
                "status": "NOT_AUTHENTICATED",
                "dnsRecords": [
                    {"hostName": f"sg.{MIDWAY}", "value": f"sg.{MIDWAY}.t.example"},
                    {"hostName": f"s1._domainkey.{MIDWAY}", "type": "CNAME"},  # no value
                    {"hostName": f"s2.{MIDWAY}", "value": "s2.t.example", "type": "UNKNOWN_TYPE"},
                ],
            }
        ],
        "pagingMetadata": {"count": 1, "cursors": {}, "hasNext": False},
    }
    control.fault("sending-domains.query", "body", body=answer, status=200, count=1000)
    work = (tmp_path / "work").resolve()
    work.mkdir()
    monkeypatch.chdir(work)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        table = pane(app).query_one(RecordsTable)
        await wait_for(pilot, lambda: len(table.records) == 3)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(3)]
        assert rows[1][0] == f"s1._domainkey.{MIDWAY}"
        assert rows[1][2].startswith("⚠ incomplete") and "R reads the domain again" in rows[1][2]
        assert rows[2][1] == "CNAME"  # UNKNOWN_TYPE reads as CNAME
        assert "1 incomplete" in note(app, "#domain-summary")
        assert f"not watched: Wix's record for 's1._domainkey.{MIDWAY}'" in note(app, "#unwatched")
        assert len(watch(app).records) == 2

        table.focus()
        await pilot.press("down", "c")  # the incomplete record: nothing copied, and why
        await toast(pilot, "Nothing copied: record 2 of 3 is incomplete")
        await pilot.press("C")
        lines = app.clipboard.splitlines()
        assert len(lines) == 3 and lines[1].startswith("; skipped:")
        assert all("UNKNOWN_TYPE" not in line for line in lines)

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("1")
        assert paths.exports_dir is not None
        path = paths.exports_dir.resolve() / f"{MIDWAY}-dns-records.zone"
        await wait_for(pilot, lambda: f"to {path}" in note(app, "#export-note"))
        text = path.read_text(encoding="utf-8")
        assert text.count("\tIN\tCNAME\t") == 2 and "; skipped: " in text
        await toast(pilot, f"Exported 2 records of {MIDWAY} to {path} (1 incomplete")
