"""Resolvers cap how long they keep a negative (unbound's cache-max-negative-ttl, 3600 s by
default; BIND's max-ncache-ttl, 10800 s), whatever the zone's SOA asks for (here a day)."""

from __future__ import annotations

import re

from tests.realdns.conftest import World
from tests.realdns.judge import TOLERANCE, assert_all_hold, cell, judge_cache, prober, record, row
from tests.realdns.servers import ask, negative_soa, rcode, require_programs
from tui.propagation import Status

require_programs()

UNBOUND_CAP = 3600
BIND_CAP = 10800


async def test_long_negatives_count_down_from_the_resolvers_caps(world: World) -> None:
    """Both resolvers put their capped time in the SOA of the negative answer, so the engine,
    which reads that SOA, counts down what their caches really hold."""
    zone = "capped.test"
    s1 = record("s1._domainkey.capped.test", "s1.dkim.esp.test")
    soa = {name: negative_soa(ask(port, s1.name)) for name, port in world.resolvers.items()}
    assert soa == {"unbound": (UNBOUND_CAP, 1), "bind": (BIND_CAP, 1)}
    world.auth.publish(zone, "s1._domainkey CNAME s1.dkim.esp.test.")
    rows = [row(name, port) for name, port in world.resolvers.items()]
    engine = prober(world.auth.port)
    try:
        report = await engine.sweep([s1], rows)
    finally:
        await engine.aclose()
    unbound, bind = rows
    at_unbound, at_bind = cell(report, s1.name, unbound), cell(report, s1.name, bind)
    assert at_unbound.status is at_bind.status is Status.CACHED_NEGATIVE
    bind_entry = world.bind.negative_ttl(s1.name)
    assert bind_entry is not None
    assert_all_hold(
        [
            judge_cache(
                "cap: s1 at unbound (cache-max-negative-ttl 3600)",
                at_unbound.remaining,
                world.unbound.message_ttl(s1.name, "CNAME"),
            ),
            judge_cache("cap: s1 at bind (max-ncache-ttl 10800)", at_bind.remaining, bind_entry[0]),
        ]
    )


async def test_the_cost_of_asking_too_early_is_what_resolvers_keep(world: World) -> None:
    """`--check-anyway` asks before the record is published and warns how long each resolver
    will now keep "does not exist". The real caches say how long that is."""
    s1 = record("s1._domainkey.cost.test", "s1.dkim.esp.test")
    rows = [row(name, port) for name, port in world.resolvers.items()]
    engine = prober(world.auth.port)
    try:
        report = await engine.sweep([s1], rows, force=True)
    finally:
        await engine.aclose()
    for port in world.resolvers.values():
        assert rcode(ask(port, s1.name)) == "NXDOMAIN"  # the engine's question planted it
    bind_entry = world.bind.negative_ttl(s1.name)
    kept = [world.unbound.message_ttl(s1.name, "CNAME"), bind_entry[0] if bind_entry else None]
    assert None not in kept
    warning = next(w for w in report.warnings if "Checked public resolvers" in w)
    stated = max(int(n) for n in re.findall(r"(\d+) s\b", warning))
    assert stated <= max(k for k in kept if k is not None) + TOLERANCE, warning
