"""The ``healthy`` scenario and ``POST /_sandbox/break``, over real loopback HTTP and DNS.

The healthy world is checked as a careful checker would see it: through the Wix API with the
site's keys, and through the sandbox's public resolvers with dnspython, as a mail receiver asks
(TXT at ``_dmarc.<domain>`` and at the domain, following SPF includes). Then every problem is
put in and must do what it says and nothing else: the world's state and zones are compared
before and after.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import dns.asyncresolver
import dns.rcode
import dns.resolver
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from .dnswire import ask, authoritative, resolver

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "maple-books.example"
DMARC_NAME = f"_dmarc.{DOMAIN}"
GOOD_DMARC = f"v=DMARC1; p=none; rua=mailto:dmarc@{DOMAIN}"
GOOD_SPF = "v=spf1 include:_spf.mailhost.example ~all"
OWNER = "maple.books@gmail.com"
SITE_ID = "d2c924b2-715f-44c3-8c0e-619cceb9e121"
API_KEY = "IST.sandbox.healthy.X4pyQ3UDs0dziuhpd6DQX_TFKhY64CHu"
RESTRICTED_KEY = "IST.sandbox.healthy-readonly.Gmg447euWcAXglj0M4w8PesFX6Il-Hw3"
RESOLVERS = ("isp-1", "isp-2", "isp-3", "isp-4")
ACCOUNT = "/email-marketing/v1/account-details"
DETAILS = "/sender-details/v1/sender-details"
EMAILS = "/sender-emails/v1/sender-emails"
DOMAINS = "/sending-domains/v1/sending-domains"
ACCOUNT_STATUSES = ("ACTIVE", "WARNED", "SUSPENDED", "BANNED", "SUSPENDED_AUTOLIFT", "UNKNOWN")
DNS_PROBLEMS = ("no-dmarc", "two-dmarc", "bad-dmarc", "spf-too-many-lookups", "two-spf")
PROBLEMS = (
    "records-removed",
    "sender-moved",
    *(f"account-{s}" for s in ACCOUNT_STATUSES),
    "quota-used",
    *DNS_PROBLEMS,
)


@pytest.fixture
def healthy(frozen, use_scenario):
    (site,) = use_scenario("healthy")
    return site


def brk(client, expect: int = 200, **body: Any) -> dict[str, Any]:
    response = client.post("/_sandbox/break", json=body)
    assert response.status_code == expect, response.text
    return response.json()


# -- asking DNS as a receiver would --------------------------------------------------------


async def txt(server, name: str, via: str = "isp-1") -> list[str]:
    """The TXT strings at ``name`` (each record's strings joined), [] for none or NXDOMAIN."""
    host, port = resolver(server, via)
    stub = dns.asyncresolver.Resolver(configure=False)
    stub.nameservers, stub.port, stub.lifetime = [host], port, 3.0
    try:
        answer = await stub.resolve(name, "TXT", raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return []
    if answer.rrset is None:
        return []
    return sorted(b"".join(r.strings).decode() for r in answer.rrset)


def spf_of(texts: list[str]) -> list[str]:
    return [t for t in texts if t.lower() == "v=spf1" or t.lower().startswith("v=spf1 ")]


async def spf_lookups(server, name: str, via: str = "isp-1") -> int:
    """DNS-querying terms needed to evaluate the SPF at ``name`` (RFC 7208 §4.6.4), following
    includes; every included record must be one valid SPF of ``ip4`` terms only."""
    (record,) = spf_of(await txt(server, name, via))
    count = 0
    for term in record.split()[1:]:
        mechanism = term.lstrip("+-~?")
        if mechanism.startswith("include:"):
            target = mechanism.partition(":")[2]
            (included,) = spf_of(await txt(server, target, via))
            terms = included.split()[1:]
            assert all(t.startswith("ip4:") or t.lstrip("+-~?") == "all" for t in terms), included
            count += 1
        elif re.match(r"(a|mx|ptr|exists)([:/]|$)|redirect=", mechanism):
            count += 1
        else:
            assert mechanism.startswith(("ip4:", "ip6:")) or mechanism == "all", term
    return count


async def soa_serial(server) -> int:
    primary, _ = authoritative(server)
    response = await ask(primary, DOMAIN, "SOA", rd=False)
    return response.answer[0][0].serial


def view(client) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Everything a problem may change: the sites' state, and each served zone's records."""
    state = client.get("/_sandbox/state").json()
    sites = [{k: v for k, v in s.items() if k != "requestsLastMinute"} for s in state["sites"]]
    zones = {
        z["zone"]: sorted(json.dumps(r, sort_keys=True) for r in z["records"])
        for z in client.get("/_sandbox/dns").json()["zones"]
    }
    return sites, zones


def changed_zones(before, after) -> set[str]:
    return {z for z in {*before[1], *after[1]} if before[1].get(z) != after[1].get(z)}


# -- the healthy scenario --------------------------------------------------------------------


def test_healthy_has_fixed_credentials(healthy):
    creds = healthy.creds
    assert (creds.site_id, creds.api_key, creds.restricted_api_key) == (
        SITE_ID,
        API_KEY,
        RESTRICTED_KEY,
    )
    assert creds.owner_email == OWNER


def test_healthy_api_answers(healthy):
    (domain,) = healthy.query_domain(DOMAIN)
    assert domain["status"] == "AUTHENTICATED"
    assert 3 <= len(domain["dnsRecords"]) <= 5
    assert healthy.get(f"{DOMAINS}/{domain['id']}").json()["sendingDomain"] == domain
    authenticated = healthy.post(f"{DOMAINS}/{domain['id']}/authenticate")
    assert authenticated.json()["sendingDomain"]["status"] == "AUTHENTICATED"

    (email,) = healthy.get(EMAILS).json()["senderEmails"]
    assert (email["emailAddress"], email["verified"]) == (f"hello@{DOMAIN}", True)
    (details,) = healthy.get(DETAILS).json()["senderDetails"]
    default = healthy.get(f"{DETAILS}/default").json()["senderDetails"]
    assert details == default
    assert (default["fromEmailAddress"], default["default"]) == (f"hello@{DOMAIN}", True)

    account = healthy.get(ACCOUNT).json()["accountDetails"]
    assert account["status"] == "ACTIVE"
    allocation = account["package"]["monthlyQuotaAllocation"]
    usage = account["quotaPeriod"]["quotaUsage"]
    assert 0 < usage["emails"] < allocation["emails"]
    assert 0 <= usage["campaigns"] < allocation["campaigns"]
    assert account["features"]["multipleSenderDetails"] is False  # a plan with one sender


def test_healthy_restricted_key_lacks_manage_and_account(healthy, client):
    headers = {"Authorization": RESTRICTED_KEY, "wix-site-id": SITE_ID}
    query = {"query": {"filter": {"domain": DOMAIN}}}
    found = client.post(f"{DOMAINS}/query", json=query, headers=headers)
    assert found.status_code == 200
    domain_id = found.json()["sendingDomains"][0]["id"]
    assert client.get(DETAILS, headers=headers).status_code == 200
    for response in (
        client.get(ACCOUNT, headers=headers),
        client.post(f"{DOMAINS}/{domain_id}/authenticate", headers=headers),
    ):
        assert response.status_code == 403
        assert "lacks the permission" in response.text


@pytest.mark.parametrize("via", RESOLVERS)
async def test_healthy_dns_as_a_receiver_sees_it(healthy, frozen, via):
    assert await txt(frozen, DMARC_NAME, via) == [GOOD_DMARC]
    assert spf_of(await txt(frozen, DOMAIN, via)) == [GOOD_SPF]
    assert await spf_lookups(frozen, DOMAIN, via) == 1


async def test_healthy_cnames_resolve_to_wix_targets(healthy, frozen):
    (domain,) = healthy.query_domain(DOMAIN)
    for record in domain["dnsRecords"]:
        response = await ask(resolver(frozen, "isp-1"), record["hostName"], "CNAME")
        (rrset,) = response.answer
        assert rrset[0].target.to_text(omit_final_dot=True) == record["value"]


async def test_healthy_dkim_keys_and_return_path_spf(healthy, frozen):
    (domain,) = healthy.query_domain(DOMAIN)
    for record in domain["dnsRecords"]:
        (text,) = await txt(frozen, record["hostName"])  # through the CNAME, as a verifier
        if record["hostName"].startswith("sg."):
            assert await spf_lookups(frozen, record["hostName"]) == 0
            continue
        tags = dict(tag.strip().split("=", 1) for tag in text.split(";"))
        assert (tags["v"], tags["k"]) == ("DKIM1", "rsa")
        key = load_der_public_key(base64.b64decode(tags["p"], validate=True))
        assert isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048


def test_healthy_resolvers_start_with_empty_caches(healthy, client):
    caches = client.get("/_sandbox/dns/caches").json()["resolvers"]
    assert all(cache == [] for r in caches for cache in r["caches"])


# -- every problem does what it says, and nothing else -------------------------------------


def test_get_lists_every_problem(client):
    problems = client.get("/_sandbox/break").json()["problems"]
    assert [p["name"] for p in problems] == list(PROBLEMS)
    assert all(p["description"] for p in problems)
    needs = {p["name"] for p in problems if not p["needsDomain"]}
    assert needs == {"quota-used", *(f"account-{s}" for s in ACCOUNT_STATUSES)}


@pytest.mark.parametrize("problem", PROBLEMS)
def test_each_problem_changes_only_its_part_of_the_world(healthy, client, problem):
    before = view(client)
    answer = brk(client, problem=problem)
    after = view(client)
    assert answer["problem"] == problem and answer["siteId"] == SITE_ID
    in_dns = problem in DNS_PROBLEMS or problem == "records-removed"
    assert changed_zones(before, after) == ({DOMAIN} if in_dns else set())
    assert [z["zone"] for z in answer["zones"]] == ([DOMAIN] if in_dns else [])
    if in_dns:
        assert before[0] == after[0]  # nothing at Wix: the domain is still AUTHENTICATED
        assert answer["domain"] == DOMAIN
    elif problem != "account-ACTIVE":  # already ACTIVE: nothing to change
        assert before[0] != after[0]


async def test_records_removed(healthy, frozen, client):
    (domain,) = healthy.query_domain(DOMAIN)
    hosts = sorted(r["hostName"] for r in domain["dnsRecords"])
    answer = brk(client, problem="records-removed", flush=True)
    (zone,) = answer["zones"]
    assert sorted(r["name"] for r in zone["deleted"]) == hosts and zone["added"] == []
    assert {r["type"] for r in zone["deleted"]} == {"CNAME"}
    for host in hosts:
        response = await ask(resolver(frozen, "isp-1"), host, "CNAME")
        assert response.rcode() == dns.rcode.NXDOMAIN
    (still,) = healthy.query_domain(DOMAIN)
    assert still["status"] == "AUTHENTICATED"
    assert await txt(frozen, DMARC_NAME) == [GOOD_DMARC]
    assert spf_of(await txt(frozen, DOMAIN)) == [GOOD_SPF]


def test_sender_moved(healthy, client):
    (domain,) = healthy.query_domain(DOMAIN)
    answer = brk(client, problem="sender-moved")
    assert answer["senderEmail"]["emailAddress"] == OWNER
    assert answer["senderEmail"]["verified"] is True and answer["senderEmail"]["added"] is True
    (moved,) = answer["senderDetails"]
    assert moved["fromEmailAddress"] == OWNER
    default = healthy.get(f"{DETAILS}/default").json()["senderDetails"]
    assert default["fromEmailAddress"] == OWNER
    emails = {e["emailAddress"]: e["verified"] for e in healthy.get(EMAILS).json()["senderEmails"]}
    assert emails == {f"hello@{DOMAIN}": True, OWNER: True}
    query = {"query": {"filter": {"domain": DOMAIN}}}
    for response in (
        healthy.post(f"{DOMAINS}/query", json=query),
        healthy.get(f"{DOMAINS}/{domain['id']}"),
    ):
        assert response.status_code == 428
        code = response.json()["details"]["applicationError"]["code"]
        assert code == "SENDER_DETAILS_DO_NOT_EXIST"
    # Nothing is left on the domain to move.
    assert "no sender details" in brk(client, 409, problem="sender-moved")["message"]


@pytest.mark.parametrize("status", ACCOUNT_STATUSES)
def test_account_status(healthy, client, status):
    before = healthy.get(ACCOUNT).json()["accountDetails"]
    answer = brk(client, problem=f"account-{status}")
    after = healthy.get(ACCOUNT).json()["accountDetails"]
    assert answer["accountDetails"] == after and answer["domain"] is None
    assert after == {**before, "status": status}


def test_quota_used(healthy, client):
    before = healthy.get(ACCOUNT).json()["accountDetails"]
    brk(client, problem="quota-used")
    after = healthy.get(ACCOUNT).json()["accountDetails"]
    allocation = after["package"]["monthlyQuotaAllocation"]["emails"]
    assert after["quotaPeriod"]["quotaUsage"]["emails"] == allocation
    usage = {**before["quotaPeriod"]["quotaUsage"], "emails": allocation}
    assert after == {**before, "quotaPeriod": {**before["quotaPeriod"], "quotaUsage": usage}}


async def test_no_dmarc(healthy, frozen, client):
    serial = await soa_serial(frozen)
    answer = brk(client, problem="no-dmarc", flush=True)
    assert answer["zones"][0]["serial"] == serial + 1 == await soa_serial(frozen)
    for via in RESOLVERS:
        assert await txt(frozen, DMARC_NAME, via) == []
    assert spf_of(await txt(frozen, DOMAIN)) == [GOOD_SPF]


async def test_two_dmarc(healthy, frozen, client):
    brk(client, problem="two-dmarc", flush=True)
    found = await txt(frozen, DMARC_NAME)
    assert len(found) == 2 and GOOD_DMARC in found
    assert all(t.startswith("v=DMARC1; p=") for t in found)
    assert "2 DMARC" in brk(client, 409, problem="two-dmarc")["message"]


async def test_bad_dmarc(healthy, frozen, client):
    brk(client, problem="bad-dmarc", flush=True)
    assert await txt(frozen, DMARC_NAME) == ["v=DMARC1; p=maybe"]


async def test_spf_too_many_lookups(healthy, frozen, client):
    brk(client, problem="spf-too-many-lookups", flush=True)
    (spf,) = spf_of(await txt(frozen, DOMAIN))
    assert spf.count("include:") == 11
    assert await spf_lookups(frozen, DOMAIN) == 11  # each include valid, ip4 terms only
    assert await txt(frozen, DMARC_NAME) == [GOOD_DMARC]


async def test_two_spf(healthy, frozen, client):
    brk(client, problem="two-spf", flush=True)
    found = spf_of(await txt(frozen, DOMAIN))
    assert len(found) == 2 and GOOD_SPF in found
    assert "2 SPF" in brk(client, 409, problem="two-spf")["message"]


# -- resolvers' caches: realistic without flush ----------------------------------------------


async def test_without_flush_a_cached_answer_lasts_its_ttl(healthy, frozen, client):
    assert await txt(frozen, DMARC_NAME, "isp-1") == [GOOD_DMARC]  # cached for 300 s
    answer = brk(client, problem="no-dmarc")
    assert "flushed" not in answer
    assert await txt(frozen, DMARC_NAME, "isp-1") == [GOOD_DMARC]
    assert await txt(frozen, DMARC_NAME, "isp-2") == []  # it never asked: it sees the change
    client.post("/_sandbox/clock", json={"advanceSeconds": 301})
    assert await txt(frozen, DMARC_NAME, "isp-1") == []


async def test_flush_drops_what_resolvers_cached(healthy, frozen, client):
    assert await txt(frozen, DMARC_NAME, "isp-1") == [GOOD_DMARC]
    answer = brk(client, problem="bad-dmarc", flush=True)
    assert answer["flushed"] > 0
    assert await txt(frozen, DMARC_NAME, "isp-1") == ["v=DMARC1; p=maybe"]


# -- other scenarios, and refusals -------------------------------------------------------------


async def test_spf_problem_on_another_scenario_serves_the_includes(use_scenario, frozen, client):
    northwind, _ = use_scenario("agency")
    target = "alpine-tours.example"
    before = view(client)
    answer = brk(client, problem="spf-too-many-lookups", domain=target)
    assert answer["siteId"] == northwind.creds.site_id
    assert {z["zone"] for z in answer["zones"]} == {target, "mailhost.example"}
    assert changed_zones(before, view(client)) == {target, "mailhost.example"}
    assert await spf_lookups(frozen, target) == 11


def test_refusals_say_what_is_known(healthy, client):
    unknown = brk(client, 400, problem="no-spf")["message"]
    assert all(name in unknown for name in PROBLEMS)
    assert all(name in brk(client, 400)["message"] for name in PROBLEMS)
    assert "known problems" in brk(client, 400, problem=7)["message"]
    bad_domain = brk(client, 400, problem="no-dmarc", domain="gmail.com")["message"]
    assert "gmail.com" in bad_domain and DOMAIN in bad_domain
    assert DOMAIN in brk(client, 400, problem="no-dmarc", domain="nope.example")["message"]
    assert brk(client, 400, problem="no-dmarc", domain=5)["message"]
    assert "typo" in brk(client, 400, problem="no-dmarc", typo=1)["message"]
    assert brk(client, 400, problem="no-dmarc", flush="yes")["message"]
    assert brk(client, 404, problem="no-dmarc", siteId="nope")["message"]
    # The same domain, spelt as users do, is accepted.
    assert brk(client, problem="no-dmarc", domain="Maple-Books.Example.")["domain"] == DOMAIN


def test_refusals_change_nothing(use_scenario, client):
    northwind, _ = use_scenario("agency")
    before = view(client)
    assert "siteId is required" in brk(client, 400, problem="quota-used")["message"]
    several = brk(client, 400, problem="no-dmarc", siteId=northwind.creds.site_id)["message"]
    assert "domain is required" in several and "alpine-tours.example" in several
    no_dmarc = brk(client, 409, problem="no-dmarc", domain="alpine-tours.example")["message"]
    assert "no DMARC record at _dmarc.alpine-tours.example" in no_dmarc
    unpublished = brk(client, 409, problem="records-removed", domain="northwind-studio.example")
    assert "CNAMEs" in unpublished["message"]
    assert view(client) == before


# -- documented ------------------------------------------------------------------------------


def test_readme_documents_the_scenario_the_route_and_every_problem(client):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The sandbox", 1)[1].split("\n## ", 1)[0]
    assert "| `healthy` |" in section
    for route in client.get("/_sandbox/").json()["controlRoutes"]:
        assert route["path"].removeprefix("/_sandbox") in section, route
    for problem in client.get("/_sandbox/break").json()["problems"]:
        assert f"`{problem['name']}`" in section, problem["name"]
