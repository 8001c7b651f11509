"""The authoritative primary and secondary over real loopback UDP/TCP (RFC 1034, RFC 2308)."""

from __future__ import annotations

import socket

import dns.asyncquery
import dns.flags
import dns.message
import dns.opcode
import dns.query
import pytest

from .dnswire import ask, authoritative, rcode, records, soa, targets

QE = "queried-early.example"
NAME = f"s1._domainkey.{QE}"


def add(client, zone: str, host: str, type_: str, value: str, **extra) -> dict:
    body = {"zone": zone, "host": host, "type": type_, "value": value, **extra}
    response = client.post("/_sandbox/dns/records", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_cname_query_is_authoritative_and_ignores_rd(lab):
    primary, _ = authoritative(lab)
    for rd in (False, True):
        response = await ask(primary, NAME, rd=rd)
        assert rcode(response) == "NOERROR"
        assert response.flags & dns.flags.AA
        assert not response.flags & dns.flags.RA
        ((owner, ttl, target),) = records(response, "CNAME")
        assert (owner, ttl) == (NAME, 3600)
        assert target.startswith(NAME + ".s0") and target.endswith(".ascendbywix.com")


async def test_other_types_at_a_cname_follow_the_chain_inside_the_zone_only(frozen, client):
    primary, _ = authoritative(frozen)
    add(client, "dns-host.example", "alias", "CNAME", "ns1.dns-host.example")
    inside = await ask(primary, "alias.dns-host.example", "A")
    assert targets(inside) == ["ns1.dns-host.example"]
    assert records(inside, "A") == [("ns1.dns-host.example", 86400, "203.0.113.53")]
    add(client, "dns-host.example", "away", "CNAME", "somewhere.ascendbywix.com")
    outside = await ask(primary, "away.dns-host.example", "A")
    assert rcode(outside) == "NOERROR"
    assert targets(outside) == ["somewhere.ascendbywix.com"]
    assert records(outside, "A") == [] and soa(outside) is None  # the resolver goes on


async def test_a_chain_into_a_missing_in_zone_name_is_nxdomain_with_the_cname(lab):
    primary, _ = authoritative(lab)
    response = await ask(primary, "s1._domainkey.relative.example", "TXT")
    assert rcode(response) == "NXDOMAIN"  # the rcode of the last name (RFC 6604)
    assert targets(response)[0].endswith(".ascendbywix.com.relative.example")
    assert soa(response)[0] == 1800


async def test_nxdomain_and_nodata_carry_the_soa_with_the_negative_ttl(lab):
    primary, _ = authoritative(lab)
    missing = await ask(primary, f"nope.{QE}", "CNAME")
    assert rcode(missing) == "NXDOMAIN" and missing.flags & dns.flags.AA
    ttl, serial, minimum = soa(missing)
    assert (ttl, minimum) == (1800, 1800)  # min(SOA TTL 3600, MINIMUM 1800)
    nodata = await ask(primary, QE, "AAAA")
    assert rcode(nodata) == "NOERROR" and nodata.answer == []
    assert soa(nodata) == (1800, serial, 1800)
    # An empty non-terminal exists: NODATA, never NXDOMAIN (RFC 8020).
    between = await ask(primary, f"_domainkey.{QE}", "TXT")
    assert rcode(between) == "NOERROR" and between.answer == [] and soa(between)


async def test_negative_ttl_is_the_smaller_of_soa_ttl_and_minimum(frozen, client):
    primary, _ = authoritative(frozen)
    zone = {"zone": "dns-host.example"}
    client.post("/_sandbox/dns/zones", json={**zone, "soaTtl": 600})
    assert soa(await ask(primary, "nope.dns-host.example"))[::2] == (600, 1800)
    client.post("/_sandbox/dns/zones", json={**zone, "soaTtl": 7200, "negativeTtl": 900})
    assert soa(await ask(primary, "nope.dns-host.example"))[::2] == (900, 900)


async def test_names_outside_the_served_zones_are_refused(frozen):
    primary, secondary = authoritative(frozen)
    for server in (primary, secondary):
        response = await ask(server, "www.example.com", "A")
        assert rcode(response) == "REFUSED"
        assert not response.flags & dns.flags.AA
        assert response.answer == [] and response.authority == []


async def test_soa_and_ns_at_the_apex(lab):
    primary, _ = authoritative(lab)
    ns = await ask(primary, "proxied.example", "NS", rd=False)
    assert sorted(v for _, _, v in records(ns, "NS")) == [
        "ada.ns.cloudflare.com",
        "bob.ns.cloudflare.com",
    ]
    own = await ask(primary, QE, "SOA", rd=False)
    ((_, _, text),) = records(own, "SOA")
    assert text.startswith("ns1.dns-host.example. hostmaster.dns-host.example.")


async def test_a_big_answer_is_truncated_over_udp_and_whole_over_tcp(frozen):
    primary, _ = authoritative(frozen)
    for edns in (True, False):  # 1232 bytes with EDNS, 512 without
        udp = await ask(primary, "big.dns-host.example", "TXT", edns=edns)
        assert udp.flags & dns.flags.TC
        assert udp.answer == []
    tcp = await ask(primary, "big.dns-host.example", "TXT", tcp=True)
    assert not tcp.flags & dns.flags.TC
    ((_, _, text),) = records(tcp, "TXT")
    assert len(text) == 2000
    query = dns.message.make_query("big.dns-host.example", "TXT", use_edns=0)
    fallback, used_tcp = await dns.asyncquery.udp_with_fallback(
        query, primary[0], port=primary[1], timeout=2
    )
    assert used_tcp and records(fallback, "TXT") == records(tcp, "TXT")


async def test_tcp_answers_several_queries_on_one_connection(frozen):
    primary, _ = authoritative(frozen)
    with socket.create_connection(primary, timeout=2) as sock:
        for name in ("ns1.dns-host.example", "ns2.dns-host.example"):
            query = dns.message.make_query(name, "A")
            dns.query.send_tcp(sock, query)
            response, _ = dns.query.receive_tcp(sock, expiration=None)
            assert response.id == query.id and records(response, "A")


async def test_every_change_bumps_the_serial_and_the_secondary_mirrors_it(frozen, client):
    primary, secondary = authoritative(frozen)
    before = soa(await ask(primary, "nope.dns-host.example"))[1]
    serial = add(client, "dns-host.example", "new", "A", "192.0.2.7")["serial"]
    assert serial == before + 1
    for server in (primary, secondary):
        assert soa(await ask(server, "nope.dns-host.example"))[1] == serial
        assert records(await ask(server, "new.dns-host.example", "A"), "A")


async def test_a_lagging_secondary_serves_the_old_version_until_the_lag_passes(lab):
    primary, secondary = authoritative(lab)
    name = "s1._domainkey.lagging.example"
    new, old = await ask(primary, name), await ask(secondary, name)
    assert targets(new) and rcode(old) == "NXDOMAIN"
    assert soa(old)[1] == soa(await ask(primary, "nope.lagging.example"))[1] - 1
    lab.clock.advance(899)
    assert rcode(await ask(secondary, name)) == "NXDOMAIN"
    lab.clock.advance(1)
    assert targets(await ask(secondary, name)) == targets(new)


async def test_queries_the_server_does_not_handle(frozen):
    primary, _ = authoritative(frozen)
    chaos = dns.message.make_query("version.bind", "TXT", "CH")
    assert rcode(await dns.asyncquery.udp(chaos, primary[0], port=primary[1], timeout=2)) == (
        "REFUSED"
    )
    notify = dns.message.make_query("dns-host.example", "SOA")
    notify.set_opcode(dns.opcode.NOTIFY)
    response = await dns.asyncquery.udp(notify, primary[0], port=primary[1], timeout=2)
    assert rcode(response) == "NOTIMP"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(b"\x12\x34" + b"\x01\x00" + b"\xff" * 14, primary)
        reply, _ = sock.recvfrom(512)
    assert reply[:2] == b"\x12\x34" and reply[3] & 0x0F == 1  # FORMERR, same id


@pytest.mark.parametrize("transport", ["udp", "tcp"])
async def test_authoritative_answers_over_both_transports(lab, transport):
    primary, _ = authoritative(lab)
    response = await ask(primary, NAME, tcp=transport == "tcp")
    assert targets(response)
