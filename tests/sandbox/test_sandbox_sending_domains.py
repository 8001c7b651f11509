"""Sending Domains endpoints over HTTP: appearance, lazy INITIALIZING, query rules, authenticate."""

from __future__ import annotations

import pytest

BASE = "/sending-domains/v1/sending-domains"
DOMAIN = "sunrise-bakery.example"
ADDRESS = f"hello@{DOMAIN}"


def app_error(response) -> dict:
    return response.json()["details"]["applicationError"]


def with_domain(site) -> dict:
    """Verified custom-domain sender details -> the domain exists (INITIALIZING)."""
    site.verify_email(ADDRESS)
    assert site.create_sender("Sunrise Bakery", ADDRESS).status_code == 200
    (domain,) = site.query_domain(DOMAIN)
    return domain


def ready_domain(site, sandbox) -> dict:
    domain = with_domain(site)
    sandbox.clock.advance(120)
    return site.get(f"{BASE}/{domain['id']}").json()["sendingDomain"]


def test_every_call_without_sender_details_is_428(site):
    expected = {
        "code": "SENDER_DETAILS_DO_NOT_EXIST",
        "description": "cannot access requested sending domain",
        "data": {},
    }
    calls = [
        site.get(f"{BASE}/some-id"),
        site.post(f"{BASE}/query", json={"query": {"filter": {"domain": DOMAIN}}}),
        site.post(f"{BASE}/some-id/authenticate", json={}),
        # Even a query the sandbox would otherwise reject as invalid.
        site.post(f"{BASE}/query", json={"query": {"filter": {"status": "x"}, "sort": [{}]}}),
    ]
    for response in calls:
        assert response.status_code == 428
        assert response.json()["message"] == "cannot access requested sending domain"
        assert app_error(response) == expected


def test_custom_domain_sender_creates_an_initializing_domain(site, sandbox):
    domain = with_domain(site)
    assert set(domain) == {"id", "createdDate", "domain", "status", "dnsRecords"}
    assert domain["domain"] == DOMAIN
    assert domain["status"] == "INITIALIZING"
    assert domain["dnsRecords"] == []

    sandbox.clock.advance(119)
    assert site.get(f"{BASE}/{domain['id']}").json()["sendingDomain"]["status"] == "INITIALIZING"
    sandbox.clock.advance(1)
    ready = site.get(f"{BASE}/{domain['id']}").json()["sendingDomain"]
    assert ready["status"] == "NOT_AUTHENTICATED"
    assert ready["createdDate"] == domain["createdDate"]
    records = ready["dnsRecords"]
    assert 3 <= len(records) <= 5
    hosts = [r["hostName"] for r in records]
    assert hosts[:3] == [f"s1._domainkey.{DOMAIN}", f"s2._domainkey.{DOMAIN}", f"sg.{DOMAIN}"]
    for record in records:
        assert set(record) == {"hostName", "value"}
        assert record["value"].startswith(record["hostName"] + ".s00")
        assert record["value"].endswith(".ascendbywix.com")


def test_records_are_deterministic_per_domain(site, sandbox):
    first = ready_domain(site, sandbox)["dnsRecords"]
    sandbox.world.reset("fresh")
    assert ready_domain(site, sandbox)["dnsRecords"] == first


def test_public_mailbox_domain_gets_no_sending_domain(site):
    site.create_email(site.creds.owner_email)
    assert site.create_sender("Owner", site.creds.owner_email).status_code == 200
    assert site.query_domain("gmail.com") == []


def test_updating_sender_to_a_new_custom_domain_creates_it(site):
    site.create_email(site.creds.owner_email)
    details = site.create_sender("Owner", site.creds.owner_email).json()["senderDetails"]
    site.verify_email(ADDRESS)
    response = site.patch(
        f"/sender-details/v1/sender-details/{details['id']}",
        json={"senderDetails": {"fromEmailAddress": ADDRESS}},
    )
    assert response.status_code == 200
    assert [d["status"] for d in site.query_domain(DOMAIN)] == ["INITIALIZING"]


@pytest.mark.parametrize(
    "filter_",
    [
        {"domain": DOMAIN},
        {"domain": DOMAIN.upper()},
        {"domain": {"$eq": DOMAIN}},
        {"domain": {"$in": ["other.example", DOMAIN]}},
    ],
)
def test_query_filter_forms(site, filter_):
    with_domain(site)
    response = site.post(f"{BASE}/query", json={"query": {"filter": filter_}})
    assert response.status_code == 200
    body = response.json()
    assert [d["domain"] for d in body["sendingDomains"]] == [DOMAIN]
    assert body["pagingMetadata"] == {"count": 1, "cursors": {}, "hasNext": False}


def test_query_by_id_and_no_match(site):
    domain = with_domain(site)
    by_id = site.post(f"{BASE}/query", json={"query": {"filter": {"id": {"$in": [domain["id"]]}}}})
    assert [d["id"] for d in by_id.json()["sendingDomains"]] == [domain["id"]]
    both = site.post(
        f"{BASE}/query", json={"query": {"filter": {"id": domain["id"], "domain": "x.example"}}}
    )
    assert both.json()["sendingDomains"] == []


@pytest.mark.parametrize("body", [{}, {"query": {}}, {"query": {"filter": {}}}, None])
def test_query_without_filter_is_428(site, body):
    with_domain(site)
    kwargs = {"json": body} if body is not None else {}
    response = site.post(f"{BASE}/query", **kwargs)
    assert response.status_code == 428
    assert app_error(response)["code"] == "SENDER_DETAILS_DO_NOT_EXIST"


@pytest.mark.parametrize(
    "query",
    [
        {"filter": {"status": "AUTHENTICATED"}},
        {"filter": {"domain": {"$ne": DOMAIN}}},
        {"filter": {"domain": {"$startsWith": "sun"}}},
        {"filter": {"$or": [{"domain": DOMAIN}]}},
        {"filter": {"domain": {"$in": DOMAIN}}},
        {"filter": {"domain": DOMAIN}, "sort": [{"fieldName": "domain"}]},
        {"filter": "domain"},
    ],
)
def test_query_rejects_unsupported_filters_and_sort(site, query):
    with_domain(site)
    response = site.post(f"{BASE}/query", json={"query": query})
    assert response.status_code == 400
    assert response.json()["details"]["validationError"]["fieldViolations"]


def test_get_unknown_id_is_404(site):
    with_domain(site)
    response = site.get(f"{BASE}/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert app_error(response)["code"] == "NOT_FOUND"
    assert site.post(f"{BASE}/nope/authenticate").status_code == 404


def test_authenticate_while_initializing_is_428(site):
    domain = with_domain(site)
    response = site.post(f"{BASE}/{domain['id']}/authenticate", json={})
    assert response.status_code == 428
    assert app_error(response)["code"] == "SENDING_DOMAIN_NOT_READY"


def test_authenticate_fails_until_every_record_is_published(site, sandbox, client):
    domain = ready_domain(site, sandbox)
    path = f"{BASE}/{domain['id']}/authenticate"
    hosts = [r["hostName"] for r in domain["dnsRecords"]]
    flush = "/_sandbox/dns/resolvers/flush"

    nothing = site.post(path, json={})
    assert nothing.status_code == 428
    error = app_error(nothing)
    assert error["code"] == "DNS_RECORDS_NOT_FOUND"
    assert error["data"]["missingHostNames"] == hosts
    assert f"no CNAME at {hosts[0]}" in error["description"]

    # Wix's resolver cached those negatives: flush it, as if they had expired.
    client.post("/_sandbox/dns/publish", json={"domain": DOMAIN, "hostNames": hosts[:1]})
    client.post(flush, json={"name": "wix-verifier"})
    partial = site.post(path)
    assert app_error(partial)["data"]["missingHostNames"] == hosts[1:]

    # A record pointing elsewhere does not count.
    client.post("/_sandbox/dns/publish", json={"domain": DOMAIN})
    client.post(
        "/_sandbox/dns/publish", json={"records": [{"hostName": hosts[0], "value": "x.example"}]}
    )
    client.post(flush, json={"name": "wix-verifier"})
    wrong = site.post(path)
    assert app_error(wrong)["data"]["missingHostNames"] == [hosts[0]]
    assert "points to x.example" in app_error(wrong)["description"]
    assert site.get(f"{BASE}/{domain['id']}").json()["sendingDomain"]["status"] == (
        "NOT_AUTHENTICATED"
    )

    # Fixed at the DNS host, but the verifier keeps the wrong target for its TTL (3600 s).
    client.post("/_sandbox/dns/publish", json={"domain": DOMAIN})
    cached = app_error(site.post(path))["description"]
    assert "points to x.example" in cached
    assert "a cached answer that expires in 3600 s" in cached
    sandbox.clock.advance(3600)
    ok = site.post(path, content=b"")  # an empty body is accepted too
    assert ok.status_code == 200
    assert ok.json()["sendingDomain"]["status"] == "AUTHENTICATED"
    assert ok.json()["sendingDomain"]["dnsRecords"] == domain["dnsRecords"]

    again = site.post(path, json={})
    assert again.status_code == 200
    assert again.json()["sendingDomain"]["status"] == "AUTHENTICATED"


def test_authenticate_rejects_a_non_object_body(site, sandbox):
    domain = ready_domain(site, sandbox)
    response = site.post(
        f"{BASE}/{domain['id']}/authenticate",
        content=b"[]",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_wix_managed_domain_authenticates_by_itself(use_scenario, sandbox):
    agency, _ = use_scenario("agency")
    email = agency.create_email("orders@pinecrest-bakery.example")
    assert email["verified"] is True  # a Wix business mailbox
    assert agency.create_sender("Pinecrest", "orders@pinecrest-bakery.example").status_code == 200
    (domain,) = agency.query_domain("pinecrest-bakery.example")
    assert domain["status"] == "INITIALIZING"
    sandbox.clock.advance(120)
    (domain,) = agency.query_domain("pinecrest-bakery.example")
    assert domain["status"] == "AUTHENTICATED"
    assert domain["dnsRecords"]


def test_unknown_status_cannot_be_authenticated(use_scenario):
    agency, _ = use_scenario("agency")
    (domain,) = agency.query_domain("old-harbor.example")
    assert domain["status"] == "DISABLED"
    response = agency.post(f"{BASE}/{domain['id']}/authenticate", json={})
    assert response.status_code == 428
    assert app_error(response)["code"] == "SENDING_DOMAIN_NOT_READY"


def test_query_is_capped_at_50_and_honours_paging(use_scenario):
    agency, _ = use_scenario("agency")
    names = [
        "fresh-launch.example",
        "northwind-studio.example",
        "alpine-tours.example",
        "bloom-florist.example",
    ]
    query = {"filter": {"domain": {"$in": names}}, "paging": {"limit": 2, "offset": 1}}
    body = agency.post(f"{BASE}/query", json={"query": query}).json()
    # Results come in creation order: northwind-studio, alpine-tours, bloom-florist, fresh-launch.
    assert [d["domain"] for d in body["sendingDomains"]] == [
        "alpine-tours.example",
        "bloom-florist.example",
    ]
    assert body["pagingMetadata"] == {"count": 2, "cursors": {}, "hasNext": True}
    big = {"filter": {"domain": {"$in": names}}, "cursorPaging": {"limit": 500}}
    assert agency.post(f"{BASE}/query", json={"query": big}).json()["pagingMetadata"]["count"] == 4
    bad = {"filter": {"domain": names[0]}, "paging": {"limit": 0}}
    assert agency.post(f"{BASE}/query", json={"query": bad}).status_code == 400
