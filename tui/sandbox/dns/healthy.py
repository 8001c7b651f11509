"""The ``healthy`` scenario's DNS: mail authentication a careful checker finds nothing wrong with.

Each published sending domain's zone holds Wix's CNAMEs (since the zone exists) and, published
:data:`PUBLISHED_AGO` before the world starts, one SPF at the domain (replacing the zone's base
``v=spf1 mx ~all``, so there is exactly one) that includes ``_spf.mailhost.example``, and one
DMARC record at ``_dmarc.<domain>``. The mailbox provider's zone ``mailhost.example`` is served
too, and the ESP's targets behind the CNAMEs hold a real DKIM key (or, behind ``sg``, the ESP's
SPF) instead of the placeholder keys other scenarios get (see :mod:`tui.sandbox.dns.mailauth`).
The plan's resolvers start with empty caches: whoever asks first gets the authoritative
answers, with no negative cached from before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.sandbox.dns.mailauth import (
    DKIM_KEY,
    ESP_SPF,
    GOOD_SPF,
    MAILHOST_ZONE,
    PROVIDER_TTL,
    RETURN_PATH_PREFIX,
    TXT_TTL,
    dmarc_name,
    good_dmarc,
    is_spf,
    provider_records,
)
from tui.sandbox.dns.records import TXT, Record, normalize
from tui.sandbox.dns.zones import ZONE_AGE_SECONDS

if TYPE_CHECKING:
    from tui.sandbox.dns.world import DnsWorld, DomainDns

PUBLISHED_AGO = 200 * 3600  # as long ago as the domain was authenticated


def publish(world: DnsWorld, domains: Sequence[DomainDns], now: float) -> None:
    """Serve the provider's zone, and give every published domain its SPF and DMARC."""
    world.add_zone(
        MAILHOST_ZONE, now - ZONE_AGE_SECONDS, records=provider_records(), with_base=False
    )
    for domain in domains:
        if not domain.published or domain.wix_managed:
            continue
        name = domain.domain
        zone = world.zones[name]
        kept = [
            r
            for r in zone.current.records
            if not (r.name == name and r.type == TXT and is_spf(r.value))
        ]
        added = [
            Record(name, TXT, GOOD_SPF, TXT_TTL),
            Record(dmarc_name(name), TXT, good_dmarc(name), TXT_TTL),
        ]
        zone.change(now - PUBLISHED_AGO, records=[*kept, *added])
        _esp_targets(world, domain, now - PUBLISHED_AGO)


def _esp_targets(world: DnsWorld, domain: DomainDns, at: float) -> None:
    """The TXT at each of the domain's CNAME targets: a real DKIM key, or the ESP's SPF (one
    new version of the ESP's zone)."""
    wanted = {
        normalize(target): ESP_SPF if host.startswith(RETURN_PATH_PREFIX) else DKIM_KEY
        for host, target in domain.records
    }
    zones = {id(z): z for t in wanted if (z := world.zone_for(t)) is not None}
    for zone in zones.values():
        kept = [r for r in zone.current.records if not (r.name in wanted and r.type == TXT)]
        new = [Record(t, TXT, v, PROVIDER_TTL) for t, v in wanted.items() if zone.contains(t)]
        zone.change(at, records=[*kept, *new])
