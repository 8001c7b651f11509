"""The real engine against hostile DNS servers on loopback (tests/propagation/hostile.py).

Every misbehaviour ends in a classified cell whose detail says what happened, never in an
exception or a hang (each sweep is bounded), and never under a label that would mislead: a
truncated answer is not "does not exist", a loop is not "stale", a forged answer is not the
answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import dns.flags
import dns.message
import pytest

from tests.propagation.hostile import (
    RECORD,
    TARGET,
    Behaviour,
    HostileServer,
    Log,
    Script,
    honest,
)
from tui.propagation.answers import read_answer
from tui.propagation.authority import walk_down
from tui.propagation.model import (
    TIME_BOUND,
    Cell,
    Endpoint,
    ExpectedRecord,
    Report,
    Role,
    Status,
)
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.sweep import Prober
from tui.propagation.transport import Exchange, ask
from tui.propagation.udp import UdpMultiplexer
from tui.sanitize import is_visible

TIMEOUT = 0.25  # per question; a silent server costs this much
BOUND = 15.0  # no sweep may take longer: a hang fails the test instead of stalling the run
EXPECTED = ExpectedRecord(RECORD, TARGET)
COMMAND = Path(sys.executable).with_name("wix-sending")


@asynccontextmanager
async def servers(*behaviours: Behaviour, log: Log | None = None) -> AsyncIterator[list]:
    async with AsyncExitStack() as stack:
        started = []
        for behaviour in behaviours:
            server = HostileServer(behaviour, delay=TIMEOUT * 3, log=log)
            started.append(await stack.enter_async_context(server))
        yield started


async def sweep(
    authoritative: Sequence[HostileServer],
    resolvers: Sequence[HostileServer],
    *,
    force: bool = False,
    prober: Prober | None = None,
) -> Report:
    prober = prober or Prober(authoritative=[s.address for s in authoritative], timeout=TIMEOUT)
    rows = [resolver_from_address(s.address, Role.PUBLIC) for s in resolvers]
    try:
        async with asyncio.timeout(BOUND):
            return await prober.sweep([EXPECTED], rows, force=force)
    finally:
        await prober.aclose()


def assert_well_formed(cell: Cell) -> None:
    """What every cell must be, whatever the server did: a status, words a human can act on,
    nothing raw from the network, and a countdown only for a status that a clock clears."""
    assert cell.status in Status
    assert cell.detail, cell
    for text in (*cell.answer, cell.target or "", cell.detail, cell.bound):
        assert is_visible(text), text
    if cell.status not in TIME_BOUND:
        assert cell.eta is None and cell.remaining is None, cell


# As a public resolver, next to an honest authoritative server that serves the record:
# (status, words the detail must hold, transport of the exchange or None for any).
AS_RESOLVER = {
    Behaviour.GOOD: (Status.OK, "visible", "udp"),
    Behaviour.SILENT: (Status.UNREACHABLE, "no answer in time", None),
    Behaviour.SERVFAIL: (Status.SERVFAIL, "could not resolve", None),
    Behaviour.REFUSED: (Status.REFUSED, "refused", None),
    Behaviour.TC_TCP_GOOD: (Status.OK, "visible", "tcp"),
    # Closed at once: a FIN or, when our question is still unread there, a reset.
    Behaviour.TC_TCP_CLOSED: (
        Status.SERVFAIL,
        "truncated over UDP and the TCP retry failed",
        "tcp",
    ),
    Behaviour.TC_TCP_MIDWAY: (
        Status.SERVFAIL,
        "truncated over UDP and the TCP retry failed: the server closed the connection",
        "tcp",
    ),
    Behaviour.TC_TCP_REFUSED: (
        Status.SERVFAIL,
        "truncated over UDP and the TCP retry failed: connection refused",
        "tcp",
    ),
    Behaviour.GARBAGE: (Status.SERVFAIL, "not a DNS message", None),
    # What it sent instead is named, and was never trusted.
    Behaviour.WRONG_ID: (Status.UNREACHABLE, "sent answers with a message ID we did not", None),
    Behaviour.OTHER_QUESTION: (
        Status.UNREACHABLE,
        "it sent answers to other questions (elsewhere.example CNAME, "
        "s1._domainkey.hostile.example A",
        None,
    ),
    Behaviour.OTHER_PORT: (Status.UNREACHABLE, "no answer in time", None),
    Behaviour.OTHER_ADDRESS: (Status.UNREACHABLE, "no answer in time", None),
    Behaviour.HUGE: (Status.SERVFAIL, "truncated even over TCP", "tcp"),
    Behaviour.LOOP: (Status.WRONG_TARGET, "CNAME loop", None),
    Behaviour.SLOW: (Status.UNREACHABLE, "no answer in time", None),
}


@pytest.mark.parametrize("behaviour", list(AS_RESOLVER), ids=str)
async def test_a_hostile_resolver_ends_in_a_classified_cell(behaviour: Behaviour) -> None:
    status, words, transport = AS_RESOLVER[behaviour]
    async with servers(Behaviour.GOOD, behaviour) as (good, hostile):
        report = await sweep([good], [hostile])
    cell = report.cells[(RECORD, str(hostile.endpoint))]
    assert (cell.status, cell.queried) == (status, True), cell
    assert words in cell.detail, cell.detail
    if transport:
        assert cell.transport == transport
    for each in report.cells.values():
        assert_well_formed(each)
    auth = report.cells[(RECORD, str(good.endpoint))]
    assert auth.status is Status.OK  # the honest server's cell is untouched by the other


# As the zone's only authoritative server (the public resolver is honest).
AS_AUTHORITATIVE = {
    Behaviour.GOOD: (Status.OK, "published"),
    Behaviour.SILENT: (Status.UNREACHABLE, "no answer in time"),
    Behaviour.SERVFAIL: (Status.SERVFAIL, "answered SERVFAIL"),
    Behaviour.REFUSED: (Status.REFUSED, "does not serve the zone"),
    Behaviour.TC_TCP_GOOD: (Status.OK, "published"),
    Behaviour.TC_TCP_CLOSED: (Status.SERVFAIL, "truncated over UDP and the TCP retry failed"),
    Behaviour.TC_TCP_MIDWAY: (Status.SERVFAIL, "truncated over UDP and the TCP retry failed"),
    Behaviour.TC_TCP_REFUSED: (Status.SERVFAIL, "truncated over UDP and the TCP retry failed"),
    Behaviour.GARBAGE: (Status.SERVFAIL, "not a DNS message"),
    Behaviour.WRONG_ID: (Status.UNREACHABLE, "a message ID we did not send"),
    Behaviour.OTHER_QUESTION: (Status.UNREACHABLE, "answers to other questions"),
    Behaviour.OTHER_PORT: (Status.UNREACHABLE, "no answer in time"),
    Behaviour.OTHER_ADDRESS: (Status.UNREACHABLE, "no answer in time"),
    Behaviour.HUGE: (Status.SERVFAIL, "truncated even over TCP"),
    Behaviour.LOOP: (Status.WRONG_TARGET, "CNAME loop"),
    Behaviour.SLOW: (Status.UNREACHABLE, "no answer in time"),
}


# A resolver that answers the control question properly but lies (or breaks) on the zone's
# names: no dead resolver, so a failure counted against readiness, and what it did, in words.
ZONE_ONLY = {
    Behaviour.WRONG_ID: (Status.SERVFAIL, "a message ID we did not send"),
    Behaviour.OTHER_QUESTION: (Status.SERVFAIL, "answers to other questions"),
    Behaviour.TC_TCP_CLOSED: (Status.SERVFAIL, "TCP retry failed"),
    Behaviour.GARBAGE: (Status.SERVFAIL, "not a DNS message"),
    Behaviour.HUGE: (Status.SERVFAIL, "truncated even over TCP"),
    Behaviour.SLOW: (Status.CANT_REACH_ZONE, "no answer in time here"),
}


@pytest.mark.parametrize("behaviour", list(ZONE_ONLY), ids=str)
async def test_a_resolver_lying_on_the_zone_only_is_a_failure_not_silence(
    behaviour: Behaviour,
) -> None:
    status, words = ZONE_ONLY[behaviour]
    async with AsyncExitStack() as stack:
        good = await stack.enter_async_context(HostileServer(Behaviour.GOOD))
        liar = await stack.enter_async_context(
            HostileServer(behaviour, delay=TIMEOUT * 3, script=Script(zone_only=True))
        )
        report = await sweep([good], [liar])
    cell = report.cells[(RECORD, str(liar.endpoint))]
    assert cell.status is status, cell
    assert words in cell.detail, cell.detail
    assert not report.all_ok
    for each in report.cells.values():
        assert_well_formed(each)


@pytest.mark.parametrize("behaviour", list(AS_AUTHORITATIVE), ids=str)
async def test_a_hostile_authoritative_server_ends_in_a_classified_cell(
    behaviour: Behaviour,
) -> None:
    status, words = AS_AUTHORITATIVE[behaviour]
    async with servers(behaviour, Behaviour.GOOD) as (hostile, good):
        report = await sweep([hostile], [good])
    cell = report.cells[(RECORD, str(hostile.endpoint))]
    assert cell.status is status, cell
    assert words in cell.detail, cell.detail
    for each in report.cells.values():
        assert_well_formed(each)
    if status not in (Status.OK, Status.WRONG_TARGET):
        # Nothing usable at the truth: the public resolver is not asked (observer effect),
        # and no countdown is promised. (A loop is a record, if a wrong one: it is asked.)
        public = report.cells[(RECORD, str(good.endpoint))]
        assert not public.queried
        assert report.eta.when is None


async def test_a_cname_loop_is_a_fix_not_a_countdown() -> None:
    async with servers(Behaviour.GOOD, Behaviour.LOOP) as (good, looping):
        report = await sweep([good], [looping])
    cell = report.cells[(RECORD, str(looping.endpoint))]
    assert cell.status is Status.WRONG_TARGET
    assert cell.eta is None and cell.remaining is None and not cell.bound
    assert f"{RECORD} → loop.hostile.example → {RECORD}" in cell.detail
    assert "fix" in cell.detail
    assert report.eta.when is None and "need a fix" in report.eta.sentence


async def test_a_truncated_answer_over_tcp_is_not_a_cached_negative() -> None:
    async with servers(Behaviour.GOOD, Behaviour.HUGE) as (good, huge):
        report = await sweep([good], [huge])
    cell = report.cells[(RECORD, str(huge.endpoint))]
    assert cell.status is Status.SERVFAIL and cell.transport == "tcp"
    assert "incomplete" in cell.detail
    assert not any(d.code == "queried_too_early" for d in report.diagnoses)
    # The answer shown is bounded, however many records the server sent.
    assert len(cell.answer) <= 21 and "more records" in cell.answer[-1]


async def test_five_dead_resolvers_cost_one_timeout_not_five() -> None:
    """All questions are out before the first one gives up: the events the servers logged (a
    question arrived) and the engine logged (a question ended) come in that order. Asked one
    after the other, each question would end before the next one arrived. Each resolver gets
    four in the first sweep, all in that one round trip: the selector's CNAME and TXT, the
    control question and the software question."""
    log = Log()

    class Watched(Prober):
        async def ask(  # type: ignore[override]
            self, endpoint: Endpoint, qname: str, rdtype: str, **kw: bool
        ) -> Exchange:
            exchange = await super().ask(endpoint, qname, rdtype, **kw)
            if endpoint.port in dead_ports:
                log.events.append(("ended", endpoint.port))
            return exchange

    async with (
        servers(Behaviour.GOOD) as (good,),
        servers(*[Behaviour.SILENT] * 5, log=log) as dead,
    ):
        dead_ports = {s.port for s in dead}
        # A whole second per question: even on a machine stalled for a moment, the five go out
        # long before the first could give up. (The order is asserted, not the time.)
        prober = Watched(authoritative=[good.address], timeout=1.0)
        report = await sweep([good], dead, prober=prober)
    kinds = [kind for kind, _ in log.events]
    assert kinds.count("asked") == 20 and kinds.count("ended") == 20
    assert kinds == ["asked"] * 20 + ["ended"] * 20, log.events
    assert {s.port for s in dead} == {port for _, port in log.events}
    for server in dead:
        assert report.cells[(RECORD, str(server.endpoint))].status is Status.UNREACHABLE


@pytest.mark.parametrize(
    "behaviour",
    [Behaviour.WRONG_ID, Behaviour.OTHER_QUESTION, Behaviour.OTHER_PORT, Behaviour.OTHER_ADDRESS],
    ids=str,
)
@pytest.mark.parametrize("shared_socket", [True, False], ids=["multiplexed", "own socket"])
async def test_answers_that_are_not_ours_are_ignored(
    behaviour: Behaviour, shared_socket: bool
) -> None:
    """Over the sweep's shared socket and over dnspython's own per-question socket alike:
    something arrived, but not the answer to our question from the server we asked."""
    udp = UdpMultiplexer() if shared_socket else None
    async with servers(behaviour) as (server,):
        try:
            async with asyncio.timeout(BOUND):
                exchange = await ask(
                    server.endpoint, RECORD, "CNAME", recursion=True, timeout=TIMEOUT, udp=udp
                )
        finally:
            if udp is not None:
                udp.close()
        assert server.questions == 1
    assert exchange.answer is None and exchange.failure == "timeout", exchange


@pytest.mark.parametrize(
    "behaviour",
    [Behaviour.TC_TCP_CLOSED, Behaviour.TC_TCP_MIDWAY, Behaviour.TC_TCP_REFUSED],
    ids=str,
)
@pytest.mark.parametrize("shared_socket", [True, False], ids=["multiplexed", "own socket"])
async def test_a_failed_tcp_retry_is_a_failed_exchange(
    behaviour: Behaviour, shared_socket: bool
) -> None:
    udp = UdpMultiplexer() if shared_socket else None
    async with servers(behaviour) as (server,):
        try:
            async with asyncio.timeout(BOUND):
                exchange = await ask(
                    server.endpoint, RECORD, "CNAME", recursion=True, timeout=TIMEOUT, udp=udp
                )
        finally:
            if udp is not None:
                udp.close()
    assert exchange.answer is None and exchange.transport == "tcp"
    assert exchange.failure.startswith("truncated over UDP and the TCP retry failed: ")


async def test_hostile_text_in_answers_is_shown_escaped() -> None:
    """ESC and U+202E in a CNAME target and in TXT strings: dnspython writes odd bytes in
    names as \\DDD already; the TXT text is decoded by us, and everything passes visible()."""
    async with servers(Behaviour.HOSTILE_TEXT, Behaviour.HOSTILE_TEXT) as (auth, public):
        report = await sweep([auth], [public], force=True)
    query = dns.message.make_query(RECORD, "CNAME")
    answer = read_answer(honest(query, Behaviour.HOSTILE_TEXT), RECORD)
    for cell in report.cells.values():
        assert_well_formed(cell)
    cell = report.cells[(RECORD, str(auth.endpoint))]
    assert cell.status is Status.WRONG_TARGET
    assert cell.target and "\\027" in cell.target  # the ESC, as dnspython escapes it
    strings = [*answer.texts, *answer.records, *answer.cnames]
    assert strings and all(is_visible(s) for s in strings), strings
    assert any("\\x1b]52" in t for t in answer.texts)  # the escape sequence, inert and visible
    assert any("\\u202e" in t for t in answer.texts)


async def test_watch_survives_a_truncation_whose_tcp_retry_is_dropped() -> None:
    """The command as installed: before, an EOFError traceback ended it with exit 1 and no
    result for any server."""
    async with servers(Behaviour.GOOD, Behaviour.TC_TCP_CLOSED, Behaviour.GOOD) as found:
        good, broken, other = found
        process = await asyncio.create_subprocess_exec(
            str(COMMAND),
            "watch",
            f"{RECORD}={TARGET}",
            "--authoritative",
            str(good.address),
            "--resolver",
            str(broken.address),
            "--resolver",
            str(other.address),
            "--once",
            "--json",
            "--timeout",
            str(TIMEOUT),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "WIX_SENDING_CONFIG": "/nonexistent/config.toml"},
        )
        async with asyncio.timeout(60):
            out, err = await process.communicate()
    assert b"Traceback" not in err, err.decode()
    assert process.returncode == 1  # not yet: one resolver fails
    report = json.loads(out)
    statuses = {
        cell["resolver"]: (cell["status"], cell["detail"])
        for cell in report["cells"]
        if cell["record"] == RECORD
    }
    assert statuses[str(other.address)][0] == "ok"
    status, detail = statuses[str(broken.address)]
    assert status == "servfail" and "TCP retry failed" in detail


async def test_zone_discovery_goes_on_past_a_truncated_answer() -> None:
    """The first answer to arrive wins the walk to the zone, unless it is unusable: one
    truncated even over TCP (so possibly missing the SOA) must not end discovery while an
    honest server is still answering."""

    async def fake_ask(endpoint: Endpoint, qname: str, rdtype: str, **kw: bool) -> Exchange:
        query = dns.message.make_query(qname, rdtype)
        if endpoint.port == 1:  # at once: empty, authoritative, truncated
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.AA | dns.flags.TC
            return Exchange(read_answer(truncated, qname), 1.0, "", "tcp")
        await asyncio.sleep(0)  # the honest server answers a moment later
        return Exchange(read_answer(honest(query, Behaviour.GOOD), qname), 2.0, "", "udp")

    endpoints = [Endpoint("127.0.0.1", 1), Endpoint("127.0.0.1", 2)]
    apex, child = await walk_down(RECORD, endpoints, fake_ask)
    assert (apex, child) == ("hostile.example", None)
