"""A caching resolver's brain: behaviours, caches and CNAME-chain resolution on the world clock.

Resolution asks an in-process :class:`Upstream` (the authoritative servers' views) instead of the
network: the answer is the same, and the resolver never has to find the servers. Everything a
real caching resolver keeps is kept (RFC 2308 negatives, remaining TTLs, chains across zones), so
its answers carry the numbers a propagation checker reads.

Behaviours:

- ``normal``: one cache.
- ``anycast``: several independent caches behind one address; each query lands on one of them,
  chosen by a random generator seeded with the resolver's name (stable across runs).
- ``validating``: names in a zone flagged ``dnssec_broken`` get SERVFAIL with Extended DNS Error 6
  (DNSSEC Bogus) unless the query sets CD=1. Other behaviours do not validate.
- ``servfail``, ``refused``: always that rcode. ``dead``: never answers (a client times out).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Protocol

import dns.edns
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from tui.sandbox.dns.authority import ANY, MAX_CHAIN, AuthAnswer
from tui.sandbox.dns.cache import Cache
from tui.sandbox.dns.records import CNAME, negative_soa, normalize, soa_rrset

NORMAL, ANYCAST, VALIDATING = "normal", "anycast", "validating"
SERVFAIL, REFUSED, DEAD = "servfail", "refused", "dead"
BEHAVIOURS = (NORMAL, ANYCAST, VALIDATING, SERVFAIL, REFUSED, DEAD)
# Behaviours whose answers come from resolution (the others answer nothing useful).
ANSWERING = (NORMAL, ANYCAST, VALIDATING)
MAX_CACHES = 16

# A name in no served zone sits under a TLD that does not exist (.example is reserved): the
# root's NXDOMAIN, cached as long as the root's SOA says (a day, capped by the resolver).
ROOT_SOA = soa_rrset("", "a.root-servers.net", "nstld.verisign-grs.com", 2026010100, 86400, 86400)


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


class Upstream(Protocol):
    def ask(self, resolver: str, qname: str, qtype: str, at: float) -> AuthAnswer:
        """What the authoritative server this resolver picks answered at world time ``at``."""
        ...

    def bogus(self, qname: str) -> bool:
        """Whether DNSSEC validation of ``qname`` fails (its zone is flagged broken)."""
        ...


@dataclass
class Outcome:
    rcode: int = dns.rcode.NOERROR
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    ede: int | None = None  # an Extended DNS Error code (RFC 8914) to attach
    silent: bool = False  # a dead resolver: no reply at all
    cache: int = 0  # which cache answered


@dataclass
class _Step:
    kind: str  # "answer", "cname", "negative" or "fail"
    data: dns.rrset.RRset | None = None
    rcode: int = dns.rcode.NOERROR


class Resolver:
    def __init__(self, spec: ResolverSpec) -> None:
        self.spec = spec
        count = spec.caches if spec.behaviour == ANYCAST else 1
        self.caches = [Cache() for _ in range(max(1, count))]
        self._rng = random.Random(f"sandbox-resolver:{spec.name}")

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def behaviour(self) -> str:
        return self.spec.behaviour

    def resolve(
        self,
        qname: str,
        qtype: str,
        *,
        now: float,
        upstream: Upstream,
        cd: bool = False,
        cache: int | None = None,
    ) -> Outcome:
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
        name, seen = qname, {qname}
        for _ in range(MAX_CHAIN):
            if behaviour == VALIDATING and not cd and upstream.bogus(name):
                return Outcome(dns.rcode.SERVFAIL, ede=dns.edns.EDECode.DNSSEC_BOGUS, cache=index)
            step = self._cached(store, name, rdtype, now) or self._fetch(
                store, name, qtype, rdtype, now, upstream
            )
            if step.kind == "fail":
                return Outcome(dns.rcode.SERVFAIL, cache=index)
            if step.kind == "negative":
                out.rcode = step.rcode
                if step.data is not None:
                    out.authority.append(step.data)
                return out
            assert step.data is not None
            out.answer.append(step.data)
            if step.kind == "answer":
                return out
            name = normalize(step.data[0].target.to_text())
            if name in seen:
                return Outcome(dns.rcode.SERVFAIL, cache=index)  # a CNAME loop
            seen.add(name)
        return Outcome(dns.rcode.SERVFAIL, cache=index)

    def _pick(self) -> int:
        return self._rng.randrange(len(self.caches)) if len(self.caches) > 1 else 0

    @staticmethod
    def _cached(store: Cache, name: str, rdtype: int, now: float) -> _Step | None:
        negative = store.negative(name, rdtype, now)
        if negative and negative[0] == dns.rcode.NXDOMAIN:
            return _Step("negative", negative[1], dns.rcode.NXDOMAIN)  # blocks every type
        found = store.positive(name, rdtype, now)
        if found is not None:
            return _Step("answer", found)
        if negative:
            return _Step("negative", negative[1], dns.rcode.NOERROR)
        if rdtype != dns.rdatatype.CNAME:
            alias = store.positive(name, dns.rdatatype.CNAME, now)
            if alias is not None:
                return _Step("cname", alias)
        return None

    def _fetch(
        self, store: Cache, name: str, qtype: str, rdtype: int, now: float, upstream: Upstream
    ) -> _Step:
        reply = upstream.ask(self.spec.name, name, qtype, now)
        if reply.zone is None:  # no served zone: the root says the TLD does not exist
            reply = AuthAnswer(dns.rcode.NXDOMAIN, authority=[negative_soa(ROOT_SOA)])
        if reply.rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return _Step("fail")
        owner = dns.name.from_text(name)
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
        nxdomain = reply.rcode == dns.rcode.NXDOMAIN
        store.store_negative(name, None if nxdomain else rdtype, soa, now)
        cached = store.negative(name, rdtype, now)
        return _Step("negative", cached[1] if cached else soa, reply.rcode)

    def flush(self, name: str | None = None) -> int:
        return sum(cache.flush(name) for cache in self.caches)
