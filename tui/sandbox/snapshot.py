"""JSON views of the whole world for humans and tests (``GET /_sandbox/`` and ``/_sandbox/state``).

These show sandbox-only facts Wix never reveals (records of INITIALIZING domains, when they
become ready, which domains Wix manages, the latest codes), so they are never served on a Wix
route.
"""

from __future__ import annotations

from typing import Any

from tui.sandbox import sending_domains
from tui.sandbox.models import Site, iso
from tui.sandbox.routes import WIX_ROUTES
from tui.sandbox.scenarios import RESTRICTED_KEY_SCOPES, SCENARIOS, SiteCredentials
from tui.sandbox.scopes import ALL_SCOPES
from tui.sandbox.sending_domains import refresh_all
from tui.sandbox.world import World


def credentials_json(credentials: SiteCredentials) -> dict[str, Any]:
    restricted = credentials.restricted_api_key
    return {
        "name": credentials.name,
        "siteId": credentials.site_id,
        "apiKey": credentials.api_key,
        "apiKeyScopes": sorted(ALL_SCOPES),
        # Always present ("" / [] when the site has none) so the shape does not vary by site.
        "restrictedApiKey": restricted,
        "restrictedApiKeyScopes": sorted(RESTRICTED_KEY_SCOPES) if restricted else [],
        "appId": credentials.app_id,
        "appSecret": credentials.app_secret,
        "instanceId": credentials.instance_id,
        "ownerEmail": credentials.owner_email,
    }


def index(world: World, control_routes: list[dict[str, str]]) -> dict[str, Any]:
    with world.lock:
        return {
            "sandbox": "wix-sending: a simulated Wix backend (not Wix)",
            "scenario": {"name": world.scenario.name, "description": world.scenario.description},
            "scenarios": {name: s.description for name, s in SCENARIOS.items()},
            "timeScale": world.clock.speed,
            "now": iso(world.clock.now()),
            "initializingSeconds": world.initializing_seconds,
            "rateLimitPerMinute": world.rate_limiter.per_minute,
            "failedCheckAnswer": world.failed_check_answer,
            "sites": [credentials_json(c) for c in world.credentials],
            "wixRoutes": [
                {"name": r.name, "method": r.method, "path": r.path, "scope": r.scope}
                for r in WIX_ROUTES
            ],
            "controlRoutes": control_routes,
        }


def _site_state(world: World, site: Site) -> dict[str, Any]:
    now = world.clock.now()
    refresh_all(site, now)
    domains = []
    for domain in site.sending_domains.values():
        shown = domain.to_json()
        shown["sandbox"] = {
            "reachable": sending_domains.is_reachable(site, domain),
            "readyAt": iso(domain.ready_at),
            "wixManaged": domain.wix_managed,
            "records": [r.to_json() for r in domain.records],
        }
        domains.append(shown)
    return {
        "name": site.name,
        "siteId": site.site_id,
        "accountId": site.account_id,
        "instanceId": site.instance_id,
        "ownerEmail": site.owner_email,
        # The live key table, not the scenario's: what auth would accept for this site now.
        "apiKeys": [
            {"apiKey": key, "scopes": sorted(grant.scopes)}
            for key, grant in world.api_keys.items()
            if grant.account_id == site.account_id
        ],
        "autoVerified": sorted(site.auto_verified),
        "wixManagedDomains": sorted(site.wix_managed_domains),
        "accountDetails": site.account.to_json(now),
        "multipleSendersAllowed": site.account.multiple_senders,
        "senderEmails": [s.to_json() for s in site.sender_emails.values()],
        "senderDetails": [d.to_json() for d in site.sender_details.values()],
        "sendingDomains": domains,
        "latestCodes": {sid: codes[-1] for sid, codes in site.codes_sent.items() if codes},
        "requestsLastMinute": world.rate_limiter.used(site.site_id, world.clock.monotonic()),
    }


def state(world: World) -> dict[str, Any]:
    with world.lock:
        return {
            "scenario": world.scenario.name,
            "now": iso(world.clock.now()),
            "timeScale": world.clock.speed,
            "initializingSeconds": world.initializing_seconds,
            "rateLimitPerMinute": world.rate_limiter.per_minute,
            "failedCheckAnswer": world.failed_check_answer,
            "activeTokens": world.tokens.active(world.clock.monotonic()),
            # Every CNAME the sandbox's DNS hosts serve now (GET /_sandbox/dns shows the rest).
            "publishedRecords": [
                {"hostName": host, "value": value} for host, value in world.dns.cnames()
            ],
            "mailbox": [m.to_json() for m in world.mailbox],
            "faults": world.faults.list(),
            "sites": [_site_state(world, site) for site in world.sites.values()],
        }
