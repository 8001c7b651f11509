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
    # The resolver answers a question it can answer without the zone, but not ours: it cannot
    # reach the zone's servers, so its users cannot see the records (not "says nothing").
    CANT_REACH_ZONE = "cant_reach_zone"
    # An answer served from an expired cache entry (serve-stale, RFC 8767; EDE 3 or 19).
    STALE_SERVED = "stale_served"


# How bad a status is when several samples of an anycast row disagree: the worst one is kept,
# because it is what some of the user's (and Wix's) lookups will get.
SEVERITY: dict[Status, int] = {
    Status.OK: 0,
    Status.UNREACHABLE: 1,
    Status.REFUSED: 2,
    Status.STALE: 3,
    Status.STALE_SERVED: 4,
    Status.CACHED_NEGATIVE: 5,
    Status.FLATTENED: 6,
    Status.PROXIED: 7,
    Status.WRONG_TARGET: 8,
    Status.NOT_PUBLISHED: 9,
    Status.CANT_REACH_ZONE: 10,
    Status.SERVFAIL: 11,
    Status.DNSSEC_BOGUS: 12,
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
class TypeCheck:
    """What one question type got at one resolver for one record: a DKIM selector is asked
    CNAME (what Wix's checker asks) and TXT (what verifiers ask, following the CNAME), and a
    resolver caches a negative per type, so each has its own verdict and countdown."""

    rdtype: str
    status: Status
    remaining: float | None = None
    eta: datetime | None = None
    at_most: bool = False
    bound: str = ""
    detail: str = ""


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
    # The countdown is only an upper bound ("at most N s"): the answer did not say exactly.
    at_most: bool = False
    soa_serial: int | None = None  # the serial of the SOA a negative answer carried
    # Why, as a stable code where a status alone does not say: "nsec" (a denial from NSEC
    # records), "old_negative" (a negative older than its refreshed SOA), "ede" (the resolver
    # sent an Extended DNS Error), "ignored" (packets that were not an answer were dropped),
    # "fetched" (our TXT question just made the resolver fetch the record it denied).
    reason: str = ""
    rdtype: str = "CNAME"  # the question type whose answer decided the status
    types: tuple[TypeCheck, ...] = ()  # per type, when more than one is asked

    def same_view(self, other: Cell | None) -> bool:
        """Whether a screen showing ``other`` needs no update for this cell (the countdown
        is redrawn separately, so ETA and TTL drift do not count)."""
        return (
            other is not None
            and other.status == self.status
            and other.answer == self.answer
            and other.detail == self.detail
            and other.queried == self.queried
            and other.rdtype == self.rdtype
            and other.at_most == self.at_most
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
    # The delegation: the NS names the parent zone's servers give for this zone (RFC 1034
    # §4.2.2), to compare with the zone's own NS records; empty when not looked up.
    parent: str = ""
    parent_ns: tuple[str, ...] = ()
    parent_provider: str = ""

    @property
    def delegation_differs(self) -> bool:
        return bool(self.parent_ns and self.ns_names) and set(self.parent_ns) != set(self.ns_names)


@dataclass(frozen=True, slots=True)
class Eta:
    when: datetime | None
    bound: str
    sentence: str
    ready: bool


@dataclass(frozen=True, slots=True)
class Unanswered:
    """Questions of one sweep that one server never answered (a timeout: a dead server, a
    lost packet, or response rate limiting dropping it). Counted, never read as a verdict."""

    server: str  # the endpoint, e.g. "192.0.2.1" or "127.0.0.1:5300"
    authoritative: bool  # asked with RD=0 (an authoritative server) or RD=1 (a resolver)
    questions: tuple[str, ...]  # "name TYPE", in the order they were asked


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
    unanswered: tuple[Unanswered, ...] = ()

    @property
    def unanswered_count(self) -> int:
        return sum(len(u.questions) for u in self.unanswered)

    @property
    def unanswered_authoritative(self) -> int:
        return sum(len(u.questions) for u in self.unanswered if u.authoritative)

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
