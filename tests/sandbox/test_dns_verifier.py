"""Authenticate asks Wix's own caching resolver (``wix-verifier``) over loopback DNS.

So pressing Authenticate before publishing plants a negative there, and Authenticate keeps
failing after publishing until it expires -- the real-life trap -- and the 428 says so.
"""

from __future__ import annotations

import pytest

from tui.sandbox import InProcessVerifierCheck, SandboxServer, WireVerifierCheck, World

from .dnswire import ask, rcode, resolver, soa

BASE = "/sending-domains/v1/sending-domains"
DOMAIN = "sunrise-bakery.example"


def ready_domain(site, sandbox) -> dict:
    site.verify_email(f"hello@{DOMAIN}")
    assert site.create_sender("Sunrise Bakery", f"hello@{DOMAIN}").status_code == 200
    sandbox.clock.advance(120)
    (domain,) = site.query_domain(DOMAIN)
    assert domain["status"] == "NOT_AUTHENTICATED"
    return domain


def description(response) -> str:
    return response.json()["details"]["applicationError"]["description"]


async def test_too_early_then_published_then_the_negative_expires(site, frozen, client):
    assert isinstance(frozen.world.dns_check, WireVerifierCheck)
    domain = ready_domain(site, frozen)
    path = f"{BASE}/{domain['id']}/authenticate"
    hosts = [r["hostName"] for r in domain["dnsRecords"]]

    early = site.post(path)
    assert early.status_code == 428
    assert all(f"no CNAME at {h}" in description(early) for h in hosts)
    # The attempt left a negative in the verifier, visible on the wire with its countdown.
    planted = await ask(resolver(frozen, "wix-verifier"), hosts[0])
    assert rcode(planted) == "NXDOMAIN" and soa(planted)[0] == 1800

    client.post("/_sandbox/dns/publish", json={"domain": DOMAIN})
    frozen.clock.advance(600)
    still = site.post(path)
    assert still.status_code == 428
    error = still.json()["details"]["applicationError"]
    assert error["code"] == "DNS_RECORDS_NOT_FOUND"
    assert error["data"]["missingHostNames"] == hosts
    for host in hosts:
        assert (
            f"the verifier still holds a cached 'does not exist' for {host}, "
            "which expires in 1200 s"
        ) in error["description"]
    # Public resolvers that never looked see the records already.
    assert rcode(await ask(resolver(frozen, "isp-1"), hosts[0])) == "NOERROR"

    frozen.clock.advance(1199)
    assert "which expires in 1 s" in description(site.post(path))
    frozen.clock.advance(1)
    done = site.post(path)
    assert done.status_code == 200
    assert done.json()["sendingDomain"]["status"] == "AUTHENTICATED"


async def test_published_before_the_first_attempt_passes_at_once(site, frozen, client):
    domain = ready_domain(site, frozen)
    client.post("/_sandbox/dns/publish", json={"domain": DOMAIN})
    assert site.post(f"{BASE}/{domain['id']}/authenticate").status_code == 200


@pytest.mark.parametrize(
    ("mistake", "says"),
    [
        ("double_suffix", "no CNAME at {host}"),
        ("typo_underscore", "no CNAME at {host}"),
        ("relative_target", "{host} points to {target}.sunrise-bakery.example, expected {target}"),
        ("wrong_target", "{host} points to {short}, expected {target}"),
        ("proxied", "no CNAME at {host}"),
        ("flattened", "no CNAME at {host}"),
    ],
)
def test_mistakes_fail_with_the_reason(site, frozen, client, mistake, says):
    domain = ready_domain(site, frozen)
    (host, target) = (domain["dnsRecords"][0]["hostName"], domain["dnsRecords"][0]["value"])
    published = client.post("/_sandbox/dns/publish", json={"domain": DOMAIN, "mistake": mistake})
    assert published.status_code == 200, published.text
    response = site.post(f"{BASE}/{domain['id']}/authenticate")
    assert response.status_code == 428
    assert says.format(host=host, target=target, short=target[:-1]) in description(response)


def test_a_conflicting_txt_does_not_fail_but_two_cnames_do(site, frozen, client):
    domain = ready_domain(site, frozen)
    client.post("/_sandbox/dns/publish", json={"domain": DOMAIN, "mistake": "conflict"})
    path = f"{BASE}/{domain['id']}/authenticate"
    assert site.post(path).status_code == 200  # Wix asks for the CNAME only
    frozen.world.reset("fresh")
    domain = ready_domain(site, frozen)
    host = domain["dnsRecords"][0]["hostName"]
    client.post("/_sandbox/dns/publish", json={"domain": DOMAIN})
    extra = {"zone": DOMAIN, "host": host + ".", "type": "CNAME", "value": "old.example"}
    assert client.post("/_sandbox/dns/records", json=extra).status_code == 200
    response = site.post(f"{BASE}/{domain['id']}/authenticate")
    assert response.status_code == 428
    assert f"{host} has 2 CNAME records" in description(response)


def test_a_stale_cached_target_names_its_remaining_ttl(site, frozen, client):
    domain = ready_domain(site, frozen)
    host, target = domain["dnsRecords"][0]["hostName"], domain["dnsRecords"][0]["value"]
    client.post(
        "/_sandbox/dns/publish", json={"records": [{"hostName": host, "value": "x.example"}]}
    )
    lookup = {"name": "wix-verifier", "qname": host}
    assert client.post("/_sandbox/dns/resolvers/lookup", json=lookup).status_code == 200
    client.post("/_sandbox/dns/publish", json={"domain": DOMAIN})
    frozen.clock.advance(100)
    response = site.post(f"{BASE}/{domain['id']}/authenticate")
    assert (
        f"{host} points to x.example, expected {target} (a cached answer that expires in "
        f"3500 s; the DNS host already serves {target})"
    ) in description(response)


async def test_a_world_without_dns_servers_checks_in_process():
    world = World("midway")
    assert isinstance(world.dns_check, InProcessVerifierCheck)
    (domain,) = next(iter(world.sites.values())).sending_domains.values()
    records = [(r.host_name, r.value) for r in domain.records]
    before = await world.dns_check.check(domain.domain, records)
    assert not before.passed and f"no CNAME at {records[0][0]}" in before.detail
    world.publish_records(records)
    cached = await world.dns_check.check(domain.domain, records)
    assert "still holds a cached 'does not exist'" in cached.detail
    world.clock.advance(1800)
    assert (await world.dns_check.check(domain.domain, records)).passed


def test_server_without_dns_uses_the_in_process_verifier():
    server = SandboxServer(scenario="midway", dns=False)
    try:
        assert not server.serves_dns
        assert isinstance(server.world.dns_check, InProcessVerifierCheck)
        with pytest.raises(RuntimeError, match="dns=False"):
            _ = server.dns
    finally:
        server.close()
