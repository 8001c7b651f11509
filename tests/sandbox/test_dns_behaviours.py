"""What real resolvers and servers do beyond RFC 2308, on the wire: unbound's shared SOA and
per-type negatives, negative caps, dead paths, serve-stale, aggressive NSEC, RRL, and a parent
that delegates a zone elsewhere. Each set up through the control routes, as a user would."""

from __future__ import annotations

import asyncio
from collections import Counter

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from .dnswire import ask, authoritative, ede_codes, rcode, records, resolver, soa, targets, values

ZONE = "dns-host.example"
TARGET = "ns1.dns-host.example"  # an A record every world has (203.0.113.53)


def post(client, path: str, body: dict):
    response = client.post(f"/_sandbox/dns/{path}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def add(client, host: str, type_: str, value: str, zone: str = ZONE, **extra) -> int:
    body = {"zone": zone, "host": host, "type": type_, "value": value, **extra}
    return post(client, "records", body)["serial"]


def make_resolver(client, name: str, **options) -> dict:
    return post(client, "resolvers", {"name": name, "create": True, **options})["resolver"]


def nsec(response: dns.message.Message) -> list[tuple[str, str]]:
    return [
        (s.name.to_text(omit_final_dot=True), s[0].next.to_text(omit_final_dot=True))
        for s in response.authority
        if s.rdtype == dns.rdatatype.NSEC
    ]


def ede_texts(response: dns.message.Message) -> list[str | None]:
    return [e.text for e in response.extended_errors()]


# -- 1. unbound's one SOA per zone -------------------------------------------------------------


async def test_unbound_answers_every_negative_with_the_zones_newest_soa(frozen, client):
    make_resolver(client, "ub", software="unbound")
    ub, bind = resolver(frozen, "ub"), resolver(frozen, "isp-1")
    first = await ask(ub, "a.dns-host.example", "TXT")
    await ask(bind, "a.dns-host.example", "TXT")
    ttl, old_serial, _ = soa(first)
    assert (rcode(first), ttl) == ("NXDOMAIN", 1800)

    frozen.clock.advance(600)
    new_serial = add(client, "a", "TXT", "published after the early look")
    assert soa(await ask(ub, "a.dns-host.example", "TXT"))[:2] == (1200, old_serial)
    # Another negative of the zone brings the new SOA: every negative shows it from now on.
    assert soa(await ask(ub, "b.dns-host.example", "TXT"))[:2] == (1800, new_serial)
    renewed = await ask(ub, "a.dns-host.example", "TXT")
    assert rcode(renewed) == "NXDOMAIN" and soa(renewed)[:2] == (1800, new_serial)
    # BIND keeps each negative's own SOA.
    assert soa(await ask(bind, "a.dns-host.example", "TXT"))[:2] == (1200, old_serial)

    # Yet each negative still expires on its own clock: 1200 s from now, not 1800.
    frozen.clock.advance(1199)
    still = await ask(ub, "a.dns-host.example", "TXT")
    assert rcode(still) == "NXDOMAIN" and soa(still)[:2] == (601, new_serial)
    frozen.clock.advance(1)
    assert values(await ask(ub, "a.dns-host.example", "TXT"), "TXT") == [
        "published after the early look"
    ]


async def test_the_same_soa_again_does_not_renew_the_shared_one(frozen, client):
    make_resolver(client, "ub", software="unbound")
    ub = resolver(frozen, "ub")
    await ask(ub, "a.dns-host.example", "TXT")
    frozen.clock.advance(100)
    # A new negative with an identical SOA: the cached SOA keeps its TTL, and the new negative
    # dies with it, 1700 s from now, not 1800 (both seen with unbound 1.17.1 on loopback).
    later = await ask(ub, "b.dns-host.example", "TXT")
    assert soa(later)[0] == 1700
    entries = client.get("/_sandbox/dns/caches", params={"resolver": "ub"}).json()
    (cache,) = entries["resolvers"][0]["caches"]
    (b,) = [e for e in cache if e["name"] == "b.dns-host.example"]
    assert (b["ttl"], b["remaining"], b["soaTtl"]) == (1800, 1700, 1700)
    add(client, "b", "TXT", "here now")
    frozen.clock.advance(1699)
    assert rcode(await ask(ub, "b.dns-host.example", "TXT")) == "NXDOMAIN"
    frozen.clock.advance(1)
    assert values(await ask(ub, "b.dns-host.example", "TXT"), "TXT") == ["here now"]


async def test_qname_minimisation_brings_the_new_soa_on_the_way(frozen, client):
    make_resolver(client, "ub", software="unbound")
    ub, bind = resolver(frozen, "ub"), resolver(frozen, "isp-1")
    for where in (ub, bind):
        await ask(where, "early.dns-host.example", "TXT")
    frozen.clock.advance(300)
    serial = add(client, "s1._domainkey", "CNAME", TARGET)
    for where in (ub, bind):  # a positive answer: the final question brings no SOA
        assert targets(await ask(where, "s1._domainkey.dns-host.example")) == [TARGET]
    # unbound asked _domainkey.dns-host.example first (RFC 9156): NODATA, with the new SOA.
    assert soa(await ask(ub, "early.dns-host.example", "TXT"))[:2] == (1800, serial)
    assert soa(await ask(bind, "early.dns-host.example", "TXT"))[:2] == (1500, serial - 1)


# -- 5. negatives per question type --------------------------------------------------------------


async def test_unbound_keeps_nxdomain_per_type(frozen, client):
    make_resolver(client, "ub", software="unbound")
    ub, bind = resolver(frozen, "ub"), resolver(frozen, "isp-1")
    name = "s1._domainkey.dns-host.example"
    for where in (ub, bind):  # someone ran `dig TXT` before the record existed
        assert rcode(await ask(where, name, "TXT")) == "NXDOMAIN"
    add(client, "s1._domainkey", "CNAME", TARGET)
    assert targets(await ask(ub, name)) == [TARGET]  # the CNAME question was never asked
    assert rcode(await ask(ub, name, "TXT")) == "NXDOMAIN"  # the TXT one stays negative
    chased = await ask(ub, name, "A")
    assert targets(chased) == [TARGET] and values(chased, "A") == ["203.0.113.53"]
    assert rcode(await ask(bind, name)) == "NXDOMAIN"  # BIND: NXDOMAIN blocks every type
    caches = client.get("/_sandbox/dns/caches", params={"resolver": "ub"}).json()
    kinds = {(e["name"], e["type"], e["kind"]) for e in caches["resolvers"][0]["caches"][0]}
    assert (name, "TXT", "nxdomain") in kinds and (name, "CNAME", "positive") in kinds


async def test_a_txt_question_follows_the_cname_to_the_targets_txt(frozen, client):
    make_resolver(client, "ub", software="unbound")
    add(client, "key.ascendbywix.com.", "TXT", "v=DKIM1; p=abc", zone="ascendbywix.com")
    add(client, "s2._domainkey", "CNAME", "key.ascendbywix.com")
    for name in ("ub", "isp-1"):
        found = await ask(resolver(frozen, name), "s2._domainkey.dns-host.example", "TXT")
        assert targets(found) == ["key.ascendbywix.com"]
        assert values(found, "TXT") == ["v=DKIM1; p=abc"]


# -- 4. negative caps ----------------------------------------------------------------------------


async def test_negative_ttls_are_capped_per_software_and_per_resolver(frozen, client):
    post(client, "zones", {"zone": ZONE, "negativeTtl": 86400, "soaTtl": 86400})
    make_resolver(client, "ub", software="unbound")
    make_resolver(client, "capped", maxNegativeTtl=300)
    expected = {"ub": 3600, "isp-1": 10800, "capped": 300}  # unbound, BIND, a public cap
    for name, cap in expected.items():
        for qname, qtype in (("nx.dns-host.example", "TXT"), (TARGET, "TXT")):  # NXDOMAIN, NODATA
            found = await ask(resolver(frozen, name), qname, qtype)
            assert soa(found)[0] == cap, (name, qname)
    primary, _ = authoritative(frozen)
    assert soa(await ask(primary, "nx.dns-host.example", "TXT"))[0] == 86400
    back = post(client, "resolvers", {"name": "capped", "maxNegativeTtl": None})["resolver"]
    assert back["maxNegativeTtl"] == 10800
    found = await ask(resolver(frozen, "capped"), "other.dns-host.example", "TXT")
    assert soa(found)[0] == 10800


# -- 2. a dead path to one zone ------------------------------------------------------------------


async def test_a_dead_path_servfails_one_zone_and_answers_the_rest(frozen, client):
    isp1 = resolver(frozen, "isp-1")
    add(client, "kept", "A", "192.0.2.7")
    await ask(isp1, "kept.dns-host.example", "A")  # cached before the path died
    post(client, "resolvers", {"name": "isp-1", "deadZones": [ZONE]})
    assert rcode(await ask(isp1, "new.dns-host.example", "A")) == "SERVFAIL"
    assert rcode(await ask(isp1, TARGET, "TXT")) == "SERVFAIL"
    assert values(await ask(isp1, "kept.dns-host.example", "A"), "A") == ["192.0.2.7"]
    control = await ask(isp1, ".", "SOA")
    assert rcode(control) == "NOERROR" and records(control, "SOA")
    assert rcode(await ask(isp1, "nowhere.example", "A")) == "NXDOMAIN"
    assert rcode(await ask(isp1, "ascendbywix.com", "SOA")) == "NOERROR"
    assert records(await ask(resolver(frozen, "isp-2"), TARGET, "A"), "A")  # others reach it
    post(client, "resolvers", {"name": "isp-1", "deadZones": []})
    assert records(await ask(isp1, TARGET, "A"), "A")


@pytest.mark.parametrize("tcp", [False, True])
async def test_a_silent_dead_path_never_answers_for_the_zone(frozen, client, tcp):
    post(client, "resolvers", {"name": "isp-1", "deadZones": [ZONE], "deadPath": "silent"})
    isp1 = resolver(frozen, "isp-1")
    with pytest.raises(dns.exception.Timeout):
        await ask(isp1, TARGET, "A", tcp=tcp, timeout=0.2)
    assert rcode(await ask(isp1, ".", "SOA", tcp=tcp)) == "NOERROR"
    # A CNAME into the dead zone: silent too, though its first name is elsewhere.
    add(client, "via.ascendbywix.com.", "CNAME", TARGET, zone="ascendbywix.com")
    with pytest.raises(dns.exception.Timeout):
        await ask(isp1, "via.ascendbywix.com", "A", tcp=tcp, timeout=0.2)


# -- 3. serve-stale ------------------------------------------------------------------------------


async def test_serve_stale_answers_expired_data_when_the_zone_cannot_be_reached(frozen, client):
    post(client, "resolvers", {"name": "isp-1", "serveStale": "on-failure"})
    isp1 = resolver(frozen, "isp-1")
    add(client, "web", "A", "192.0.2.10", ttl=300)
    await ask(isp1, "web.dns-host.example", "A")
    await ask(isp1, "gone.dns-host.example", "A")  # NXDOMAIN, 1800 s
    await ask(isp1, TARGET, "TXT")  # NODATA, 1800 s
    frozen.clock.advance(2000)
    fresh = await ask(isp1, "web.dns-host.example", "A")  # reachable: a fresh answer
    assert records(fresh, "A")[0][1] == 300 and not ede_codes(fresh)

    frozen.clock.advance(400)
    add(client, "web", "A", "192.0.2.20", ttl=300, replace=True)  # changed meanwhile
    post(client, "resolvers", {"name": "isp-1", "deadZones": [ZONE]})
    stale = await ask(isp1, "web.dns-host.example", "A")
    assert records(stale, "A") == [("web.dns-host.example", 30, "192.0.2.10")]
    assert ede_codes(stale) == [int(dns.edns.EDECode.STALE_ANSWER)]
    assert ede_texts(stale) == ["resolver failure"]
    gone = await ask(isp1, "gone.dns-host.example", "A")
    assert rcode(gone) == "NXDOMAIN" and soa(gone)[0] == 30
    assert ede_codes(gone) == [int(dns.edns.EDECode.STALE_NXDOMAIN_ANSWER)]
    nodata = await ask(isp1, TARGET, "TXT")
    assert rcode(nodata) == "NOERROR" and nodata.answer == [] and soa(nodata)[0] == 30
    assert ede_codes(nodata) == [int(dns.edns.EDECode.STALE_ANSWER)]
    plain = await ask(isp1, "web.dns-host.example", "A", edns=False)  # no EDNS, no EDE
    assert records(plain, "A")[0][1:] == (30, "192.0.2.10") and plain.edns < 0
    never = await ask(isp1, "never.dns-host.example", "A")  # nothing to serve: SERVFAIL
    assert rcode(never) == "SERVFAIL" and not ede_codes(never)

    frozen.clock.advance(86400)  # past the stale window (RFC 8767 §5)
    assert rcode(await ask(isp1, "web.dns-host.example", "A")) == "SERVFAIL"


async def test_serve_stale_immediately_then_fresh(frozen, client):
    post(client, "resolvers", {"name": "isp-1", "serveStale": "immediate"})
    isp1 = resolver(frozen, "isp-1")
    add(client, "web", "A", "192.0.2.10", ttl=300)
    await ask(isp1, "web.dns-host.example", "A")
    add(client, "web", "A", "192.0.2.20", ttl=300, replace=True)
    frozen.clock.advance(301)
    stale = await ask(isp1, "web.dns-host.example", "A")
    assert records(stale, "A")[0][1:] == (30, "192.0.2.10")
    assert ede_codes(stale) == [int(dns.edns.EDECode.STALE_ANSWER)]
    assert ede_texts(stale) == ["query within stale refresh time window"]
    fresh = await ask(isp1, "web.dns-host.example", "A")  # refreshed behind the stale answer
    assert records(fresh, "A")[0][1:] == (300, "192.0.2.20") and not ede_codes(fresh)


async def test_unbound_flags_stale_negatives_with_ede_3_and_no_text(frozen, client):
    make_resolver(client, "ub", software="unbound", serveStale="on-failure")
    ub = resolver(frozen, "ub")
    await ask(ub, "gone.dns-host.example", "A")
    frozen.clock.advance(1801)
    post(client, "resolvers", {"name": "ub", "deadZones": [ZONE]})
    stale = await ask(ub, "gone.dns-host.example", "A")
    assert rcode(stale) == "NXDOMAIN" and soa(stale)[0] == 30
    assert ede_codes(stale) == [int(dns.edns.EDECode.STALE_ANSWER)] and ede_texts(stale) == [None]
    body = {"name": "ub", "qname": "gone.dns-host.example", "qtype": "A"}
    looked = post(client, "resolvers/lookup", body)
    (result,) = looked["results"]
    assert result["stale"] is True and result["ede"] == 3 and "edeText" not in result


# -- 6. a signed zone and aggressive NSEC ----------------------------------------------------


SIGNED = "signed-test.example"


async def test_a_signed_zone_proves_its_denials_with_nsec(frozen, client):
    post(client, "zones", {"zone": SIGNED, "create": True, "signed": True})
    primary, _ = authoritative(frozen)
    nx = await ask(primary, f"b.{SIGNED}", "A", rd=False, dnssec=True)
    assert rcode(nx) == "NXDOMAIN" and nsec(nx) == [(SIGNED, f"mail.{SIGNED}")]
    gap = next(s for s in nx.authority if s.rdtype == dns.rdatatype.NSEC)
    assert gap.ttl == 1800 and "NSEC" in gap[0].to_text() and "SOA" in gap[0].to_text()
    beyond = await ask(primary, f"z.{SIGNED}", "A", rd=False, dnssec=True)
    assert nsec(beyond)[0] == (f"mail.{SIGNED}", SIGNED)  # the last gap wraps to the apex
    nodata = await ask(primary, f"mail.{SIGNED}", "TXT", rd=False, dnssec=True)
    assert rcode(nodata) == "NOERROR" and nsec(nodata) == [(f"mail.{SIGNED}", SIGNED)]
    assert nsec(await ask(primary, f"b.{SIGNED}", "A", rd=False)) == []  # no DO, no NSEC
    assert nsec(await ask(primary, f"b.{ZONE}", "A", rd=False, dnssec=True)) == []  # unsigned


async def test_aggressive_nsec_denies_a_name_nobody_asked(frozen, client):
    post(client, "zones", {"zone": SIGNED, "create": True, "signed": True})
    make_resolver(client, "v", behaviour="validating", aggressiveNsec=True)
    make_resolver(client, "v-plain", behaviour="validating")
    v, plain = resolver(frozen, "v"), resolver(frozen, "v-plain")
    for where in (v, plain):  # someone checks DMARC before publishing anything
        asked = await ask(where, f"_dmarc.{SIGNED}", "TXT", dnssec=True)
        assert rcode(asked) == "NXDOMAIN" and asked.flags & dns.flags.AD
    frozen.clock.advance(600)
    add(client, "s1._domainkey", "CNAME", TARGET, zone=SIGNED)
    add(client, "zz", "A", "192.0.2.9", zone=SIGNED)
    name = f"s1._domainkey.{SIGNED}"
    denied = await ask(v, name, dnssec=True)
    assert rcode(denied) == "NXDOMAIN" and soa(denied)[0] == 1200
    assert nsec(denied) == [(SIGNED, f"mail.{SIGNED}")] and denied.flags & dns.flags.AD
    no_do = await ask(v, name)
    assert rcode(no_do) == "NXDOMAIN" and nsec(no_do) == [] and not no_do.flags & dns.flags.AD
    assert targets(await ask(plain, name)) == [TARGET]  # without aggressive NSEC: fetched
    assert values(await ask(v, f"zz.{SIGNED}", "A"), "A") == ["192.0.2.9"]  # not in the gap
    looked = post(client, "resolvers/lookup", {"name": "v", "qname": name})
    assert looked["results"][0]["synthesized"] is True
    frozen.clock.advance(1200)  # the gap's TTL ran out: the name is asked for real
    assert targets(await ask(v, name)) == [TARGET]


def test_aggressive_nsec_needs_a_validating_resolver(frozen, client):
    response = client.post(
        "/_sandbox/dns/resolvers", json={"name": "isp-1", "aggressiveNsec": True}
    )
    assert response.status_code == 400 and "validating" in response.json()["message"]


# -- 7. response rate limiting -------------------------------------------------------------------


async def burst(where, count: int) -> Counter[str]:
    async def one() -> str:
        try:
            found = await ask(where, TARGET, "A", rd=False, timeout=0.3)
        except dns.exception.Timeout:
            return "dropped"
        return "truncated" if found.flags & dns.flags.TC else "answered"

    return Counter(await asyncio.gather(*(one() for _ in range(count))))


@pytest.mark.parametrize(
    ("slip", "limited"), [(0, {"dropped"}), (1, {"truncated"}), (2, {"dropped", "truncated"})]
)
async def test_rrl_drops_or_truncates_answers_above_the_rate(frozen, client, slip, limited):
    body = {"server": "primary", "rateLimit": 5, "slip": slip}
    (shown,) = post(client, "servers", body)["servers"]
    assert shown["rateLimit"]["rate"] == 5
    primary, secondary = authoritative(frozen)
    seen = await burst(primary, 30)
    assert 5 <= seen["answered"] <= 7  # the bucket holds one second's worth
    assert set(seen) - {"answered"} == limited
    if slip == 2:
        assert abs(seen["dropped"] - seen["truncated"]) <= 1  # every other one slips
    assert (await burst(secondary, 30))["answered"] == 30  # only the primary is limited
    over_tcp = await asyncio.gather(*(ask(primary, TARGET, "A", tcp=True) for _ in range(10)))
    assert all(records(r, "A") for r in over_tcp)  # RRL never limits TCP
    dump = client.get("/_sandbox/dns").json()
    counts = {s["role"]: s["rateLimit"] for s in [*dump["servers"], dump["parent"]]}
    assert counts["secondary"] is None and counts["parent"] is None
    assert counts["primary"]["answered"] == seen["answered"]
    assert counts["primary"]["dropped"] == seen["dropped"]
    assert counts["primary"]["slipped"] == seen["truncated"]
    post(client, "servers", {"server": "primary", "rateLimit": None})
    assert (await burst(primary, 30))["answered"] == 30


# -- 8. the parent, and a delegation elsewhere ---------------------------------------------------


async def test_the_parent_answers_for_the_root_and_the_tlds(frozen):
    parent = frozen.dns.parent
    root = await ask(parent, ".", "SOA", rd=False)
    assert rcode(root) == "NOERROR" and root.flags & dns.flags.AA
    assert records(root, "SOA")[0][2].startswith("a.root-servers.net.")
    tld = await ask(parent, "example", "SOA", rd=False)
    assert records(tld, "SOA")[0][1] == 900
    referral = await ask(parent, f"x.{ZONE}", "A", rd=False)
    assert rcode(referral) == "NOERROR" and referral.answer == []
    assert not referral.flags & dns.flags.AA
    (ns,) = [s for s in referral.authority if s.rdtype == dns.rdatatype.NS]
    assert ns.ttl == 172800
    assert sorted(r.to_text() for r in ns) == ["ns1.dns-host.example.", "ns2.dns-host.example."]
    nowhere = await ask(parent, "nowhere.example", "A", rd=False)
    assert rcode(nowhere) == "NXDOMAIN" and soa(nowhere)[:1] == (900,)
    invalid = await ask(parent, "x.invalid", "A", rd=False)
    assert rcode(invalid) == "NXDOMAIN" and soa(invalid)[0] == 86400
    no_ds = await ask(parent, ZONE, "DS", rd=False)
    assert rcode(no_ds) == "NOERROR" and no_ds.answer == [] and soa(no_ds)
    isp = await ask(resolver(frozen, "isp-1"), "nowhere.example", "A")
    assert rcode(isp) == "NXDOMAIN" and soa(isp)[0] == 900  # resolvers hear the TLD too


async def test_a_delegation_elsewhere_differs_from_the_zones_own_ns(frozen, client):
    zone = "moved.example"
    post(client, "zones", {"zone": zone, "create": True})
    add(client, "s1._domainkey", "CNAME", TARGET, zone=zone)
    shown = post(client, "zones", {"zone": zone, "delegation": "cloudflare"})["zone"]
    assert shown["nameservers"] == ["ns1.dns-host.example", "ns2.dns-host.example"]
    assert shown["delegation"] == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    assert shown["delegatedZone"]["providerKey"] == "cloudflare"
    assert not [r for r in shown["delegatedZone"]["records"] if r["type"] == "CNAME"]

    primary, _ = authoritative(frozen)
    own = await ask(primary, zone, "NS", rd=False)
    assert values(own, "NS") == ["ns1.dns-host.example", "ns2.dns-host.example"]
    referral = await ask(frozen.dns.parent, zone, "NS", rd=False)
    (ns,) = [s for s in referral.authority if s.rdtype == dns.rdatatype.NS]
    assert sorted(r.to_text() for r in ns) == ["ada.ns.cloudflare.com.", "bob.ns.cloudflare.com."]
    name = f"s1._domainkey.{zone}"
    assert targets(await ask(primary, name, rd=False)) == [TARGET]  # where the user edited
    isp1 = resolver(frozen, "isp-1")
    missing = await ask(isp1, name)  # where the world looks: Cloudflare's copy
    assert rcode(missing) == "NXDOMAIN"
    assert values(await ask(isp1, zone, "NS"), "NS") == [
        "ada.ns.cloudflare.com",
        "bob.ns.cloudflare.com",
    ]
    custom = post(client, "zones", {"zone": zone, "delegation": ["ns.other-host.example"]})
    assert custom["zone"]["delegation"] == ["ns.other-host.example"]
    back = post(client, "zones", {"zone": zone, "delegation": None})["zone"]
    assert back["delegation"] == back["nameservers"] and back["delegatedZone"] is None
    assert targets(await ask(resolver(frozen, "isp-2"), name)) == [TARGET]


# -- the levers' inputs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("resolvers", {"name": "isp-1", "software": "knot"}, "software must be one of"),
        ("resolvers", {"name": "isp-1", "serveStale": "yes"}, "serveStale must be one of"),
        ("resolvers", {"name": "isp-1", "deadPath": "slow"}, "deadPath must be one of"),
        ("resolvers", {"name": "isp-1", "deadZones": ["a b.example"]}, "deadZones"),
        ("resolvers", {"name": "isp-1", "caches": 3}, "anycast"),
        ("resolvers", {"name": "isp-1", "maxNegativeTtl": -1}, "maxNegativeTtl"),
        ("resolvers", {"name": "wix-verifier"}, "the sandbox's own servers"),
        ("resolvers", {"name": "parent", "create": True}, "the sandbox's own servers"),
        ("resolvers", {"name": "isp-1", "colour": "red"}, "unknown field"),
        ("servers", {"server": "primary"}, "rateLimit is required"),
        ("servers", {"server": "tertiary", "rateLimit": 1}, "server must be one of"),
        ("servers", {"rateLimit": 0}, "rateLimit"),
        ("servers", {"rateLimit": None, "slip": 1}, "slip needs a rateLimit"),
        ("servers", {"rateLimit": 5, "slip": 11}, "slip"),
        ("zones", {"zone": ZONE, "delegation": "godaddy"}, "delegation must be one of"),
        ("zones", {"zone": ZONE, "delegation": []}, "delegation must list"),
        ("zones", {"zone": ZONE, "delegation": ["a..example"]}, "delegation"),
        ("zones", {"zone": ZONE, "signed": "yes"}, "signed must be true or false"),
    ],
)
def test_the_levers_refuse_bad_input(frozen, client, path, body, words):
    response = client.post(f"/_sandbox/dns/{path}", json=body)
    assert response.status_code == 400, response.text
    assert words in response.json()["message"]


def test_changing_an_unknown_resolver_needs_create(frozen, client):
    response = client.post("/_sandbox/dns/resolvers", json={"name": "nobody"})
    assert response.status_code == 404 and "create" not in response.json()["message"]
    created = make_resolver(client, "nobody", behaviour="anycast")
    assert created["caches"] == 3 and created["port"] > 0
    assert created["software"] == "bind" and created["maxNegativeTtl"] == 10800
    names = [r["name"] for r in client.get("/_sandbox/dns").json()["resolvers"]]
    assert names[-1] == "nobody" and "nobody" in [r.name for r in frozen.dns.resolvers]
