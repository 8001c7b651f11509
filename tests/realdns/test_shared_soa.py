"""unbound keeps one SOA rrset per zone (issue 10, dns.md "Real resolvers"): every cached
negative of the zone is answered with it. When a newer SOA arrives, from any other question to
the zone, our own sweep's included, each negative shows the new SOA's TTL and serial while it
still expires on its own clock. An engine that reads "time left" from that SOA counts down
from the top again, and its ETA is late by up to the whole negative TTL. BIND answers with the
TTL left of its own negative entry, so there the same reading holds.

Each scenario runs once (a module fixture) and several tests judge it: what the real software
did, the engine at BIND, the engine at unbound.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.realdns.conftest import World
from tests.realdns.judge import (
    TOLERANCE,
    Key,
    Verdict,
    assert_all_hold,
    judge,
    judge_sweeps,
    prober,
    record,
    row,
    start_flips,
    sweep_until_flipped,
)
from tests.realdns.servers import NEGATIVE_TTL, ask, negative_soa, rcode, require_programs
from tui.propagation import Report, Status

require_programs()


# --- another client's question brings the new SOA --------------------------------------------


@dataclass
class Refresh:
    cached_at: datetime  # when the resolvers cached the negative
    refreshed_at: datetime  # when another client's question brought the newer SOA
    seen: dict[str, tuple[int, int]]  # resolver -> (SOA TTL, serial) in s1's answer after it
    reports: list[Report]
    flipped: dict[Key, datetime]
    verdicts: dict[str, list[Verdict]]  # resolver name -> every sweep's countdown, judged


async def _refresh_scenario(world: World) -> Refresh:
    zone = "soa.test"
    s1 = record("s1._domainkey.soa.test", "s1.dkim.esp.test")
    rows = [row(name, port) for name, port in world.resolvers.items()]
    cached_at = datetime.now(UTC)
    for port in world.resolvers.values():
        assert negative_soa(ask(port, s1.name)) == (NEGATIVE_TTL, 1)
    await asyncio.sleep(2)  # the user adds the record a little later
    world.auth.publish(zone, "s1._domainkey CNAME s1.dkim.esp.test.")
    seen: dict[str, tuple[int, int]] = {}
    refreshed_at: list[datetime] = []

    def another_client(sweeps: int) -> None:
        # After three sweeps (about 6 s in), someone asks the zone for a name that does not
        # exist: the answer carries the zone's current SOA (serial 2, full TTL).
        if sweeps != 3:
            return
        refreshed_at.append(datetime.now(UTC))
        for name, port in world.resolvers.items():
            assert rcode(ask(port, "www.soa.test", "A")) == "NXDOMAIN"
            soa = negative_soa(ask(port, s1.name))
            assert soa is not None, name
            seen[name] = soa

    engine = prober(world.auth.port)
    try:
        flips = start_flips([s1], rows, within=NEGATIVE_TTL + 10)
        reports, flipped = await sweep_until_flipped(
            engine, [s1], rows, flips, between=another_client
        )
    finally:
        await engine.aclose()
    judged = judge_sweeps("shared SOA", reports, flipped)
    verdicts = {r.name: judged.get((s1.name, r.key), []) for r in rows}
    return Refresh(cached_at, refreshed_at[0], seen, reports, flipped, verdicts)


@pytest.fixture(scope="module")
def refresh(world: World) -> Iterator[Refresh]:
    yield asyncio.run(_refresh_scenario(world))


def test_unbound_shows_the_newer_soa_on_an_older_negative(refresh: Refresh) -> None:
    """The real software: after the refresh unbound's old negative carries serial 2 and a TTL
    longer than it has left; BIND's still carries serial 1 and its own time left; both flip
    when the negative cached first runs out."""
    left = NEGATIVE_TTL - (refresh.refreshed_at - refresh.cached_at).total_seconds()
    unbound_ttl, unbound_serial = refresh.seen["unbound"]
    bind_ttl, bind_serial = refresh.seen["bind"]
    # The newer SOA came at the earliest with the record, 2 s after the negative was cached
    # (the engine's own TXT question brings it on the first sweep, through qname
    # minimisation, or the other client does), so unbound shows at least about 2 s more than
    # the negative has left (whole seconds, hence the 1 s).
    assert unbound_serial == 2 and unbound_ttl - left > 1.0
    assert bind_serial == 1 and abs(bind_ttl - left) <= TOLERANCE
    expiry = refresh.cached_at + timedelta(seconds=NEGATIVE_TTL)
    for key, flipped in refresh.flipped.items():
        assert abs((flipped - expiry).total_seconds()) <= TOLERANCE, key


def test_bind_countdown_holds_through_a_soa_refresh(refresh: Refresh) -> None:
    verdicts = refresh.verdicts["bind"]
    assert len(verdicts) >= 4
    assert_all_hold(verdicts)


def test_unbound_countdown_holds_through_a_soa_refresh(refresh: Refresh) -> None:
    verdicts = refresh.verdicts["unbound"]
    assert len(verdicts) >= 4
    # The sweeps before the refresh are right; those after it are late by the time that had
    # passed since the negative was cached.
    assert verdicts[0].holds
    assert_all_hold(verdicts)


# --- our own sweep brings the new SOA ------------------------------------------------------


@dataclass
class SelfRefresh:
    reports: list[Report]
    expiry: datetime  # when unbound's cached negative for s1 runs out (its message cache)
    soa_after: tuple[int, int]  # (TTL, serial) in s1's negative answer after the sweeps
    serial_published: int  # the zone's serial once s1 was published
    message_ttl: int
    s1: str
    key: str


async def _self_scenario(world: World) -> SelfRefresh:
    """The user checked s1 too early, published it, and started `watch` on s1 and s2 while
    adding s2. Once s2 is published the sweep asks unbound about it; qname minimisation
    (RFC 9156) makes unbound ask the zone for ``_domainkey.soaself.test`` on the way, and that
    answer's SOA replaces the one every cached negative of the zone is shown with."""
    zone = "soaself.test"
    s1 = record("s1._domainkey.soaself.test", "s1.dkim.esp.test")
    s2 = record("s2._domainkey.soaself.test", "s2.dkim.esp.test")
    unbound = row("unbound", world.unbound.port)
    assert rcode(ask(unbound.endpoint.port, s1.name)) == "NXDOMAIN"
    await asyncio.sleep(6)  # the negative ages: its time left and a fresh SOA's now differ
    serial = world.auth.publish(zone, "s1._domainkey CNAME s1.dkim.esp.test.")
    engine = prober(world.auth.port)
    reports = []
    try:
        # s2 is not published yet: the engine does not ask resolvers about it.
        reports.append(await engine.sweep([s1, s2], [unbound]))
        world.auth.publish(zone, "s2._domainkey CNAME s2.dkim.esp.test.")
        for _ in range(2):
            await asyncio.sleep(1)
            reports.append(await engine.sweep([s1, s2], [unbound]))
    finally:
        await engine.aclose()
    soa_after = negative_soa(ask(unbound.endpoint.port, s1.name))
    message_ttl = world.unbound.message_ttl(s1.name, "CNAME")
    assert soa_after is not None and message_ttl is not None
    expiry = datetime.now(UTC) + timedelta(seconds=message_ttl)
    return SelfRefresh(reports, expiry, soa_after, serial, message_ttl, s1.name, unbound.key)


@pytest.fixture(scope="module")
def self_refresh(world: World) -> Iterator[SelfRefresh]:
    yield asyncio.run(_self_scenario(world))


def test_our_own_sweep_refreshes_unbounds_soa(self_refresh: SelfRefresh) -> None:
    """The real software: after the sweep asked about s2, s1's negative is shown with a SOA at
    or past the serial at which s1 was published, with a TTL longer than its entry has left."""
    ttl, serial = self_refresh.soa_after
    assert serial >= self_refresh.serial_published
    assert ttl - self_refresh.message_ttl > TOLERANCE


def test_countdown_holds_when_our_own_sweep_refreshes_the_soa(
    self_refresh: SelfRefresh,
) -> None:
    verdicts = []
    for number, report in enumerate(self_refresh.reports, start=1):
        c = report.cells[(self_refresh.s1, self_refresh.key)]
        assert c.status is Status.CACHED_NEGATIVE, (number, c)
        what = f"own-sweep SOA refresh: s1 at unbound, sweep {number}"
        verdicts.append(judge(what, c.eta, self_refresh.expiry, against="unbound's own expiry"))
    assert verdicts[0].holds  # before s2 was asked, the SOA was still the negative's own
    assert_all_hold(verdicts)
