"""The engine against the real caches: rows for the real resolvers, sweeps, and the judge, which
watches a real resolver until its answer flips and compares that moment with the engine's ETA.

DESIGN.md, Testing: "a countdown must match the real cache within 3 s". That is
:data:`TOLERANCE`, the only wall-clock assertion in the suite. Every comparison is also kept in
:data:`MEASURED` and printed at the end of the run (conftest.py), so the real differences are
on record, not just "passed".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import dns.asyncquery
import dns.exception
import dns.message
import dns.rdatatype

from tui.propagation import ExpectedRecord, Report, Resolver, Role, ServerAddress, Status
from tui.propagation.model import TIME_BOUND, Cell
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.sweep import Prober

TOLERANCE = 3.0  # seconds (DESIGN.md)
POLL = 0.25  # seconds between questions while waiting for a flip: the flip's own error
QUERY_TIMEOUT = 1.0

MEASURED: list[str] = []


def row(name: str, port: int) -> Resolver:
    """A resolver row as ``--resolver NAME=127.0.0.1:PORT`` makes it."""
    return resolver_from_address(ServerAddress("127.0.0.1", port), Role.PUBLIC, name=name)


def prober(auth_port: int) -> Prober:
    """One engine, kept across a scenario's sweeps as `watch` keeps it (it may remember what it
    saw on earlier sweeps)."""
    return Prober(authoritative=[ServerAddress("127.0.0.1", auth_port)], timeout=QUERY_TIMEOUT)


def record(name: str, target: str) -> ExpectedRecord:
    return ExpectedRecord(name=name, target=target)


def cell(report: Report, record_name: str, resolver: Resolver) -> Cell:
    return report.cells[(record_name, resolver.key)]


def has_cname(target: str) -> Callable[[dns.message.Message], bool]:
    """A resolver's answer shows ``name CNAME target``."""
    wanted = target.rstrip(".").lower() + "."

    def visible(message: dns.message.Message) -> bool:
        return any(
            rrset.rdtype == dns.rdatatype.CNAME
            and any(r.target.to_text().lower() == wanted for r in rrset)
            for rrset in message.answer
        )

    return visible


async def ask(port: int, qname: str, rdtype: str = "CNAME") -> dns.message.Message | None:
    query = dns.message.make_query(qname, rdtype, use_edns=0, payload=1232)
    try:
        return await dns.asyncquery.udp(query, "127.0.0.1", port=port, timeout=QUERY_TIMEOUT)
    except dns.exception.Timeout:
        return None


async def flip(
    port: int,
    qname: str,
    visible: Callable[[dns.message.Message], bool],
    *,
    within: float,
    rdtype: str = "CNAME",
) -> datetime:
    """When the resolver at ``port`` first gives an answer that ``visible`` accepts, polling
    every :data:`POLL` s for at most ``within`` s. Asking again does not change a cached answer,
    so the poll watches the cache without moving it (on expiry it is the poll that re-fetches,
    as any client's question would)."""
    deadline = time.monotonic() + within
    while True:
        message = await ask(port, qname, rdtype)
        if message is not None and visible(message):
            return datetime.now(UTC)
        if time.monotonic() > deadline:
            raise AssertionError(f"{qname} never became visible at port {port} in {within} s")
        await asyncio.sleep(POLL)


@dataclass(frozen=True, slots=True)
class Verdict:
    what: str
    off: float  # seconds the engine's ETA is after (+) or before (-) the real flip
    # The engine said "at most": its ETA is an upper bound, which holds when the real flip
    # comes no later than it (within the tolerance), however much earlier.
    at_most: bool = False

    @property
    def holds(self) -> bool:
        if self.at_most:
            return self.off >= -TOLERANCE
        return abs(self.off) <= TOLERANCE


def judge(
    what: str,
    eta: datetime | None,
    flipped: datetime,
    *,
    keep: bool = True,
    against: str = "the real flip",
    at_most: bool = False,
) -> Verdict:
    """The engine's ``eta`` against the moment the real answer flipped (or, ``against`` says,
    the moment the real cache entry expires), kept on record."""
    assert eta is not None, f"{what}: the engine gave no ETA"
    verdict = Verdict(what, (eta - flipped).total_seconds(), at_most)
    if keep:
        bound = " (an upper bound)" if at_most else ""
        MEASURED.append(f"{what}: engine ETA{bound} {verdict.off:+.1f} s from {against}")
    return verdict


def judge_cache(what: str, remaining: float | None, cache_ttl: int | None) -> Verdict:
    """The engine's countdown against the seconds left in the real cache's own entry."""
    assert remaining is not None, f"{what}: the engine gave no countdown"
    assert cache_ttl is not None, f"{what}: the real cache holds no such entry"
    verdict = Verdict(what, remaining - cache_ttl)
    MEASURED.append(
        f"{what}: engine countdown {remaining:.0f} s, real cache {cache_ttl} s "
        f"({verdict.off:+.1f} s)"
    )
    return verdict


def assert_all_hold(verdicts: Sequence[Verdict]) -> None:
    wrong = [f"{v.what}: {v.off:+.1f} s" for v in verdicts if not v.holds]
    assert not wrong, f"countdowns off by more than {TOLERANCE} s: {wrong}"


def negatives(report: Report) -> list[Cell]:
    return [c for c in report.cells.values() if c.status is Status.CACHED_NEGATIVE]


# --- watching a scenario as `wix-sending watch` does ----------------------------------------

INTERVAL = 2.0  # seconds between sweeps, as `watch --interval 2`

Key = tuple[str, str]  # (record name, resolver key), as Report.cells


def start_flips(
    records: Sequence[ExpectedRecord], rows: Sequence[Resolver], *, within: float
) -> dict[Key, asyncio.Task[datetime]]:
    """One watcher per record and resolver, each waiting for the record's target to show."""
    return {
        (r.name, resolver.key): asyncio.create_task(
            flip(resolver.endpoint.port, r.name, has_cname(r.target), within=within)
        )
        for r in records
        for resolver in rows
    }


async def sweep_until_flipped(
    engine: Prober,
    records: Sequence[ExpectedRecord],
    rows: Sequence[Resolver],
    flips: dict[Key, asyncio.Task[datetime]],
    *,
    between: Callable[[int], None] | None = None,
) -> tuple[list[Report], dict[Key, datetime]]:
    """Sweeps every :data:`INTERVAL` s, as `watch` runs them, until every watched answer has
    flipped; the last report comes after the last flip. ``between(n)`` runs after sweep n (a
    scenario's other clients acting in the meantime)."""
    reports: list[Report] = []
    try:
        while True:
            reports.append(await engine.sweep(records, rows))
            if all(task.done() for task in flips.values()):
                break
            if between is not None:
                between(len(reports))
            await asyncio.sleep(INTERVAL)
        flipped = dict(zip(flips, await asyncio.gather(*flips.values()), strict=True))
    finally:
        for task in flips.values():
            task.cancel()
    return reports, flipped


def judge_sweeps(
    label: str, reports: Sequence[Report], flipped: dict[Key, datetime]
) -> dict[Key, list[Verdict]]:
    """Every countdown every sweep showed, against the flip of its record at its resolver; one
    line per record and resolver on record (the range over the sweeps)."""
    out: dict[Key, list[Verdict]] = {}
    for number, report in enumerate(reports, start=1):
        names = {r.key: r.name for r in report.resolvers}
        for key, c in report.cells.items():
            if key not in flipped or c.status not in TIME_BOUND:
                continue
            what = f"{label}: {key[0]} at {names[key[1]]}, sweep {number}"
            verdict = judge(what, c.eta, flipped[key], keep=False, at_most=c.at_most)
            out.setdefault(key, []).append(verdict)
    for (name, resolver), verdicts in out.items():
        offs = [v.off for v in verdicts]
        who = next(r.name for r in reports[0].resolvers if r.key == resolver)
        bounds = sum(v.at_most for v in verdicts)
        upper = f" ({bounds} of them upper bounds)" if bounds else ""
        MEASURED.append(
            f"{label}: {name} at {who}: {len(offs)} sweep(s) counting down{upper}, engine ETA "
            f"{min(offs):+.1f} to {max(offs):+.1f} s from the real flip"
        )
    return out
