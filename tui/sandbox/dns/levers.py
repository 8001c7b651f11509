"""The resolver and server levers: ``POST /_sandbox/dns/resolvers`` and ``/dns/servers``.

``/dns/resolvers`` sets a resolver's behaviour and options (:mod:`tui.sandbox.dns.resolver`), or
adds a resolver with ``create`` (it gets its own port at once); a field left out keeps its value,
and ``maxNegativeTtl: null`` goes back to the software's cap. What it has cached stays.

``/dns/servers`` puts response rate limiting (:mod:`tui.sandbox.dns.rrl`) on an authoritative
server, or takes it off with ``rateLimit: null``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from tui.sandbox.bodies import allow, boolean, choice, string, string_list
from tui.sandbox.bounds import MAX_DNS_TTL, optional_number
from tui.sandbox.dns.edits import check_name
from tui.sandbox.dns.records import normalize
from tui.sandbox.dns.resolver import (
    ANYCAST,
    BEHAVIOURS,
    DEAD_PATHS,
    MAX_CACHES,
    SERVE_STALE,
    SOFTWARE,
    VALIDATING,
    ResolverSpec,
)
from tui.sandbox.dns.rrl import RateLimit
from tui.sandbox.dns.view import resolver_json, server_json
from tui.sandbox.dns.world import AUTHORITATIVE, PRIMARY, SECONDARY, VERIFIER
from tui.sandbox.errors import ControlError

if TYPE_CHECKING:
    from tui.sandbox.world import World

MAX_DEAD_ZONES = 50
MAX_RATE = 100_000  # answers a second
MAX_SLIP = 10

RESOLVER_FIELDS = (
    "name",
    "create",
    "behaviour",
    "caches",
    "software",
    "maxNegativeTtl",
    "serveStale",
    "deadZones",
    "deadPath",
    "aggressiveNsec",
)


def post_resolver(world: World, request: Request, body: dict[str, Any]) -> Any:
    allow(body, *RESOLVER_FIELDS)
    name = string(body, "name", required=True) or ""
    if name == VERIFIER or name in AUTHORITATIVE:
        # Servers are keyed by name: these ones are the world's own, not resolvers to change.
        raise ControlError(400, f"{name} is one of the sandbox's own servers; choose another name")
    check_name("name", normalize(name))
    create = boolean(body, "create") or False
    with world.lock:
        found = world.dns.resolver(name)
        spec = found.spec if found is not None else ResolverSpec(name)
        spec = _changed(spec, body)
        if spec.aggressive_nsec and spec.behaviour != VALIDATING:
            raise ControlError(
                400, "aggressiveNsec needs a validating resolver (RFC 8198 §5: validated NSEC)"
            )
        resolver = world.dns.set_resolver(spec, create=create)
        return {"resolver": resolver_json(world.dns, resolver)}


def _changed(spec: ResolverSpec, body: dict[str, Any]) -> ResolverSpec:
    behaviour = choice(body, "behaviour", BEHAVIOURS) or spec.behaviour
    caches = optional_number(body, "caches", 1, MAX_CACHES, integer=True)
    if caches is not None and behaviour != ANYCAST:
        raise ControlError(400, "caches applies to the anycast behaviour only")
    cap = spec.max_negative_ttl
    if "maxNegativeTtl" in body:  # null: back to the software's default cap
        found = optional_number(body, "maxNegativeTtl", 0, MAX_DNS_TTL, integer=True)
        cap = None if found is None else int(found)
    zones = string_list(body, "deadZones")
    if zones is not None and len(zones) > MAX_DEAD_ZONES:
        raise ControlError(400, f"deadZones lists at most {MAX_DEAD_ZONES} zones")
    dead = (
        spec.dead_zones
        if zones is None
        else tuple(check_name("deadZones", normalize(z)) for z in zones)
    )
    aggressive = boolean(body, "aggressiveNsec")
    if behaviour != ANYCAST:
        count = 1
    elif caches is not None:
        count = int(caches)
    else:  # anycast already: as many as before; newly anycast: three, like the lab's
        count = spec.caches if spec.behaviour == ANYCAST else 3
    return replace(
        spec,
        behaviour=behaviour,
        caches=count,
        software=choice(body, "software", SOFTWARE) or spec.software,
        max_negative_ttl=cap,
        serve_stale=choice(body, "serveStale", SERVE_STALE) or spec.serve_stale,
        dead_zones=dead,
        dead_path=choice(body, "deadPath", DEAD_PATHS) or spec.dead_path,
        aggressive_nsec=spec.aggressive_nsec if aggressive is None else aggressive,
    )


def post_server(world: World, request: Request, body: dict[str, Any]) -> Any:
    allow(body, "server", "rateLimit", "slip")
    chosen = choice(body, "server", AUTHORITATIVE)
    servers = [chosen] if chosen else [PRIMARY, SECONDARY]
    if "rateLimit" not in body:
        raise ControlError(400, "rateLimit is required: answers a second per source, or null")
    rate = optional_number(body, "rateLimit", 0.1, MAX_RATE)
    slip = optional_number(body, "slip", 0, MAX_SLIP, integer=True)
    if rate is None and slip is not None:
        raise ControlError(400, "slip needs a rateLimit")
    with world.lock:
        for server in servers:
            if rate is None:
                world.dns.rate_limits.pop(server, None)
            else:
                world.dns.rate_limits[server] = RateLimit(
                    float(rate), 2 if slip is None else int(slip)
                )
        return {"servers": [server_json(world.dns, s) for s in servers]}
