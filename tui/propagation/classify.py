"""Turning one answer into one cell: pure functions, no I/O (dns.md §3.7).

The authoritative servers are the ground truth; a public resolver's answer is judged against
what they serve (:class:`Truth`). Every function here accepts whatever the network produced and
never raises.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tui.propagation.answers import Answer
from tui.propagation.authority import older
from tui.propagation.model import Cell, ExpectedRecord, Resolver, Status
from tui.propagation.transport import TCP_RETRY_FAILED, Exchange

# RFC 8914 codes that mean "DNSSEC said no": 6 Bogus, 7 Signature Expired, 9 DNSKEY Missing,
# 10 RRSIGs Missing, 12 NSEC Missing (dns.md §3.7).
DNSSEC_EDE = frozenset({6, 7, 9, 10, 12})
# Resolvers cap how long they keep a negative answer (BIND 3 h): the upper bound when an
# answer carries no SOA to read the remaining time from (dns.md §3.2).
NEGATIVE_CAP = 10800
# RFC 8914 codes a resolver sends with an answer from an expired cache entry (RFC 8767):
# 3 Stale Answer, 19 Stale NXDOMAIN Answer.
STALE_EDE = frozenset({3, 19})
# ... and with a SERVFAIL when it could not reach the zone's servers at all:
# 22 No Reachable Authority, 23 Network Error.
UNREACHED_EDE = frozenset({22, 23})
SYNTHESIZED_EDE = 29  # "Synthesized": e.g. a denial made from cached NSEC records (RFC 8198)

# Cloudflare's published anycast ranges: A answers from these at a proxied name (dns.md §4 #3).
CLOUDFLARE_RANGES = tuple(
    ipaddress.ip_network(n)
    for n in (
        "104.16.0.0/13",
        "104.24.0.0/14",
        "172.64.0.0/13",
        "188.114.96.0/20",
        "162.158.0.0/15",
        "141.101.64.0/18",
        "108.162.192.0/18",
        "190.93.240.0/20",
        "197.234.240.0/22",
        "198.41.128.0/17",
        "173.245.48.0/20",
        "103.21.244.0/22",
        "103.22.200.0/22",
        "103.31.4.0/22",
        "131.0.72.0/22",
        "2400:cb00::/32",
        "2606:4700::/32",
        "2803:f800::/32",
        "2405:b500::/32",
        "2405:8100::/32",
        "2a06:98c0::/29",
        "2c0f:f248::/32",
    )
)


def is_cloudflare(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in CLOUDFLARE_RANGES)


@dataclass(frozen=True, slots=True)
class Truth:
    """What the authoritative servers say about one record."""

    served: bool  # at least one authoritative server answers the expected target
    target: str | None  # the CNAME target they serve (None: no CNAME there)
    hidden: Status | None = None  # PROXIED or FLATTENED when the CNAME is hidden
    negative_ttl: int | None = None  # min(SOA TTL, MINIMUM) of the zone
    answered: bool = True  # False: no authoritative server gave a usable answer
    everywhere: bool = True  # every authoritative server that answered has it in some form
    other_data: tuple[str, ...] = ()  # e.g. A records found at the name instead of the CNAME
    # The oldest zone serial at which an authoritative server was seen serving the record: a
    # negative whose SOA carries this serial or a later one cannot have been fetched as a
    # negative (the zone had the record then), so it is an older negative wearing a refreshed
    # SOA (unbound keeps one SOA per zone), and its SOA TTL is only an upper bound.
    published_serial: int | None = None
    # When a sweep first saw the record served: a negative older than the record was cached
    # before then, so it runs out at most the zone's negative TTL after it.
    published_by: datetime | None = None
    zone: str = ""  # the zone's apex, for the words

    @property
    def exists(self) -> bool:
        """Some authoritative server has the record in some form."""
        return self.served or self.target is not None or self.hidden is not None

    @property
    def askable(self) -> bool:
        """Safe to ask public resolvers: every authoritative server has it, so whichever one a
        resolver asks, it gets no "does not exist" to cache (dns.md §3.7 step 1)."""
        return self.exists and self.everywhere


def _base(record: ExpectedRecord, resolver: Resolver, exchange: Exchange) -> Cell:
    return Cell(
        record=record.name,
        resolver=resolver.key,
        status=Status.SERVFAIL,
        rtt_ms=round(exchange.rtt_ms, 1),
        transport=exchange.transport,
        answer=exchange.answer.records if exchange.answer else (),
    )


def _no_answer(cell: Cell, exchange: Exchange, *, authoritative: bool = False) -> Cell:
    if exchange.timed_out and exchange.ignored:
        # Something came back, but not an answer to this question from this server: forged,
        # misdirected or broken, and dropped unread. Silence as far as the verdict goes.
        return replace(
            cell,
            status=Status.UNREACHABLE,
            reason="ignored",
            detail=f"no answer in time; it sent {' and '.join(exchange.ignored)} instead, "
            "which were ignored (never trusted: forged, misdirected or broken)",
        )
    if exchange.timed_out or exchange.failure.startswith("connection failed"):
        reason = "no answer in time" if exchange.timed_out else exchange.failure
        if authoritative and exchange.timed_out:
            # Counted among the sweep's unanswered questions (Report.unanswered), not read as
            # "not published": response rate limiting (RRL) drops questions like this too.
            reason += " (an unanswered question: a dead server, a lost packet or rate limiting)"
        return replace(
            cell,
            status=Status.UNREACHABLE,
            detail=f"{reason}; this says nothing about propagation",
        )
    if exchange.failure.startswith(TCP_RETRY_FAILED):
        # The server answered, so it is there; but its answer needs TCP and TCP fails, so
        # every client asking it fails too: a server failure, not silence.
        return replace(
            cell,
            status=Status.SERVFAIL,
            detail=f"{exchange.failure}; this server must also answer over TCP (port 53)",
        )
    return replace(cell, status=Status.SERVFAIL, detail=exchange.failure or "no usable answer")


def _broken(cell: Cell, record: ExpectedRecord, exchange: Exchange) -> Cell | None:
    """An answer that cannot be taken at its word: truncated even over TCP (so incomplete,
    and an empty one is not "does not exist"), or a CNAME chain that comes back on itself
    (no countdown can fix that: the records must change). None when neither."""
    answer = exchange.answer
    if answer is None or answer.rcode not in ("NOERROR", "NXDOMAIN"):
        return None
    if answer.truncated:
        over = "DoH" if exchange.transport == "doh" else exchange.transport.upper()
        return replace(
            cell,
            status=Status.SERVFAIL,
            detail=f"the answer came back truncated even over {over}, so it is incomplete "
            "and says nothing about the record; the server sends more than a DNS message holds",
        )
    if answer.loop:
        return replace(
            cell,
            status=Status.WRONG_TARGET,
            target=answer.cnames[0] if answer.cnames else None,
            detail=f"a CNAME loop ({_chain(answer.loop)}): lookups of it never end; fix "
            f"the records so that {record.name} points to {record.target}",
        )
    return None


def _chain(names: tuple[str, ...], keep: int = 6) -> str:
    """``a → b → a``; a long chain (a hostile answer may hold thousands of links) keeps its
    ends, the loop being at the end."""
    if len(names) <= keep:
        return " → ".join(names)
    left = len(names) - keep + 1
    return " → ".join([names[0], f"… {left} more …", *names[-(keep - 2) :]])


def classify_authoritative(record: ExpectedRecord, resolver: Resolver, exchange: Exchange) -> Cell:
    """An authoritative server's answer to ``record.name CNAME`` asked with RD=0."""
    return _with_ede(_authoritative_verdict(record, resolver, exchange), exchange.answer)


def _authoritative_verdict(record: ExpectedRecord, resolver: Resolver, exchange: Exchange) -> Cell:
    cell = _base(record, resolver, exchange)
    answer = exchange.answer
    if answer is None:
        return _no_answer(cell, exchange, authoritative=True)
    if answer.rcode == "REFUSED" or (
        answer.rcode in ("NOERROR", "NXDOMAIN") and not answer.authoritative
    ):
        return replace(
            cell,
            status=Status.REFUSED,
            detail="this server does not serve the zone (a lame delegation)",
        )
    if answer.rcode != "NOERROR" and answer.rcode != "NXDOMAIN":
        return replace(cell, status=Status.SERVFAIL, detail=f"answered {answer.rcode}")
    broken = _broken(cell, record, exchange)
    if broken is not None:
        return broken
    if len(set(answer.cnames)) > 1:
        # Two CNAMEs at one name (RFC 2181 §10.1 forbids it): resolvers get either one.
        names = sorted(set(answer.cnames))
        return replace(
            cell,
            status=Status.WRONG_TARGET,
            target=next((n for n in names if n != record.target), names[0]),
            ttl=answer.cname_ttl,
            detail=f"holds {len(names)} CNAMEs ({', '.join(names)})",
        )
    if answer.cnames:
        seen = answer.cnames[0]
        cell = replace(cell, target=seen)
        if seen == record.target:
            return replace(cell, status=Status.OK, ttl=answer.cname_ttl, detail="published")
        return replace(
            cell,
            status=Status.WRONG_TARGET,
            ttl=answer.cname_ttl,
            detail=f"points to {seen}, expected {record.target}",
        )
    if answer.rcode == "NXDOMAIN":
        return replace(
            cell, status=Status.NOT_PUBLISHED, detail="the name does not exist at this server"
        )
    return replace(
        cell,
        status=Status.NOT_PUBLISHED,
        detail="the name exists but has no CNAME at this server",
    )


def classify_hidden(
    cell: Cell, addresses: Answer | None, target_addresses: tuple[str, ...]
) -> Cell:
    """A name with no visible CNAME but A answers: proxied (orange cloud) or flattened."""
    if addresses is None or not addresses.addresses:
        return cell
    found = addresses.addresses
    if target_addresses and set(found) == set(target_addresses):
        return replace(
            cell,
            status=Status.FLATTENED,
            answer=cell.answer + addresses.records,
            detail="the CNAME is flattened: A answers equal the target's, the CNAME is hidden",
        )
    if all(is_cloudflare(a) for a in found):
        return replace(
            cell,
            status=Status.PROXIED,
            answer=cell.answer + addresses.records,
            detail=f"proxied: answers {', '.join(found[:2])} instead of the CNAME",
        )
    # Addresses that are neither the target's nor a proxy's: an A record where the CNAME
    # should be (a conflict the user has to remove), not a hidden CNAME.
    return replace(
        cell,
        answer=cell.answer + addresses.records,
        detail=f"the name has A record(s) {', '.join(found[:2])} instead of the CNAME",
    )


def classify_resolver(
    record: ExpectedRecord,
    resolver: Resolver,
    exchange: Exchange,
    truth: Truth,
    now: datetime,
    rdtype: str = "CNAME",
) -> Cell:
    """A recursive resolver's answer to ``record.name rdtype`` (RD=1), judged against truth.

    ``rdtype`` is CNAME (what Wix's checker asks) or TXT (what DKIM verifiers ask at a
    selector; the resolver follows the CNAME, so the answer starts with it)."""
    cell = _resolver_verdict(record, resolver, exchange, truth, now, rdtype)
    if cell.rdtype != rdtype:
        cell = replace(cell, rdtype=rdtype)
    return _with_ede(cell, exchange.answer)


def _with_ede(cell: Cell, answer: Answer | None) -> Cell:
    """Every Extended DNS Error a server sends goes into the detail, in its own words."""
    if answer is None or not answer.ede_texts:
        return cell
    said = "; ".join(answer.ede_texts)
    if said in cell.detail:
        return cell
    return replace(cell, detail=f"{cell.detail} (it says: {said})", reason=cell.reason or "ede")


def _resolver_verdict(
    record: ExpectedRecord,
    resolver: Resolver,
    exchange: Exchange,
    truth: Truth,
    now: datetime,
    rdtype: str,
) -> Cell:
    cell = _base(record, resolver, exchange)
    answer = exchange.answer
    if answer is None:
        return _no_answer(cell, exchange)
    if answer.rcode == "REFUSED":
        return replace(cell, status=Status.REFUSED, detail="the resolver refused to answer")
    if answer.rcode == "SERVFAIL":
        if DNSSEC_EDE & set(answer.ede):
            return replace(
                cell,
                status=Status.DNSSEC_BOGUS,
                detail=f"DNSSEC validation failed (extended error {sorted(answer.ede)})",
            )
        if UNREACHED_EDE & set(answer.ede):
            return replace(
                cell,
                status=Status.CANT_REACH_ZONE,
                reason="ede",
                detail=f"the resolver says it could not reach {_zone(truth)}'s name servers, so "
                "its users cannot see the record",
            )
        return replace(
            cell,
            status=Status.SERVFAIL,
            reason="servfail",
            detail="the resolver could not resolve it",
        )
    if answer.rcode not in ("NOERROR", "NXDOMAIN"):
        return replace(cell, status=Status.SERVFAIL, detail=f"answered {answer.rcode}")
    broken = _broken(cell, record, exchange)
    if broken is not None:
        return broken
    stale = STALE_EDE & set(answer.ede)
    if answer.cnames:
        seen = answer.cnames[0]
        ttl = answer.cname_ttl
        cell = replace(cell, target=seen)
        if stale:
            which = "the right target" if seen == record.target else f"the old target {seen}"
            return replace(
                cell,
                status=Status.STALE_SERVED,
                ttl=ttl,
                reason="stale",
                detail=f"serves {which} from an expired cache entry (serve-stale): it could not "
                f"refresh it from {_zone(truth)}'s name servers; the next answer may be fresh",
            )
        if seen == record.target:
            return replace(cell, status=Status.OK, ttl=ttl, detail="visible")
        if truth.target == record.target and ttl is not None:
            return replace(
                cell,
                status=Status.STALE,
                ttl=ttl,
                remaining=float(ttl),
                eta=now + timedelta(seconds=ttl),
                bound=f"the old record's cached TTL ({ttl} s left)",
                detail=f"still has the old target {seen}",
            )
        return replace(
            cell,
            status=Status.WRONG_TARGET,
            ttl=ttl,
            detail=f"points to {seen}, expected {record.target}",
        )
    if answer.records:
        if rdtype != "CNAME" and rdtype in answer.owned_types:
            # A TXT question answered with TXT records owned by the name itself: data where
            # the CNAME should be, which verifiers read instead of following the CNAME.
            return replace(
                cell,
                status=Status.WRONG_TARGET,
                detail=f"holds {rdtype} records of its own instead of the CNAME to "
                f"{record.target} (a conflict: a name with a CNAME may hold nothing else)",
            )
        # Records, but no CNAME for our name: an answer to something else. Not a negative,
        # so no countdown is invented from it.
        return replace(
            cell,
            status=Status.SERVFAIL,
            detail="answered with records that are not this name's CNAME",
        )
    # A negative answer: NXDOMAIN, or NODATA for the question type.
    if truth.hidden is not None:
        return replace(cell, status=truth.hidden, detail="the CNAME is hidden (see the A answers)")
    if not truth.exists:
        return replace(
            cell,
            status=Status.NOT_PUBLISHED,
            detail="not at the authoritative servers yet, so not here either",
        )
    negative = replace(
        cell,
        answer=answer.authority_records,
        soa_serial=answer.soa.serial if answer.soa is not None else None,
    )
    if stale:
        return replace(
            negative,
            status=Status.STALE_SERVED,
            reason="stale",
            detail="serves an expired 'does not exist' (serve-stale): it could not ask "
            f"{_zone(truth)}'s name servers again; the next answer may be fresh",
        )
    what = "does not exist" if rdtype == "CNAME" else f"no {rdtype}"
    denial = _denial(answer)
    if answer.soa is not None:
        remaining = answer.soa.negative_ttl
        if denial:
            # RFC 8198 §5 / RFC 9077: a denial made from NSEC lasts min(NSEC TTL, SOA).
            remaining = min([remaining, *(d.ttl for d in answer.denials)])
        of_zone = f" of the zone's {truth.negative_ttl} s" if truth.negative_ttl else ""
        bound = f"the SOA in its answer: {remaining} s left{of_zone}"
        at_most, reason = False, ""
        if old_negative(answer, truth):
            at_most, reason = True, "old_negative"
            bound = (
                f"at most {remaining} s: its SOA (serial {answer.soa.serial}) is from after the "
                f"record was published (serial {truth.published_serial}), so the negative is "
                "older than that SOA and runs out no later"
            )
            if truth.published_by is not None and truth.negative_ttl:
                # Cached before the record was published, which it was by ``published_by``.
                latest = truth.published_by + timedelta(seconds=truth.negative_ttl)
                left = max(0, int((latest - now).total_seconds()))
                if left < remaining:
                    served = int((now - truth.published_by).total_seconds())
                    remaining = left
                    bound = (
                        f"at most {left} s: the negative is older than the record (its SOA, "
                        f"serial {answer.soa.serial}, is from after it was published), and the "
                        f"record has been served for {served} s at least, so the negative ends "
                        f"within the zone's negative TTL ({truth.negative_ttl} s) of that"
                    )
        detail = f"cached '{what}' from before the record was published"
        if denial:
            reason = "nsec"
            detail = denial
        return replace(
            negative,
            status=Status.CACHED_NEGATIVE,
            ttl=remaining,
            remaining=float(remaining),
            eta=now + timedelta(seconds=remaining),
            at_most=at_most,
            reason=reason,
            bound=bound,
            detail=detail,
        )
    if truth.negative_ttl:
        cap = min(truth.negative_ttl, NEGATIVE_CAP)
        bound = f"no SOA in the answer; at most the zone's negative TTL, {cap} s"
    else:
        cap = NEGATIVE_CAP
        bound = f"no SOA in the answer; at most resolvers' usual cap (BIND), {cap} s"
    return replace(
        negative,
        status=Status.CACHED_NEGATIVE,
        remaining=float(cap),
        eta=now + timedelta(seconds=cap),
        at_most=True,
        reason="nsec" if denial else "",
        bound=bound,
        detail=denial or f"cached '{what}' (the resolver did not say for how long)",
    )


def old_negative(answer: Answer, truth: Truth) -> bool:
    """The negative's SOA is at or past the serial at which the record was published: the
    negative was cached before, and its SOA refreshed since (RFC 1982 serial arithmetic)."""
    if answer.soa is None or truth.published_serial is None:
        return False
    return not older(answer.soa.serial, truth.published_serial)


def _denial(answer: Answer) -> str:
    """Words for a negative proven by NSEC records or marked synthesised (EDE 29), else ""."""
    covering = next((d for d in answer.denials if d.covers), None)
    if covering is not None:
        proof = (
            f"denied by the NSEC record {covering.owner} → {covering.next}, which covers the "
            "name: a validating resolver can make this answer from a neighbour's lookup"
        )
    elif answer.denials:
        proof = (
            f"denied by the zone's {answer.denials[0].kind} records: a validating resolver can "
            "make this answer from a neighbour's lookup"
        )
    elif SYNTHESIZED_EDE in answer.ede:
        proof = "synthesised by the resolver (EDE 29), e.g. from the zone's NSEC records"
    else:
        return ""
    return (
        f"{proof} (aggressive NSEC, RFC 8198), so nobody needs to have asked for it too "
        "early; it lasts until those records expire in its cache"
    )


def _zone(truth: Truth) -> str:
    return truth.zone or "the zone"
