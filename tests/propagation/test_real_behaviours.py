"""The engine against what real resolvers and authoritative servers do beyond RFC 2308 alone
(dns.md, "Real resolvers"), played by scriptable loopback servers (tests/propagation/hostile.py):
a dead path to one zone, serve-stale, Extended DNS Errors, per-type negatives, aggressive NSEC,
refreshed SOAs, resolver caps, and questions nobody answers.

Each test runs the real ``Prober.sweep`` over UDP/TCP; a test that needs several sweeps keeps
one prober and moves a :class:`ManualClock`, as the app and ``watch`` keep theirs across sweeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

from tests.propagation.hostile import (
    OTHER_RECORD,
    OTHER_TARGET,
    RECORD,
    SERIAL,
    TARGET,
    ZONE,
    Behaviour,
    HostileServer,
    Script,
)
from tui.clock import ManualClock
from tui.propagation.labels import cell_view, unanswered_words
from tui.propagation.model import Cell, ExpectedRecord, Report, Role, Status
from tui.propagation.report import to_json
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.sweep import Prober
from tui.sanitize import is_visible

TIMEOUT = 0.25
BOUND = 15.0
EXPECTED = ExpectedRecord(RECORD, TARGET)


@asynccontextmanager
async def started(*servers: HostileServer) -> AsyncIterator[list[HostileServer]]:
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(s) for s in servers]


async def sweep_once(
    authoritative: Sequence[HostileServer],
    resolvers: Sequence[HostileServer],
    *,
    prober: Prober | None = None,
    records: Sequence[ExpectedRecord] = (EXPECTED,),
) -> Report:
    """One sweep (of ``prober`` when given: the caller keeps and closes it)."""
    own = prober is None
    prober = prober or Prober(authoritative=[s.address for s in authoritative], timeout=TIMEOUT)
    rows = [resolver_from_address(s.address, Role.PUBLIC) for s in resolvers]
    try:
        async with asyncio.timeout(BOUND):
            return await prober.sweep(list(records), rows)
    finally:
        if own:
            await prober.aclose()


def public_cell(report: Report, server: HostileServer) -> Cell:
    return report.cells[(RECORD, str(server.endpoint))]


def codes(report: Report) -> list[str]:
    return [d.code for d in report.diagnoses]


# --- a dead resolver, or a dead path to the zone (deliverable 4) ------------------------------


async def test_a_resolver_silent_on_the_zone_only_cannot_reach_it() -> None:
    """It answers the control question (localhost.) but never our names: its users cannot see
    the records, so the run is not ready (before: "unreachable, says nothing", and ready)."""
    good = HostileServer(Behaviour.GOOD)
    cut_off = HostileServer(Behaviour.SILENT, script=Script(zone_only=True))
    fine = HostileServer(Behaviour.GOOD)
    async with started(good, cut_off, fine):
        report = await sweep_once([good], [cut_off, fine])
    cell = public_cell(report, cut_off)
    assert cell.status is Status.CANT_REACH_ZONE, cell
    assert f"can't reach {ZONE}" in cell.detail and "cannot see the record" in cell.detail
    assert public_cell(report, fine).status is Status.OK
    assert not report.all_ok and not report.eta.ready
    assert "can't reach your zone's name servers" in report.eta.sentence
    found = next(d for d in report.diagnoses if d.code == "cant_reach_zone")
    assert str(cut_off.endpoint) in found.sentence and f"ns1.{ZONE}" in found.sentence
    assert cell_view(cell, report.checked_at, narrow=True).text == "↯ no path"
    assert to_json(report)["ready"] is False


async def test_a_resolver_failing_on_the_zone_only_cannot_reach_it() -> None:
    good = HostileServer(Behaviour.GOOD)
    failing = HostileServer(Behaviour.SERVFAIL, script=Script(zone_only=True))
    async with started(good, failing):
        report = await sweep_once([good], [failing])
    cell = public_cell(report, failing)
    assert cell.status is Status.CANT_REACH_ZONE and "SERVFAIL here" in cell.detail
    assert "cant_reach_zone" in codes(report)


async def test_a_dead_resolver_is_still_no_signal() -> None:
    """Silent on everything, the control question included: nothing is known of the zone's
    records there, and the verdict leaves it out as before."""
    good = HostileServer(Behaviour.GOOD)
    dead = HostileServer(Behaviour.SILENT)
    fine = HostileServer(Behaviour.GOOD)
    async with started(good, dead, fine):
        report = await sweep_once([good], [dead, fine])
    assert public_cell(report, dead).status is Status.UNREACHABLE
    assert "cant_reach_zone" not in codes(report)
    assert report.all_ok


async def test_the_control_question_shares_the_round_trip() -> None:
    """Every question to a dead-path resolver (the selector's CNAME and TXT, the control and
    the software question) is out before the first one times out, so the sweep costs one
    timeout, not two."""
    good = HostileServer(Behaviour.GOOD)
    cut_off = HostileServer(Behaviour.SILENT, script=Script(zone_only=True))
    async with started(good, cut_off):
        loop = asyncio.get_running_loop()
        begun = loop.time()
        report = await sweep_once([good], [cut_off])
        took = loop.time() - begun
    assert public_cell(report, cut_off).status is Status.CANT_REACH_ZONE
    assert cut_off.questions == 4
    assert took < 2 * TIMEOUT, took


# --- stale answers and Extended DNS Errors (deliverable 5) ------------------------------------


async def test_a_stale_answer_is_stale_served_with_its_ede_text() -> None:
    good = HostileServer(Behaviour.GOOD)
    stale = HostileServer(Behaviour.STALE_ANSWER)
    async with started(good, stale):
        report = await sweep_once([good], [stale])
    cell = public_cell(report, stale)
    assert cell.status is Status.STALE_SERVED, cell
    assert "the right target from an expired cache entry" in cell.detail
    assert 'EDE 3 Stale Answer: "served from an expired cache entry"' in cell.detail
    assert not report.all_ok and "serve expired answers" in report.eta.sentence
    assert "stale_served" in codes(report)
    assert cell_view(cell, report.checked_at, narrow=True).text == "↺ expired"


async def test_a_stale_nxdomain_is_stale_served_not_a_countdown() -> None:
    good = HostileServer(Behaviour.GOOD)
    stale = HostileServer(Behaviour.STALE_NXDOMAIN)
    async with started(good, stale):
        report = await sweep_once([good], [stale])
    cell = public_cell(report, stale)
    assert cell.status is Status.STALE_SERVED
    assert "expired 'does not exist'" in cell.detail
    assert 'EDE 19 Stale NXDOMAIN Answer: "the zone\'s servers did not answer"' in cell.detail
    assert cell.eta is None and "queried_too_early" not in codes(report)


async def test_any_ede_text_goes_into_the_detail() -> None:
    hostile_text = "policy \x1b[31m says no"
    good = HostileServer(Behaviour.GOOD, script=Script(ede=(20, "not for this one")))
    noisy = HostileServer(Behaviour.GOOD, script=Script(ede=(18, hostile_text)))
    async with started(good, noisy):
        report = await sweep_once([good], [noisy])
    cell = public_cell(report, noisy)
    assert cell.status is Status.OK  # an EDE beside a good answer changes no verdict
    assert 'EDE 18 Prohibited: "policy \\x1b[31m says no"' in cell.detail
    assert is_visible(cell.detail)
    auth = report.cells[(RECORD, str(good.endpoint))]
    assert auth.status is Status.OK and 'EDE 20 Not Authoritative: "not for' in auth.detail


# --- unanswered questions (deliverable 7) -------------------------------------------------------


async def test_questions_an_authoritative_server_never_answers_are_counted() -> None:
    good = HostileServer(Behaviour.GOOD)
    dropping = HostileServer(Behaviour.SILENT)  # a dead secondary, or RRL dropping us
    resolver = HostileServer(Behaviour.GOOD)
    async with started(good, dropping, resolver):
        report = await sweep_once([good, dropping], [resolver])
    silent = report.cells[(RECORD, str(dropping.endpoint))]
    assert silent.status is Status.UNREACHABLE
    assert "an unanswered question" in silent.detail and "rate limiting" in silent.detail
    # Counted, per server, with the questions: never a verdict (the record is judged by the
    # server that answered, and a warning says the other one is unknown).
    assert report.unanswered_authoritative >= 2
    entry = next(u for u in report.unanswered if u.server == str(dropping.endpoint))
    assert entry.authoritative and f"{RECORD} CNAME" in entry.questions
    assert any(str(dropping.endpoint) in w and "unknown" in w for w in report.warnings)
    document = to_json(report)["unanswered"]
    assert document["count"] == report.unanswered_count >= 2
    assert document["authoritative"] == report.unanswered_authoritative
    assert document["servers"][0]["role"] == "authoritative"
    words = unanswered_words(report)
    assert words.startswith(f"{report.unanswered_count} questions unanswered (")
    assert "by authoritative servers" in words


async def test_a_sweep_where_everything_answers_counts_nothing() -> None:
    good = HostileServer(Behaviour.GOOD)
    resolver = HostileServer(Behaviour.GOOD)
    async with started(good, resolver):
        report = await sweep_once([good], [resolver])
    assert report.unanswered == () and unanswered_words(report) == ""
    assert to_json(report)["unanswered"] == {"count": 0, "authoritative": 0, "servers": []}


# --- countdowns that never lie (deliverable 2) ------------------------------------------------


async def test_a_refreshed_soa_does_not_lengthen_the_countdown() -> None:
    """unbound answers every cached negative with the zone's newest SOA: 100 s after the
    first sweep the same negative shows a fresh 280 s and the serial at which the record
    exists. The countdown keeps its first reading (150 s left), not the new 280 s."""
    clock = ManualClock()
    good = HostileServer(Behaviour.GOOD)
    negative = HostileServer(Behaviour.NEGATIVE, script=Script(negative_ttl=250))
    async with started(good, negative):
        prober = Prober(authoritative=[good.address], timeout=TIMEOUT, clock=clock)
        try:
            first = await sweep_once([good], [negative], prober=prober)
            cell = public_cell(first, negative)
            assert (cell.status, cell.remaining, cell.at_most) == (
                Status.CACHED_NEGATIVE,
                250,
                False,
            )
            expires = cell.eta
            clock.advance(100)
            negative.script.serial = SERIAL  # the refreshed SOA: the record's serial
            negative.script.negative_ttl = 280
            second = await sweep_once([good], [negative], prober=prober)
        finally:
            await prober.aclose()
    cell = public_cell(second, negative)
    assert cell.eta == expires and cell.remaining == 150
    assert "as seen first" in cell.bound and "says 200 s" in cell.bound
    assert second.eta.when == expires


async def test_a_negative_newer_than_the_record_is_only_an_upper_bound() -> None:
    """First seen with a serial at which the record already exists: an old negative wearing
    a refreshed SOA, so its SOA TTL is how long it lasts at most."""
    good = HostileServer(Behaviour.GOOD)
    negative = HostileServer(Behaviour.NEGATIVE, script=Script(serial=SERIAL, negative_ttl=250))
    async with started(good, negative):
        report = await sweep_once([good], [negative])
    cell = public_cell(report, negative)
    assert cell.status is Status.CACHED_NEGATIVE and cell.at_most and cell.remaining == 250
    assert cell.reason == "old_negative" and cell.soa_serial == SERIAL
    assert cell.bound.startswith("at most 250 s") and f"serial {SERIAL}" in cell.bound
    assert cell_view(cell, report.checked_at, narrow=True).text == "⧗ ≤5m"
    assert cell_view(cell, report.checked_at, narrow=False).text == "⧗ ≤4m10s"
    assert "at the latest" in report.eta.sentence
    assert to_json(report)["cells"][1]["atMost"] is True


async def test_a_shorter_answer_shortens_and_a_proven_refetch_restarts() -> None:
    clock = ManualClock()
    good = HostileServer(Behaviour.GOOD)
    negative = HostileServer(Behaviour.NEGATIVE, script=Script(negative_ttl=500))
    async with started(good, negative):
        prober = Prober(authoritative=[good.address], timeout=TIMEOUT, clock=clock)
        try:
            first = public_cell(await sweep_once([good], [negative], prober=prober), negative)
            clock.advance(10)
            negative.script.negative_ttl = 300  # another cache (anycast), or a better reading
            shorter = public_cell(await sweep_once([good], [negative], prober=prober), negative)
            clock.advance(320)  # past the estimate: it ran out
            negative.script.negative_ttl = 590  # and the resolver holds a new negative
            again = public_cell(await sweep_once([good], [negative], prober=prober), negative)
        finally:
            await prober.aclose()
    assert first.eta is not None and shorter.eta is not None and again.eta is not None
    assert shorter.eta == first.eta - timedelta(seconds=190) and shorter.remaining == 300
    assert again.remaining == 590 and "cached again" in again.bound


async def test_a_known_resolver_cap_bounds_the_countdown() -> None:
    """unbound keeps a negative 3600 s at most (cache-max-negative-ttl): an SOA saying 7200 s
    (a refreshed SOA whose own TTL is longer) cannot be the time left."""
    good = HostileServer(Behaviour.GOOD)
    unbound = HostileServer(
        Behaviour.NEGATIVE,
        script=Script(negative_ttl=7200, minimum=7200, software="unbound 1.17.1"),
    )
    bind = HostileServer(
        Behaviour.NEGATIVE,
        script=Script(negative_ttl=7200, minimum=7200, software="9.18.49-1~deb12u3-Debian"),
    )
    async with started(good, unbound, bind):
        clock = ManualClock()
        prober = Prober(authoritative=[good.address], timeout=TIMEOUT, clock=clock)
        try:
            report = await sweep_once([good], [unbound, bind], prober=prober)
            clock.advance(1)
            later = await sweep_once([good], [unbound, bind], prober=prober)
        finally:
            await prober.aclose()
    # The software question goes out with the first sweep, so the first countdown is capped.
    assert public_cell(later, unbound).remaining == 3599
    capped = public_cell(report, unbound)
    assert capped.remaining == 3600 and capped.at_most
    assert "unbound keeps a negative at most 3600 s (cache-max-negative-ttl" in capped.bound
    assert public_cell(report, bind).remaining == 7200  # under BIND's 10800 s
    assert not public_cell(report, bind).at_most


async def test_the_publication_time_bounds_an_old_negative() -> None:
    """A negative older than the record was cached before the record was published, which it
    was by the first sweep that saw it served: it ends within the zone's negative TTL (300 s
    here) of that, however long the refreshed SOA in its answer says."""
    clock = ManualClock()
    good = HostileServer(Behaviour.GOOD)
    resolver = HostileServer(Behaviour.GOOD)
    async with started(good, resolver):
        prober = Prober(authoritative=[good.address], timeout=TIMEOUT, clock=clock)
        try:
            first = await sweep_once([good], [resolver], prober=prober)
            assert first.zones[RECORD].negative_ttl == 300
            clock.advance(100)
            resolver.behaviour = Behaviour.NEGATIVE  # another cache behind it, say
            resolver.script.serial, resolver.script.negative_ttl = SERIAL, 600
            report = await sweep_once([good], [resolver], prober=prober)
        finally:
            await prober.aclose()
    cell = public_cell(report, resolver)
    assert cell.status is Status.CACHED_NEGATIVE and cell.at_most
    assert cell.remaining == 200 and "served for 100 s at least" in cell.bound


# --- ask what the verifiers ask (deliverable 3) -------------------------------------------------


async def test_a_txt_negative_at_the_selector_is_shown_per_type() -> None:
    """Someone ran `dig TXT` before publishing: the resolver answers the CNAME, but a DKIM
    verifier (asking TXT) still gets "does not exist". The cell is not ok, and says which."""
    good = HostileServer(Behaviour.GOOD)
    txt_negative = HostileServer(
        Behaviour.NEGATIVE, script=Script(negative_types=frozenset({"TXT"}), negative_ttl=450)
    )
    async with started(good, txt_negative):
        report = await sweep_once([good], [txt_negative])
    cell = public_cell(report, txt_negative)
    assert cell.status is Status.CACHED_NEGATIVE and cell.rdtype == "TXT"
    assert cell.remaining == 450 and cell.target == TARGET
    assert cell.detail.startswith("TXT: cached 'no TXT'")
    assert "(the CNAME itself is visible)" in cell.detail
    assert [(t.rdtype, t.status) for t in cell.types] == [
        ("CNAME", Status.OK),
        ("TXT", Status.CACHED_NEGATIVE),
    ]
    assert cell_view(cell, report.checked_at, narrow=True).text == "⧗ TXT 8m"
    assert cell_view(cell, report.checked_at, narrow=False).text == "⧗ TXT 7m30s"
    assert not report.all_ok
    document = next(c for c in to_json(report)["cells"] if c["resolver"] == cell.resolver)
    assert document["decidingType"] == "TXT"
    assert [t["type"] for t in document["types"]] == ["CNAME", "TXT"]
    assert document["types"][1]["remainingSeconds"] == 450


async def test_a_selector_is_ok_only_when_both_types_resolve() -> None:
    good = HostileServer(Behaviour.GOOD)
    resolver = HostileServer(Behaviour.GOOD)
    async with started(good, resolver):
        report = await sweep_once([good], [resolver])
    cell = public_cell(report, resolver)
    assert cell.status is Status.OK and cell.rdtype == "CNAME"
    assert [(t.rdtype, t.status) for t in cell.types] == [
        ("CNAME", Status.OK),
        ("TXT", Status.OK),
    ]
    assert report.all_ok


async def test_a_record_that_is_no_selector_is_asked_its_own_type_only() -> None:
    name = OTHER_RECORD
    good = HostileServer(Behaviour.GOOD)
    resolver = HostileServer(Behaviour.GOOD)
    async with started(good, resolver):
        report = await sweep_once([good], [resolver], records=[ExpectedRecord(name, OTHER_TARGET)])
        asked = resolver.questions
    cell = report.cells[(name, str(resolver.endpoint))]
    assert cell.status is Status.OK
    assert cell.types == () and asked == 3  # the CNAME, the control and the software question


# --- signed zones: aggressive NSEC (deliverable 6) ---------------------------------------------


async def test_a_denial_from_nsec_is_explained_as_such() -> None:
    good = HostileServer(Behaviour.GOOD)
    nsec = HostileServer(Behaviour.NSEC_DENIAL)
    async with started(good, nsec):
        report = await sweep_once([good], [nsec])
    cell = public_cell(report, nsec)
    assert cell.status is Status.CACHED_NEGATIVE and cell.reason == "nsec"
    assert f"NSEC record {ZONE} → zz.{ZONE}" in cell.detail
    assert "aggressive NSEC, RFC 8198" in cell.detail
    assert cell.remaining == 300  # min(the NSEC's TTL, the SOA's 600 s)
    assert "nsec_denial" in codes(report) and "queried_too_early" not in codes(report)


async def test_a_plain_negative_is_still_looked_up_too_early() -> None:
    good = HostileServer(Behaviour.GOOD)
    negative = HostileServer(Behaviour.NEGATIVE)
    async with started(good, negative):
        report = await sweep_once([good], [negative])
    assert "queried_too_early" in codes(report) and "nsec_denial" not in codes(report)


async def test_a_txt_failing_past_a_visible_cname_is_the_targets_path() -> None:
    """The resolver answers the CNAME (it reaches the zone) but TXT fails while following it:
    the ESP's servers are what it cannot reach, and verifiers there get no key."""
    good = HostileServer(Behaviour.GOOD)
    halfway = HostileServer(Behaviour.GOOD, script=Script(fail_types=frozenset({"TXT"})))
    async with started(good, halfway):
        report = await sweep_once([good], [halfway])
    cell = public_cell(report, halfway)
    assert cell.status is Status.CANT_REACH_ZONE and cell.rdtype == "TXT"
    assert cell.reason == "target" and f"can't follow the CNAME to {TARGET}" in cell.detail
    assert "cant_reach_target" in codes(report) and "cant_reach_zone" not in codes(report)
    assert "cannot follow it to the ESP's servers" in report.eta.sentence
    assert not report.all_ok
