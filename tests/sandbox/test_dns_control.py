"""The /_sandbox/dns control routes: the world's shape, editing like a user, levers."""

from __future__ import annotations

import pytest

from .dnswire import ask, authoritative, rcode, records, resolver, soa, targets

ZONE = "dns-host.example"


def post(client, path: str, body: dict):
    return client.post(f"/_sandbox/dns/{path}", json=body)


def delete(client, body: dict | None = None, params: dict | None = None):
    return client.request("DELETE", "/_sandbox/dns/records", json=body, params=params)


def refused(response, *fragments: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    for fragment in fragments:
        assert fragment in response.json()["message"]


def test_get_dns_lists_servers_resolvers_and_zones(lab, client):
    dump = client.get("/_sandbox/dns").json()
    info = lab.dns
    assert [(s["role"], s["host"], s["port"]) for s in dump["servers"]] == [
        ("primary", *info.authoritative[0]),
        ("secondary", *info.authoritative[1]),
    ]
    assert (dump["parent"]["role"], dump["parent"]["host"], dump["parent"]["port"]) == (
        "parent",
        *info.parent,
    )
    assert all(s["rateLimit"] is None for s in [*dump["servers"], dump["parent"]])
    assert [(r["name"], r["port"], r["behaviour"]) for r in dump["resolvers"]] == [
        (r.name, r.port, r.behaviour) for r in info.resolvers
    ]
    assert dump["resolvers"][6]["caches"] == 3  # the anycast one
    assert dump["verifier"]["name"] == "wix-verifier"
    assert dump["verifier"]["port"] == info.verifier.port
    zones = {z["zone"]: z for z in dump["zones"]}
    assert {"ascendbywix.com", ZONE, "queried-early.example", "apex.example"} <= set(zones)
    apex = zones["apex.example"]
    assert apex["provider"] == "the sandbox DNS host"
    assert apex["nameservers"] == ["ns1.dns-host.example", "ns2.dns-host.example"]
    assert (apex["soaTtl"], apex["negativeTtl"], apex["effectiveNegativeTtl"]) == (3600, 1800, 1800)
    assert {r["type"] for r in apex["records"]} == {"A", "MX", "TXT"}
    assert zones["proxied.example"]["provider"] == "Cloudflare"
    assert zones["lagging.example"]["lagSeconds"] == 900
    assert zones["dnssec-broken.example"]["dnssecBroken"] is True
    assert {"hostName", "value"} == set(dump["records"][0])


async def test_the_host_field_works_like_a_panel(frozen, client):
    primary, _ = authoritative(frozen)
    relative = post(
        client, "records", {"zone": ZONE, "host": "em1", "type": "CNAME", "value": "t.example"}
    )
    assert relative.json()["record"]["name"] == "em1.dns-host.example"
    # Pasting the full name without the final dot doubles the zone, as at real hosts.
    doubled = post(
        client,
        "records",
        {"zone": ZONE, "host": "em2.dns-host.example", "type": "CNAME", "value": "t.example"},
    )
    assert doubled.json()["record"]["name"] == "em2.dns-host.example.dns-host.example"
    absolute = post(
        client,
        "records",
        {"zone": ZONE, "host": "em3.dns-host.example.", "type": "CNAME", "value": "t.example."},
    )
    assert absolute.json()["record"]["name"] == "em3.dns-host.example"
    bind = post(
        client,
        "records",
        {"zone": ZONE, "host": "em4", "type": "CNAME", "value": "t.example", "panel": "bind"},
    )
    assert bind.json()["record"]["value"] == "t.example.dns-host.example"
    apex_txt = post(client, "records", {"zone": ZONE, "host": "@", "type": "TXT", "value": "hi"})
    assert apex_txt.json()["record"]["name"] == ZONE
    assert targets(await ask(primary, "em2.dns-host.example.dns-host.example")) == ["t.example"]
    assert rcode(await ask(primary, "em2.dns-host.example")) == "NXDOMAIN"


def test_record_values_are_checked(frozen, client):
    base = {"zone": ZONE, "host": "x"}
    cases = [
        ({**base, "type": "A", "value": "999.1.1.1"}, "IPv4"),
        ({**base, "type": "AAAA", "value": "192.0.2.1"}, "IPv6"),
        ({**base, "type": "SRV", "value": "x"}, "type must be one of"),
        ({**base, "type": "CNAME", "value": "bad..name"}, "empty label"),
        ({**base, "type": "CNAME", "value": "a" * 64 + ".example"}, "longer than 63"),
        ({**base, "type": "MX", "value": "ten mail.example"}, "PREFERENCE HOST"),
        ({**base, "type": "TXT", "value": "x" * 4001}, "at most 4000"),
        ({**base, "type": "A", "value": "192.0.2.1", "proxied": True}, "CNAME records only"),
        (
            {**base, "type": "CNAME", "value": "t.example", "proxied": True, "flattened": True},
            "not both",
        ),
        ({**base, "type": "CNAME", "value": "t.example", "ttl": -1}, "ttl", "0 to 604800"),
        ({**base, "type": "CNAME", "value": "t.example", "ttl": 604801}, "0 to 604800"),
        ({**base, "type": "CNAME", "value": "t.example", "panel": "cpanel"}, "panel must be"),
        ({**base, "type": "CNAME", "value": "t.example", "color": 1}, "unknown field"),
        ({"zone": ZONE, "host": "@", "type": "CNAME", "value": "t.example"}, "apex"),
        (
            {"zone": ZONE, "host": "x.other.example.", "type": "A", "value": "192.0.2.1"},
            "not inside",
        ),
        ({"zone": ZONE, "type": "A", "value": "192.0.2.1"}, "host is required"),
        ({"host": "x", "type": "A", "value": "192.0.2.1"}, "zone is required"),
    ]
    for body, *fragments in cases:
        refused(post(client, "records", body), *fragments)
    refused(
        post(
            client, "records", {**base, "zone": "nope.example", "type": "A", "value": "192.0.2.1"}
        ),
        "no zone",
        status=404,
    )
    ok = {"zone": ZONE, "host": "@", "type": "CNAME", "value": "t.example", "flattened": True}
    assert post(client, "records", ok).status_code == 200  # a flattened apex CNAME is fine


async def test_delete_records_by_body_or_query(frozen, client):
    primary, _ = authoritative(frozen)
    for value in ("a.example", "b.example"):
        post(client, "records", {"zone": ZONE, "host": "two", "type": "CNAME", "value": value})
    post(client, "records", {"zone": ZONE, "host": "two", "type": "TXT", "value": "left over"})
    both = await ask(primary, "two.dns-host.example", one_rr_per_rrset=True)
    assert targets(both) == ["a.example", "b.example"]
    one = delete(client, {"zone": ZONE, "host": "two", "type": "CNAME", "value": "a.example"})
    assert [r["value"] for r in one.json()["deleted"]] == ["a.example"]
    assert targets(await ask(primary, "two.dns-host.example")) == ["b.example"]
    rest = delete(client, params={"zone": ZONE, "host": "two"})
    assert {r["type"] for r in rest.json()["deleted"]} == {"CNAME", "TXT"}
    refused(delete(client, {"zone": ZONE, "host": "two"}), "nothing to delete", status=404)
    assert rcode(await ask(primary, "two.dns-host.example")) == "NXDOMAIN"


async def test_replace_keeps_one_record_of_the_type(frozen, client):
    primary, _ = authoritative(frozen)
    post(client, "records", {"zone": ZONE, "host": "w", "type": "A", "value": "192.0.2.1"})
    post(client, "records", {"zone": ZONE, "host": "w", "type": "A", "value": "192.0.2.2"})
    assert len(records(await ask(primary, "w.dns-host.example", "A"), "A")) == 2
    body = {
        "zone": ZONE,
        "host": "w",
        "type": "A",
        "value": "192.0.2.3",
        "replace": True,
        "ttl": 60,
    }
    post(client, "records", body)
    assert records(await ask(primary, "w.dns-host.example", "A"), "A") == [
        ("w.dns-host.example", 60, "192.0.2.3")
    ]


async def test_zone_levers(frozen, client):
    primary, secondary = authoritative(frozen)
    moved = post(client, "zones", {"zone": ZONE, "provider": "cloudflare", "negativeTtl": 300})
    zone = moved.json()["zone"]
    assert zone["nameservers"] == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    assert zone["provider"] == "Cloudflare" and zone["effectiveNegativeTtl"] == 300
    assert soa(await ask(primary, "nope.dns-host.example"))[0] == 300
    custom = post(client, "zones", {"zone": ZONE, "nameservers": ["ns1.example.net"]})
    assert custom.json()["zone"]["provider"] == "custom nameservers"
    post(client, "zones", {"zone": ZONE, "lagSeconds": 60, "dnssecBroken": True})
    post(client, "records", {"zone": ZONE, "host": "fresh", "type": "A", "value": "192.0.2.5"})
    assert rcode(await ask(secondary, "fresh.dns-host.example", "A")) == "NXDOMAIN"
    frozen.clock.advance(60)
    assert rcode(await ask(secondary, "fresh.dns-host.example", "A")) == "NOERROR"
    created = post(client, "zones", {"zone": "brand-new.example", "create": True})
    assert created.json()["zone"]["serial"] > 0
    assert rcode(await ask(primary, "brand-new.example", "SOA")) == "NOERROR"
    for body, fragment in [
        ({"zone": ZONE, "provider": "godaddy"}, "provider must be one of"),
        ({"zone": ZONE, "provider": "wix", "nameservers": ["a.example"]}, "not both"),
        ({"zone": ZONE, "nameservers": []}, "1 to 13"),
        ({"zone": ZONE, "negativeTtl": 1e9}, "negativeTtl"),
        ({"zone": ZONE, "lagSeconds": -1}, "lagSeconds"),
        ({"zone": ZONE, "dnssecBroken": "yes"}, "true or false"),
    ]:
        refused(post(client, "zones", body), fragment)
    refused(post(client, "zones", {"zone": "unknown.example"}), "no zone", status=404)


async def test_lookup_plants_what_someone_checking_too_early_would(frozen, client):
    host = "later.dns-host.example"
    planted = post(client, "resolvers/lookup", {"qname": host, "agoSeconds": 300})
    results = planted.json()["results"]
    assert [r["resolver"] for r in results] == ["isp-1", "isp-2", "isp-3", "isp-4"]
    assert {r["rcode"] for r in results} == {"NXDOMAIN"}
    assert results[0]["authority"][0]["ttl"] == 1800
    post(client, "records", {"zone": ZONE, "host": "later", "type": "CNAME", "value": "t.example"})
    for name in ("isp-1", "isp-4"):
        cached = await ask(resolver(frozen, name), host)
        assert rcode(cached) == "NXDOMAIN" and soa(cached)[0] == 1500
    assert rcode(await ask(resolver(frozen, "wix-verifier"), host)) == "NOERROR"  # not asked
    one = post(client, "resolvers/lookup", {"name": "wix-verifier", "qname": host, "qtype": "A"})
    assert one.json()["results"][0]["answer"][0]["values"] == ["t.example"]
    refused(
        post(client, "resolvers/lookup", {"name": "nobody", "qname": host}),
        "no resolver",
        status=404,
    )
    refused(post(client, "resolvers/lookup", {"qname": host, "qtype": "AXFR"}), "qtype")
    refused(post(client, "resolvers/lookup", {"qname": host, "agoSeconds": "x"}), "agoSeconds")


async def test_flush_forgets_cached_answers(frozen, client):
    host = "later.dns-host.example"
    post(client, "resolvers/lookup", {"qname": host})
    post(client, "records", {"zone": ZONE, "host": "later", "type": "CNAME", "value": "t.example"})
    one = post(client, "resolvers/flush", {"name": "isp-1", "qname": host})
    assert one.json() == {"flushed": 1}
    assert targets(await ask(resolver(frozen, "isp-1"), host)) == ["t.example"]
    assert rcode(await ask(resolver(frozen, "isp-2"), host)) == "NXDOMAIN"
    assert post(client, "resolvers/flush", {}).json()["flushed"] >= 3
    assert targets(await ask(resolver(frozen, "isp-2"), host)) == ["t.example"]
    refused(post(client, "resolvers/flush", {"name": "nobody"}), "no resolver", status=404)


def test_caches_route_shows_entries_with_remaining_ttls(lab, client):
    found = client.get("/_sandbox/dns/caches", params={"resolver": "isp-1"}).json()
    ((entries,),) = [r["caches"] for r in found["resolvers"]]
    assert entries and {e["kind"] for e in entries} == {"nxdomain"}
    assert {e["remaining"] for e in entries} == {1200}
    anycast = client.get("/_sandbox/dns/caches", params={"resolver": "anycast"}).json()
    caches = anycast["resolvers"][0]["caches"]
    assert [sorted({e["remaining"] for e in c}) for c in caches] == [[1200], [300], []]


@pytest.mark.parametrize(
    ("mistake", "name", "value"),
    [
        (None, "{host}", "{target}"),
        ("double_suffix", "{host}.sunrise-bakery.example", "{target}"),
        ("relative_target", "{host}", "{target}.sunrise-bakery.example"),
        ("typo_underscore", "{bare}", "{target}"),
        ("wrong_target", "{host}", "{short}"),
    ],
)
async def test_publish_with_a_mistake_and_unpublish_it(site, frozen, client, mistake, name, value):
    site.verify_email("hello@sunrise-bakery.example")
    site.create_sender("Sunrise", "hello@sunrise-bakery.example")  # records known at once
    body = {"domain": "sunrise-bakery.example", "mistake": mistake}
    published = post(client, "publish", body).json()
    first = published["published"][0]
    host, target = first["hostName"], first["value"]
    expected_name = name.format(host=host, bare=host.replace("._", "."))
    expected_value = value.format(target=target, short=target[:-1])
    assert published["records"][0]["name"] == expected_name
    assert published["records"][0]["value"] == expected_value
    primary, _ = authoritative(frozen)
    assert targets(await ask(primary, expected_name)) == [expected_value]
    post(client, "unpublish", {"domain": "sunrise-bakery.example"})
    assert rcode(await ask(primary, expected_name)) == "NXDOMAIN"


def test_publish_refuses_unknown_mistakes_and_hosts_outside_zones(frozen, client):
    refused(post(client, "publish", {"records": [], "mistake": "oops"}), "mistake must be one of")
    outside = {"records": [{"hostName": "a.nowhere.example", "value": "b.example"}]}
    refused(post(client, "publish", outside), "no zone")


async def test_reset_reseeds_the_dns_world(frozen, client):
    post(client, "records", {"zone": ZONE, "host": "gone", "type": "A", "value": "192.0.2.1"})
    post(client, "resolvers/lookup", {"qname": "x.dns-host.example"})
    client.post("/_sandbox/reset", json={})
    primary, _ = authoritative(frozen)
    assert rcode(await ask(primary, "gone.dns-host.example", "A")) == "NXDOMAIN"
    cached = client.get("/_sandbox/dns/caches").json()["resolvers"]
    assert all(c == [] for r in cached for c in r["caches"])


def test_index_lists_the_dns_routes(client):
    paths = {(r["method"], r["path"]) for r in client.get("/_sandbox/").json()["controlRoutes"]}
    for route in [
        ("GET", "/_sandbox/dns"),
        ("GET", "/_sandbox/dns/caches"),
        ("POST", "/_sandbox/dns/records"),
        ("DELETE", "/_sandbox/dns/records"),
        ("POST", "/_sandbox/dns/zones"),
        ("POST", "/_sandbox/dns/resolvers/flush"),
        ("POST", "/_sandbox/dns/resolvers/lookup"),
        ("POST", "/_sandbox/dns/resolvers"),
        ("POST", "/_sandbox/dns/servers"),
    ]:
        assert route in paths


@pytest.mark.parametrize(
    ("path", "template", "field"),
    [
        (
            "records",
            '{{"zone": "dns-host.example", "host": "x", "type": "A", '
            '"value": "192.0.2.1", "ttl": {v}}}',
            "ttl",
        ),
        ("zones", '{{"zone": "dns-host.example", "lagSeconds": {v}}}', "lagSeconds"),
        ("zones", '{{"zone": "dns-host.example", "soaTtl": {v}}}', "soaTtl"),
        ("resolvers/lookup", '{{"qname": "x.example", "agoSeconds": {v}}}', "agoSeconds"),
    ],
)
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1", "1e12", "true", '"5"'])
def test_dns_numbers_are_bounded(frozen, client, path, template, field, value):
    response = client.post(
        f"/_sandbox/dns/{path}",
        content=template.format(v=value).encode(),
        headers={"Content-Type": "application/json"},
    )
    refused(response, field)
    assert client.get("/_sandbox/dns").status_code == 200
