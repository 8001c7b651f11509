"""The ``/_sandbox/dns`` control routes: look at the DNS world and change it as a user would.

This module holds the route table, the views, publishing a sending domain's records, flushing
and lookups; editing records and zones by hand lives in :mod:`tui.sandbox.dns.edits`, and a
resolver's behaviour and options (``software``, ``maxNegativeTtl``, ``serveStale``,
``deadZones``/``deadPath``, ``aggressiveNsec``) and the servers' rate limiting in
:mod:`tui.sandbox.dns.levers`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from tui.sandbox.bodies import allow, boolean, choice, string, string_list
from tui.sandbox.bounds import (
    MAX_LOOKUP_AGO_SECONDS,
    optional_number,
)
from tui.sandbox.dns import panel
from tui.sandbox.dns.edits import check_name, delete_record, post_record, post_zone
from tui.sandbox.dns.levers import post_resolver, post_server
from tui.sandbox.dns.records import (
    AAAA,
    CNAME,
    MX,
    TXT,
    A,
    normalize,
)
from tui.sandbox.dns.resolver import ANSWERING
from tui.sandbox.dns.view import caches_json, dns_json, outcome_json
from tui.sandbox.errors import ControlError

if TYPE_CHECKING:
    from tui.sandbox.world import World

LOOKUP_TYPES = (A, AAAA, CNAME, MX, TXT, "NS", "SOA")

DNS_DOCS: list[tuple[str, str, str]] = [
    ("GET", "/dns", "DNS servers, resolvers and zones (records, serials, providers)"),
    ("GET", "/dns/caches", "resolver cache entries with remaining TTLs; ?resolver=name"),
    (
        "POST",
        "/dns/publish",
        "{siteId?, domain, hostNames?, mistake?} or {records: [{hostName, value}], mistake?}",
    ),
    ("POST", "/dns/unpublish", "{siteId?, domain?, hostNames?}"),
    (
        "POST",
        "/dns/records",
        "{zone, host, type, value, ttl?, proxied?, flattened?, panel?, replace?}",
    ),
    ("DELETE", "/dns/records", "{zone, host, type?, value?} (body or query string)"),
    (
        "POST",
        "/dns/zones",
        "{zone, create?, provider?, nameservers?, negativeTtl?, soaTtl?, dnssecBroken?, "
        "lagSeconds?, signed?, delegation? (provider, NS list, or null: the zone's own)}",
    ),
    (
        "POST",
        "/dns/resolvers",
        "{name, create?, behaviour?, caches?, software? (bind|unbound), maxNegativeTtl?, "
        "serveStale? (off|on-failure|immediate), deadZones?, deadPath? (servfail|silent), "
        "aggressiveNsec?}",
    ),
    ("POST", "/dns/resolvers/flush", "{name?, qname?} empty caches"),
    ("POST", "/dns/resolvers/lookup", "{name?, qname, qtype?, cd?, agoSeconds?} query now"),
    ("POST", "/dns/servers", "{server? (primary|secondary|parent), rateLimit (or null), slip?}"),
]


def get_dns(world: World, request: Request, body: dict[str, Any]) -> Any:
    return dns_json(world.dns)


def get_caches(world: World, request: Request, body: dict[str, Any]) -> Any:
    return caches_json(world.dns, request.query_params.get("resolver") or None)


# -- publishing a sending domain's records ----------------------------------------------------


def _domain_records(world: World, body: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    name = string(body, "domain", required=True) or ""
    _, domain = world.domain_for_control(string(body, "siteId"), name)
    records = [(r.host_name, r.value) for r in domain.records]
    wanted = string_list(body, "hostNames")
    if wanted is None:
        return domain.domain, records
    known = {host.lower(): (host, value) for host, value in records}
    unknown = [h for h in wanted if h.lower().rstrip(".") not in known]
    if unknown:
        raise ControlError(
            400, f"{', '.join(unknown)} not among {domain.domain}'s records: {', '.join(known)}"
        )
    return domain.domain, [known[h.lower().rstrip(".")] for h in wanted]


def _is_record(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("hostName"), str)
        and isinstance(item.get("value"), str)
    )


def post_publish(world: World, request: Request, body: dict[str, Any]) -> Any:
    allow(body, "siteId", "domain", "hostNames", "records", "mistake")
    mistake = choice(body, "mistake", panel.MISTAKES)
    explicit = body.get("records")
    if explicit is not None:
        if not isinstance(explicit, list) or not all(map(_is_record, explicit)):
            raise ControlError(400, "records must be a list of {hostName, value} strings")
        records = [(r["hostName"], r["value"]) for r in explicit]
        for host, value in records:
            check_name("hostName", normalize(host))
            check_name("value", normalize(value))
        domain = body.get("domain")
    else:
        domain, records = _domain_records(world, body)
    written = world.publish_records(records, mistake)
    return {
        "domain": domain,
        "mistake": mistake,
        "published": [{"hostName": h, "value": v} for h, v in records],
        "records": written,
    }


def post_unpublish(world: World, request: Request, body: dict[str, Any]) -> Any:
    allow(body, "siteId", "domain", "hostNames")
    if body.get("domain") is None:
        hosts = string_list(body, "hostNames")
        if not hosts:
            raise ControlError(400, "give domain (and optionally hostNames), or hostNames")
        domain = None
    else:
        domain, records = _domain_records(world, body)
        hosts = [host for host, _ in records]
    world.unpublish_records(hosts)
    return {"domain": domain, "unpublished": hosts}


# -- resolvers ------------------------------------------------------------------------------


def post_flush(world: World, request: Request, body: dict[str, Any]) -> Any:
    allow(body, "name", "qname")
    qname = string(body, "qname")
    if qname is not None:
        check_name("qname", normalize(qname))
    return {"flushed": world.dns.flush(string(body, "name"), qname)}


def post_lookup(world: World, request: Request, body: dict[str, Any]) -> Any:
    allow(body, "name", "qname", "qtype", "cd", "agoSeconds")
    qname = check_name("qname", normalize(string(body, "qname", required=True) or ""))
    qtype = (string(body, "qtype") or CNAME).upper()
    if qtype not in LOOKUP_TYPES:
        raise ControlError(400, f"qtype must be one of {', '.join(LOOKUP_TYPES)}")
    ago = float(optional_number(body, "agoSeconds", 0, MAX_LOOKUP_AGO_SECONDS) or 0)
    cd = boolean(body, "cd") or False
    name = string(body, "name")
    with world.lock:
        names = (
            [name]
            if name
            else [r.name for r in world.dns.resolvers.values() if r.behaviour in ANSWERING]
        )
        results = [
            outcome_json(n, world.dns.lookup(n, qname, qtype, cd=cd, ago=ago)) for n in names
        ]
    return {"qname": qname, "qtype": qtype, "results": results}


DNS_HANDLERS = {
    ("GET", "/dns"): get_dns,
    ("GET", "/dns/caches"): get_caches,
    ("POST", "/dns/publish"): post_publish,
    ("POST", "/dns/unpublish"): post_unpublish,
    ("POST", "/dns/records"): post_record,
    ("DELETE", "/dns/records"): delete_record,
    ("POST", "/dns/zones"): post_zone,
    ("POST", "/dns/resolvers"): post_resolver,
    ("POST", "/dns/servers"): post_server,
    ("POST", "/dns/resolvers/flush"): post_flush,
    ("POST", "/dns/resolvers/lookup"): post_lookup,
}
