"""The ``dns-lab`` scenario's DNS: one sending domain per real-world situation.

Each domain shows exactly one thing a propagation checker must explain, set up as it would have
happened (records published at some past moment, resolvers that looked too early, a host that
lags), so the answers on the wire carry realistic serials and remaining TTLs:

=========================  ==============================================================
queried-early.example      published 5 min ago; isp-1 and the anycast resolver (2 of its 3
                           caches) cached NXDOMAIN before that
stale-target.example       targets moved from an old shard 10 min ago; isp-2 cached the old
                           targets 20 min ago with TTL 3600
wrong-target.example       the first record's target lost its last character
doubled.example            the Host field got the full name: NAME.doubled.example.doubled.example
relative.example           targets without the final dot in a BIND panel: TARGET.relative.example
typo.example               the first record at s1.domainkey... instead of s1._domainkey...
conflict.example           a leftover TXT at the first record's name; two CNAMEs at the second's
proxied.example            on Cloudflare: first record proxied, second flattened
elsewhere.example          NS at Cloudflare, but the records were added at the registrar's DNS
dnssec-broken.example      correct, but its DNSSEC is broken (only ``validating`` sees it)
lagging.example            published just now; the secondary lags 15 min behind the primary
apex.example               nothing special: try ``watch apex.example=target.example``
shared-soa.example         published 5 min ago; ``unbound`` cached NXDOMAIN 10 min ago, then a
                           ``_dmarc`` lookup 2 min ago brought the new SOA: its negatives show
                           the new serial and 1680 s, yet expire in 1200 s
txt-early.example          published 5 min ago; ``unbound`` was asked TXT 10 min ago: the TXT
                           negatives stay (capped at 3600 s though the zone says 86400) while
                           CNAME questions resolve
dead-path.example          correct, but ``path-servfail`` and ``path-silent`` cannot reach it
stale-served.example       ``stale`` cannot reach it and serves what expired (RFC 8767): a
                           stale NXDOMAIN for the first record, stale CNAMEs for the others
wrong-host.example         records at the sandbox DNS host, but the TLD delegates the zone to
                           Cloudflare, where resolvers find no records
signed.example             signed, published 5 min ago; ``validating`` looked up ``_dmarc`` 10
                           min ago and denies the DKIM selectors from that NSEC (RFC 8198)
=========================  ==============================================================

New behaviours have resolvers of their own (``unbound``, ``path-servfail``, ``path-silent``,
``stale``) that answer every other lab domain as a clean resolver would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.sandbox.dns import panel
from tui.sandbox.dns.records import CNAME, TXT, Record, normalize
from tui.sandbox.dns.resolver import (
    ANYCAST,
    DEAD,
    PATH_SILENT,
    REFUSED,
    SERVFAIL,
    STALE_ON_FAILURE,
    UNBOUND,
    VALIDATING,
    History,
    ResolverSpec,
)
from tui.sandbox.dns.zones import PROVIDERS, ZONE_AGE_SECONDS, Zone

if TYPE_CHECKING:
    from tui.sandbox.dns.world import DnsWorld, DomainDns

QUERIED_EARLY = "queried-early.example"
STALE_TARGET = "stale-target.example"
WRONG_TARGET = "wrong-target.example"
DOUBLED = "doubled.example"
RELATIVE = "relative.example"
TYPO = "typo.example"
CONFLICT = "conflict.example"
PROXIED = "proxied.example"
ELSEWHERE = "elsewhere.example"
DNSSEC_BROKEN = "dnssec-broken.example"
LAGGING = "lagging.example"
APEX = "apex.example"
SHARED_SOA = "shared-soa.example"
TXT_EARLY = "txt-early.example"
DEAD_PATH = "dead-path.example"
STALE_SERVED = "stale-served.example"
WRONG_HOST = "wrong-host.example"
SIGNED = "signed.example"

# World seconds before the start of the world.
PUBLISHED_AGO = 3600  # when most lab records were published: long enough to look settled
EARLY_PUBLISHED_AGO = 5 * 60
EARLY_QUERY_AGO = 10 * 60  # -> NXDOMAIN with 1800 - 600 = 1200 s left
EARLY_QUERY_OLDER_AGO = 25 * 60  # the anycast's second cache -> 300 s left
STALE_CHANGED_AGO = 10 * 60
STALE_QUERY_AGO = 20 * 60  # -> the old target with 3600 - 1200 = 2400 s left
OLD_PUBLISHED_AGO = 3 * 86400
LAG_SECONDS = 15 * 60
LEFTOVER_CNAME = "dkim.old-esp.example"  # a previous email provider's target
SOA_REFRESH_AGO = 2 * 60  # a lookup that brought the new SOA -> 1800 - 120 = 1680 s shown
LONG_NEGATIVE_TTL = 86400  # past unbound's 3600 s cap: 3600 - 600 = 3000 s left
STALE_NX_PUBLISHED_AGO = 40 * 60
STALE_NX_QUERY_AGO = 50 * 60  # NXDOMAIN for 1800 s: expired 20 min ago
STALE_SERVED_QUERY_AGO = 2 * 3600  # the CNAMEs for 3600 s: expired an hour ago
DMARC = "_dmarc"


def old_target(target: str) -> str:
    """The same target on the shard Wix used before (``...s006...`` -> ``...s004...``)."""
    labels = target.split(".")
    shard = labels[-3]
    labels[-3] = f"s{(int(shard[1:]) - 3) % 9 + 1:03d}"
    return ".".join(labels)


def _cnames(domain: DomainDns, targets: dict[str, str] | None = None) -> list[Record]:
    return [
        Record(normalize(host), CNAME, (targets or {}).get(host, normalize(target)))
        for host, target in domain.records
    ]


def _add(world: DnsWorld, zone: Zone, records: list[Record], at: float) -> None:
    zone.change(at, records=[*zone.current.records, *records])
    world.add_targets((r.target for r in records if r.type == CNAME), at=at)


def _set(zone: Zone, records: list[Record], at: float) -> None:
    kept = [r for r in zone.current.records if r.type != CNAME]
    zone.change(at, records=[*kept, *records])


def _mistaken(domain: DomainDns, mistake: str, which: int | None = None) -> list[Record]:
    """All the domain's records, with ``mistake`` made on record ``which`` (None: on all)."""
    out: list[Record] = []
    for index, (host, target) in enumerate(domain.records):
        made = mistake if which is None or index == which else None
        out += panel.mistaken(normalize(host), normalize(target), domain.domain, made)
    return out


def _on_cloudflare(world: DnsWorld, domain: str, now: float) -> Zone:
    del world.zones[domain]
    return world.add_zone(domain, now - ZONE_AGE_SECONDS, provider="cloudflare")


def build(world: DnsWorld, domains: Sequence[DomainDns], now: float) -> list[ResolverSpec]:
    by_name = {d.domain: d for d in domains}
    settled = now - PUBLISHED_AGO
    histories: dict[str, list[History]] = {}

    def looked(resolver: str, *found: History) -> None:
        histories.setdefault(resolver, []).extend(found)

    for name, domain in by_name.items():
        zone = world.zones[name]
        hosts = [normalize(h) for h, _ in domain.records]
        if name == QUERIED_EARLY:
            _add(world, zone, _cnames(domain), now - EARLY_PUBLISHED_AGO)
            early = [History(h, CNAME, EARLY_QUERY_AGO) for h in hosts]
            looked("isp-1", *early)
            # Cache 0 looked 10 min ago, cache 1 25 min ago, cache 2 never: answers flip-flop.
            looked("anycast", *early, *(History(h, CNAME, EARLY_QUERY_OLDER_AGO, 1) for h in hosts))
        elif name == STALE_TARGET:
            old = {h: old_target(normalize(t)) for h, t in domain.records}
            _add(world, zone, _cnames(domain, old), now - OLD_PUBLISHED_AGO)
            _set(zone, _cnames(domain), now - STALE_CHANGED_AGO)
            looked("isp-2", *(History(h, CNAME, STALE_QUERY_AGO) for h in hosts))
        elif name == WRONG_TARGET:
            _add(world, zone, _mistaken(domain, panel.WRONG_TARGET, which=0), settled)
        elif name == DOUBLED:
            _add(world, zone, _mistaken(domain, panel.DOUBLE_SUFFIX), settled)
        elif name == RELATIVE:
            _add(world, zone, _mistaken(domain, panel.RELATIVE_TARGET), settled)
        elif name == TYPO:
            _add(world, zone, _mistaken(domain, panel.TYPO_UNDERSCORE, which=0), settled)
        elif name == CONFLICT:
            records = _mistaken(domain, panel.CONFLICT, which=0)
            second = normalize(domain.records[1][0])
            _add(world, zone, [*records, Record(second, CNAME, LEFTOVER_CNAME)], settled)
        elif name == PROXIED:
            zone = _on_cloudflare(world, name, now)
            records = _cnames(domain)
            records[0] = Record(records[0].name, CNAME, records[0].value, proxied=True)
            records[1] = Record(records[1].name, CNAME, records[1].value, flattened=True)
            _add(world, zone, records, settled)
        elif name == ELSEWHERE:
            _on_cloudflare(world, name, now)
            registrar = world.add_zone(
                name, now - ZONE_AGE_SECONDS, provider="registrar", served=False
            )
            _add(world, registrar, _cnames(domain), settled)
        elif name == DNSSEC_BROKEN:
            _add(world, zone, _cnames(domain), settled)
            zone.dnssec_broken = True
        elif name == LAGGING:
            zone.lag_seconds = LAG_SECONDS
            _add(world, zone, _cnames(domain), now)
        elif name == SHARED_SOA:
            _add(world, zone, _cnames(domain), now - EARLY_PUBLISHED_AGO)
            looked("unbound", *(History(h, CNAME, EARLY_QUERY_AGO) for h in hosts))
            looked("unbound", History(f"{DMARC}.{name}", TXT, SOA_REFRESH_AGO))
        elif name == TXT_EARLY:
            zone.change(
                now - OLD_PUBLISHED_AGO, soa_ttl=LONG_NEGATIVE_TTL, minimum=LONG_NEGATIVE_TTL
            )
            _add(world, zone, _cnames(domain), now - EARLY_PUBLISHED_AGO)
            looked("unbound", *(History(h, TXT, EARLY_QUERY_AGO) for h in hosts))
        elif name == DEAD_PATH:
            _add(world, zone, _cnames(domain), settled)
        elif name == STALE_SERVED:
            first, *rest = _cnames(domain)
            _add(world, zone, rest, now - OLD_PUBLISHED_AGO)
            _add(world, zone, [first], now - STALE_NX_PUBLISHED_AGO)
            looked("stale", History(first.name, CNAME, STALE_NX_QUERY_AGO))
            looked("stale", *(History(r.name, CNAME, STALE_SERVED_QUERY_AGO) for r in rest))
        elif name == WRONG_HOST:
            _add(world, zone, _cnames(domain), settled)
            world.delegate(zone, PROVIDERS["cloudflare"].nameservers, now - ZONE_AGE_SECONDS)
        elif name == SIGNED:
            zone.change(now - OLD_PUBLISHED_AGO, signed=True)
            _add(world, zone, _cnames(domain), now - EARLY_PUBLISHED_AGO)
            looked("validating", History(f"{DMARC}.{name}", TXT, EARLY_QUERY_AGO))
    return resolvers({key: tuple(found) for key, found in histories.items()})


def resolvers(histories: dict[str, tuple[History, ...]]) -> list[ResolverSpec]:
    def past(name: str) -> tuple[History, ...]:
        return histories.get(name, ())

    return [
        *(ResolverSpec(f"isp-{i}", histories=past(f"isp-{i}")) for i in range(1, 7)),
        ResolverSpec("anycast", ANYCAST, caches=3, histories=past("anycast")),
        ResolverSpec("validating", VALIDATING, histories=past("validating"), aggressive_nsec=True),
        ResolverSpec("servfail", SERVFAIL),
        ResolverSpec("refused", REFUSED),
        ResolverSpec("dead", DEAD),
        ResolverSpec("unbound", histories=past("unbound"), software=UNBOUND),
        ResolverSpec("path-servfail", dead_zones=(DEAD_PATH,)),
        ResolverSpec("path-silent", dead_zones=(DEAD_PATH,), dead_path=PATH_SILENT),
        ResolverSpec(
            "stale",
            histories=past("stale"),
            serve_stale=STALE_ON_FAILURE,
            dead_zones=(STALE_SERVED,),
        ),
    ]
