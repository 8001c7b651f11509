"""When will every record be visible? Per cell the classifier already knows; overall it is the
latest of them, and the answer always names the bound it comes from (dns.md §3.7 step 5-6)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from tui.propagation.classify import Truth
from tui.propagation.model import NO_SIGNAL, TIME_BOUND, Cell, Eta, Role, Status
from tui.time_words import clock_time

NEEDS_A_FIX = frozenset(
    {
        Status.WRONG_TARGET,
        Status.PROXIED,
        Status.FLATTENED,
        Status.DNSSEC_BOGUS,
        Status.NOT_PUBLISHED,
    }
)


def overall(
    cells: Iterable[Cell],
    truths: Mapping[str, Truth],
    roles: Mapping[str, Role],
    now: datetime,
    host: str = "",
    world: bool = False,
) -> Eta:
    """``host`` names the DNS host serving the zone, so "add them" can say where; ``world``:
    ``now`` is the sandbox's fast clock, and its times say so."""
    cells = list(cells)
    unchecked = [name for name, truth in truths.items() if not truth.answered]
    if unchecked:
        return Eta(
            None,
            "",
            f"No ETA: no authoritative server answered for {len(unchecked)} record(s), so "
            "whether they are published is unknown. Check the network (or --authoritative).",
            ready=False,
        )
    unpublished = [name for name, truth in truths.items() if not truth.exists]
    if unpublished:
        where = host or "your DNS host"
        return Eta(
            None,
            "",
            f"No ETA yet: {len(unpublished)} of {len(truths)} record(s) are not at the "
            f"authoritative servers. Add them at {where}; the clock starts then.",
            ready=False,
        )
    partial = [name for name, truth in truths.items() if not truth.everywhere]
    if partial:
        return Eta(
            None,
            "",
            f"Not every authoritative server serves {len(partial)} record(s) yet (a secondary "
            "lags behind). Waiting usually fixes this within minutes; public resolvers are "
            "asked once they all do.",
            ready=False,
        )
    broken = [c for c in cells if c.status in NEEDS_A_FIX]
    if broken:
        return Eta(
            None,
            "",
            f"No ETA: {len(broken)} cell(s) need a fix first (see the diagnoses); "
            "waiting will not help.",
            ready=False,
        )
    pending = [c for c in cells if c.status in TIME_BOUND and c.eta is not None]
    answered = [c for c in cells if c.status not in NO_SIGNAL]
    failing = [c for c in answered if c.status is not Status.OK and c.status not in TIME_BOUND]
    trouble = _trouble(failing)
    if not pending:
        if failing:
            return Eta(None, "", f"No ETA: {trouble}.", ready=False)
        if not answered:
            return Eta(None, "", "No resolver answered: check the network.", ready=False)
        if all(roles.get(c.resolver) is Role.AUTHORITATIVE for c in answered):
            # The zone's own servers answering is not propagation: silence is not success.
            return Eta(
                None,
                "",
                "The authoritative servers serve the records, but no public resolver answered: "
                "check the network.",
                ready=False,
            )
        return Eta(now, "", "All records are visible at every resolver that answered.", True)
    latest = max(pending, key=lambda c: c.eta or now)
    assert latest.eta is not None
    # With the day when it is not today's: a day-long TTL can carry the ETA past midnight.
    when = clock_time(latest.eta, now, world=world)
    if latest.at_most:
        when += " at the latest"
    if failing:
        # A countdown covers only the resolvers that count down: the others are not promised.
        sentence = (
            f"Visible by {when} where a countdown runs (bound: {latest.bound}); not at the "
            f"others yet: {trouble}."
        )
    else:
        sentence = f"All visible by {when} (bound: {latest.bound})."
    return Eta(latest.eta, latest.bound, sentence, ready=False)


def _trouble(failing: list[Cell]) -> str:
    """What holds the failing cells back, in words, the biggest group first."""

    def resolvers(status: Status) -> int:
        return len({c.resolver for c in failing if c.status is status})

    parts = []
    cut_off = {c.resolver for c in failing if c.status is Status.CANT_REACH_ZONE}
    beyond = {c.resolver for c in failing if c.reason == "target"}
    if count := len(cut_off - beyond):
        parts.append(
            f"{count} resolver(s) can't reach your zone's name servers, so their users cannot "
            "see the records (see the diagnoses)"
        )
    if count := len(beyond):
        parts.append(
            f"{count} resolver(s) see the CNAME but cannot follow it to the ESP's servers, so "
            "DKIM verifiers using them get no key (see the diagnoses)"
        )
    if count := resolvers(Status.STALE_SERVED):
        parts.append(
            f"{count} resolver(s) serve expired answers (serve-stale) because they could not "
            "refresh them; the next check may get fresh ones"
        )
    others = [c for c in failing if c.status not in (Status.CANT_REACH_ZONE, Status.STALE_SERVED)]
    if others:
        parts.append(
            f"{len(others)} resolver answer(s) are failures (SERVFAIL); they are usually brief, "
            "the next check will tell"
        )
    return "; ".join(parts)
