"""The fast reader (tui/propagation/wire.py) reads every answer it accepts exactly as dnspython
and read_answer do, on thousands of varied answers: honest and hostile ones (hostile.py),
random ones, and every one of them cut short and with bytes flipped."""

from __future__ import annotations

import random

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rrset

from tests.propagation import hostile
from tui.propagation.answers import read_answer
from tui.propagation.wire import read_wire

NAMES = (
    hostile.RECORD,
    hostile.OTHER_RECORD,
    hostile.LOOP_OTHER,
    hostile.ZONE,
    "localhost",
    "absent.hostile.example",
)
TYPES = ("CNAME", "A", "AAAA", "TXT", "NS", "SOA")
BEHAVIOURS = (
    hostile.Behaviour.GOOD,
    hostile.Behaviour.LOOP,
    hostile.Behaviour.HOSTILE_TEXT,
    hostile.Behaviour.NEGATIVE,
    hostile.Behaviour.STALE_ANSWER,
    hostile.Behaviour.STALE_NXDOMAIN,
    hostile.Behaviour.NSEC_DENIAL,
    hostile.Behaviour.PARENT,
)


def _reference(wire: bytes, qname: str) -> object:
    """What the engine makes of ``wire`` through dnspython: an Answer, or "unreadable"."""
    try:
        message = dns.message.from_wire(wire, ignore_trailing=True, one_rr_per_rrset=True)
    except Exception:
        return "unreadable"
    if message.flags & dns.flags.TC:
        return "truncated"
    return read_answer(message, qname)


def _hostile_answers() -> list[tuple[bytes, str]]:
    out = []
    for behaviour in BEHAVIOURS:
        for name in NAMES:
            for kind in TYPES:
                for dnssec in (False, True):
                    query = dns.message.make_query(name, kind, want_dnssec=dnssec)
                    script = hostile.Script()
                    if behaviour in hostile.SCRIPTED:
                        reply = hostile.scripted(query, behaviour, script)
                    else:
                        reply = hostile.honest(query, behaviour, script)
                    out.append((reply.to_wire(), name))
                    if behaviour is hostile.Behaviour.GOOD:
                        hostile._ede(reply, query, 3, "served \x1b[31m stale")
                        out.append((reply.to_wire(), name))
        query = dns.message.make_query(hostile.RECORD, "CNAME")
        out.append((hostile._garbage(query.to_wire()), hostile.RECORD))
        out += [(m.to_wire(), hostile.RECORD) for m in hostile._other_questions(query)]
        out.append((hostile._wire(hostile._huge(query), 4096), hostile.RECORD))
    return out


LABELS = (
    "s1",
    "_domainkey",
    "em",
    "esp",
    "example",
    "Mixed-Case",
    "x*",
    "a\\.b",
    "sp\\032ace",
    "é",
)


def _random_name(rng: random.Random, base: str) -> str:
    if rng.random() < 0.5:
        return base
    labels = [rng.choice(LABELS) for _ in range(rng.randint(1, 4))]
    return ".".join(labels) + "." + base


def _random_answers(rng: random.Random, count: int) -> list[tuple[bytes, str]]:
    out = []
    for _ in range(count):
        qname = _random_name(rng, "zone.example")
        kind = rng.choice(TYPES)
        query = dns.message.make_query(qname, kind, use_edns=rng.random() < 0.7)
        reply = dns.message.make_response(query)
        reply.set_rcode(rng.choice([0, 0, 0, 3, 3, 2, 5, 1, 4, 9, 16]))
        if rng.random() < 0.5:
            reply.flags |= dns.flags.AA
        ttl = rng.choice([0, 1, 300, 86400, 2**31 - 1, 2**31, 2**32 - 1])
        for _ in range(rng.randint(0, 4)):
            owner = qname if rng.random() < 0.7 else _random_name(rng, "zone.example")
            rtype = rng.choice(("CNAME", "A", "AAAA", "TXT", "NS", "SOA", "MX", "NSEC"))
            value = {
                "CNAME": _random_name(rng, "esp.example") + ".",
                "A": f"192.0.2.{rng.randint(0, 255)}",
                "AAAA": rng.choice(["2001:db8::1", "::ffff:1.2.3.4", "::", "2001:db8:0:0:1::"]),
                "TXT": rng.choice(['"v=DKIM1; p=x"', '"a" "b"', '"q\\"uote"', '"\\027esc"', '""']),
                "NS": _random_name(rng, "ns.example") + ".",
                "SOA": f"ns.example. host.example. {rng.randint(0, 2**32 - 1)} 1 2 3 "
                f"{rng.choice([0, 60, 2**31, 2**32 - 1])}",
                "MX": "10 mail.example.",
                "NSEC": "next.zone.example. A",
            }[rtype]
            rrset = dns.rrset.from_text(owner + ".", ttl, "IN", rtype, value)
            section = reply.answer if rng.random() < 0.6 else reply.authority
            section.append(rrset)
        if rng.random() < 0.1:
            reply.additional.append(
                dns.rrset.from_text("glue.example.", 60, "IN", "A", "192.0.2.1")
            )
        if rng.random() < 0.1 and reply.edns >= 0:
            reply.use_edns(0, options=[dns.edns.EDEOption(18, "prohibited")])
        out.append((reply.to_wire(), qname))
    return out


def _mutations(rng: random.Random, wire: bytes) -> list[bytes]:
    out = [wire[: rng.randint(0, len(wire))]]
    for _ in range(3):
        data = bytearray(wire)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        out.append(bytes(data))
    return out


def test_the_fast_reader_reads_as_dnspython_does() -> None:
    rng = random.Random(5)
    answers = _hostile_answers() + _random_answers(rng, 1500)
    cases = list(answers)
    for wire, qname in answers:
        cases += [(m, qname) for m in _mutations(rng, wire)]
    read = 0
    for wire, qname in cases:
        fast = read_wire(wire, qname)
        if fast is None:
            continue
        read += 1
        assert fast == _reference(wire, qname), (wire, qname)
    assert len(cases) > 5000
    assert read > 1000, read
    # It must also be useful: most of the honest server's answers are read without dnspython.
    honest = _hostile_answers()
    assert sum(read_wire(w, q) is not None for w, q in honest) > len(honest) * 2 // 3


def test_plain_answers_are_read_fast() -> None:
    query = dns.message.make_query(hostile.RECORD, "CNAME", want_dnssec=True)
    reply = hostile.honest(query, hostile.Behaviour.GOOD, hostile.Script())
    answer = read_wire(reply.to_wire(), hostile.RECORD)
    assert answer is not None and answer.cnames == (hostile.TARGET,)
    negative = dns.message.make_query("absent." + hostile.ZONE, "CNAME", want_dnssec=True)
    reply = hostile.scripted(negative, hostile.Behaviour.NEGATIVE, hostile.Script())
    answer = read_wire(reply.to_wire(), "absent." + hostile.ZONE)
    assert answer is not None and answer.soa is not None


def test_what_it_leaves_to_dnspython() -> None:
    query = dns.message.make_query(hostile.RECORD, "CNAME")
    reply = dns.message.make_response(query)
    reply.flags |= dns.flags.TC
    assert read_wire(reply.to_wire(), hostile.RECORD) is None  # truncated: TCP next
    reply = dns.message.make_response(query)
    reply.use_edns(0, options=[dns.edns.EDEOption(3, "stale")])
    assert read_wire(reply.to_wire(), hostile.RECORD) is None  # an Extended DNS Error
    reply = dns.message.make_response(query)
    reply.set_rcode(dns.rcode.BADVERS)
    assert read_wire(reply.to_wire(), hostile.RECORD) is None  # an extended RCODE
    assert read_wire(b"\x00" * 11, hostile.RECORD) is None
