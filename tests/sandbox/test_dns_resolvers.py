"""Caching resolvers over real loopback UDP/TCP: RFC 2308 on the world clock, and behaviours."""

from __future__ import annotations

import asyncio
import time

import dns.edns
import dns.exception
import dns.flags
import pytest

from tui.sandbox import SandboxServer

from .dnswire import ask, ede_codes, rcode, records, resolver, soa, targets

ZONE = "dns-host.example"


def add(client, host: str, type_: str, value: str, zone: str = ZONE, **extra) -> None:
    body = {"zone": zone, "host": host, "type": type_, "value": value, **extra}
    response = client.post("/_sandbox/dns/records", json=body)
    assert response.status_code == 200, response.text


async def test_answers_recursively_with_ra_and_no_aa(frozen):
    response = await ask(resolver(frozen, "isp-1"), "ns1.dns-host.example", "A")
    assert response.flags & dns.flags.RA and response.flags & dns.flags.RD
    assert not response.flags & dns.flags.AA
    assert records(response, "A") == [("ns1.dns-host.example", 86400, "203.0.113.53")]


async def test_a_cached_nxdomain_counts_down_and_blocks_every_type(frozen, client):
    isp1, isp2 = resolver(frozen, "isp-1"), resolver(frozen, "isp-2")
    name = "new.dns-host.example"
    first = await ask(isp1, name)
    assert rcode(first) == "NXDOMAIN" and soa(first)[0] == 1800

    frozen.clock.advance(600)
    add(client, "new", "CNAME", "ns1.dns-host.example")  # published after the early look
    cached = await ask(isp1, name)
    assert rcode(cached) == "NXDOMAIN"
    ttl, _, minimum = soa(cached)
    assert (ttl, minimum) == (1200, 1800)  # the remaining negative time; MINIMUM unchanged
    for qtype in ("A", "TXT", "AAAA"):  # NXDOMAIN is per name (RFC 2308 §5)
        other = await ask(isp1, name, qtype)
        assert rcode(other) == "NXDOMAIN" and soa(other)[0] == 1200
    assert targets(await ask(isp2, name)) == ["ns1.dns-host.example"]  # never asked: fresh

    frozen.clock.advance(1199)
    assert soa(await ask(isp1, name))[0] == 1
    frozen.clock.advance(1)
    fresh = await ask(isp1, name, "A")
    assert rcode(fresh) == "NOERROR"
    assert targets(fresh) == ["ns1.dns-host.example"]
    assert records(fresh, "A")[0][2] == "203.0.113.53"


async def test_nodata_is_cached_per_type(frozen, client):
    isp1 = resolver(frozen, "isp-1")
    name = "ns1.dns-host.example"
    nodata = await ask(isp1, name, "TXT")
    assert rcode(nodata) == "NOERROR" and nodata.answer == [] and soa(nodata)[0] == 1800
    add(client, "ns1", "TXT", "hello")
    frozen.clock.advance(100)
    still = await ask(isp1, name, "TXT")
    assert still.answer == [] and soa(still)[0] == 1700
    assert records(await ask(isp1, name, "A"), "A")  # other types are not blocked
    frozen.clock.advance(1700)
    assert records(await ask(isp1, name, "TXT"), "TXT") == [(name, 3600, "hello")]


async def test_positive_ttls_count_down_and_a_changed_value_waits_for_expiry(frozen, client):
    isp1 = resolver(frozen, "isp-1")
    add(client, "web", "A", "192.0.2.10", ttl=300)
    assert records(await ask(isp1, "web.dns-host.example", "A"), "A")[0][1:] == (300, "192.0.2.10")
    add(client, "web", "A", "192.0.2.20", ttl=300, replace=True)
    frozen.clock.advance(120)
    stale = records(await ask(isp1, "web.dns-host.example", "A"), "A")
    assert stale[0][1:] == (180, "192.0.2.10")
    frozen.clock.advance(180)
    assert records(await ask(isp1, "web.dns-host.example", "A"), "A")[0][1:] == (300, "192.0.2.20")


async def test_cname_chains_across_zones_carry_each_records_remaining_ttl(frozen, client):
    isp1 = resolver(frozen, "isp-1")
    add(client, "chain", "CNAME", "t.ascendbywix.com", ttl=300)
    add(client, "t", "A", "192.0.2.9", zone="ascendbywix.com", ttl=60)
    first = await ask(isp1, "chain.dns-host.example", "A")
    assert records(first, "CNAME")[0][1] == 300 and records(first, "A")[0][1] == 60
    frozen.clock.advance(61)  # the A expired, the CNAME did not
    again = await ask(isp1, "chain.dns-host.example", "A")
    assert records(again, "CNAME")[0][1] == 239
    assert records(again, "A") == [("t.ascendbywix.com", 60, "192.0.2.9")]
    only = await ask(isp1, "chain.dns-host.example", "CNAME")
    assert records(only, "A") == [] and targets(only) == ["t.ascendbywix.com"]


async def test_names_under_no_served_zone_get_the_roots_nxdomain_capped(frozen):
    response = await ask(resolver(frozen, "isp-1"), "www.nowhere.invalid", "A")
    assert rcode(response) == "NXDOMAIN"
    ttl, _, minimum = soa(response)
    assert minimum == 86400 and ttl == 10800  # BIND's max-ncache-ttl


async def test_resolvers_truncate_too_and_answer_over_tcp(frozen):
    isp1 = resolver(frozen, "isp-1")
    udp = await ask(isp1, "big.dns-host.example", "TXT")
    assert udp.flags & dns.flags.TC and udp.answer == []
    tcp = await ask(isp1, "big.dns-host.example", "TXT", tcp=True)
    assert len(records(tcp, "TXT")[0][2]) == 2000


async def test_anycast_answers_from_several_caches(lab):
    anycast = resolver(lab, "anycast")
    name = "s1._domainkey.queried-early.example"
    seen = set()
    for _ in range(30):
        response = await ask(anycast, name)
        seen.add((rcode(response), soa(response)[0] if soa(response) else None))
    assert seen == {("NXDOMAIN", 1200), ("NXDOMAIN", 300), ("NOERROR", None)}


async def test_validating_resolver_fails_bogus_zones_unless_cd(lab):
    validating = resolver(lab, "validating")
    name = "s1._domainkey.dnssec-broken.example"
    bogus = await ask(validating, name)
    assert rcode(bogus) == "SERVFAIL" and bogus.answer == []
    assert ede_codes(bogus) == [int(dns.edns.EDECode.DNSSEC_BOGUS)]
    assert not ede_codes(await ask(validating, name, edns=False))  # EDE needs EDNS
    checking_disabled = await ask(validating, name, cd=True)
    assert rcode(checking_disabled) == "NOERROR" and targets(checking_disabled)
    assert checking_disabled.flags & dns.flags.CD
    # Other zones validate fine, and non-validating resolvers never fail this one.
    assert rcode(await ask(validating, "s1._domainkey.queried-early.example")) == "NOERROR"
    assert targets(await ask(resolver(lab, "isp-3"), name))


@pytest.mark.parametrize(("name", "expected"), [("servfail", "SERVFAIL"), ("refused", "REFUSED")])
async def test_broken_resolvers_always_answer_the_same(lab, name, expected):
    where = resolver(lab, name)
    for cd in (False, True):
        response = await ask(where, "ns1.dns-host.example", "A", cd=cd)
        assert rcode(response) == expected
        assert response.answer == [] and ede_codes(response) == []
    assert rcode(await ask(where, "ns1.dns-host.example", "A", tcp=True)) == expected


@pytest.mark.parametrize("tcp", [False, True])
async def test_a_dead_resolver_never_answers(lab, tcp):
    with pytest.raises(dns.exception.Timeout):
        await ask(resolver(lab, "dead"), "ns1.dns-host.example", "A", tcp=tcp, timeout=0.2)


async def test_histories_are_replayed_against_the_past(use_scenario, frozen):
    use_scenario("midway")
    name = "s1._domainkey.harbor-ceramics.example"
    for who in ("isp-1", "isp-2"):  # looked 20 minutes before now, nothing was there
        response = await ask(resolver(frozen, who), name)
        assert rcode(response) == "NXDOMAIN" and soa(response)[0] == 600
    fresh = await ask(resolver(frozen, "isp-3"), name)
    assert rcode(fresh) == "NXDOMAIN" and soa(fresh)[0] == 1800


async def test_injected_latency_is_real_time_and_concurrent():
    with SandboxServer(dns_resolver_count=3, dns_latency_ms=200) as server:
        where = resolver(server, "isp-1")
        started = time.perf_counter()
        await ask(where, "ns1.dns-host.example", "A")
        assert time.perf_counter() - started >= 0.2
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(ask(resolver(server, f"isp-{i}"), "ns1.dns-host.example", "A") for i in (1, 2, 3)),
            *(ask(where, f"n{i}.dns-host.example", tcp=i % 2 == 0) for i in range(10)),
        )
        elapsed = time.perf_counter() - started
        assert len(answers) == 13
        # Together, not one after another (13 x 200 ms = 2.6 s). Only a lower bound is exact;
        # the upper one is loose on purpose (a loaded machine is slow, never 4x slower).
        assert elapsed >= 0.2
        assert elapsed < 13 * 0.2 / 2
