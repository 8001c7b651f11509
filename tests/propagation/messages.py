"""Build DNS responses for classifier unit tests (the wire format comes from dnspython)."""

from __future__ import annotations

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rrset

from tui.propagation.answers import Answer, read_answer
from tui.propagation.transport import Exchange


def response(
    qname: str,
    rdtype: str = "CNAME",
    *,
    rcode: str = "NOERROR",
    answer: list[tuple[str, int, str, str]] = (),  # type: ignore[assignment]
    soa: tuple[str, int, int] | None = None,  # (zone, ttl, minimum)
    aa: bool = False,
    ede: int | None = None,
    tc: bool = False,
) -> dns.message.Message:
    query = dns.message.make_query(qname, rdtype, use_edns=0)
    message = dns.message.make_response(query)
    message.set_rcode(dns.rcode.from_text(rcode))
    if aa:
        message.flags |= dns.flags.AA
    if tc:
        message.flags |= dns.flags.TC
    for owner, ttl, kind, value in answer:
        message.answer.append(dns.rrset.from_text(owner + ".", ttl, "IN", kind, value))
    if soa:
        zone, ttl, minimum = soa
        message.authority.append(
            dns.rrset.from_text(
                zone + ".",
                ttl,
                "IN",
                "SOA",
                f"ns1.{zone}. hostmaster.{zone}. 2026010101 7200 900 1209600 {minimum}",
            )
        )
    if ede is not None:
        message.use_edns(0, options=[dns.edns.EDEOption(ede)])
    return message


def exchange(
    message: dns.message.Message, qname: str, rtt: float = 12.0, transport: str = "udp"
) -> Exchange:
    return Exchange(read_answer(message, qname), rtt, transport=transport)


def answer_of(message: dns.message.Message, qname: str) -> Answer:
    return read_answer(message, qname)
