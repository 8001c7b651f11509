"""Asking the sandbox DNS servers over real loopback UDP/TCP with dnspython, and reading answers.

Deliberately plain dnspython (``dns.asyncquery``), not the app's propagation engine: these tests
pin the sandbox to the DNS wire format on their own.
"""

from __future__ import annotations

import dns.asyncquery
import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from tui.sandbox import SandboxServer

Address = tuple[str, int]


async def ask(
    where: Address,
    name: str,
    qtype: str = "CNAME",
    *,
    rd: bool = True,
    cd: bool = False,
    dnssec: bool = False,  # DO=1: a signed zone's NSEC records, and AD from validators
    edns: bool = True,
    tcp: bool = False,
    timeout: float = 2.0,
    one_rr_per_rrset: bool = False,  # True: see both of two CNAMEs (dnspython keeps one)
) -> dns.message.Message:
    query = dns.message.make_query(
        name, qtype, use_edns=0 if edns or dnssec else False, want_dnssec=dnssec
    )
    if not rd:
        query.flags &= ~dns.flags.RD
    if cd:
        query.flags |= dns.flags.CD
    send = dns.asyncquery.tcp if tcp else dns.asyncquery.udp
    return await send(
        query, where[0], timeout=timeout, port=where[1], one_rr_per_rrset=one_rr_per_rrset
    )


def rcode(response: dns.message.Message) -> str:
    return dns.rcode.to_text(response.rcode())


def records(response: dns.message.Message, qtype: str) -> list[tuple[str, int, str]]:
    """(owner, ttl, value) of every answer record of ``qtype``, owners and names dot-less."""
    wanted = dns.rdatatype.from_text(qtype)
    out = []
    for rrset in response.answer:
        if rrset.rdtype == wanted:
            for rdata in rrset:
                value = rdata.to_text()
                if wanted == dns.rdatatype.TXT:
                    value = b"".join(rdata.strings).decode()
                out.append((rrset.name.to_text(omit_final_dot=True), rrset.ttl, value.rstrip(".")))
    return out


def targets(response: dns.message.Message) -> list[str]:
    """CNAME targets, sorted: servers rotate the records of an RRset as they send it."""
    return sorted(value for _, _, value in records(response, "CNAME"))


def values(response: dns.message.Message, qtype: str) -> list[str]:
    return sorted(value for _, _, value in records(response, qtype))


def soa(response: dns.message.Message) -> tuple[int, int, int] | None:
    """(TTL, serial, MINIMUM) of the SOA in the authority section, if any."""
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset.ttl, rrset[0].serial, rrset[0].minimum
    return None


def ede_codes(response: dns.message.Message) -> list[int]:
    return [int(e.code) for e in response.extended_errors()]


def authoritative(server: SandboxServer) -> tuple[Address, Address]:
    primary, secondary = server.dns.authoritative
    return primary, secondary


def resolver(server: SandboxServer, name: str) -> Address:
    info = server.dns
    found = [r for r in [*info.resolvers, info.verifier] if r.name == name]
    assert found, f"no resolver {name!r} in {[r.name for r in info.resolvers]}"
    return found[0].host, found[0].port
