"""The built-in scenarios: contents, fixed credentials, every domain state in 'agency'."""

from __future__ import annotations

from tui.sandbox import SCENARIOS

EMAILS = "/sender-emails/v1/sender-emails"
DETAILS = "/sender-details/v1/sender-details"
DOMAINS = "/sending-domains/v1/sending-domains"


def test_every_scenario_has_a_description_and_sandbox_looking_keys():
    assert set(SCENARIOS) == {
        "fresh",
        "midway",
        "agency",
        "dns-lab",
        "hostile",
        "single-sender",
        "healthy",
    }
    for scenario in SCENARIOS.values():
        assert scenario.description and "\n" not in scenario.description
        for creds in scenario.credentials():
            assert creds.api_key.startswith("IST.sandbox.")
            assert creds.site_id and creds.instance_id and creds.app_id and creds.app_secret


def test_credentials_are_stable_across_resets(sandbox):
    before = sandbox.credentials
    sandbox.world.reset("fresh")
    assert sandbox.credentials == before
    assert before[0].site_id == "9ff1b430-510e-4272-a868-1a47ca3c86d7"
    assert before[0].api_key == "IST.sandbox.fresh.qfyIsOHx6UhwSpJYExX_iij1ZX0khZDv"


def test_seeded_ids_are_stable_across_resets(use_scenario):
    def ids(site) -> list[str]:
        emails = site.get(EMAILS).json()["senderEmails"]
        details = site.get(DETAILS).json()["senderDetails"]
        return [e["id"] for e in emails] + [d["id"] for d in details]

    (site,) = use_scenario("midway")
    first = ids(site)
    (site,) = use_scenario("midway")
    assert ids(site) == first


def test_fresh(site):
    assert site.get(EMAILS).json()["senderEmails"] == []
    assert site.get(DETAILS).json()["senderDetails"] == []
    assert site.creds.owner_email == "owner.bakery@gmail.com"
    query = {"query": {"filter": {"domain": "gmail.com"}}}
    assert site.post(f"{DOMAINS}/query", json=query).status_code == 428
    account = site.get("/email-marketing/v1/account-details").json()["accountDetails"]
    assert account["status"] == "ACTIVE"
    assert account["package"]["id"] == "Free"
    # trackingSettings only when switched on (POST /_sandbox/account): its shape is unknown.
    assert set(account) == {
        "status",
        "package",
        "quotaPeriod",
        "maxCampaignAudienceSize",
        "features",
    }
    assert account["features"]["multipleSenderDetails"] is False  # Free allows one sender
    assert account["quotaPeriod"]["dateFrom"] < account["quotaPeriod"]["dateTo"]


def test_midway(use_scenario, client):
    (site,) = use_scenario("midway")
    emails = {e["emailAddress"]: e for e in site.get(EMAILS).json()["senderEmails"]}
    assert emails["hello@harbor-ceramics.example"]["verified"] is True
    assert emails["orders@harbor-ceramics.example"]["verified"] is False
    (details,) = site.get(DETAILS).json()["senderDetails"]
    assert details["default"] is True
    assert details["fromEmailAddress"] == "hello@harbor-ceramics.example"
    (domain,) = site.query_domain("harbor-ceramics.example")
    assert domain["status"] == "NOT_AUTHENTICATED"
    assert 3 <= len(domain["dnsRecords"]) <= 5
    # The code already in the mailbox verifies the second address.
    orders = emails["orders@harbor-ceramics.example"]
    code = site.latest_code("orders@harbor-ceramics.example")
    verified = site.post(f"{EMAILS}/{orders['id']}/verify", json={"verificationCode": code})
    assert verified.status_code == 200


def test_agency_covers_every_domain_state(use_scenario):
    agency, other = use_scenario("agency")
    names = {
        "fresh-launch.example": "INITIALIZING",
        "northwind-studio.example": "NOT_AUTHENTICATED",
        "alpine-tours.example": "AUTHENTICATED",
        "bloom-florist.example": "AUTHENTICATED",
        "cedar-lane.example": "NOT_AUTHENTICATED",
        "old-harbor.example": "DISABLED",
    }
    query = {"query": {"filter": {"domain": {"$in": list(names)}}}}
    domains = agency.post(f"{DOMAINS}/query", json=query).json()["sendingDomains"]
    assert {d["domain"]: d["status"] for d in domains} == names
    assert agency.query_domain("gmail.com") == []

    details = agency.get(DETAILS).json()["senderDetails"]
    assert len(details) == 7
    assert [d["fromName"] for d in details if d["default"]] == ["Northwind Studio"]
    account = agency.get("/email-marketing/v1/account-details").json()["accountDetails"]
    assert account["package"]["id"] == "Ascend_Advanced"

    # The published NOT_AUTHENTICATED domain authenticates; the other one does not.
    by_name = {d["domain"]: d for d in domains}
    ready = agency.post(f"{DOMAINS}/{by_name['cedar-lane.example']['id']}/authenticate", json={})
    assert ready.status_code == 200
    assert ready.json()["sendingDomain"]["status"] == "AUTHENTICATED"
    unready = agency.post(
        f"{DOMAINS}/{by_name['northwind-studio.example']['id']}/authenticate", json={}
    )
    assert unready.status_code == 428

    # The other owner's site is separate and still unconfigured.
    assert other.get(EMAILS).json()["senderEmails"] == []
    assert other.creds.owner_email == "dr.maple@outlook.com"


def test_agency_sites_cannot_see_each_others_objects(use_scenario):
    agency, other = use_scenario("agency")
    email = agency.get(EMAILS).json()["senderEmails"][0]
    assert other.get(f"{EMAILS}/{email['id']}").status_code == 404


def test_the_hostile_scenario_serves_its_strings_as_they_are(use_scenario):
    """The sandbox sends what a hostile backend would: the client must cope, not the sandbox."""
    from tui.sandbox.scenarios import HOSTILE_NAMES

    (site,) = use_scenario("hostile")
    names = [d["fromName"] for d in site.get(DETAILS).json()["senderDetails"]]
    assert sorted(names) == sorted(HOSTILE_NAMES)


def test_single_sender(use_scenario):
    """A plan that allows one sender: Account Details says so, and Create Sender Details
    refuses a second one with a 428 (fact sheet §3.1, §4)."""
    (site,) = use_scenario("single-sender")
    account = site.get("/email-marketing/v1/account-details").json()["accountDetails"]
    assert account["package"]["id"] == "Free"
    assert account["features"]["multipleSenderDetails"] is False

    emails = {e["emailAddress"]: e["verified"] for e in site.get(EMAILS).json()["senderEmails"]}
    assert emails == {
        "hello@lakeside-yoga.example": True,
        "classes@lakeside-studio.example": True,
    }
    (details,) = site.get(DETAILS).json()["senderDetails"]
    assert (details["fromEmailAddress"], details["default"]) == (
        "hello@lakeside-yoga.example",
        True,
    )
    (domain,) = site.query_domain("lakeside-yoga.example")
    assert domain["status"] == "NOT_AUTHENTICATED"
    assert domain["dnsRecords"]

    # The second address is verified, so the only thing in the way is the plan.
    second = site.create_sender("Lakeside Classes", "classes@lakeside-studio.example")
    assert second.status_code == 428
    assert second.json()["details"]["applicationError"]["description"]
    assert len(site.get(DETAILS).json()["senderDetails"]) == 1
    # Its domain never appeared, so asking for it is the gate's 428.
    query = {"query": {"filter": {"domain": "lakeside-studio.example"}}}
    gated = site.post(f"{DOMAINS}/query", json=query)
    assert gated.status_code == 428
    assert gated.json()["details"]["applicationError"]["code"] == "SENDER_DETAILS_DO_NOT_EXIST"
