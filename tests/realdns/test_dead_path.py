"""A resolver that is up, and answers other names, but cannot reach the zone's servers (here its
path to them is a socket that swallows questions): its users cannot resolve the records, so it
is not "unreachable, says nothing about propagation" (issue 10)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import pytest

from tests.realdns.conftest import World
from tests.realdns.judge import cell, prober, record, row
from tests.realdns.servers import Blackhole, Unbound, answered, ask, rcode, require_programs
from tui.propagation import Status
from tui.propagation.model import NO_SIGNAL

require_programs()

ZONE = "deadpath.test"
S1 = record("s1._domainkey.deadpath.test", "s1.dkim.esp.test")
_instances = itertools.count()


@pytest.fixture
def dead_path(world: World) -> Iterator[Unbound]:
    """An unbound whose way to deadpath.test goes nowhere; its way to esp.test works."""
    world.auth.replace(ZONE, ["s1._domainkey CNAME s1.dkim.esp.test."])
    hole = Blackhole()
    workdir = Path(world.root) / f"unbound-deadpath-{next(_instances)}"
    resolver = Unbound(workdir, {ZONE: hole.port, "esp.test": world.auth.port})
    try:
        resolver.start()
        yield resolver
    finally:
        resolver.stop()
        hole.close()


def test_a_dead_path_resolver_answers_other_names_but_not_the_zone(
    world: World, dead_path: Unbound
) -> None:
    """The real software: the control question (another zone) is answered at once, the
    zone's names get silence, and a resolver with a working path answers them."""
    control = ask(dead_path.port, "s1.dkim.esp.test", "TXT", timeout=1.0)
    assert rcode(control) == "NOERROR" and answered(control, "TXT")
    with pytest.raises(dns.exception.Timeout):
        ask(dead_path.port, S1.name, timeout=1.0)
    assert answered(ask(world.unbound.port, S1.name)) == ["s1.dkim.esp.test."]


async def test_a_resolver_that_cannot_reach_the_zone_is_not_ready(
    world: World, dead_path: Unbound
) -> None:
    healthy, dead = row("unbound", world.unbound.port), row("unbound-deadpath", dead_path.port)
    engine = prober(world.auth.port)
    try:
        report = await engine.sweep([S1], [healthy, dead])
    finally:
        await engine.aclose()
    assert cell(report, S1.name, healthy).status is Status.OK
    assert cell(report, S1.name, dead).status not in NO_SIGNAL
    assert not report.all_ok
