"""The DNS side of each scenario: base zones every world has, and per-scenario resolver plans.

A plan gets the freshly seeded :class:`~tui.sandbox.dns.world.DnsWorld` (every sending domain
already has its zone) and returns the public resolvers, with their histories. The ``dns-lab``
plan lives in :mod:`tui.sandbox.dns.lab`, the ``healthy`` one's zones in
:mod:`tui.sandbox.dns.healthy`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tui.sandbox.dns import healthy, lab
from tui.sandbox.dns.records import TXT, A, Record
from tui.sandbox.dns.resolver import CNAME, History, ResolverSpec

if TYPE_CHECKING:
    from tui.sandbox.dns.world import DnsWorld, DomainDns

PLAIN, MIDWAY, LAB, HEALTHY = "plain", "midway", "lab", "healthy"
PROVIDER_ZONE = "dns-host.example"
BIG_TXT_NAME = f"big.{PROVIDER_ZONE}"
BIG_TXT_LENGTH = 2000  # > 1500 bytes: past any UDP payload, so clients must retry over TCP
PLAIN_RESOLVERS = 4
MIDWAY_NEGATIVE_AGO = 20 * 60

Plan = Callable[["DnsWorld", Sequence["DomainDns"], float], list[ResolverSpec]]


def base_zones(now: float) -> list[tuple[str, list[Record]]]:
    """Zones every world has besides the customers': the ESP's and the DNS host's own."""
    filler = "".join(f"{i:04d}-truncation-test-" for i in range(120))[:BIG_TXT_LENGTH]
    host_records = [
        Record(f"ns1.{PROVIDER_ZONE}", A, "203.0.113.53", 86400),
        Record(f"ns2.{PROVIDER_ZONE}", A, "203.0.113.54", 86400),
        Record(BIG_TXT_NAME, TXT, filler, 3600),
    ]
    return [("ascendbywix.com", []), (PROVIDER_ZONE, host_records)]


def numbered(count: int) -> list[ResolverSpec]:
    return [ResolverSpec(f"isp-{i}") for i in range(1, count + 1)]


def plain(world: DnsWorld, domains: Sequence[DomainDns], now: float) -> list[ResolverSpec]:
    return numbered(PLAIN_RESOLVERS)


def midway(world: DnsWorld, domains: Sequence[DomainDns], now: float) -> list[ResolverSpec]:
    """Two resolvers looked up the records 20 minutes ago, before anyone published them."""
    early = tuple(
        History(host, CNAME, MIDWAY_NEGATIVE_AGO)
        for domain in domains
        if not domain.published and not domain.wix_managed
        for host, _ in domain.records
    )
    specs = numbered(PLAIN_RESOLVERS)
    for i in (0, 1):
        specs[i] = ResolverSpec(specs[i].name, histories=early)
    return specs


def healthy_plan(world: DnsWorld, domains: Sequence[DomainDns], now: float) -> list[ResolverSpec]:
    """SPF and DMARC published long ago beside the CNAMEs; resolvers with empty caches."""
    healthy.publish(world, domains, now)
    return numbered(PLAIN_RESOLVERS)


PLANS: dict[str, Plan] = {
    PLAIN: plain,
    MIDWAY: midway,
    LAB: lab.build,
    HEALTHY: healthy_plan,
}
