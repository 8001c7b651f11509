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
        assert set(record) == {"hostName", "value", "type"}
        assert record["type"] == "CNAME"  # UNKNOWN_TYPE | CNAME in the typings (§1.2)
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
    unknown_id = site.post(f"{BASE}/query", json={"query": {"filter": {"id": "nope"}}})
    assert unknown_id.status_code == 200
    assert unknown_id.json()["sendingDomains"] == []
    # Both fields must match; asking for a domain no sender details use is the gate's 428.
    both = site.post(
        f"{BASE}/query", json={"query": {"filter": {"id": domain["id"], "domain": "x.example"}}}
    )
    assert both.status_code == 428
    assert app_error(both)["code"] == "SENDER_DETAILS_DO_NOT_EXIST"


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


NORTHWIND = [  # in creation order, which is the order Query lists them in
    "northwind-studio.example",
    "alpine-tours.example",
    "bloom-florist.example",
    "cedar-lane.example",
    "old-harbor.example",
    "fresh-launch.example",
]


def query(site, **query) -> dict:
    response = site.post(f"{BASE}/query", json={"query": query})
    assert response.status_code == 200, response.text
    return response.json()


def test_query_pages_with_a_cursor(use_scenario):
    agency, _ = use_scenario("agency")
    filter_ = {"domain": {"$in": list(reversed(NORTHWIND))}}
    first = query(agency, filter=filter_, cursorPaging={"limit": 4})
    assert [d["domain"] for d in first["sendingDomains"]] == NORTHWIND[:4]
    metadata = first["pagingMetadata"]
    assert (metadata["count"], metadata["hasNext"]) == (4, True)
    cursor = metadata["cursors"]["next"]
    assert isinstance(cursor, str) and 0 < len(cursor) <= 1000
    # Following requests send the cursor, not the filter.
    second = query(agency, cursorPaging={"cursor": cursor, "limit": 4})
    assert [d["domain"] for d in second["sendingDomains"]] == NORTHWIND[4:]
    assert second["pagingMetadata"] == {"count": 2, "cursors": {}, "hasNext": False}


def test_query_cursor_stays_short_for_a_long_in_list(use_scenario):
    agency, _ = use_scenario("agency")
    padding = [f"{'x' * 55}{i}.example" for i in range(200)]  # never sending domains
    names = NORTHWIND + padding
    assert len(str(names)) > 10_000
    # The unreachable names do not matter: the reachable ones are listed.
    first = query(agency, filter={"domain": {"$in": names}}, cursorPaging={"limit": 1})
    cursor = first["pagingMetadata"]["cursors"]["next"]
    assert len(cursor) <= 1000
    rest = query(agency, cursorPaging={"cursor": cursor})
    assert [d["domain"] for d in rest["sendingDomains"]] == NORTHWIND[1:]


def test_query_accepts_paging_limit_as_the_doc_page_names_it(use_scenario):
    agency, _ = use_scenario("agency")
    body = query(agency, filter={"domain": {"$in": NORTHWIND}}, paging={"limit": 2})
    assert [d["domain"] for d in body["sendingDomains"]] == NORTHWIND[:2]
    assert body["pagingMetadata"]["hasNext"] is True
    following = query(agency, cursorPaging={"cursor": body["pagingMetadata"]["cursors"]["next"]})
    assert [d["domain"] for d in following["sendingDomains"]] == NORTHWIND[2:]


@pytest.mark.parametrize("limit", [0, 100])
def test_query_limit_bounds_are_accepted(use_scenario, limit):
    agency, _ = use_scenario("agency")
    body = query(agency, filter={"domain": {"$in": NORTHWIND}}, cursorPaging={"limit": limit})
    assert body["pagingMetadata"]["count"] == len(body["sendingDomains"]) == min(limit, 6)
    assert body["pagingMetadata"]["hasNext"] is (limit == 0)
    if limit == 0:  # an empty page keeps its place
        rest = query(agency, cursorPaging={"cursor": body["pagingMetadata"]["cursors"]["next"]})
        assert [d["domain"] for d in rest["sendingDomains"]] == NORTHWIND


def test_query_answers_at_most_50_per_page(use_scenario):
    (lab,) = use_scenario("dns-lab")
    every = [
        d["domain"] for d in lab.client.get("/_sandbox/state").json()["sites"][0]["sendingDomains"]
    ]
    body = query(lab, filter={"domain": {"$in": every}}, cursorPaging={"limit": 100})
    assert body["pagingMetadata"]["count"] == len(every) == 18  # under the cap of 50


@pytest.mark.parametrize(
    ("paging", "field", "says"),
    [
        ({"paging": {"limit": 2, "offset": 1}}, "query.paging.offset", "cursorPaging"),
        ({"paging": {"offset": 0}}, "query.paging.offset", "pages with a cursor"),
        ({"paging": {"cursor": "abc"}}, "query.paging.cursor", "cursorPaging"),
        ({"cursorPaging": {"limit": 101}}, "query.cursorPaging.limit", "at most 100"),
        ({"cursorPaging": {"limit": -1}}, "query.cursorPaging.limit", "at least 0"),
        ({"cursorPaging": {"limit": "5"}}, "query.cursorPaging.limit", "integer"),
        ({"cursorPaging": {"limit": True}}, "query.cursorPaging.limit", "integer"),
        ({"paging": {"limit": 101}}, "query.paging.limit", "at most 100"),
        ({"cursorPaging": {"cursor": 5}}, "query.cursorPaging.cursor", "string"),
        ({"cursorPaging": {"cursor": "A" * 1001}}, "query.cursorPaging.cursor", "1000"),
        ({"cursorPaging": {"cursor": "garbage!"}}, "query.cursorPaging.cursor", "not a valid"),
        ({"cursorPaging": []}, "query.cursorPaging", "object"),
        ({"cursorPaging": {}, "paging": {}}, "query.paging", "not both"),
    ],
)
def test_query_refuses_offset_paging_and_bad_cursor_paging(use_scenario, paging, field, says):
    agency, _ = use_scenario("agency")
    body = {"query": {"filter": {"domain": NORTHWIND[0]}, **paging}}
    response = agency.post(f"{BASE}/query", json=body)
    assert response.status_code == 400, response.text
    (violation,) = response.json()["details"]["validationError"]["fieldViolations"]
    assert violation["field"] == field
    assert says in violation["description"]


def test_query_cursor_from_before_a_reset_is_refused(use_scenario):
    agency, _ = use_scenario("agency")
    first = query(agency, filter={"domain": {"$in": NORTHWIND}}, cursorPaging={"limit": 1})
    cursor = first["pagingMetadata"]["cursors"]["next"]
    agency, _ = use_scenario("agency")
    response = agency.post(f"{BASE}/query", json={"query": {"cursorPaging": {"cursor": cursor}}})
    assert response.status_code == 400
    (violation,) = response.json()["details"]["validationError"]["fieldViolations"]
    assert "send the query with its filter again" in violation["description"]


def test_query_cursor_of_a_sender_emails_list_is_refused(use_scenario):
    agency, _ = use_scenario("agency")
    emails = agency.get("/sender-emails/v1/sender-emails", params={"paging.limit": "1"}).json()
    foreign = emails["pagingMetadata"]["cursors"]["next"]
    response = agency.post(f"{BASE}/query", json={"query": {"cursorPaging": {"cursor": foreign}}})
    assert response.status_code == 400
