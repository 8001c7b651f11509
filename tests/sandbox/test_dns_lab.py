"""The ``dns-lab`` scenario: each sending domain's one situation, as seen on the wire."""

from __future__ import annotations

import ipaddress

import dns.exception
import dns.flags
import pytest

from tui.sandbox.scenarios import LAB_DOMAINS

from .dnswire import (
    ask,
    authoritative,
    ede_codes,
    rcode,
    records,
    resolver,
    soa,
    targets,
    values,
)

CLEAN = ("isp-3", "isp-4", "isp-5", "isp-6", "validating")


def expected(lab, domain: str) -> list[tuple[str, str]]:
    """(hostName, value) of the domain's records, as Wix lists them."""
    (site,) = lab.world.sites.values()
    (found,) = [d for d in site.sending_domains.values() if d.domain == domain]
    return [(r.host_name, r.value) for r in found.records]


def serial(client, zone: str) -> tuple[int, int | None]:
    zones = {z["zone"]: z for z in client.get("/_sandbox/dns").json()["zones"]}
    return zones[zone]["serial"], zones[zone]["secondarySerial"]


def test_every_lab_domain_is_not_authenticated_with_records(lab, client):
    (site,) = lab.world.sites.values()
    domains = {d.domain: d for d in site.sending_domains.values()}
    assert list(domains) == list(LAB_DOMAINS)
    assert all(d.status == "NOT_AUTHENTICATED" and d.records for d in domains.values())
    assert site.account.multiple_senders
    names = [r.name for r in lab.dns.resolvers]
    assert names == [
        *(f"isp-{i}" for i in range(1, 7)),
        *("anycast", "validating", "servfail", "refused", "dead"),
        *("unbound", "path-servfail", "path-silent", "stale"),
    ]
    assert [r.behaviour for r in lab.dns.resolvers][6:] == [
        "anycast",
        "validating",
        "servfail",
        "refused",
        "dead",
        *["normal"] * 4,  # the new behaviours are options of normal resolvers
    ]


async def test_queried_early(lab, client):
    primary, _ = authoritative(lab)
    published, _ = serial(client, "queried-early.example")
    for host, target in expected(lab, "queried-early.example"):
        assert targets(await ask(primary, host)) == [target]
        early = await ask(resolver(lab, "isp-1"), host)
        assert rcode(early) == "NXDOMAIN"
        assert soa(early)[:2] == (1200, published - 1)  # cached before the publishing change
        for name in ("isp-2", *CLEAN):
            assert targets(await ask(resolver(lab, name), host)) == [target], name


async def test_stale_target(lab):
    primary, _ = authoritative(lab)
    for host, target in expected(lab, "stale-target.example"):
        assert targets(await ask(primary, host)) == [target]
        stale = await ask(resolver(lab, "isp-2"), host, "TXT")
        ((_, ttl, old),) = records(stale, "CNAME")
        assert ttl == 2400 and old != target
        assert old.split(".")[-3] != target.split(".")[-3]  # another shard, e.g. s004 vs s006
        assert records(stale, "TXT")[0][2].startswith("v=DKIM1; k=rsa; p=")  # it still resolves
        for name in ("isp-1", *CLEAN):
            assert targets(await ask(resolver(lab, name), host)) == [target]


async def test_wrong_target(lab):
    primary, _ = authoritative(lab)
    (first, target), *rest = expected(lab, "wrong-target.example")
    assert targets(await ask(primary, first)) == [target[:-1]]  # "...ascendbywix.co"
    chased = await ask(resolver(lab, "isp-3"), first, "TXT")
    assert rcode(chased) == "NXDOMAIN" and targets(chased) == [target[:-1]]
    for host, good in rest:
        assert targets(await ask(primary, host)) == [good]


async def test_doubled(lab):
    primary, _ = authoritative(lab)
    for host, target in expected(lab, "doubled.example"):
        assert rcode(await ask(primary, host)) == "NXDOMAIN"
        assert targets(await ask(primary, f"{host}.doubled.example")) == [target]
        assert rcode(await ask(resolver(lab, "isp-3"), host)) == "NXDOMAIN"


async def test_relative(lab):
    primary, _ = authoritative(lab)
    for host, target in expected(lab, "relative.example"):
        assert targets(await ask(primary, host)) == [f"{target}.relative.example"]
        assert rcode(await ask(resolver(lab, "isp-3"), host, "A")) == "NXDOMAIN"


async def test_typo(lab):
    primary, _ = authoritative(lab)
    (first, target), *rest = expected(lab, "typo.example")
    assert first == "s1._domainkey.typo.example"
    assert rcode(await ask(primary, first)) == "NXDOMAIN"
    assert targets(await ask(primary, "s1.domainkey.typo.example")) == [target]
    for host, good in rest:
        assert targets(await ask(primary, host)) == [good]


async def test_conflict(lab):
    primary, _ = authoritative(lab)
    (first, target), (second, second_target), *_ = expected(lab, "conflict.example")
    assert targets(await ask(primary, first)) == [target]
    leftover = await ask(primary, first, "TXT")  # a sloppy host answers by type
    assert targets(leftover) == []
    assert records(leftover, "TXT")[0][2].startswith("v=DKIM1;")
    both = await ask(primary, second, one_rr_per_rrset=True)
    assert targets(both) == sorted([second_target, "dkim.old-esp.example"])
    through = await ask(resolver(lab, "isp-3"), second, one_rr_per_rrset=True)
    assert targets(through) == targets(both)  # resolvers pass both along


async def test_proxied_and_flattened(lab):
    primary, _ = authoritative(lab)
    (proxied, p_target), (flat, f_target), *rest = expected(lab, "proxied.example")
    ns = await ask(primary, "proxied.example", "NS")
    assert {v for _, _, v in records(ns, "NS")} == {
        "ada.ns.cloudflare.com",
        "bob.ns.cloudflare.com",
    }
    for host in (proxied, flat):
        hidden = await ask(primary, host)
        assert rcode(hidden) == "NOERROR" and hidden.answer == [] and soa(hidden)
        txt = await ask(primary, host, "TXT")
        assert txt.answer == [] and soa(txt)
    edge = values(await ask(primary, proxied, "A"), "A")
    real = values(await ask(primary, p_target, "A"), "A")
    assert edge and real and not set(edge) & set(real)
    assert all(
        ipaddress.ip_address(a) in ipaddress.ip_network("104.16.0.0/13")
        or ipaddress.ip_address(a) in ipaddress.ip_network("172.64.0.0/13")
        for a in edge
    )
    assert records(await ask(primary, proxied, "AAAA"), "AAAA")
    flattened = values(await ask(primary, flat, "A"), "A")
    assert flattened == values(await ask(primary, f_target, "A"), "A")
    through = await ask(resolver(lab, "isp-3"), proxied, "A")
    assert targets(through) == [] and values(through, "A") == edge
    for host, good in rest:
        assert targets(await ask(primary, host)) == [good]


async def test_elsewhere(lab, client):
    primary, secondary = authoritative(lab)
    dump = client.get("/_sandbox/dns").json()
    served = {z["zone"]: z for z in dump["zones"]}["elsewhere.example"]
    assert served["nameservers"] == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    (registrar,) = [z for z in dump["unservedZones"] if z["zone"] == "elsewhere.example"]
    assert registrar["providerKey"] == "registrar" and registrar["served"] is False
    at_registrar = {(r["name"], r["value"]) for r in registrar["records"] if r["type"] == "CNAME"}
    for host, target in expected(lab, "elsewhere.example"):
        assert (host, target) in at_registrar
        for server in (primary, secondary, resolver(lab, "isp-4")):
            assert rcode(await ask(server, host)) == "NXDOMAIN"


async def test_dnssec_broken(lab):
    for host, target in expected(lab, "dnssec-broken.example"):
        assert rcode(await ask(resolver(lab, "validating"), host)) == "SERVFAIL"
        assert targets(await ask(resolver(lab, "validating"), host, cd=True)) == [target]
        for name in ("isp-1", "isp-2", "isp-3", "anycast"):
            assert targets(await ask(resolver(lab, name), host)) == [target]


async def test_lagging(lab, client):
    primary, secondary = authoritative(lab)
    now_serial, behind = serial(client, "lagging.example")
    assert behind == now_serial - 1
    seen = set()
    for host, target in expected(lab, "lagging.example"):
        assert targets(await ask(primary, host)) == [target]
        assert rcode(await ask(secondary, host)) == "NXDOMAIN"
        for name in ("isp-1", "isp-2", *CLEAN):
            answer = await ask(resolver(lab, name), host)
            if targets(answer):
                assert targets(answer) == [target]
                seen.add("ok")
            else:  # this resolver asked the secondary: a fresh negative with the old serial
                assert rcode(answer) == "NXDOMAIN" and soa(answer)[:2] == (1800, behind)
                seen.add("negative")
    assert seen == {"ok", "negative"}


async def test_apex(lab):
    primary, _ = authoritative(lab)
    apex = await ask(primary, "apex.example", "CNAME")
    assert rcode(apex) == "NOERROR" and apex.answer == [] and soa(apex)
    assert records(await ask(primary, "apex.example", "A"), "A")
    for host, _ in expected(lab, "apex.example"):
        assert rcode(await ask(primary, host)) == "NXDOMAIN"  # nothing published yet


@pytest.mark.parametrize("domain", LAB_DOMAINS)
async def test_no_situation_leaks_into_the_clean_resolvers_cache_state(lab, domain):
    # isp-3 never looked anything up: whatever it says is what the authoritative primary says.
    primary, _ = authoritative(lab)
    for host, _ in expected(lab, domain):
        at_primary = await ask(primary, host, one_rr_per_rrset=True)
        via = await ask(resolver(lab, "isp-3"), host, one_rr_per_rrset=True)
        if domain == "lagging.example" and rcode(via) == "NXDOMAIN":
            continue  # isp-3 may land on the lagging secondary
        if domain == "wrong-host.example":
            continue  # resolvers follow the delegation elsewhere: that is its situation
        assert (rcode(via), targets(via)) == (rcode(at_primary), targets(at_primary))


# -- the behaviours real resolvers add to RFC 2308 -------------------------------------------------


def nsec_owners(response) -> list[str]:
    return [s.name.to_text(omit_final_dot=True) for s in response.authority if s.rdtype == 47]


async def test_shared_soa(lab, client):
    published, _ = serial(client, "shared-soa.example")
    unbound = resolver(lab, "unbound")
    for host, target in expected(lab, "shared-soa.example"):
        negative = await ask(unbound, host)
        # The SOA of a _dmarc lookup 2 min ago: the serial at which the record was published,
        # its TTL counting from then; the negative itself was cached 10 min ago.
        assert rcode(negative) == "NXDOMAIN" and soa(negative)[:2] == (1680, published)
        for name in ("isp-1", "isp-2", *CLEAN):
            assert targets(await ask(resolver(lab, name), host)) == [target], name
    cached = client.get("/_sandbox/dns/caches", params={"resolver": "unbound"}).json()
    entries = cached["resolvers"][0]["caches"][0]
    hosts = {h for h, _ in expected(lab, "shared-soa.example")}
    mine = [e for e in entries if e["name"] in hosts]
    assert {(e["remaining"], e["soaTtl"], e["soaSerial"]) for e in mine} == {
        (1200, 1680, published)
    }
    lab.clock.advance(1200)  # each negative expires on its own clock
    for host, target in expected(lab, "shared-soa.example"):
        assert targets(await ask(unbound, host)) == [target]


async def test_txt_early(lab, client):
    unbound = resolver(lab, "unbound")
    (first, target), *_ = expected(lab, "txt-early.example")
    early = await ask(unbound, first, "TXT")
    assert rcode(early) == "NXDOMAIN"
    assert soa(early)[0] == 3000 and soa(early)[2] == 86400  # capped at 3600, 10 min ago
    assert targets(await ask(unbound, first)) == [target]  # the CNAME question resolves
    still = await ask(unbound, first, "TXT")
    assert rcode(still) == "NXDOMAIN"
    # Minimising the CNAME question brought the zone's new SOA: the TXT negative now shows
    # it (capped), though it still ends 3000 s from now.
    published, _ = serial(client, "txt-early.example")
    assert soa(still)[:2] == (3600, published)
    clean = await ask(resolver(lab, "isp-3"), first, "TXT")
    assert targets(clean) == [target] and values(clean, "TXT")[0].startswith("v=DKIM1;")


async def test_dead_path(lab):
    for host, target in expected(lab, "dead-path.example"):
        assert rcode(await ask(resolver(lab, "path-servfail"), host)) == "SERVFAIL"
        with pytest.raises(dns.exception.Timeout):
            await ask(resolver(lab, "path-silent"), host, timeout=0.2)
        assert targets(await ask(resolver(lab, "isp-3"), host)) == [target]
    for name in ("path-servfail", "path-silent"):
        control = await ask(resolver(lab, name), ".", "SOA")
        assert rcode(control) == "NOERROR" and records(control, "SOA")
        (host, target), *_ = expected(lab, "queried-early.example")
        assert targets(await ask(resolver(lab, name), host)) == [target]


async def test_stale_served(lab):
    stale = resolver(lab, "stale")
    (first, _), *rest = expected(lab, "stale-served.example")
    negative = await ask(stale, first)
    assert rcode(negative) == "NXDOMAIN" and soa(negative)[0] == 30
    assert ede_codes(negative) == [19]
    assert [e.text for e in negative.extended_errors()] == ["resolver failure"]
    for host, target in rest:
        served = await ask(stale, host)
        assert records(served, "CNAME") == [(host, 30, target)] and ede_codes(served) == [3]
    for host, target in expected(lab, "stale-served.example"):
        assert targets(await ask(resolver(lab, "isp-3"), host)) == [target]


async def test_wrong_host(lab, client):
    primary, _ = authoritative(lab)
    zone = {z["zone"]: z for z in client.get("/_sandbox/dns").json()["zones"]}["wrong-host.example"]
    assert zone["nameservers"] == ["ns1.dns-host.example", "ns2.dns-host.example"]
    assert zone["delegation"] == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    referral = await ask(lab.dns.parent, "wrong-host.example", "NS", rd=False)
    assert sorted(r.to_text() for s in referral.authority for r in s) == [
        "ada.ns.cloudflare.com.",
        "bob.ns.cloudflare.com.",
    ]
    for host, target in expected(lab, "wrong-host.example"):
        assert targets(await ask(primary, host)) == [target]
        for name in ("isp-1", "isp-3", "unbound"):
            missing = await ask(resolver(lab, name), host)
            assert rcode(missing) == "NXDOMAIN"


async def test_signed(lab):
    validating = resolver(lab, "validating")
    for host, target in expected(lab, "signed.example"):
        found = await ask(validating, host, dnssec=True)
        if host.startswith("sg."):  # after mail.signed.example: outside the gap _dmarc proved
            assert targets(found) == [target]
        else:
            assert rcode(found) == "NXDOMAIN" and soa(found)[0] == 1200
            assert nsec_owners(found) == ["signed.example"]
            assert found.flags & dns.flags.AD
        assert targets(await ask(resolver(lab, "isp-3"), host)) == [target]
