"""Serve-stale (RFC 8767): unbound with `serve-expired` answers from an expired entry, flags the
answer with Extended DNS Error 3 "Stale Answer" (RFC 8914) and refreshes it in the background,
so the very next answer may be fresh (issue 10)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import dns.edns
import pytest

from tests.realdns.conftest import World
from tests.realdns.judge import (
    TOLERANCE,
    assert_all_hold,
    cell,
    flip,
    has_cname,
    judge,
    prober,
    record,
    row,
)
from tests.realdns.servers import Unbound, answered, ask, require_programs

require_programs()

ZONE = "servestale.test"
TTL = 3  # the old records' TTL: they expire almost at once
REPLY_TTL = 30  # unbound's serve-expired-reply-ttl (its default): the TTL a stale answer shows
STALE_ANSWER = 3  # EDE code
S1 = record("s1._domainkey.servestale.test", "new.dkim.esp.test")
S2 = record("s2._domainkey.servestale.test", "new.dkim.esp.test")


@dataclass
class ServeStale:
    resolver: Unbound


@pytest.fixture(scope="module")
def serve_stale(world: World) -> Iterator[ServeStale]:
    """An unbound serving expired answers, holding old targets for s1 and s2 that have expired
    while the zone now points them elsewhere."""
    resolver = Unbound(
        world.root / "unbound-serve-stale",
        {ZONE: world.auth.port, "esp.test": world.auth.port},
        extra=[
            "serve-expired: yes",
            f"serve-expired-reply-ttl: {REPLY_TTL}",
            "serve-expired-client-timeout: 0",  # answer stale at once, refresh behind it
            "ede: yes",
            "ede-serve-expired: yes",
        ],
    )
    try:
        resolver.start()
        world.auth.replace(
            ZONE, [f"{label}._domainkey {TTL} CNAME old.dkim.esp.test." for label in ("s1", "s2")]
        )
        for r in (S1, S2):
            assert answered(ask(resolver.port, r.name)) == ["old.dkim.esp.test."]
        expired = time.monotonic() + TTL + 1
        world.auth.replace(
            ZONE, [f"{label}._domainkey {TTL} CNAME new.dkim.esp.test." for label in ("s1", "s2")]
        )
        time.sleep(max(0.0, expired - time.monotonic()))  # a deadline, not a guess: TTL + 1 s
        yield ServeStale(resolver)
    finally:
        resolver.stop()


async def test_a_stale_answer_carries_ede_3_and_the_next_one_is_fresh(
    serve_stale: ServeStale,
) -> None:
    """The real software: the old target, with the reply TTL and EDE 3, then the new target."""
    stale = ask(serve_stale.resolver.port, S1.name)
    assert answered(stale) == ["old.dkim.esp.test."]
    assert stale.answer[0].ttl == REPLY_TTL
    codes = [o.code for o in stale.options if isinstance(o, dns.edns.EDEOption)]
    assert STALE_ANSWER in codes
    await flip(serve_stale.resolver.port, S1.name, has_cname(S1.target), within=TOLERANCE)


async def test_a_stale_served_answer_is_not_a_30_s_countdown(
    world: World, serve_stale: ServeStale
) -> None:
    resolver = row("unbound-serve-stale", serve_stale.resolver.port)
    engine = prober(world.auth.port)
    try:
        report = await engine.sweep([S2], [resolver])
    finally:
        await engine.aclose()
    flipped = await flip(resolver.endpoint.port, S2.name, has_cname(S2.target), within=TOLERANCE)
    c = cell(report, S2.name, resolver)
    # An engine may count down to the fresh answer or show none at all (it may be there by
    # the next question); what it must not do is count down the reply TTL.
    verdicts = [] if c.eta is None else [judge("serve-stale: s2 at serve-stale", c.eta, flipped)]
    assert "stale" in c.detail.lower(), c
    assert_all_hold(verdicts)
