"""The DNS half of the sandbox world: zones at their hosts, authoritative views, resolvers.

Three authoritative servers: the primary and the secondary of the DNS host every zone lives at
(the secondary may lag), and the parent (the root and the TLDs, :mod:`parent`), whose referrals
say where each zone is delegated. Resolvers follow the delegation: when the parent delegates a
zone to another host (``Zone.delegated_to``), they see that host's copy, not the primary's.

Pure data and logic, no sockets (:mod:`tui.sandbox.dns.serve` puts it on the network). All of it
is guarded by one re-entrant lock -- the Wix world's own, so ``world.lock`` still makes several
changes atomic -- and all time is world-clock monotonic seconds (``clock.monotonic()``).
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tui.clock import ScaledClock
from tui.sandbox.dns import panel, plans
from tui.sandbox.dns.authority import AuthAnswer, View, answer
from tui.sandbox.dns.parent import parent_answer
from tui.sandbox.dns.records import CNAME, TXT, A, Record, dkim_key, esp_address, normalize
from tui.sandbox.dns.resolver import Outcome, Resolver, ResolverSpec
from tui.sandbox.dns.rrl import RateLimit
from tui.sandbox.dns.zones import (
    ZONE_AGE_SECONDS,
    Zone,
    ZoneVersion,
    new_zone,
    provider_for,
)
from tui.sandbox.errors import ControlError

if TYPE_CHECKING:
    from tui.sandbox.models import SendingDomain

PRIMARY, SECONDARY, PARENT = "primary", "secondary", "parent"
AUTHORITATIVE = (PRIMARY, SECONDARY, PARENT)
VERIFIER = "wix-verifier"
ESP_ZONE = "ascendbywix.com"
ESP_TTL = 3600
MAX_ZONES = 500
MAX_RECORDS_PER_ZONE = 1000
MAX_RESOLVERS = 200


@dataclass(frozen=True)
class DomainDns:
    """What the DNS world needs to know about one sending domain."""

    domain: str
    records: tuple[tuple[str, str], ...]  # (hostName, target) as Wix lists them
    published: bool = False  # the records were put at the DNS host long ago
    wix_managed: bool = False  # Wix hosts the zone and publishes the records itself

    @classmethod
    def of(cls, domain: SendingDomain, *, published: bool = False) -> DomainDns:
        records = tuple((r.host_name, r.value) for r in domain.records)
        return cls(domain.domain, records, published=published, wix_managed=domain.wix_managed)


@dataclass(frozen=True)
class DnsOptions:
    resolver_count: int | None = None  # how many normal resolvers (None: the scenario's)
    latency_ms: float = 0.0  # added to every public resolver's answers (real milliseconds)


class DnsWorld:
    def __init__(
        self,
        clock: ScaledClock,
        lock: threading.RLock | None = None,
        options: DnsOptions | None = None,
    ) -> None:
        self.clock = clock
        self.lock = lock or threading.RLock()
        self.options = options or DnsOptions()
        self.zones: dict[str, Zone] = {}
        # Zones someone edited at a host that does not serve them (e.g. the registrar's DNS
        # while the NS point elsewhere): shown by the control API, never answered from.
        self.unserved: dict[str, Zone] = {}
        self.resolvers: dict[str, Resolver] = {}
        self.verifier = Resolver(ResolverSpec(VERIFIER))
        # Response rate limiting per authoritative server (none unless asked for).
        self.rate_limits: dict[str, RateLimit] = {}
        # Called (under the lock) after the set of resolvers may have changed.
        self.listeners: list[Callable[[], None]] = []
        # Where a server listens, once something serves the world (see DnsServers).
        self.addresses: Callable[[str], tuple[str, int] | None] = lambda name: None
        self._serial_base = int(clock.now().strftime("%Y%m%d")) * 100

    def now(self) -> float:
        return self.clock.monotonic()

    # -- seeding ---------------------------------------------------------------------------

    def reseed(self, plan: str, domains: Sequence[DomainDns]) -> None:
        """Forget everything and build the world a scenario starts from."""
        with self.lock:
            now = self.now()
            self.zones.clear()
            self.unserved.clear()
            self.rate_limits.clear()
            for origin, records in plans.base_zones(now):
                self.add_zone(origin, now - ZONE_AGE_SECONDS, records=records, with_base=False)
            self.sync_domains(domains, at=now - ZONE_AGE_SECONDS)
            specs = plans.PLANS[plan](self, domains, now)
            self.resolvers = {s.name: Resolver(s) for s in self._adjusted(specs)}
            self.verifier = Resolver(ResolverSpec(VERIFIER))
            for resolver in self.resolvers.values():
                # Oldest first: what a resolver keeps depends on the order it learned things.
                histories = sorted(resolver.spec.histories, key=lambda h: -h.ago_seconds)
                for past in histories:
                    resolver.resolve(
                        normalize(past.qname),
                        past.qtype,
                        now=now - past.ago_seconds,
                        upstream=self,
                        cache=min(past.cache, len(resolver.caches) - 1),
                        past=True,
                    )
            for listener in self.listeners:
                listener()

    def _adjusted(self, specs: Sequence[ResolverSpec]) -> list[ResolverSpec]:
        """The scenario's resolvers with the server's benchmark options applied."""
        count, latency = self.options.resolver_count, self.options.latency_ms
        out = list(specs)
        if count is not None:
            planned = {s.name: s for s in specs if s.plain}
            normals = [
                planned.get(f"isp-{i}", ResolverSpec(f"isp-{i}")) for i in range(1, count + 1)
            ]
            out = normals + [s for s in specs if not s.plain]
        if latency:
            out = [replace(s, latency_ms=latency) for s in out]
        return out

    def sync_domains(self, domains: Iterable[DomainDns], at: float | None = None) -> None:
        """Give every sending domain a zone (the customer owns the domain) and every CNAME
        target an address and a key at the ESP, creating only what is missing."""
        with self.lock:
            at = self.now() - ZONE_AGE_SECONDS if at is None else at
            targets: list[str] = []
            for domain in domains:
                targets += [target for _, target in domain.records]
                if self.zone_for(domain.domain) is not None:
                    continue
                provider = "wix" if domain.wix_managed else "sandbox"
                published = domain.published or domain.wix_managed
                records = [
                    Record(normalize(h), CNAME, normalize(t), panel.PUBLISHED_TTL)
                    for h, t in domain.records
                ]
                self.add_zone(
                    domain.domain, at, provider=provider, records=records if published else ()
                )
            self.add_targets(targets, at=at)

    def add_targets(self, targets: Iterable[str], at: float | None = None) -> None:
        esp = self.zones[ESP_ZONE]
        have = {r.name for r in esp.current.records}
        new: list[Record] = []
        for target in map(normalize, targets):
            if target not in have and target.endswith("." + ESP_ZONE):
                have.add(target)
                new += [
                    Record(target, A, esp_address(target), ESP_TTL),
                    Record(target, TXT, dkim_key(target), ESP_TTL),
                ]
        if new:
            esp.change(self.now() if at is None else at, records=[*esp.current.records, *new])

    def add_zone(
        self,
        origin: str,
        at: float,
        *,
        provider: str = "sandbox",
        records: Iterable[Record] = (),
        with_base: bool = True,
        served: bool = True,
    ) -> Zone:
        table = self.zones if served else self.unserved
        if len(table) >= MAX_ZONES:
            raise ControlError(400, f"the sandbox holds at most {MAX_ZONES} zones")
        origin = normalize(origin)
        zone = new_zone(
            origin,
            at,
            self._serial_base + 1,
            provider=provider,
            records=records,
            with_base=with_base,
        )
        table[origin] = zone
        return zone

    # -- finding ---------------------------------------------------------------------------

    def zone_for(self, name: str) -> Zone | None:
        """The served zone closest above ``name``."""
        labels = normalize(name).split(".")
        for i in range(len(labels)):
            found = self.zones.get(".".join(labels[i:]))
            if found is not None:
                return found
        return None

    def zone(self, origin: str) -> Zone:
        found = self.zones.get(normalize(origin))
        if found is None:
            known = ", ".join(sorted(self.zones))
            raise ControlError(404, f"no zone {origin!r} in this world; zones: {known}")
        return found

    def view(self, role: str, at: float, *, delegated: bool = False) -> View:
        """Which zone version a server answers a name from. ``delegated``: as the world's
        resolvers reach it, through the parent's delegation (another host's copy, maybe)."""

        def find(name: str) -> ZoneVersion | None:
            zone = self.zone_for(name)
            if zone is None:
                return None
            if delegated and zone.delegated_to is not None:
                return zone.delegated_to.version_at(at)
            return zone.version_at(at) if role == PRIMARY else zone.secondary_at(at)

        return find

    def delegations(self) -> dict[str, tuple[str, ...]]:
        """Each served zone and the NS set its parent lists for it."""
        return {origin: zone.delegation for origin, zone in self.zones.items()}

    def delegate(
        self, zone: Zone, nameservers: tuple[str, ...] | None, at: float | None = None
    ) -> None:
        """Have the parent delegate ``zone`` to ``nameservers`` (None, or the zone's own: to
        its own servers again). Another host gets its own copy of the zone (made at ``at``),
        holding only what any zone holds, unless it already had one: the records stay where
        the user put them."""
        with self.lock:
            at = self.now() if at is None else at
            if nameservers is None or nameservers == zone.current.nameservers:
                zone.delegated_to = None
                return
            if zone.delegated_to and zone.delegated_to.current.nameservers == nameservers:
                return
            provider = provider_for(nameservers)
            copy = new_zone(
                zone.origin,
                at,
                self._serial_base + 1,
                provider=provider.key if provider else "sandbox",
            )
            if provider is None:
                copy.change(at, nameservers=nameservers)
            zone.delegated_to = copy

    # -- answering -------------------------------------------------------------------------

    def authoritative(
        self, role: str, qname: str, qtype: str, *, dnssec: bool = False
    ) -> AuthAnswer:
        with self.lock:
            if role == PARENT:
                return parent_answer(self.delegations(), normalize(qname), qtype)
            return answer(self.view(role, self.now()), normalize(qname), qtype, dnssec=dnssec)

    def resolver(self, name: str) -> Resolver | None:
        return self.verifier if name == VERIFIER else self.resolvers.get(name)

    def recursive(
        self, name: str, qname: str, qtype: str, *, cd: bool = False, dnssec: bool = False
    ) -> Outcome:
        """A resolver's answer now; a resolver that no longer exists stays silent."""
        with self.lock:
            found = self.resolver(name)
            if found is None:
                return Outcome(silent=True)
            return found.resolve(
                normalize(qname), qtype, now=self.now(), upstream=self, cd=cd, dnssec=dnssec
            )

    def set_resolver(self, spec: ResolverSpec, *, create: bool = False) -> Resolver:
        """Change a resolver's behaviour and options (its cache stays), or add a new one
        (``create``), which gets its own server at once."""
        with self.lock:
            found = self.resolver(spec.name)
            if found is not None:
                found.reconfigure(spec)
                return found
            if not create:
                known = ", ".join(self.resolvers)
                raise ControlError(404, f"no resolver named {spec.name!r}; resolvers: {known}")
            if len(self.resolvers) >= MAX_RESOLVERS:
                raise ControlError(400, f"the sandbox runs at most {MAX_RESOLVERS} resolvers")
            created = Resolver(spec)
            self.resolvers[spec.name] = created
            for listener in self.listeners:
                listener()
            return created

    def lookup(
        self, name: str, qname: str, qtype: str, *, cd: bool = False, ago: float = 0.0
    ) -> Outcome:
        """Make a resolver look a name up (``ago`` world seconds in the past), as if someone
        had queried it then: whatever it caches stays, counting down from that moment."""
        with self.lock:
            found = self.resolver(name)
            if found is None:
                raise ControlError(404, f"no resolver named {name!r}")
            at = self.now() - ago
            # A look in the past happened before any path to a zone broke.
            return found.resolve(
                normalize(qname), qtype, now=at, upstream=self, cd=cd, past=ago > 0
            )

    # Upstream, for the resolvers: which authoritative server a resolver asks is fixed per
    # (resolver, name), so tests are stable, yet some resolvers do land on a lagging secondary.
    # Resolvers ask with DO=1 (BIND and unbound do by default), so signed zones send NSECs.
    def ask(self, resolver: str, qname: str, qtype: str, at: float) -> AuthAnswer:
        role = SECONDARY if zlib.crc32(f"{resolver}|{qname}".encode()) & 1 else PRIMARY
        found = answer(self.view(role, at, delegated=True), qname, qtype, dnssec=True)
        if found.zone is None:  # in no zone (then): the root or its TLD says so
            return parent_answer(self.delegations(), qname, qtype)
        return found

    def _resolved_zone(self, qname: str) -> Zone | None:
        zone = self.zone_for(qname)
        return (zone.delegated_to or zone) if zone is not None else None

    def bogus(self, qname: str) -> bool:
        zone = self.zone_for(qname)
        return zone is not None and zone.dnssec_broken

    def signed(self, qname: str) -> bool:
        zone = self._resolved_zone(qname)
        return zone is not None and zone.current.signed

    def apex(self, qname: str) -> str | None:
        zone = self.zone_for(qname)
        return zone.origin if zone is not None else None

    # -- editing ---------------------------------------------------------------------------

    def replace_records(self, zone: Zone, records: list[Record]) -> ZoneVersion:
        """Store a zone's new record list as a new version (the next serial)."""
        with self.lock:
            if len(records) > MAX_RECORDS_PER_ZONE:
                raise ControlError(
                    400, f"a zone holds at most {MAX_RECORDS_PER_ZONE} records in the sandbox"
                )
            return zone.change(self.now(), records=records)

    def publish(
        self, records: Iterable[tuple[str, str]], mistake: str | None = None
    ) -> list[Record]:
        """Put CNAMEs at the DNS host as a user would (replacing CNAMEs at those names), with
        one of :data:`panel.MISTAKES` if asked; one new zone version per zone touched."""
        with self.lock:
            by_zone: dict[str, list[Record]] = {}
            for host, target in records:
                host, target = normalize(host), normalize(target)
                zone = self._zone_of_host(host)
                by_zone.setdefault(zone.origin, []).extend(
                    panel.mistaken(host, target, zone.origin, mistake)
                )
            written: list[Record] = []
            for origin, new in by_zone.items():
                zone = self.zones[origin]
                names = {r.name for r in new if r.type == CNAME}
                kept = [
                    r for r in zone.current.records if not (r.type == CNAME and r.name in names)
                ]
                self.replace_records(zone, [*kept, *new])
                written += new
            self.add_targets(r.target for r in written if r.type == CNAME)
            return written

    def unpublish(self, hosts: Iterable[str]) -> list[str]:
        """Remove the CNAMEs publishing wrote for ``hosts`` (whatever mistake it made)."""
        with self.lock:
            removed: list[str] = []
            for host in map(normalize, hosts):
                zone = self._zone_of_host(host)
                names = panel.published_names(host, zone.origin)
                leftover = panel.leftover_key(host)
                kept = []
                for r in zone.current.records:
                    gone = (r.type == CNAME and r.name in names) or (
                        r.type == TXT and r.name == host and r.value == leftover
                    )
                    if gone:
                        removed.append(r.name)
                    else:
                        kept.append(r)
                if len(kept) != len(zone.current.records):
                    self.replace_records(zone, kept)
            return removed

    def _zone_of_host(self, host: str) -> Zone:
        zone = self.zone_for(host)
        if zone is None:
            raise ControlError(400, f"no zone in this world holds {host}")
        return zone

    def cnames(self) -> list[tuple[str, str]]:
        """Every CNAME the served zones hold now (hostName, value)."""
        with self.lock:
            return sorted(
                (r.name, r.value)
                for zone in self.zones.values()
                for r in zone.current.records
                if r.type == CNAME
            )

    def flush(self, name: str | None = None, qname: str | None = None) -> int:
        with self.lock:
            chosen = [self.resolver(name)] if name else [*self.resolvers.values(), self.verifier]
            if None in chosen:
                raise ControlError(404, f"no resolver named {name!r}")
            key = normalize(qname) if qname else None
            return sum(r.flush(key) for r in chosen if r is not None)

    def endpoint_names(self) -> list[str]:
        """Every server the wire layer should run: the two authoritative, then resolvers."""
        with self.lock:
            return [*AUTHORITATIVE, *self.resolvers, VERIFIER]
