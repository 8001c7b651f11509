"""The propagation engine's data: resolvers, expected records, cells, diagnoses, reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    """One cell's verdict. The values are the JSON names (a stable contract)."""

    OK = "ok"
    NOT_PUBLISHED = "not_published"
    CACHED_NEGATIVE = "cached_negative"
    STALE = "stale"
    WRONG_TARGET = "wrong_target"
    PROXIED = "proxied"
    FLATTENED = "flattened"
    DNSSEC_BOGUS = "dnssec_bogus"
    SERVFAIL = "servfail"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"


# How bad a status is when several samples of an anycast row disagree: the worst one is kept,
# because it is what some of the user's (and Wix's) lookups will get.
SEVERITY: dict[Status, int] = {
    Status.OK: 0,
    Status.UNREACHABLE: 1,
    Status.REFUSED: 2,
    Status.STALE: 3,
    Status.CACHED_NEGATIVE: 4,
    Status.FLATTENED: 5,
    Status.PROXIED: 6,
    Status.WRONG_TARGET: 7,
    Status.NOT_PUBLISHED: 8,
    Status.SERVFAIL: 9,
    Status.DNSSEC_BOGUS: 10,
}

# Statuses that say nothing about propagation: the row is greyed, not red.
NO_SIGNAL = frozenset({Status.UNREACHABLE, Status.REFUSED})
# Statuses that fix themselves when a clock runs out.
TIME_BOUND = frozenset({Status.CACHED_NEGATIVE, Status.STALE})


class Role(StrEnum):
    AUTHORITATIVE = "authoritative"
    LOCAL = "local"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int = 53

    def __str__(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return shown if self.port == 53 else f"{shown}:{self.port}"


@dataclass(frozen=True, slots=True)
class Resolver:
    key: str  # stable id, e.g. "google" or "ns1.example.net" or "127.0.0.1:5301"
    name: str  # what a row is labelled
    operator: str
    role: Role
    endpoints: tuple[Endpoint, ...]
    doh_url: str | None = None
    anycast: bool = False

    @property
    def endpoint(self) -> Endpoint:
        return self.endpoints[0]


@dataclass(frozen=True, slots=True)
class ExpectedRecord:
    name: str  # FQDN, lower case, no trailing dot
    target: str
    rdtype: str = "CNAME"
    display_name: str = ""

    @property
    def label(self) -> str:
        return self.display_name or self.name


@dataclass(frozen=True, slots=True)
class Cell:
    record: str
    resolver: str
    status: Status
    answer: tuple[str, ...] = ()
    target: str | None = None  # the CNAME target this server or resolver gave, if any
    ttl: int | None = None
    rtt_ms: float | None = None
    remaining: float | None = None  # seconds until a time-bound status clears
    eta: datetime | None = None
    bound: str = ""  # where the ETA comes from, in words
    detail: str = ""  # one line a human can act on
    queried: bool = True  # False when the observer-effect rule held the query back
    transport: str = "udp"  # udp, tcp or doh
    samples: int = 1
    samples_ok: int = 0

    def same_view(self, other: Cell | None) -> bool:
        """Whether a screen showing ``other`` needs no update for this cell (the countdown
        is redrawn separately, so ETA and TTL drift do not count)."""
        return (
            other is not None
            and other.status == self.status
            and other.answer == self.answer
            and other.detail == self.detail
            and other.queried == self.queried
        )


@dataclass(frozen=True, slots=True)
class Diagnosis:
    code: str
    sentence: str  # what is wrong and what to change, and where
    records: tuple[str, ...] = ()
    zone: str = ""


@dataclass(frozen=True, slots=True)
class ZoneInfo:
    apex: str
    ns_names: tuple[str, ...] = ()
    provider: str = ""
    negative_ttl: int | None = None
    soa_minimum: int | None = None
    soa_ttl: int | None = None
    serials: dict[str, int] = field(default_factory=dict)  # endpoint -> serial
    lagging: tuple[str, ...] = ()
    lame: tuple[str, ...] = ()
    known: bool = True  # False: discovery failed and the apex is only a guess


@dataclass(frozen=True, slots=True)
class Eta:
    when: datetime | None
    bound: str
    sentence: str
    ready: bool


@dataclass(frozen=True, slots=True)
class Report:
    checked_at: datetime
    records: tuple[ExpectedRecord, ...]
    resolvers: tuple[Resolver, ...]
    cells: dict[tuple[str, str], Cell]  # (record name, resolver key) -> cell
    zones: dict[str, ZoneInfo]  # record name -> its zone
    diagnoses: tuple[Diagnosis, ...]
    eta: Eta
    warnings: tuple[str, ...] = ()

    @property
    def all_ok(self) -> bool:
        """Every record ok at every resolver that answered at all, and at least one resolver
        (not just the authoritative servers) answered: silence is not success."""
        public = {r.key for r in self.resolvers if r.role is not Role.AUTHORITATIVE}
        answered = [c for c in self.cells.values() if c.status not in NO_SIGNAL]
        return (
            bool(answered)
            and all(c.status is Status.OK for c in answered)
            and all(
                any(
                    c.status is Status.OK and c.resolver in public and c.record == record.name
                    for c in answered
                )
                for record in self.records
            )
        )
