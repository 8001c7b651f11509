"""A caching resolver's brain: behaviours, options, caches and CNAME chains on the world clock.

Resolution asks an in-process :class:`Upstream` (the authoritative servers' views) instead of the
network: the answer is the same, and the resolver never has to find the servers. Everything a
real caching resolver keeps is kept (RFC 2308 negatives, remaining TTLs, chains across zones), so
its answers carry the numbers a propagation checker reads.

Behaviours (one per resolver):

- ``normal``: one cache.
- ``anycast``: several independent caches behind one address; each query lands on one of them,
  chosen by a random generator seeded with the resolver's name (stable across runs).
- ``validating``: names in a zone flagged ``dnssec_broken`` get SERVFAIL with Extended DNS Error 6
  (DNSSEC Bogus) unless the query sets CD=1; answers from a signed zone get AD=1 when the query
  sets DO or AD (RFC 6840 §5.8). Other behaviours do not validate.
- ``servfail``, ``refused``: always that rcode. ``dead``: never answers (a client times out).

Options (any combination, for the answering behaviours):

- ``software``: ``bind`` (the default) or ``unbound``, how the cache keeps negatives
  (:mod:`~tui.sandbox.dns.cache`): unbound keeps NXDOMAIN per (name, type), one negative SOA per
  zone, caps negatives at 3600 s (BIND: 10800 s) and positives at a day, and minimises query
  names (RFC 9156): before fetching ``s1._domainkey.zone`` it asks ``_domainkey.zone A``, whose
  NODATA brings the zone's current SOA into the cache -- so a sweep's own questions can renew
  the SOA every cached negative of the zone shows. All of it checked with unbound 1.17.1.
- ``max_negative_ttl``: another negative cap than the software's default (a public resolver's).
- ``dead_zones`` and ``dead_path``: the path to those zones' servers is dead. Cached answers are
  still given; what needs a fetch gets SERVFAIL (``servfail``) or no answer (``silent``). unbound
  1.17.1 with an unreachable zone stays silent for ~20 s, then answers SERVFAIL at once, without
  an EDE even with ``ede: yes``, while it answers ``. SOA`` and other names at once.
- ``serve_stale`` (RFC 8767): ``on-failure`` answers an expired entry (TTL 30) when no fresh one
  can be had; ``immediate`` answers it at once and refreshes it behind the answer, so the next
  answer is fresh (unbound's serve-expired without a client timeout). The answer carries EDE 3
  (Stale Answer), or 19 (Stale NXDOMAIN Answer, RFC 8914) for NXDOMAIN, with a text. What real
  software sends instead: unbound 1.17.1 EDE 3 without text, negatives included; BIND 9.18.49
  EDE 3 "resolver failure" or "client timeout", and SERVFAIL rather than a stale NXDOMAIN. The
  sandbox answers at once where they first wait their client timeout (1.8 s), to keep tests fast.
- ``aggressive_nsec`` (validating resolvers, RFC 8198): an NXDOMAIN is synthesised for a name
  that falls in an NSEC gap the resolver cached while answering another question of a signed
  zone, as unbound 1.17.1 does (its SOA TTL is the gap's time left).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Protocol

import dns.edns
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from tui.sandbox.dns.authority import ANY, MAX_CHAIN, AuthAnswer
from tui.sandbox.dns.cache import (
    BIND_MAX_NEGATIVE_TTL,
    BIND_MAX_POSITIVE_TTL,
    UNBOUND_MAX_NEGATIVE_TTL,
    UNBOUND_MAX_POSITIVE_TTL,
    Cache,
    Policy,
)
from tui.sandbox.dns.records import CNAME, NSEC, A, is_at_or_below, normalize

NORMAL, ANYCAST, VALIDATING = "normal", "anycast", "validating"
SERVFAIL, REFUSED, DEAD = "servfail", "refused", "dead"
BEHAVIOURS = (NORMAL, ANYCAST, VALIDATING, SERVFAIL, REFUSED, DEAD)
# Behaviours whose answers come from resolution (the others answer nothing useful).
ANSWERING = (NORMAL, ANYCAST, VALIDATING)
MAX_CACHES = 16

BIND, UNBOUND = "bind", "unbound"
SOFTWARE = (BIND, UNBOUND)
PATH_SERVFAIL, PATH_SILENT = "servfail", "silent"
DEAD_PATHS = (PATH_SERVFAIL, PATH_SILENT)
STALE_OFF, STALE_ON_FAILURE, STALE_IMMEDIATE = "off", "on-failure", "immediate"
SERVE_STALE = (STALE_OFF, STALE_ON_FAILURE, STALE_IMMEDIATE)
STALE_TTL = 30  # the TTL of a stale answer (RFC 8767 §4; unbound's and BIND's default)
STALE_SECONDS = 86400  # how long past expiry an entry may be served (RFC 8767 §5: 1-3 days)
# BIND 9.18.49's words for the two ways it serves stale (checked on loopback).
STALE_TEXT = {
    STALE_ON_FAILURE: "resolver failure",
    STALE_IMMEDIATE: "query within stale refresh time window",
}


@dataclass(frozen=True)
class History:
    """A lookup this resolver made ``ago_seconds`` of world time before the world started.

    Replayed against the zones as they were then, so what it cached (a negative for a record not
    yet published, an old target) is exactly what a real resolver would hold now.
    """

    qname: str
    qtype: str = CNAME
    ago_seconds: float = 0.0
    cache: int = 0  # which cache of an anycast resolver made it


@dataclass(frozen=True)
class ResolverSpec:
    name: str
    behaviour: str = NORMAL
    caches: int = 1
    latency_ms: float = 0.0
    histories: tuple[History, ...] = ()
    software: str = BIND
    max_negative_ttl: int | None = None  # None: the software's default cap
    serve_stale: str = STALE_OFF
    dead_zones: tuple[str, ...] = ()
    dead_path: str = PATH_SERVFAIL
    aggressive_nsec: bool = False

    @property
    def plain(self) -> bool:
        """A normal resolver with no option set (histories aside)."""
        return replace(self, name="", histories=(), latency_ms=0.0) == ResolverSpec("")

    def policy(self) -> Policy:
        unbound = self.software == UNBOUND
        default_cap = UNBOUND_MAX_NEGATIVE_TTL if unbound else BIND_MAX_NEGATIVE_TTL
        return Policy(
            per_type_nxdomain=unbound,
            shared_soa=unbound,
            max_negative_ttl=default_cap
            if self.max_negative_ttl is None
            else self.max_negative_ttl,
            max_positive_ttl=UNBOUND_MAX_POSITIVE_TTL if unbound else BIND_MAX_POSITIVE_TTL,
            stale_seconds=STALE_SECONDS if self.serve_stale != STALE_OFF else 0,
        )


class Upstream(Protocol):
    def ask(self, resolver: str, qname: str, qtype: str, at: float) -> AuthAnswer:
        """What the authoritative server this resolver picks answered at world time ``at``
        (with a signed zone's NSEC records: resolvers ask with DO=1)."""
        ...

    def bogus(self, qname: str) -> bool:
        """Whether DNSSEC validation of ``qname`` fails (its zone is flagged broken)."""
        ...

    def signed(self, qname: str) -> bool:
        """Whether ``qname`` is in a signed zone."""
        ...

    def apex(self, qname: str) -> str | None:
        """The apex of the zone holding ``qname`` (None: no zone of the world holds it)."""
        ...


@dataclass
class Outcome:
    rcode: int = dns.rcode.NOERROR
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    ede: int | None = None  # an Extended DNS Error code (RFC 8914) to attach
    silent: bool = False  # a dead resolver: no reply at all
    cache: int = 0  # which cache answered
    ede_text: str | None = None  # the EDE's EXTRA-TEXT
    authentic: bool = False  # validated data of signed zones: AD=1 when the query asks
    stale: bool = False  # part of the answer is past its TTL (served stale)
    synthesized: bool = False  # a denial made from cached NSEC gaps (aggressive NSEC)


@dataclass
class _Step:
    kind: str  # "answer", "cname", "negative", "fail" or "silent"
    data: dns.rrset.RRset | None = None
    rcode: int = dns.rcode.NOERROR
    proof: tuple[dns.rrset.RRset, ...] = ()  # NSEC records of a denial
    stale: bool = False
    synthesized: bool = False


class Resolver:
    def __init__(self, spec: ResolverSpec) -> None:
        self.spec = spec
        count = spec.caches if spec.behaviour == ANYCAST else 1
        self.caches = [Cache(spec.policy()) for _ in range(max(1, count))]
        self._rng = random.Random(f"sandbox-resolver:{spec.name}")

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def behaviour(self) -> str:
        return self.spec.behaviour

    def reconfigure(self, spec: ResolverSpec) -> None:
        """New behaviour or options; what is cached stays (under the new policy), as when a
        resolver's operator changes its configuration and reloads it."""
        count = max(1, spec.caches if spec.behaviour == ANYCAST else 1)
        policy = spec.policy()
        self.caches = self.caches[:count] + [Cache(policy) for _ in range(count - len(self.caches))]
        for cache in self.caches:
            cache.policy = policy
        self.spec = spec

    def resolve(
        self,
        qname: str,
        qtype: str,
        *,
        now: float,
        upstream: Upstream,
        cd: bool = False,
        cache: int | None = None,
        dnssec: bool = False,
        past: bool = False,
    ) -> Outcome:
        """The answer to ``qname qtype`` at world time ``now``. ``dnssec``: the query set DO,
        so denials carry their NSEC records. ``past``: a history being replayed, from before
        the path to a dead zone broke (no dead path, no background refresh)."""
        behaviour = self.spec.behaviour
        if behaviour == DEAD:
            return Outcome(silent=True)
        if behaviour in (REFUSED, SERVFAIL):
            return Outcome(dns.rcode.REFUSED if behaviour == REFUSED else dns.rcode.SERVFAIL)
        if qtype == ANY:
            return Outcome(dns.rcode.NOTIMP)  # RFC 8482 lets resolvers refuse ANY
        index = self._pick() if cache is None else cache
        store = self.caches[index]
        rdtype = dns.rdatatype.from_text(qtype)
        out = Outcome(cache=index)
        authentic = behaviour == VALIDATING
        name, seen = qname, {qname}
        for _ in range(MAX_CHAIN):
            if behaviour == VALIDATING and not cd and upstream.bogus(name):
                return Outcome(dns.rcode.SERVFAIL, ede=dns.edns.EDECode.DNSSEC_BOGUS, cache=index)
            step = self._step(store, name, qtype, rdtype, now, upstream, past)
            if step.kind == "silent":
                return Outcome(silent=True, cache=index)
            if step.kind == "fail":
                return Outcome(dns.rcode.SERVFAIL, cache=index)
            out.stale |= step.stale
            out.synthesized |= step.synthesized
            authentic = authentic and upstream.signed(name)
            if step.kind == "negative":
                out.rcode = step.rcode
                if step.data is not None:
                    out.authority.append(step.data)
                if dnssec:
                    out.authority.extend(step.proof)
                return self._finish(out, authentic)
            assert step.data is not None
            out.answer.append(step.data)
            if step.kind == "answer":
                return self._finish(out, authentic)
            name = normalize(step.data[0].target.to_text())
            if name in seen:
                return Outcome(dns.rcode.SERVFAIL, cache=index)  # a CNAME loop
            seen.add(name)
        return Outcome(dns.rcode.SERVFAIL, cache=index)

    def _finish(self, out: Outcome, authentic: bool) -> Outcome:
        out.authentic = authentic
        if out.stale:
            if self.spec.software == UNBOUND:
                out.ede = dns.edns.EDECode.STALE_ANSWER  # unbound: 3, no text, negatives too
            else:
                nxdomain = out.rcode == dns.rcode.NXDOMAIN
                out.ede = (
                    dns.edns.EDECode.STALE_NXDOMAIN_ANSWER
                    if nxdomain
                    else dns.edns.EDECode.STALE_ANSWER
                )
                out.ede_text = STALE_TEXT[self.spec.serve_stale]
        return out

    def _pick(self) -> int:
        return self._rng.randrange(len(self.caches)) if len(self.caches) > 1 else 0

    # -- one name of the chain -------------------------------------------------------------

    def _step(
        self,
        store: Cache,
        name: str,
        qtype: str,
        rdtype: int,
        now: float,
        upstream: Upstream,
        past: bool,
    ) -> _Step:
        fresh = self._cached(store, name, rdtype, now)
        if fresh is not None:
            return fresh
        if self.spec.aggressive_nsec and self.spec.behaviour == VALIDATING:
            apex = upstream.apex(name)
            if apex is not None and upstream.signed(name):
                denial = store.nsec_denial(name, apex, now)
                if denial is not None:
                    return _Step(
                        "negative", denial.soa, denial.rcode, denial.proof, synthesized=True
                    )
        stale = (
            self._stale(store, name, rdtype, now) if self.spec.serve_stale != STALE_OFF else None
        )
        if not past and any(is_at_or_below(name, z) for z in self.spec.dead_zones):
            if stale is not None:
                return stale
            return _Step("silent" if self.spec.dead_path == PATH_SILENT else "fail")
        if stale is not None and self.spec.serve_stale == STALE_IMMEDIATE and not past:
            self._fetch(store, name, qtype, rdtype, now, upstream)  # the refresh behind it
            return stale
        fetched = self._fetch(store, name, qtype, rdtype, now, upstream)
        if fetched.kind == "fail" and stale is not None:
            return stale
        return fetched

    @staticmethod
    def _cached(store: Cache, name: str, rdtype: int, now: float) -> _Step | None:
        negative = store.negative(name, rdtype, now)
        if negative and negative.rcode == dns.rcode.NXDOMAIN:
            return _Step("negative", negative.soa, dns.rcode.NXDOMAIN, negative.proof)
        found = store.positive(name, rdtype, now)
        if found is not None:
            return _Step("answer", found)
        if negative:
            return _Step("negative", negative.soa, dns.rcode.NOERROR, negative.proof)
        if rdtype != dns.rdatatype.CNAME:
            alias = store.positive(name, dns.rdatatype.CNAME, now)
            if alias is not None:
                return _Step("cname", alias)
        return None

    @staticmethod
    def _stale(store: Cache, name: str, rdtype: int, now: float) -> _Step | None:
        """The same lookup among expired entries, each answered with the stale TTL."""

        def aged(found: dns.rrset.RRset) -> dns.rrset.RRset:
            out = found.copy()
            out.ttl = STALE_TTL
            return out

        negative = store.negative(name, rdtype, now, stale=True)
        if negative and negative.rcode == dns.rcode.NXDOMAIN:
            proof = tuple(map(aged, negative.proof))
            return _Step("negative", aged(negative.soa), negative.rcode, proof, stale=True)
        found = store.positive(name, rdtype, now, stale=True)
        if found is not None:
            return _Step("answer", aged(found), stale=True)
        if negative:
            proof = tuple(map(aged, negative.proof))
            return _Step("negative", aged(negative.soa), negative.rcode, proof, stale=True)
        if rdtype != dns.rdatatype.CNAME:
            alias = store.positive(name, dns.rdatatype.CNAME, now, stale=True)
            if alias is not None:
                return _Step("cname", aged(alias), stale=True)
        return None

    def _fetch(
        self, store: Cache, name: str, qtype: str, rdtype: int, now: float, upstream: Upstream
    ) -> _Step:
        if self.spec.software == UNBOUND:
            self._minimise(store, name, now, upstream)
        reply = upstream.ask(self.spec.name, name, qtype, now)
        if reply.rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return _Step("fail")
        owner = dns.name.from_text(name or ".")
        # Only the first link is taken from the reply; the resolver asks again for the next one,
        # which gives the same data as reading the rest of an in-zone chain.
        for wanted, kind in ((rdtype, "answer"), (dns.rdatatype.CNAME, "cname")):
            for found in reply.answer:
                if found.name == owner and found.rdtype == wanted:
                    store.store_positive(found, now)
                    return _Step(kind, found)
        soa = next((s for s in reply.authority if s.rdtype == dns.rdatatype.SOA), None)
        if soa is None:
            return _Step("negative", None, reply.rcode)  # not cacheable without an SOA
        nsec = dns.rdatatype.from_text(NSEC)
        proof = tuple(s for s in reply.authority if s.rdtype == nsec)
        nxdomain = reply.rcode == dns.rcode.NXDOMAIN
        store.store_negative(name, rdtype, soa, now, nxdomain=nxdomain, proof=proof)
        if proof:
            store.store_nsec(normalize(soa.name.to_text()), list(proof), soa, now)
        cached = store.negative(name, rdtype, now)
        if cached is not None:
            return _Step("negative", cached.soa, reply.rcode, cached.proof)
        return _Step("negative", soa, reply.rcode, proof)  # TTL 0: used once, not kept

    def _minimise(self, store: Cache, name: str, now: float, upstream: Upstream) -> None:
        """unbound's query name minimisation (RFC 9156, relaxed): the names between the zone's
        apex and ``name`` are asked first, type A. Of their answers only the RRsets are kept --
        what matters here, a negative's SOA, which renews the zone's shared SOA. After an
        (unsigned) NXDOMAIN on the way, unbound stops minimising and asks the full name."""
        apex = upstream.apex(name)
        if apex is None or name == apex:
            return
        labels = name[: -len(apex) - 1].split(".")
        for count in range(1, len(labels)):
            between = ".".join([*labels[-count:], apex])
            reply = upstream.ask(self.spec.name, between, A, now)
            soa = next((s for s in reply.authority if s.rdtype == dns.rdatatype.SOA), None)
            if soa is not None:
                store.note_soa(soa, now)
            if reply.rcode != dns.rcode.NOERROR:
                return

    def flush(self, name: str | None = None) -> int:
        return sum(cache.flush(name) for cache in self.caches)
