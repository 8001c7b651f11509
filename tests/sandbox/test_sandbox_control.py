"""The /_sandbox/ control routes: index, state, mailbox, clock, reset, DNS, account, status."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tui.sandbox import ROUTE_NAMES


def parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def test_index_lists_scenario_sites_and_routes(client, sandbox):
    index = client.get("/_sandbox/").json()
    assert index["scenario"]["name"] == "fresh"
    assert index["scenario"]["description"]
    assert set(index["scenarios"]) == {
        "fresh",
        "midway",
        "agency",
        "dns-lab",
        "hostile",
        "single-sender",
        "healthy",
    }
    assert index["timeScale"] == 1.0
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", index["now"])
    (creds,) = index["sites"]
    expected = sandbox.credentials[0]
    assert creds["siteId"] == expected.site_id
    assert creds["apiKey"] == expected.api_key
    assert creds["instanceId"] == expected.instance_id
    assert [r["name"] for r in index["wixRoutes"]] == list(ROUTE_NAMES)
    control_paths = {(r["method"], r["path"]) for r in index["controlRoutes"]}
    assert ("POST", "/_sandbox/faults") in control_paths
    assert ("POST", "/_sandbox/dns/publish") in control_paths
    # Every listed control route really exists.
    for method, path in control_paths:
        if method == "GET":
            assert client.get(path).status_code == 200, path


def test_index_without_trailing_slash_redirects(client):
    response = client.get("/_sandbox", follow_redirects=True)
    assert response.status_code == 200
    assert response.json()["scenario"]["name"] == "fresh"


def test_unknown_routes_answer_json(client):
    control = client.get("/_sandbox/nope")
    assert control.status_code == 404
    assert "message" in control.json()
    wix = client.get("/sender-emails/v2/whatever")
    assert wix.status_code == 404
    assert wix.json()["details"]["applicationError"]["code"] == "NOT_FOUND"
    wrong_method = client.put("/sender-emails/v1/sender-emails")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["message"]


def test_control_bodies_are_checked(client):
    not_json = client.post("/_sandbox/clock", content=b"{", headers={"Content-Type": "x"})
    assert not_json.status_code == 400
    assert "JSON" in not_json.json()["message"]
    assert client.post("/_sandbox/clock", json=[1]).status_code == 400
    typo = client.post("/_sandbox/clock", json={"advance": 5})
    assert typo.status_code == 400
    assert "advance" in typo.json()["message"]


def test_clock_speed_and_advance(client, sandbox):
    before = parse(client.get("/_sandbox/clock").json()["now"])
    moved = client.post("/_sandbox/clock", json={"advanceSeconds": 3600}).json()
    assert (parse(moved["now"]) - before).total_seconds() >= 3600
    fast = client.post("/_sandbox/clock", json={"timeScale": 3600}).json()
    assert fast["timeScale"] == 3600
    assert sandbox.clock.speed == 3600
    start = parse(fast["now"])
    import time

    time.sleep(0.05)
    later = parse(client.get("/_sandbox/clock").json()["now"])
    assert (later - start).total_seconds() >= 3600 * 0.05 * 0.9
    for body in ({"timeScale": 0}, {"timeScale": -1}, {"advanceSeconds": -5}, {"timeScale": "x"}):
        assert client.post("/_sandbox/clock", json=body).status_code == 400


def test_fast_clock_finishes_initializing_in_real_time(site, client):
    site.verify_email("hello@sunrise-bakery.example")
    site.create_sender("Sunrise", "hello@sunrise-bakery.example")
    client.post("/_sandbox/clock", json={"timeScale": 2400})  # 120 world s = 50 real ms
    import time

    time.sleep(0.08)
    (domain,) = site.query_domain("sunrise-bakery.example")
    assert domain["status"] == "NOT_AUTHENTICATED"


def test_mailbox_filters_and_clear(use_scenario, client):
    agency, _ = use_scenario("agency")
    email = agency.create_email("info@alpine-tours.example")
    for _ in range(2):
        agency.post(f"/sender-emails/v1/sender-emails/{email['id']}/send-verification-code")
    everything = client.get("/_sandbox/mailbox").json()["messages"]
    assert len(everything) == 2
    assert everything[0]["sentAt"] <= everything[1]["sentAt"]
    by_address = client.get("/_sandbox/mailbox", params={"to": "INFO@alpine-tours.example"})
    assert len(by_address.json()["messages"]) == 2
    assert client.get("/_sandbox/mailbox", params={"to": "x@y.example"}).json()["messages"] == []
    by_site = client.get("/_sandbox/mailbox", params={"siteId": agency.creds.site_id})
    assert len(by_site.json()["messages"]) == 2
    assert client.delete("/_sandbox/mailbox").json() == {"cleared": 2}
    assert client.get("/_sandbox/mailbox").json()["messages"] == []


def test_reset_switches_scenario_and_clears_transient_state(site, client, sandbox):
    site.create_email("hello@sunrise.example")
    record = {"hostName": "x.dns-host.example", "value": "y.example"}
    assert client.post("/_sandbox/dns/publish", json={"records": [record]}).status_code == 200
    assert client.get("/_sandbox/dns").json()["records"] == [record]
    response = client.post("/_sandbox/reset", json={"scenario": "midway"})
    assert response.status_code == 200
    assert response.json()["scenario"]["name"] == "midway"
    assert sandbox.world.scenario.name == "midway"
    assert client.get("/_sandbox/dns").json()["records"] == []
    messages = client.get("/_sandbox/mailbox").json()["messages"]
    assert [m["to"] for m in messages] == ["orders@harbor-ceramics.example"]
    again = client.post("/_sandbox/reset", json={"scenario": "fresh"}).json()
    assert again["sites"][0]["apiKey"] == sandbox.credentials[0].api_key
    assert site.get("/sender-emails/v1/sender-emails").json()["senderEmails"] == []


def test_reset_errors_and_initializing_seconds(client, sandbox):
    unknown = client.post("/_sandbox/reset", json={"scenario": "nope"})
    assert unknown.status_code == 400
    assert "fresh" in unknown.json()["message"]
    client.post("/_sandbox/reset", json={"initializingSeconds": 5})
    assert sandbox.world.initializing_seconds == 5
    assert client.post("/_sandbox/reset", json={"initializingSeconds": -1}).status_code == 400


def test_publish_and_unpublish(site, client, sandbox):
    site.verify_email("hello@sunrise-bakery.example")
    site.create_sender("Sunrise", "hello@sunrise-bakery.example")
    # Records of an INITIALIZING domain can be pre-published (they are deterministic).
    published = client.post("/_sandbox/dns/publish", json={"domain": "sunrise-bakery.example"})
    assert published.status_code == 200
    hosts = [r["hostName"] for r in published.json()["published"]]
    assert len(client.get("/_sandbox/dns").json()["records"]) == len(hosts)
    removed = client.post(
        "/_sandbox/dns/unpublish", json={"domain": "sunrise-bakery.example", "hostNames": hosts[:1]}
    )
    assert removed.json()["unpublished"] == hosts[:1]
    assert len(client.get("/_sandbox/dns").json()["records"]) == len(hosts) - 1
    client.post("/_sandbox/dns/unpublish", json={"hostNames": hosts[1:]})
    assert client.get("/_sandbox/dns").json()["records"] == []

    unknown_domain = client.post("/_sandbox/dns/publish", json={"domain": "nope.example"})
    assert unknown_domain.status_code == 404
    unknown_host = client.post(
        "/_sandbox/dns/publish",
        json={"domain": "sunrise-bakery.example", "hostNames": ["www.sunrise-bakery.example"]},
    )
    assert unknown_host.status_code == 400
    assert client.post("/_sandbox/dns/publish", json={}).status_code == 400
    assert client.post("/_sandbox/dns/unpublish", json={}).status_code == 400


def test_publish_needs_site_id_when_two_sites_share_a_domain(use_scenario, client):
    _, other = use_scenario("agency")
    other.verify_email("desk@alpine-tours.example")
    assert other.create_sender("Maple", "desk@alpine-tours.example").status_code == 200
    ambiguous = client.post("/_sandbox/dns/publish", json={"domain": "alpine-tours.example"})
    assert ambiguous.status_code == 400
    assert "siteId" in ambiguous.json()["message"]
    chosen = client.post(
        "/_sandbox/dns/publish",
        json={"domain": "alpine-tours.example", "siteId": other.creds.site_id},
    )
    assert chosen.status_code == 200


def test_account_changes(site, client):
    response = client.post(
        "/_sandbox/account",
        json={"status": "SUSPENDED", "packageId": "Ascend_Core", "emailsUsed": 50000},
    )
    assert response.status_code == 200
    details = site.get("/email-marketing/v1/account-details").json()["accountDetails"]
    assert details["status"] == "SUSPENDED"
    assert details["package"]["id"] == "Ascend_Core"
    assert details["package"]["group"] == "Core"
    assert details["quotaPeriod"]["quotaUsage"]["emails"] == 50000
    assert details["package"]["monthlyQuotaAllocation"]["emails"] == 50000
    custom = client.post(
        "/_sandbox/account", json={"status": "ON_HOLD", "packageId": "Mystery", "emailsQuota": 7}
    )
    assert custom.json()["accountDetails"]["status"] == "ON_HOLD"
    assert custom.json()["accountDetails"]["package"]["monthlyQuotaAllocation"]["emails"] == 7
    for bad in ({"emailsUsed": -1}, {"status": ""}, {"plan": "x"}, {"siteId": "nope"}):
        assert client.post("/_sandbox/account", json=bad).status_code in (400, 404)


def test_account_needs_site_id_with_two_sites(use_scenario, client):
    _, other = use_scenario("agency")
    assert client.post("/_sandbox/account", json={"status": "BANNED"}).status_code == 400
    response = client.post(
        "/_sandbox/account", json={"siteId": other.creds.site_id, "status": "BANNED"}
    )
    assert response.status_code == 200
    details = other.get("/email-marketing/v1/account-details").json()["accountDetails"]
    assert details["status"] == "BANNED"


def test_force_domain_status(use_scenario, client, sandbox):
    agency, _ = use_scenario("agency")
    forced = client.post(
        "/_sandbox/sending-domains/status",
        json={"domain": "alpine-tours.example", "status": "SOMETHING_NEW"},
    )
    assert forced.status_code == 200
    assert forced.json()["sendingDomain"]["status"] == "SOMETHING_NEW"
    (domain,) = agency.query_domain("alpine-tours.example")
    assert domain["status"] == "SOMETHING_NEW"
    # Forcing INITIALIZING restarts the wait.
    client.post(
        "/_sandbox/sending-domains/status",
        json={"domain": "alpine-tours.example", "status": "INITIALIZING"},
    )
    (domain,) = agency.query_domain("alpine-tours.example")
    assert domain["status"] == "INITIALIZING"
    assert domain["dnsRecords"] == []
    sandbox.clock.advance(120)
    (domain,) = agency.query_domain("alpine-tours.example")
    assert domain["status"] == "NOT_AUTHENTICATED"
    missing = client.post(
        "/_sandbox/sending-domains/status", json={"domain": "alpine-tours.example"}
    )
    assert missing.status_code == 400


@pytest.mark.parametrize("scenario", ["fresh", "midway", "agency"])
def test_state_dump(use_scenario, client, scenario):
    use_scenario(scenario)
    state = client.get("/_sandbox/state").json()
    assert state["scenario"] == scenario
    assert state["rateLimitPerMinute"] == 200
    for site in state["sites"]:
        assert {
            "siteId",
            "senderEmails",
            "senderDetails",
            "sendingDomains",
            "accountDetails",
        } <= set(site)
        for domain in site["sendingDomains"]:
            assert domain["sandbox"]["records"]
