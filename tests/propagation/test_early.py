"""A repeated sweep takes one round trip: once a record's zone is known and the record was
served everywhere, its questions to the authoritative servers and to the resolvers go out
together. Nothing is decided from them early: the verdicts are those of a sweep asked phase by
phase, and a record no longer served is shown as not asked, its early answers unused."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.propagation.hostile import RECORD, TARGET, Behaviour, HostileServer, Log
from tui.propagation.model import Endpoint, ExpectedRecord, Role, Status
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.sweep import Prober
from tui.propagation.transport import Exchange

DELAY = 0.4  # every server answers this late, as across a network
EXPECTED = ExpectedRecord(RECORD, TARGET)


async def test_a_repeated_sweep_takes_one_round_trip_with_the_same_verdicts() -> None:
    async with (
        HostileServer(Behaviour.SLOW, delay=DELAY) as auth,
        HostileServer(Behaviour.SLOW, delay=DELAY) as resolver,
    ):
        prober = Prober(authoritative=[auth.address], timeout=DELAY * 5)
        rows = [resolver_from_address(resolver.address, Role.PUBLIC)]
        try:
            took, reports = [], []
            for _ in range(3):
                started = time.perf_counter()
                reports.append(await prober.sweep([EXPECTED], rows))
                took.append(time.perf_counter() - started)
        finally:
            await prober.aclose()
    # The first sweep: the zone's SOA, the record at the authoritative server, then the
    # resolver; the next ones: all at once.
    assert took[0] >= DELAY * 3, took
    assert max(took[1:]) < DELAY * 2, took
    for report in reports:
        cell = report.cells[(RECORD, str(resolver.endpoint))]
        assert cell.status is Status.OK and cell.queried, cell
        assert not report.unanswered
    first, later = reports[0], reports[-1]
    assert [(c.status, c.detail) for c in first.cells.values()] == [
        (c.status, c.detail) for c in later.cells.values()
    ]


async def test_a_record_no_longer_served_is_not_asked_of_resolvers_its_early_answers_unused() -> (
    None
):
    log = Log()
    async with (
        HostileServer(Behaviour.GOOD) as auth,
        HostileServer(Behaviour.SILENT, log=log) as resolver,
    ):
        prober = Prober(authoritative=[auth.address], timeout=0.3)
        rows = [resolver_from_address(resolver.address, Role.PUBLIC)]
        try:
            await prober.sweep([EXPECTED], rows)
            auth.script.serves_record = False  # removed from the zone before the next sweep
            report = await prober.sweep([EXPECTED], rows)
        finally:
            await prober.aclose()
    cell = report.cells[(RECORD, str(resolver.endpoint))]
    assert cell.status is Status.NOT_PUBLISHED and not cell.queried, cell
    # The questions sent early to the silent resolver are not reported as unanswered.
    assert all(RECORD not in q for u in report.unanswered for q in u.questions), report.unanswered


async def test_no_server_gets_more_than_its_share_of_questions_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """However many questions a sweep has, one server gets at most PER_SERVER at a time; the
    others are not held back by it."""
    monkeypatch.setattr("tui.propagation.sweep.PER_SERVER", 3)
    flight: dict[int, int] = {}
    most: dict[int, int] = {}

    async def fake_ask(endpoint: Endpoint, *args: object, **kwargs: object) -> Exchange:
        flight[endpoint.port] = flight.get(endpoint.port, 0) + 1
        most[endpoint.port] = max(most.get(endpoint.port, 0), flight[endpoint.port])
        await asyncio.sleep(0.01)
        flight[endpoint.port] -= 1
        return Exchange(None, 10.0, "timeout")

    monkeypatch.setattr("tui.propagation.sweep.ask", fake_ask)
    prober = Prober()
    busy, other = Endpoint("127.0.0.1", 5301), Endpoint("127.0.0.1", 5302)
    asks = [prober.ask(busy, f"n{i}.example", "A", recursion=True) for i in range(20)]
    asks += [prober.ask(other, f"n{i}.example", "A", recursion=True) for i in range(3)]
    await asyncio.gather(*asks)
    await prober.aclose()
    assert most == {5301: 3, 5302: 3}
