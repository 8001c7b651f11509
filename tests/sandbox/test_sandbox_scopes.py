"""Permission scopes over HTTP: each route needs the scope the fact sheet names for it, API keys
carry a set of scopes, and a call the key lacks permission for is a 403 (fact sheet §5.1, §7)."""

from __future__ import annotations

import re

import pytest

from tui.sandbox import ROUTE_NAMES, SCENARIOS

DOMAINS = "/sending-domains/v1/sending-domains"
ACCOUNT = "/email-marketing/v1/account-details"
EMAILS = "/sender-emails/v1/sender-emails"

READ = "SCOPE.SENDING-DOMAINS.READ"
MANAGE = "SCOPE.SENDING-DOMAINS.MANAGE"
AUTOMATIONS = "SCOPE.CRM.ACCESS-VERTICALS-BY-AUTOMATIONS"
EMAIL_MARKETING = "SCOPE.DC-PROMOTE.EMAIL-MARKETING"
ALL = sorted([READ, MANAGE, AUTOMATIONS, EMAIL_MARKETING])

RESTRICTED_KEY = "IST.sandbox.agency-readonly.omMnNL0W7gVuEf5-BNBFu1r4GTU4kQWK"

# Route name -> scope, straight from the fact sheet (§1.1, §2, §3.1, §4).
EXPECTED_SCOPES = {
    **{name: AUTOMATIONS for name in ROUTE_NAMES if name.startswith("sender-")},
    "sending-domains.query": READ,
    "sending-domains.get": READ,
    "sending-domains.authenticate": MANAGE,
    "account-details.get": EMAIL_MARKETING,
    "oauth.token": None,
}


def app_error(response) -> dict:
    return response.json()["details"]["applicationError"]


def restricted(agency):
    """Headers calling Northwind Studio with its restricted key."""
    return {"Authorization": agency.creds.restricted_api_key, "wix-site-id": agency.creds.site_id}


def northwind_domain_id(agency, name: str = "northwind-studio.example") -> str:
    (domain,) = agency.query_domain(name)
    return domain["id"]


def test_restricted_key_is_on_the_first_agency_site_only(sandbox, use_scenario):
    agency, maple = use_scenario("agency")
    assert agency.creds.name == "Northwind Studio"
    assert agency.creds.restricted_api_key == RESTRICTED_KEY
    assert maple.creds.restricted_api_key == ""
    for scenario in ("fresh", "midway"):
        assert all(c.restricted_api_key == "" for c in SCENARIOS[scenario].credentials())


def test_index_lists_route_scopes_and_key_scopes(client, use_scenario):
    use_scenario("agency")
    index = client.get("/_sandbox/").json()
    assert {r["name"]: r["scope"] for r in index["wixRoutes"]} == EXPECTED_SCOPES
    northwind, maple = index["sites"]
    assert northwind["apiKeyScopes"] == ALL
    assert northwind["restrictedApiKey"] == RESTRICTED_KEY
    assert northwind["restrictedApiKeyScopes"] == sorted([READ, AUTOMATIONS])
    assert maple["apiKeyScopes"] == ALL
    assert maple["restrictedApiKey"] == ""
    assert maple["restrictedApiKeyScopes"] == []


def test_state_dump_shows_each_sites_keys_and_scopes(client, use_scenario):
    agency, maple = use_scenario("agency")
    northwind_state, maple_state = client.get("/_sandbox/state").json()["sites"]
    assert northwind_state["apiKeys"] == [
        {"apiKey": agency.creds.api_key, "scopes": ALL},
        {"apiKey": RESTRICTED_KEY, "scopes": sorted([READ, AUTOMATIONS])},
    ]
    assert maple_state["apiKeys"] == [{"apiKey": maple.creds.api_key, "scopes": ALL}]


def test_restricted_key_cannot_authenticate_a_domain(use_scenario):
    agency, _ = use_scenario("agency")
    domain_id = northwind_domain_id(agency)
    response = agency.post(f"{DOMAINS}/{domain_id}/authenticate", headers=restricted(agency))
    assert response.status_code == 403
    message = (
        "this API key lacks the permission Manage Sending Domains (SCOPE.SENDING-DOMAINS.MANAGE)"
    )
    assert response.json() == {
        "message": message,
        "details": {
            "applicationError": {"code": "PERMISSION_DENIED", "description": message, "data": {}}
        },
    }
    # Nothing happened: the full key still finds it NOT_AUTHENTICATED.
    assert agency.get(f"{DOMAINS}/{domain_id}").json()["sendingDomain"]["status"] == (
        "NOT_AUTHENTICATED"
    )


def test_restricted_key_cannot_read_account_details(use_scenario):
    agency, _ = use_scenario("agency")
    response = agency.get(ACCOUNT, headers=restricted(agency))
    assert response.status_code == 403
    assert app_error(response)["code"] == "PERMISSION_DENIED"
    assert response.json()["message"] == (
        "this API key lacks the permission Manage Email Marketing "
        "(SCOPE.DC-PROMOTE.EMAIL-MARKETING)"
    )


def test_restricted_key_reads_domains_and_uses_sender_routes(use_scenario, client):
    agency, _ = use_scenario("agency")
    headers = restricted(agency)
    domain_id = northwind_domain_id(agency)
    query = {"query": {"filter": {"domain": "northwind-studio.example"}}}
    assert agency.post(f"{DOMAINS}/query", json=query, headers=headers).status_code == 200
    assert agency.get(f"{DOMAINS}/{domain_id}", headers=headers).status_code == 200
    assert agency.get(EMAILS, headers=headers).status_code == 200
    assert agency.get("/sender-details/v1/sender-details", headers=headers).status_code == 200
    created = agency.post(
        EMAILS,
        json={"senderEmail": {"emailAddress": "desk@northwind-studio.example"}},
        headers=headers,
    )
    assert created.status_code == 200, created.text


@pytest.mark.parametrize("route", [r for r in ROUTE_NAMES if r != "oauth.token"])
def test_restricted_key_is_refused_exactly_where_its_scopes_fall_short(route, use_scenario, client):
    agency, _ = use_scenario("agency")
    routes = client.get("/_sandbox/").json()["wixRoutes"]
    wix_route = next(r for r in routes if r["name"] == route)
    # Placeholder ids: an allowed call gets past auth and fails (or not) on its own terms.
    path = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", wix_route["path"])
    response = agency.request(wix_route["method"], path, json={}, headers=restricted(agency))
    refused = response.status_code == 403 and "lacks the permission" in response.text
    assert refused == (EXPECTED_SCOPES[route] in (MANAGE, EMAIL_MARKETING)), response.text


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_scenario_key_keeps_every_scope(use_scenario, client, scenario):
    sites = use_scenario(scenario)
    routes = [r for r in client.get("/_sandbox/").json()["wixRoutes"] if r["scope"]]
    for site in sites:
        assert site.get(ACCOUNT).status_code == 200
        for route in routes:
            path = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", route["path"])
            response = site.request(route["method"], path, json={})
            assert "lacks the permission" not in response.text, (site.creds.name, route)


def test_oauth_tokens_carry_every_scope(use_scenario, client):
    agency, _ = use_scenario("agency")
    creds = agency.creds
    token = client.post(
        "/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": creds.app_id,
            "client_secret": creds.app_secret,
            "instance_id": creds.instance_id,
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(ACCOUNT, headers=headers).status_code == 200
    domain_id = northwind_domain_id(agency, "cedar-lane.example")  # its records are published
    authenticate = client.post(f"{DOMAINS}/{domain_id}/authenticate", headers=headers)
    assert authenticate.status_code == 200, authenticate.text
    assert authenticate.json()["sendingDomain"]["status"] == "AUTHENTICATED"


def test_authentication_problems_come_before_the_scope_check(use_scenario, client):
    agency, maple = use_scenario("agency")
    wrong_key = client.get(ACCOUNT, headers={"Authorization": "IST.nope", "wix-site-id": "x"})
    assert wrong_key.status_code == 401  # an invalid key is 401 (the newer page, §5.1)
    assert wrong_key.json()["message"].startswith("the API key is not valid")
    # The restricted key of Northwind's account on Maple's site: ownership is judged first.
    cross = client.get(
        ACCOUNT, headers={"Authorization": RESTRICTED_KEY, "wix-site-id": maple.creds.site_id}
    )
    assert cross.status_code == 403
    assert "does not own" in cross.json()["message"]
    missing_auth = client.get(ACCOUNT, headers={"wix-site-id": agency.creds.site_id})
    assert missing_auth.status_code == 401
    as_bearer = client.get(
        ACCOUNT,
        headers={"Authorization": f"Bearer {RESTRICTED_KEY}", "wix-site-id": agency.creds.site_id},
    )
    assert as_bearer.status_code == 401


def test_scope_check_comes_before_body_validation(use_scenario):
    agency, _ = use_scenario("agency")
    domain_id = northwind_domain_id(agency)
    path = f"{DOMAINS}/{domain_id}/authenticate"
    broken = {"content": b"{not json", "headers": {"Content-Type": "application/json"}}
    assert agency.post(path, **broken).status_code == 400  # the full key reaches validation
    denied = agency.post(
        path,
        content=b"{not json",
        headers={**restricted(agency), "Content-Type": "application/json"},
    )
    assert denied.status_code == 403
    assert app_error(denied)["code"] == "PERMISSION_DENIED"


def test_refused_for_scope_is_not_counted_against_the_rate_limit(use_scenario, client):
    agency, _ = use_scenario("agency")
    client.post("/_sandbox/rate-limit", json={"perMinute": 1})
    for _ in range(3):
        assert agency.get(ACCOUNT, headers=restricted(agency)).status_code == 403
    assert agency.get(EMAILS, headers=restricted(agency)).status_code == 200
    assert agency.get(EMAILS, headers=restricted(agency)).status_code == 429
