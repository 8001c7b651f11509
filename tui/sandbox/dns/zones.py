"""Zones as a DNS host keeps them: versioned, so a secondary can lag and the past can be asked.

Every change makes a new immutable :class:`ZoneVersion` with the next SOA serial, stamped with
the world time (world-clock monotonic seconds) it was made. The primary serves the newest
version; the secondary serves the newest version at least ``lag_seconds`` old; and a resolver
"history" can be replayed against the version that was current at some past moment.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import dns.name
import dns.rrset

from tui.sandbox.dns.records import (
    MX,
    NS,
    SOA,
    TXT,
    A,
    Record,
    is_at_or_below,
    nsec_rrset,
    rrset,
    site_address,
    soa_rrset,
)

DEFAULT_SOA_TTL = 3600
DEFAULT_MINIMUM = 1800  # SOA MINIMUM = the negative-caching TTL (RFC 2308 §4)
NS_TTL = 86400
BASE_TTL = 3600
# Zones exist "long before" the world starts: the customer owned the domain already, so a
# history replayed at any recent past moment sees the zone (and its SOA), not a missing TLD.
ZONE_AGE_SECONDS = 30 * 86400
# Enough versions for any lag or history the sandbox allows, without growing forever.
MAX_VERSIONS = 200


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    nameservers: tuple[str, ...]
    hostmaster: str  # the SOA RNAME


PROVIDERS: dict[str, Provider] = {
    p.key: p
    for p in (
        Provider(
            "sandbox",
            "the sandbox DNS host",
            ("ns1.dns-host.example", "ns2.dns-host.example"),
            "hostmaster.dns-host.example",
        ),
        Provider(
            "cloudflare",
            "Cloudflare",
            ("ada.ns.cloudflare.com", "bob.ns.cloudflare.com"),
            "dns.cloudflare.com",
        ),
        Provider("wix", "Wix", ("ns0.wixdns.net", "ns1.wixdns.net"), "support.wix.com"),
        Provider(
            "registrar",
            "the registrar's DNS",
            ("dns1.registrar-servers.com", "dns2.registrar-servers.com"),
            "hostmaster.registrar-servers.com",
        ),
    )
}
DEFAULT_PROVIDER = "sandbox"


def provider_for(nameservers: Iterable[str]) -> Provider | None:
    names = tuple(nameservers)
    return next((p for p in PROVIDERS.values() if p.nameservers == names), None)


@dataclass(frozen=True)
class ZoneVersion:
    """One immutable state of a zone."""

    origin: str
    serial: int
    changed_at: float  # world monotonic seconds
    nameservers: tuple[str, ...]
    hostmaster: str
    soa_ttl: int = DEFAULT_SOA_TTL
    minimum: int = DEFAULT_MINIMUM
    records: tuple[Record, ...] = ()
    # The zone publishes an NSEC chain (RFC 4034 §4) in its denials. The sandbox does not sign
    # (no keys, no RRSIGs): its validating resolvers take the world's word that the chain is
    # authentic, which is all aggressive NSEC (RFC 8198) needs to be shown.
    signed: bool = False

    @property
    def negative_ttl(self) -> int:
        return min(self.soa_ttl, self.minimum)

    # Versions never change, so what is derived from them is computed once (answering a query
    # must stay cheap: a benchmark asks hundreds of resolvers at once).
    @functools.cached_property
    def _soa(self) -> dns.rrset.RRset:
        return soa_rrset(
            self.origin,
            self.nameservers[0],
            self.hostmaster,
            self.serial,
            self.soa_ttl,
            self.minimum,
        )

    def soa(self) -> dns.rrset.RRset:
        return self._soa.copy()

    def ns(self) -> dns.rrset.RRset:
        return rrset(self.origin, NS, NS_TTL, self.nameservers)

    @functools.cached_property
    def _by_name(self) -> dict[str, list[Record]]:
        found: dict[str, list[Record]] = {}
        for record in self.records:
            found.setdefault(record.name, []).append(record)
        return found

    @functools.cached_property
    def _existing(self) -> frozenset[str]:
        """Every owner name and every name between it and the apex (empty non-terminals)."""
        names = {self.origin}
        for name in self._by_name:
            while name not in names and is_at_or_below(name, self.origin):
                names.add(name)
                name = name.partition(".")[2]
        return frozenset(names)

    def at(self, name: str) -> list[Record]:
        return list(self._by_name.get(name, ()))

    def name_exists(self, name: str) -> bool:
        """Owns records, is the apex, or is an empty non-terminal (RFC 8020: not NXDOMAIN)."""
        return name in self._existing

    # -- the NSEC chain of a signed zone ----------------------------------------------------

    @functools.cached_property
    def _chain(self) -> tuple[dns.name.Name, ...]:
        """The owner names in DNSSEC canonical order (RFC 4034 §6.1; dnspython's Name ordering
        is that order). Empty non-terminals own nothing, so they are not in the chain."""
        owners = {self.origin, *(n for n in self._by_name if is_at_or_below(n, self.origin))}
        return tuple(sorted(dns.name.from_text(n or ".") for n in owners))

    def _nsec_of(self, index: int) -> dns.rrset.RRset:
        chain = self._chain
        owner = chain[index]
        following = chain[(index + 1) % len(chain)]  # the last NSEC points back to the apex
        text = owner.to_text(omit_final_dot=True)
        types = {r.type for r in self._by_name.get(text, ())}
        if text == self.origin:
            types |= {SOA, NS}
        return nsec_rrset(text, following.to_text(omit_final_dot=True), types, self.negative_ttl)

    def nsec_at(self, name: str) -> dns.rrset.RRset | None:
        """The NSEC owned by ``name`` (it owns records), proving which types it has."""
        wanted = dns.name.from_text(name)
        index = bisect.bisect_left(self._chain, wanted)
        if index < len(self._chain) and self._chain[index] == wanted:
            return self._nsec_of(index)
        return None

    def nsec_covering(self, name: str) -> dns.rrset.RRset:
        """The NSEC whose owner..next gap holds ``name`` (a name that owns nothing)."""
        index = bisect.bisect_left(self._chain, dns.name.from_text(name)) - 1
        return self._nsec_of(index % len(self._chain))

    def closest_encloser(self, name: str) -> str:
        """The longest ancestor of ``name`` that exists in the zone (RFC 4035 §5.4)."""
        while name != self.origin and name not in self._existing:
            name = name.partition(".")[2]
        return name


@dataclass
class Zone:
    """A zone at its DNS host, with its version history and sandbox-only flags."""

    origin: str
    versions: list[ZoneVersion] = field(default_factory=list)
    dnssec_broken: bool = False  # a DS at the parent that no DNSKEY matches: validators fail
    lag_seconds: float = 0.0  # how long each change takes to reach the secondary
    # When the parent delegates the zone to another DNS host than this one (the user edits
    # records here, the world's resolvers follow the delegation there): the zone as that host
    # serves it. None: the parent delegates to this zone's own name servers.
    delegated_to: Zone | None = None

    @property
    def delegation(self) -> tuple[str, ...]:
        """The NS set the parent zone lists for this zone."""
        return (self.delegated_to or self).current.nameservers

    @property
    def current(self) -> ZoneVersion:
        return self.versions[-1]

    @property
    def provider(self) -> Provider | None:
        return provider_for(self.current.nameservers)

    def version_at(self, moment: float) -> ZoneVersion | None:
        """The version that was current at ``moment`` (None: the zone did not exist yet)."""
        for version in reversed(self.versions):
            if version.changed_at <= moment:
                return version
        return None

    def secondary_at(self, moment: float) -> ZoneVersion | None:
        return self.version_at(moment - self.lag_seconds)

    def change(
        self,
        now: float,
        *,
        records: Iterable[Record] | None = None,
        nameservers: tuple[str, ...] | None = None,
        hostmaster: str | None = None,
        soa_ttl: int | None = None,
        minimum: int | None = None,
        signed: bool | None = None,
    ) -> ZoneVersion:
        """Record a change made at ``now``: a new version with the next serial."""
        old = self.current
        new = replace(
            old,
            serial=old.serial + 1,
            changed_at=max(now, old.changed_at),  # versions stay in time order
            records=old.records if records is None else tuple(records),
            nameservers=nameservers or old.nameservers,
            hostmaster=hostmaster or old.hostmaster,
            soa_ttl=old.soa_ttl if soa_ttl is None else soa_ttl,
            minimum=old.minimum if minimum is None else minimum,
            signed=old.signed if signed is None else signed,
        )
        self.versions.append(new)
        if len(self.versions) > MAX_VERSIONS:
            del self.versions[0]
        return new

    def contains(self, name: str) -> bool:
        return is_at_or_below(name, self.origin)


def base_records(origin: str) -> tuple[Record, ...]:
    """What any customer zone already holds: a web address, a mail host and an SPF policy."""
    mail = f"mail.{origin}"
    return (
        Record(origin, A, site_address(origin), BASE_TTL),
        Record(origin, MX, f"10 {mail}", BASE_TTL),
        Record(origin, TXT, "v=spf1 mx ~all", BASE_TTL),
        Record(mail, A, site_address(mail), BASE_TTL),
    )


def new_zone(
    origin: str,
    created_at: float,
    serial: int,
    *,
    provider: str = DEFAULT_PROVIDER,
    records: Iterable[Record] = (),
    with_base: bool = True,
) -> Zone:
    chosen = PROVIDERS[provider]
    version = ZoneVersion(
        origin=origin,
        serial=serial,
        changed_at=created_at,
        nameservers=chosen.nameservers,
        hostmaster=chosen.hostmaster,
        records=(*(base_records(origin) if with_base else ()), *records),
    )
    return Zone(origin, [version])
