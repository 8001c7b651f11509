"""Editing zones as a user would at a DNS host: the ``/_sandbox/dns/records`` and ``/zones`` routes.

Records are taken the way a DNS host's panel takes them (:mod:`tui.sandbox.dns.panel`): the Host
field is relative to the zone unless it ends with a dot, so pasting the full name doubles the
zone, realistically. Every change is a new zone version with the next SOA serial.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from tui.sandbox.bodies import allow, boolean, choice, string, string_list
from tui.sandbox.bounds import MAX_DNS_LAG_SECONDS, MAX_DNS_TTL, optional_number
from tui.sandbox.dns import panel
from tui.sandbox.dns.records import (
    AAAA,
    CNAME,
    EDITABLE_TYPES,
    MAX_TXT_LENGTH,
    MX,
    A,
    Record,
    name_problem,
    normalize,
)
from tui.sandbox.dns.view import zone_json
from tui.sandbox.dns.zones import PROVIDERS, Zone
from tui.sandbox.errors import ControlError

if TYPE_CHECKING:
    from tui.sandbox.world import World

MAX_NAMESERVERS = 13


def check_name(field: str, name: str) -> str:
    problem = name_problem(name)
    if problem:
        raise ControlError(400, f"{field} {name!r} {problem}")
    return name


def _value(record_type: str, raw: str, zone: str, style: str) -> str:
    """The stored form of what the user typed in the Value field, or a 400 saying why not."""
    if record_type in (A, AAAA):
        kind = ipaddress.IPv4Address if record_type == A else ipaddress.IPv6Address
        try:
            return str(kind(raw.strip()))
        except ValueError:
            raise ControlError(
                400, f"value {raw!r} is not an IPv{4 if record_type == A else 6} address"
            ) from None
    if record_type == CNAME:
        return check_name("value", panel.target_name(raw, zone, style))
    if record_type == MX:
        parts = raw.split()
        preference, host = (parts[0], parts[1]) if len(parts) == 2 else ("10", parts[-1])
        if len(parts) > 2 or not preference.isdigit() or int(preference) > 65535:
            raise ControlError(400, "an MX value is 'PREFERENCE HOST' (or just HOST)")
        return f"{int(preference)} {check_name('value', panel.target_name(host, zone, style))}"
    if len(raw) > MAX_TXT_LENGTH or not raw.isprintable():
        raise ControlError(
            400, f"a TXT value must be printable text of at most {MAX_TXT_LENGTH} characters"
        )
    return raw


def _zone_and_name(world: World, body: dict[str, Any]) -> tuple[Zone, str]:
    zone = world.dns.zone(string(body, "zone", required=True) or "")
    host = body.get("host")
    if not isinstance(host, str):
        raise ControlError(
            400, "host is required: what you would type in the Host field ('@': the zone)"
        )
    return zone, check_name("host", panel.host_name(host, zone.origin))


def _record_type(body: dict[str, Any], *, required: bool) -> str | None:
    raw = string(body, "type", required=required)
    if raw is None:
        return None
    if raw.upper() not in EDITABLE_TYPES:
        raise ControlError(400, f"type must be one of {', '.join(EDITABLE_TYPES)}, not {raw!r}")
    return raw.upper()


def post_record(world: World, request: Request, body: dict[str, Any]) -> Any:
    allow(body, "zone", "host", "type", "value", "ttl", "proxied", "flattened", "panel", "replace")
    with world.lock:
        zone, name = _zone_and_name(world, body)
        record_type = _record_type(body, required=True) or ""
        raw = body.get("value")
        if not isinstance(raw, str) or not raw.strip():
            raise ControlError(400, "value must be a non-empty string")
        style = choice(body, "panel", panel.PANELS) or panel.WEB
        value = _value(record_type, raw, zone.origin, style)
        ttl = optional_number(body, "ttl", 0, MAX_DNS_TTL, integer=True)
        proxied, flattened = boolean(body, "proxied") or False, boolean(body, "flattened") or False
        if (proxied or flattened) and record_type != CNAME:
            raise ControlError(400, "proxied and flattened apply to CNAME records only")
        if proxied and flattened:
            raise ControlError(400, "a CNAME is either proxied or flattened, not both")
        if record_type == CNAME and name == zone.origin and not flattened:
            raise ControlError(
                400,
                f"a CNAME cannot sit at the zone apex {zone.origin} (RFC 1034 §3.6.2: the apex "
                "holds SOA and NS); hosts that allow it flatten it (flattened: true)",
            )
        record = Record(
            name, record_type, value, 3600 if ttl is None else int(ttl), proxied, flattened
        )
        replaced = {record_type} if boolean(body, "replace") else set()
        if flattened and name == zone.origin:
            replaced |= {A, AAAA}  # a flattened apex CNAME takes the place of the addresses
        kept = [
            r
            for r in zone.current.records
            if not (
                r.name == name and (r.type in replaced or (r.type, r.value) == (record_type, value))
            )
        ]
        version = world.dns.replace_records(zone, [*kept, record])
        return {
            "zone": zone.origin,
            "serial": version.serial,
            "record": record.to_json(),
            "recordsAtName": [r.to_json() for r in version.at(name)],
        }


def delete_record(world: World, request: Request, body: dict[str, Any]) -> Any:
    if not body:  # many clients cannot send a DELETE body: the query string works too
        body = dict(request.query_params)
    allow(body, "zone", "host", "type", "value", "panel")
    with world.lock:
        zone, name = _zone_and_name(world, body)
        record_type = _record_type(body, required=False)
        style = choice(body, "panel", panel.PANELS) or panel.WEB
        raw = string(body, "value")
        value = _value(record_type, raw, zone.origin, style) if raw and record_type else raw
        gone = [
            r
            for r in zone.current.records
            if r.name == name
            and (record_type is None or r.type == record_type)
            and (value is None or r.value == value)
        ]
        if not gone:
            there = [f"{r.type} {r.value}" for r in zone.current.records if r.name == name]
            raise ControlError(
                404,
                f"nothing to delete at {name}"
                + (f"; it holds {', '.join(there)}" if there else ""),
            )
        version = world.dns.replace_records(
            zone, [r for r in zone.current.records if r not in gone]
        )
        return {
            "zone": zone.origin,
            "serial": version.serial,
            "deleted": [r.to_json() for r in gone],
        }


# -- zones and resolvers ---------------------------------------------------------------------


def _delegation(body: dict[str, Any]) -> tuple[str, ...] | None:
    """``delegation``: a provider's key, a list of NS names, or null (the zone's own NS)."""
    value = body.get("delegation")
    if value is None:
        return None
    if isinstance(value, str):
        if value not in PROVIDERS:
            raise ControlError(
                400, f"delegation must be one of {', '.join(PROVIDERS)}, a list of NS names or null"
            )
        return PROVIDERS[value].nameservers
    listed = string_list(body, "delegation") or []
    if not 1 <= len(listed) <= MAX_NAMESERVERS:
        raise ControlError(400, f"delegation must list 1 to {MAX_NAMESERVERS} names")
    return tuple(check_name("delegation", normalize(n)) for n in listed)


def post_zone(world: World, request: Request, body: dict[str, Any]) -> Any:
    fields = ("zone", "create", "provider", "nameservers", "negativeTtl", "soaTtl")
    allow(body, *fields, "dnssecBroken", "lagSeconds", "signed", "delegation")
    origin = check_name("zone", normalize(string(body, "zone", required=True) or ""))
    provider = choice(body, "provider", tuple(PROVIDERS))
    listed = string_list(body, "nameservers")
    if provider and listed:
        raise ControlError(400, "give provider or nameservers, not both")
    if listed is not None and not 1 <= len(listed) <= MAX_NAMESERVERS:
        raise ControlError(400, f"nameservers must list 1 to {MAX_NAMESERVERS} names")
    nameservers = tuple(check_name("nameserver", normalize(n)) for n in listed or ())
    minimum = optional_number(body, "negativeTtl", 0, MAX_DNS_TTL, integer=True)
    soa_ttl = optional_number(body, "soaTtl", 0, MAX_DNS_TTL, integer=True)
    lag = optional_number(body, "lagSeconds", 0, MAX_DNS_LAG_SECONDS)
    broken = boolean(body, "dnssecBroken")
    signed = boolean(body, "signed")
    delegation = _delegation(body)
    with world.lock:
        if boolean(body, "create") and origin not in world.dns.zones:
            world.dns.add_zone(origin, world.dns.now(), provider=provider or "sandbox")
        zone = world.dns.zone(origin)
        chosen = PROVIDERS[provider] if provider else None
        if chosen or nameservers or minimum is not None or soa_ttl is not None:
            zone.change(
                world.dns.now(),
                nameservers=chosen.nameservers if chosen else nameservers or None,
                hostmaster=chosen.hostmaster if chosen else None,
                soa_ttl=None if soa_ttl is None else int(soa_ttl),
                minimum=None if minimum is None else int(minimum),
            )
        if signed is not None and signed != zone.current.signed:
            zone.change(world.dns.now(), signed=signed)  # signing is a change: a new serial
        if "delegation" in body:
            world.dns.delegate(zone, delegation)
        if broken is not None:
            zone.dnssec_broken = broken
        if lag is not None:
            zone.lag_seconds = float(lag)
        return {"zone": zone_json(world.dns, zone)}
