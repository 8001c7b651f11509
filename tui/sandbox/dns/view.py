"""JSON views of the DNS world for ``GET /_sandbox/dns`` and friends (sandbox-only facts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dns.rcode
import dns.rdatatype
import dns.rrset

from tui.sandbox.dns.records import rrset_texts
from tui.sandbox.dns.resolver import Outcome, Resolver
from tui.sandbox.dns.world import PARENT, PRIMARY, SECONDARY, DnsWorld
from tui.sandbox.dns.zones import Zone
from tui.sandbox.models import iso


def _address(world: DnsWorld, name: str) -> dict[str, Any]:
    where = world.addresses(name)
    return {"host": where[0] if where else None, "port": where[1] if where else None}


def resolver_json(world: DnsWorld, resolver: Resolver) -> dict[str, Any]:
    spec = resolver.spec
    return {
        "name": resolver.name,
        **_address(world, resolver.name),
        "behaviour": resolver.behaviour,
        "caches": len(resolver.caches),
        "latencyMs": spec.latency_ms,
        "software": spec.software,
        "maxNegativeTtl": spec.policy().max_negative_ttl,
        "serveStale": spec.serve_stale,
        "deadZones": list(spec.dead_zones),
        "deadPath": spec.dead_path,
        "aggressiveNsec": spec.aggressive_nsec,
    }


def server_json(world: DnsWorld, role: str) -> dict[str, Any]:
    limit = world.rate_limits.get(role)
    return {
        "role": role,
        **_address(world, role),
        "rateLimit": limit.to_json() if limit is not None else None,
    }


def zone_json(world: DnsWorld, zone: Zone, *, served: bool = True) -> dict[str, Any]:
    now = world.now()
    current = zone.current
    secondary = zone.secondary_at(now)
    provider = zone.provider
    wall = world.clock.now()
    return {
        "zone": zone.origin,
        "served": served,
        "provider": provider.label if provider else "custom nameservers",
        "providerKey": provider.key if provider else None,
        "nameservers": list(current.nameservers),
        "serial": current.serial,
        "secondarySerial": secondary.serial if secondary and served else None,
        "changedAt": iso(wall - timedelta(seconds=now - current.changed_at)),
        "soaTtl": current.soa_ttl,
        "negativeTtl": current.minimum,
        "effectiveNegativeTtl": current.negative_ttl,
        "dnssecBroken": zone.dnssec_broken,
        "signed": current.signed,
        "lagSeconds": zone.lag_seconds,
        "records": [r.to_json() for r in current.records],
        # The NS set the parent (TLD) lists, and, when that is another host, its copy of the
        # zone: the one the world's resolvers see.
        "delegation": list(zone.delegation),
        "delegatedZone": _delegated_json(zone) if served else None,
    }


def _delegated_json(zone: Zone) -> dict[str, Any] | None:
    copy = zone.delegated_to
    if copy is None:
        return None
    provider = copy.provider
    return {
        "provider": provider.label if provider else "custom nameservers",
        "providerKey": provider.key if provider else None,
        "nameservers": list(copy.current.nameservers),
        "serial": copy.current.serial,
        "records": [r.to_json() for r in copy.current.records],
    }


def dns_json(world: DnsWorld) -> dict[str, Any]:
    with world.lock:
        return {
            # The DNS host's own servers (what ``--authoritative`` takes), then the parent.
            "servers": [server_json(world, role) for role in (PRIMARY, SECONDARY)],
            "parent": server_json(world, PARENT),
            "resolvers": [resolver_json(world, r) for r in world.resolvers.values()],
            "verifier": resolver_json(world, world.verifier),
            "zones": [zone_json(world, z) for z in world.zones.values()],
            "unservedZones": [zone_json(world, z, served=False) for z in world.unserved.values()],
            # Every CNAME the DNS hosts serve, in the shape the old "published records" had.
            "records": [{"hostName": h, "value": v} for h, v in world.cnames()],
        }


def caches_json(world: DnsWorld, name: str | None) -> dict[str, Any]:
    with world.lock:
        now = world.now()
        chosen = [*world.resolvers.values(), world.verifier]
        if name is not None:
            chosen = [r for r in chosen if r.name == name]
        return {
            "resolvers": [
                {"name": r.name, "caches": [c.entries(now) for c in r.caches]} for r in chosen
            ]
        }


def rrset_json(found: dns.rrset.RRset) -> dict[str, Any]:
    return {
        "name": found.name.to_text(omit_final_dot=True),
        "type": dns.rdatatype.to_text(found.rdtype),
        "ttl": found.ttl,
        "values": rrset_texts(found),
    }


def outcome_json(name: str, outcome: Outcome) -> dict[str, Any]:
    out: dict[str, Any] = {"resolver": name}
    if outcome.silent:
        return {**out, "rcode": None, "answer": [], "authority": [], "note": "no answer"}
    out |= {
        "rcode": dns.rcode.to_text(outcome.rcode),
        "answer": [rrset_json(s) for s in outcome.answer],
        "authority": [rrset_json(s) for s in outcome.authority],
        "cache": outcome.cache,
    }
    if outcome.ede is not None:
        out["ede"] = int(outcome.ede)
        if outcome.ede_text:
            out["edeText"] = outcome.ede_text
    for flag in ("stale", "synthesized", "authentic"):
        if getattr(outcome, flag):
            out[flag] = True
    return out
