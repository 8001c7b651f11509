"""DNS messages in, DNS messages out: the wire face of the authoritative servers and resolvers.

Turns a parsed query into the question the world understands, and the world's answer into a
response message: AA=1 from the authoritative servers (not in the parent's referrals), RA=1 from
resolvers, the query's RD and CD echoed, EDNS (and an Extended DNS Error) only when the query
used EDNS (RFC 6891 §7). A query with DO=1 gets a signed zone's NSEC records, and AD=1 on a
validated answer when it set DO or AD (RFC 6840 §5.8). An authoritative server under response
rate limiting (:mod:`rrl`) may drop a UDP answer, or send it truncated.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from tui.sandbox.dns.resolver import DEAD
from tui.sandbox.dns.rrl import DROP, SLIP
from tui.sandbox.dns.world import AUTHORITATIVE, DnsWorld

OUR_PAYLOAD = 1232  # what the servers advertise (DNS Flag Day 2020)
UNSERVED_TYPES = (dns.rdatatype.AXFR, dns.rdatatype.IXFR, dns.rdatatype.OPT)
EDE_TEXT = {dns.edns.EDECode.DNSSEC_BOGUS: "DNSSEC validation failed (sandbox: zone flagged)"}


@dataclass(frozen=True)
class Reply:
    message: dns.message.Message
    delay: float = 0.0  # real seconds to wait before sending (injected latency)


def respond(
    world: DnsWorld, server: str, query: dns.message.Message, *, source: str | None = None
) -> Reply | None:
    """What ``server`` (``primary``, ``secondary``, ``parent`` or a resolver's name) sends
    back, or None when it stays silent. ``source``: the client's address, for a question that
    came over UDP (rate limiting counts those only)."""
    if query.flags & dns.flags.QR:
        return None  # a response sent to us: never answer it (that is how reflection loops start)
    authoritative = server in AUTHORITATIVE
    response = dns.message.make_response(query, our_payload=OUR_PAYLOAD)
    response.flags |= dns.flags.AA if authoritative else dns.flags.RA
    response.flags |= query.flags & dns.flags.CD  # echoed (RFC 4035 §3.2.2); dnspython drops it
    problem = _problem(query)
    if problem is not None:
        response.flags &= ~dns.flags.AA
        response.set_rcode(problem)
        return _delayed(world, server, response)
    question = query.question[0]
    qname = question.name.to_text()
    qtype = dns.rdatatype.to_text(question.rdtype)
    dnssec = bool(query.ednsflags & dns.flags.DO)
    if authoritative:
        found = world.authoritative(server, qname, qtype, dnssec=dnssec)
        if found.referral or found.rcode == dns.rcode.REFUSED:
            response.flags &= ~dns.flags.AA  # a referral, or not authoritative for it at all
        response.set_rcode(found.rcode)
        response.answer, response.authority = found.answer, found.authority
        return _limited(world, server, query, response, source)
    outcome = world.recursive(
        server, qname, qtype, cd=bool(query.flags & dns.flags.CD), dnssec=dnssec
    )
    if outcome.silent:
        return None
    response.set_rcode(outcome.rcode)
    response.answer, response.authority = outcome.answer, outcome.authority
    if outcome.authentic and (dnssec or query.flags & dns.flags.AD):
        response.flags |= dns.flags.AD
    if outcome.ede is not None and query.edns >= 0:
        text = outcome.ede_text or EDE_TEXT.get(outcome.ede)
        option = dns.edns.EDEOption(outcome.ede, text)
        response.use_edns(0, payload=OUR_PAYLOAD, options=[option])
    return _delayed(world, server, response)


def _limited(
    world: DnsWorld,
    server: str,
    query: dns.message.Message,
    response: dns.message.Message,
    source: str | None,
) -> Reply | None:
    limit = world.rate_limits.get(server)
    if limit is None or source is None:
        return Reply(response)
    decision = limit.decide(source)
    if decision == DROP:
        return None
    if decision == SLIP:
        truncated = dns.message.make_response(query, our_payload=OUR_PAYLOAD)
        truncated.flags = response.flags | dns.flags.TC
        truncated.set_rcode(response.rcode())
        return Reply(truncated)
    return Reply(response)


def _problem(query: dns.message.Message) -> int | None:
    if query.opcode() != dns.opcode.QUERY:
        return dns.rcode.NOTIMP
    if len(query.question) != 1:
        return dns.rcode.FORMERR
    question = query.question[0]
    if question.rdclass != dns.rdataclass.IN or question.rdtype in UNSERVED_TYPES:
        return dns.rcode.REFUSED
    return None


def _delayed(world: DnsWorld, server: str, response: dns.message.Message) -> Reply | None:
    found = world.resolver(server)
    if found is not None and found.behaviour == DEAD:
        return None
    latency = found.spec.latency_ms / 1000 if found is not None else 0.0
    return Reply(response, latency)


def formerr(data: bytes) -> bytes | None:
    """A FORMERR for a packet that is not a DNS message, if at least its header can be read."""
    if len(data) < 12:
        return None
    flags = (int.from_bytes(data[2:4], "big") & 0x7900) | 0x8000 | dns.rcode.FORMERR
    return data[:2] + flags.to_bytes(2, "big") + bytes(8)


def wire_limit(query: dns.message.Message) -> int:
    """The biggest UDP answer the client accepts: its EDNS payload, else 512 (RFC 1035)."""
    return max(512, query.payload) if query.edns >= 0 else 512


def encode(reply: dns.message.Message, query: dns.message.Message, over_tcp: bool) -> bytes:
    # max_size given: dnspython would otherwise stop at the client's payload and raise.
    wire = reply.to_wire(max_size=65535)
    if over_tcp or len(wire) <= wire_limit(query):
        return wire
    # Too big for UDP: TC=1 and nothing else, so the client retries over TCP (RFC 7766 §5).
    truncated = dns.message.make_response(query, our_payload=OUR_PAYLOAD)
    truncated.flags = reply.flags | dns.flags.TC
    truncated.set_rcode(reply.rcode())
    return truncated.to_wire()
