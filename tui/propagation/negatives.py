"""Countdowns on cached negatives that never lie: the memory of each negative across sweeps, and
the caps resolvers put on how long they keep one (dns.md, "Real resolvers").

A cached "does not exist" counts down on its own clock from the moment the resolver cached it.
What an answer shows can drift from that clock: unbound keeps one SOA per zone and answers
every cached negative with it, so when a newer SOA reaches its cache (our own sweep can bring
it, through qname minimisation asking ``_domainkey.<zone>`` on the way), every negative shows
the new SOA's TTL while still expiring on its old clock. Read naively, the countdown jumps back
up and the ETA is too late by up to the whole negative TTL.

So the first observation of a negative (per resolver, name and question type) is kept. A later
answer may shorten the estimate, never lengthen it, unless a re-fetch is proven: the earlier
estimate has already run out, so whatever the resolver holds now was cached again. Pure: the
sweep (``Prober``, which lives across sweeps in the app and in ``watch``) owns one memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tui.propagation.model import Cell, Status
from tui.time_words import clock_time

# Known resolver software's default cap on a negative's life (seconds) and the setting's name.
# A resolver never keeps a negative longer than its cap, whatever the SOA says; dns.md gives no
# published caps for the public operators (Google, Cloudflare, Quad9), so those are unknown.
CAPS: dict[str, tuple[int, str]] = {
    "unbound": (3600, "cache-max-negative-ttl"),
    "BIND": (10800, "max-ncache-ttl"),
    "PowerDNS Recursor": (3600, "max-negative-ttl"),
    "CoreDNS": (1800, "the cache plugin's denial cap"),
}
# For a resolver whose software is unknown: the largest default cap among those known (BIND's),
# so an upper bound never reads "up to 86400 s" (a day is the root zone's negative TTL, not a
# delay any common resolver keeps by default).
UNKNOWN_CAP = max(cap for cap, _ in CAPS.values())

_SOFTWARE = (
    (re.compile(r"^unbound\b", re.I), "unbound"),
    (re.compile(r"^(bind\b|9\.\d+)", re.I), "BIND"),
    (re.compile(r"powerdns\s+recursor", re.I), "PowerDNS Recursor"),
    (re.compile(r"^coredns\b", re.I), "CoreDNS"),
)


def software_of(texts: tuple[str, ...]) -> str:
    """The resolver software named by its ``version.bind CH TXT`` answer, or "" when unknown
    (the answer is hidden, refused, or names something without a known cap)."""
    for text in texts[:1]:
        for pattern, software in _SOFTWARE:
            if pattern.search(text.strip()):
                return software
    return ""


def negative_cap(software: str) -> int:
    return CAPS[software][0] if software in CAPS else UNKNOWN_CAP


def apply_cap(cell: Cell, software: str, now: datetime) -> Cell:
    """A negative's countdown, no longer than the resolver's software keeps one. Only for a
    known software: an unknown resolver's own reading (RFC 2308 §6) is its word, and only an
    upper bound (``at_most``) is held to :data:`UNKNOWN_CAP`."""
    if cell.status is not Status.CACHED_NEGATIVE or cell.remaining is None:
        return cell
    if software in CAPS:
        cap, setting = CAPS[software]
        why = f"{software} keeps a negative at most {cap} s ({setting}, its default)"
    elif cell.at_most:
        cap = UNKNOWN_CAP
        why = f"no common resolver keeps a negative longer than {cap} s by default (BIND's cap)"
    else:
        return cell
    if cell.remaining <= cap:
        return cell
    return replace(
        cell,
        remaining=float(cap),
        eta=now + timedelta(seconds=cap),
        at_most=True,
        bound=f"at most {cap} s: {why}; its answer says {int(cell.remaining)} s",
    )


@dataclass(frozen=True, slots=True)
class Seen:
    first: datetime  # when this negative was first observed
    expires: datetime  # the estimate: when it runs out
    at_most: bool
    bound: str


Key = tuple[str, str, str]  # (resolver key, record name, question type)


class NegativeMemory:
    """The first observation of each negative, so a countdown is never lengthened by an answer
    that only looks younger (see the module docstring)."""

    def __init__(self) -> None:
        self._seen: dict[Key, Seen] = {}

    def __len__(self) -> int:
        return len(self._seen)

    def settle(self, key: Key, cell: Cell, now: datetime, *, world: bool = False) -> Cell:
        """``cell`` with its countdown held to what was observed before. Forgets the key when
        the cell is no negative any more (visible, or anything else: a later negative is a new
        one)."""
        if cell.status is not Status.CACHED_NEGATIVE or cell.eta is None:
            self._seen.pop(key, None)
            return cell
        earlier = self._seen.get(key)
        if earlier is not None and now < earlier.expires:
            if cell.eta <= earlier.expires:
                # Shorter (or the same): a better reading of the same negative.
                self._seen[key] = Seen(earlier.first, cell.eta, cell.at_most, cell.bound)
                return cell
            # Longer, while the earlier estimate still runs: the same negative, read through a
            # refreshed SOA. It cannot have been cached again before it ran out.
            said = int(cell.remaining or 0)
            first = clock_time(earlier.first, now, seconds=True, world=world)
            return replace(
                cell,
                eta=earlier.expires,
                remaining=(earlier.expires - now).total_seconds(),
                at_most=earlier.at_most,
                bound=f"{earlier.bound} (as seen first, at {first}; its answer now says "
                f"{said} s, but a cached negative does not grow until it runs out)",
            )
        if earlier is not None and cell.reason != "old_negative":
            # The earlier estimate ran out and the resolver still says "does not exist": it was
            # cached again (a re-fetch), so this reading starts a new countdown.
            cell = replace(cell, bound=f"{cell.bound} (cached again after the last one ran out)")
        # First seen now; or the earlier estimate ran out and this negative is older than the
        # record (its SOA says so), so the estimate was wrong: this reading, an upper bound.
        self._seen[key] = Seen(now, cell.eta, cell.at_most, cell.bound)
        return cell

    def prune(self, now: datetime, keep: set[Key]) -> None:
        """Drop what no longer matters: keys this sweep did not see (records or resolvers no
        longer watched) once their estimate has run out."""
        for key in [k for k, seen in self._seen.items() if k not in keep and seen.expires <= now]:
            del self._seen[key]
