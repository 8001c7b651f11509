"""Negatives are cached per question: DKIM verifiers and receiving mail servers ask TXT at the
selector (and follow the CNAME), so a `dig TXT` run before the record existed plants a negative
that a CNAME question may not see (issue 10, dns.md "Real resolvers").

What the real software does differs: unbound's message cache keeps a negative per (name, type);
BIND keeps an NXDOMAIN for the whole name (``\\-ANY`` in its dump), so there the CNAME question
sees it too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.realdns.conftest import World
from tests.realdns.judge import assert_all_hold, cell, judge, judge_cache, prober, record, row
from tests.realdns.servers import answered, ask, rcode, require_programs
from tui.propagation import Status

require_programs()


async def test_a_txt_nxdomain_is_seen_at_unbound_and_bind(world: World) -> None:
    zone = "types.test"
    s1 = record("s1._domainkey.types.test", "s1.dkim.esp.test")
    for port in world.resolvers.values():
        assert rcode(ask(port, s1.name, "TXT")) == "NXDOMAIN"  # the user's `dig TXT`, too early
    world.auth.publish(zone, "s1._domainkey CNAME s1.dkim.esp.test.")
    rows = [row(name, port) for name, port in world.resolvers.items()]
    engine = prober(world.auth.port)
    try:
        report = await engine.sweep([s1], rows)
    finally:
        await engine.aclose()
    unbound, bind = rows
    # unbound: the CNAME question is answered, the TXT question still gets the negative, and
    # the engine, which asks both, shows the TXT negative and its countdown.
    assert rcode(ask(world.unbound.port, s1.name, "TXT")) == "NXDOMAIN"
    txt_left = world.unbound.message_ttl(s1.name, "TXT")
    assert answered(ask(world.unbound.port, s1.name)) == ["s1.dkim.esp.test."]
    at_unbound = cell(report, s1.name, unbound)
    assert at_unbound.status is Status.CACHED_NEGATIVE and at_unbound.rdtype == "TXT"
    assert {t.rdtype: t.status for t in at_unbound.types} == {
        "CNAME": Status.OK,
        "TXT": Status.CACHED_NEGATIVE,
    }
    assert "(the CNAME itself is visible)" in at_unbound.detail
    txt = judge_cache(
        "per type: s1 TXT at unbound, its message cache", at_unbound.remaining, txt_left
    )
    # BIND: the NXDOMAIN covers every type; the engine sees it and counts it down right.
    entries = world.bind.negatives()
    entry = entries.get(s1.name + ".")
    assert entry is not None and entry[1] == "ANY", entries
    at_bind = cell(report, s1.name, bind)
    assert at_bind.status is Status.CACHED_NEGATIVE
    assert_all_hold(
        [txt, judge_cache("per type: s1 at bind (its \\-ANY)", at_bind.remaining, entry[0])]
    )
    assert not report.all_ok


async def test_a_txt_negative_at_unbound_keeps_the_record_from_ready(world: World) -> None:
    zone = "txt.test"
    s1 = record("s1._domainkey.txt.test", "s1.dkim.esp.test")
    assert rcode(ask(world.unbound.port, s1.name, "TXT")) == "NXDOMAIN"
    world.auth.publish(zone, "s1._domainkey CNAME s1.dkim.esp.test.")
    unbound = row("unbound", world.unbound.port)
    engine = prober(world.auth.port)
    try:
        report = await engine.sweep([s1], [unbound])
    finally:
        await engine.aclose()
    left = world.unbound.message_ttl(s1.name, "TXT")
    assert left is not None  # what a verifier gets for this long: "does not exist"
    expiry = datetime.now(UTC) + timedelta(seconds=left)
    at_unbound = cell(report, s1.name, unbound)
    assert at_unbound.status is not Status.OK, at_unbound
    assert not report.all_ok
    what = "per type: s1 TXT at unbound"
    assert_all_hold([judge(what, at_unbound.eta, expiry, against="the TXT negative's expiry")])
