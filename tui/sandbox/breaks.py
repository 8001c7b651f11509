"""The ``/_sandbox/break`` control routes: put one realistic problem into the world.

``POST /_sandbox/break`` takes ``{"problem", "siteId"?, "domain"?, "flush"?}``:

- ``problem``: a name ``GET /_sandbox/break`` lists (:mod:`tui.sandbox.problems`);
- ``siteId``: may be left out when the world has one site, or when ``domain`` names the site;
- ``domain``: one of the site's sending domains, left out when the site has exactly one.
  Account problems need none (one given is still checked, and names the site);
- ``flush``: true empties every resolver's cache (the verifier's too) once the change is made,
  so the next question sees it. Without it, resolvers that cached the old answers keep them
  until their TTLs run out, as they would in real life.

It answers 200 with what changed: ``problem``, ``description``, ``siteId``, ``domain``,
``zones`` (each zone given a new version: ``zone``, ``serial``, ``added`` and ``deleted``
records), what the problem changed at Wix (``accountDetails``, ``senderDetails``,
``senderEmail``) and, with ``flush``, ``flushed`` (cache entries dropped). A bad body, an
unknown problem or a domain that is not a sending domain of the site is a 400 saying what is
known; an unknown ``siteId`` a 404; a world the problem cannot be made in a 409.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from tui.sandbox import sending_domains
from tui.sandbox.bodies import allow, boolean, string
from tui.sandbox.dns.records import normalize
from tui.sandbox.dns.zones import ZoneVersion
from tui.sandbox.errors import ControlError
from tui.sandbox.problems import PROBLEMS, Target

if TYPE_CHECKING:
    from tui.sandbox.world import World

BREAK_DOCS: list[tuple[str, str, str]] = [
    ("GET", "/break", "the problems POST /break can put into the world"),
    (
        "POST",
        "/break",
        "{problem, siteId?, domain?, flush?} put one realistic problem into the world",
    ),
]


def _known() -> str:
    return ", ".join(PROBLEMS)


def _target(world: World, site_id: str | None, name: str | None, *, needs_domain: bool) -> Target:
    if name is None:
        chosen = world.resolve_site_id(site_id)
        site = world.sites[chosen]
        if not needs_domain:
            return Target(chosen, site, None)
        domains = [d.domain for d in site.sending_domains.values()]
        if len(domains) != 1:
            listed = f": {', '.join(domains)}" if domains else ""
            raise ControlError(
                400, f"domain is required: site {chosen} has {len(domains)} sending domains{listed}"
            )
        return Target(chosen, site, next(iter(site.sending_domains.values())))
    candidates = [world.resolve_site_id(site_id)] if site_id is not None else list(world.sites)
    wanted = normalize(name)
    hits = [
        (candidate, found)
        for candidate in candidates
        if (found := sending_domains.find_by_name(world.sites[candidate], wanted)) is not None
    ]
    if not hits:
        known = [d.domain for c in candidates for d in world.sites[c].sending_domains.values()]
        where = f"site {site_id}" if site_id is not None else "this world"
        raise ControlError(
            400,
            f"{name!r} is not a sending domain of {where}; sending domains: "
            + (", ".join(known) or "none"),
        )
    if len(hits) > 1:
        raise ControlError(400, f"several sites have the sending domain {name!r}; give siteId")
    chosen, domain = hits[0]
    return Target(chosen, world.sites[chosen], domain)


def _zone_changes(world: World, before: dict[str, ZoneVersion]) -> list[dict[str, Any]]:
    """Every served zone given a new version since ``before``, with the records it gained and
    lost (a zone that did not exist then gained all of its records)."""
    changes = []
    for origin, zone in world.dns.zones.items():
        old = before.get(origin)
        if old is zone.current:
            continue
        was = old.records if old is not None else ()
        now = zone.current.records
        changes.append(
            {
                "zone": origin,
                "serial": zone.current.serial,
                "added": [r.to_json() for r in now if r not in was],
                "deleted": [r.to_json() for r in was if r not in now],
            }
        )
    return changes


def get_break(world: World, request: Request, body: dict[str, Any]) -> Any:
    return {
        "problems": [
            {"name": p.name, "description": p.description, "needsDomain": p.needs_domain}
            for p in PROBLEMS.values()
        ]
    }


def post_break(world: World, request: Request, body: dict[str, Any]) -> Any:
    allow(body, "problem", "siteId", "domain", "flush")
    name = body.get("problem")
    if name is None:
        raise ControlError(400, f"problem is required; known problems: {_known()}")
    problem = PROBLEMS.get(name) if isinstance(name, str) else None
    if problem is None:
        raise ControlError(400, f"unknown problem {name!r}; known problems: {_known()}")
    flush = boolean(body, "flush") or False
    site_id, domain = string(body, "siteId"), string(body, "domain")
    with world.lock:
        target = _target(world, site_id, domain, needs_domain=problem.needs_domain)
        before = {origin: zone.current for origin, zone in world.dns.zones.items()}
        changed = problem.apply(world, target)
        out = {
            "problem": problem.name,
            "description": problem.description,
            "siteId": target.site_id,
            "domain": target.domain.domain if target.domain else None,
            "zones": _zone_changes(world, before),
            **changed,
        }
        if flush:
            out["flushed"] = world.dns.flush()
        return out


BREAK_HANDLERS = {
    ("GET", "/break"): get_break,
    ("POST", "/break"): post_break,
}
