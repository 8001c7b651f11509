"""The sender-details gate, per domain (fact sheet §1.4, §1.6, §1.7): a sending domain answers
Get, Query and Authenticate only while some sender details of the site use an address on it."""

from __future__ import annotations

import pytest

from tui.sandbox import sender_details, sending_domains
from tui.sandbox.errors import SandboxError

BASE = "/sending-domains/v1/sending-domains"
DETAILS = "/sender-details/v1/sender-details"
GATE = {
    "code": "SENDER_DETAILS_DO_NOT_EXIST",
    "description": "cannot access requested sending domain",
    "data": {},
}


def app_error(response) -> dict:
    return response.json()["details"]["applicationError"]


def assert_gated(response) -> None:
    assert response.status_code == 428, response.text
    assert response.json()["message"] == "cannot access requested sending domain"
    assert app_error(response) == GATE


def northwind(use_scenario):
    agency, _ = use_scenario("agency")
    details = {d["fromEmailAddress"]: d for d in agency.get(DETAILS).json()["senderDetails"]}
    return agency, details


def domain_of(agency, sandbox, name: str) -> dict:
    with sandbox.world.lock:
        (site,) = [s for s in sandbox.world.sites.values() if s.name == "Northwind Studio"]
        (found,) = [d for d in site.sending_domains.values() if d.domain == name]
        return {"id": found.id, "status": found.status}


def test_deleting_the_sender_details_closes_their_domain_only(use_scenario, sandbox):
    agency, details = northwind(use_scenario)
    cedar = domain_of(agency, sandbox, "cedar-lane.example")
    assert agency.get(f"{BASE}/{cedar['id']}").status_code == 200
    assert agency.delete(f"{DETAILS}/{details['studio@cedar-lane.example']['id']}").json() == {}

    assert_gated(agency.get(f"{BASE}/{cedar['id']}"))
    assert_gated(agency.post(f"{BASE}/{cedar['id']}/authenticate", json={}))
    by_name = {"query": {"filter": {"domain": "cedar-lane.example"}}}
    assert_gated(agency.post(f"{BASE}/query", json=by_name))
    by_id = {"query": {"filter": {"id": {"$in": [cedar["id"]]}}}}
    assert_gated(agency.post(f"{BASE}/query", json=by_id))

    # The site still has other senders, and their domains still answer.
    alpine = domain_of(agency, sandbox, "alpine-tours.example")
    assert agency.get(f"{BASE}/{alpine['id']}").status_code == 200
    assert [d["domain"] for d in agency.query_domain("alpine-tours.example")] == [
        "alpine-tours.example"
    ]


def test_a_mixed_query_lists_only_the_reachable_domains(use_scenario):
    agency, details = northwind(use_scenario)
    agency.delete(f"{DETAILS}/{details['studio@cedar-lane.example']['id']}")
    names = ["cedar-lane.example", "alpine-tours.example", "never-used.example"]
    response = agency.post(f"{BASE}/query", json={"query": {"filter": {"domain": {"$in": names}}}})
    assert response.status_code == 200
    body = response.json()
    assert [d["domain"] for d in body["sendingDomains"]] == ["alpine-tours.example"]
    assert body["pagingMetadata"] == {"count": 1, "cursors": {}, "hasNext": False}


def test_moving_sender_details_to_another_domain_closes_the_old_one(use_scenario, sandbox):
    (site,) = use_scenario("single-sender")
    (details,) = site.get(DETAILS).json()["senderDetails"]
    (old,) = site.query_domain("lakeside-yoga.example")
    moved = site.patch(
        f"{DETAILS}/{details['id']}",
        json={"senderDetails": {"fromEmailAddress": "classes@lakeside-studio.example"}},
    )
    assert moved.status_code == 200, moved.text

    assert_gated(site.get(f"{BASE}/{old['id']}"))
    assert_gated(
        site.post(f"{BASE}/query", json={"query": {"filter": {"domain": "lakeside-yoga.example"}}})
    )
    (new,) = site.query_domain("lakeside-studio.example")
    assert new["status"] == "INITIALIZING"

    # Moving back reopens the old domain as it was: same id, same status, same records.
    site.patch(
        f"{DETAILS}/{details['id']}",
        json={"senderDetails": {"fromEmailAddress": "hello@lakeside-yoga.example"}},
    )
    (again,) = site.query_domain("lakeside-yoga.example")
    assert again == old
    assert_gated(site.get(f"{BASE}/{new['id']}"))


def test_a_domain_no_sender_details_use_is_gated_by_name(site):
    site.create_email(site.creds.owner_email)
    assert site.create_sender("Owner", site.creds.owner_email).status_code == 200
    # The site has sender details, but none on this domain.
    response = site.post(
        f"{BASE}/query", json={"query": {"filter": {"domain": "sunrise-bakery.example"}}}
    )
    assert_gated(response)
    # A public mailbox domain the sender does use: no sending domain, an empty list.
    assert site.query_domain("gmail.com") == []


def test_authenticate_judges_the_gate_again_after_the_dns_check(use_scenario, sandbox):
    """The DNS check runs outside the world lock: sender details deleted meanwhile close the
    domain, and the attempt ends in the gate's 428 rather than authenticating it."""
    agency, details = northwind(use_scenario)
    world = sandbox.world
    cedar = domain_of(agency, sandbox, "cedar-lane.example")
    with world.lock:
        site = world.sites[agency.creds.site_id]
        pending = sending_domains.begin_authentication(site, cedar["id"], world.now())
        assert isinstance(pending, sending_domains.PendingCheck)
        sender_details.delete(site, details["studio@cedar-lane.example"]["id"])
        with pytest.raises(SandboxError) as refused:
            sending_domains.finish_authentication(site, pending, True, [], "", world.now())
    assert (refused.value.status, refused.value.code) == (428, "SENDER_DETAILS_DO_NOT_EXIST")
    assert domain_of(agency, sandbox, "cedar-lane.example")["status"] == "NOT_AUTHENTICATED"


def test_the_state_dump_says_which_domains_are_reachable(use_scenario, client):
    agency, details = northwind(use_scenario)
    agency.delete(f"{DETAILS}/{details['studio@cedar-lane.example']['id']}")
    state = client.get("/_sandbox/state").json()
    domains = {d["domain"]: d for d in state["sites"][0]["sendingDomains"]}
    assert domains["cedar-lane.example"]["sandbox"]["reachable"] is False
    assert domains["alpine-tours.example"]["sandbox"]["reachable"] is True
