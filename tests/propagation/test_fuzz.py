"""Fuzzing the engine's edge, where bytes from anyone on the network come in.

Two ways in, each with 1,000 examples:

- **Wire bytes**: random datagrams (pure noise, noise behind a header and question that match
  the question waiting for them, and valid answers with bytes flipped) into the receive path of
  the sweep's UDP socket (:class:`UdpMultiplexer`), and into dnspython's parser as the TCP and
  DoH legs call it. A datagram is ignored or becomes a message; a parser error is an
  ``Exception``, which those legs turn into a failed exchange.
- **Well-formed messages**: random but valid dnspython messages (every section, many record
  types, names with any bytes, any TTL, flags, rcodes, EDNS options) through the real wire
  format into :func:`read_answer` and on through the whole classification path: both
  classifiers, the hidden-CNAME check, anycast sampling, diagnoses, the ETA, the JSON report and
  a cell's on-screen words. Each gives a typed result with the invariants a user relies on, and
  the reader never needs its own last-resort fallback for a message dnspython could parse.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CAA
import dns.rdtypes.ANY.CNAME
import dns.rdtypes.ANY.DNAME
import dns.rdtypes.ANY.HINFO
import dns.rdtypes.ANY.MX
import dns.rdtypes.ANY.NS
import dns.rdtypes.ANY.PTR
import dns.rdtypes.ANY.SOA
import dns.rdtypes.ANY.TXT
import dns.rdtypes.IN.A
import dns.rdtypes.IN.AAAA
import dns.rdtypes.IN.SRV
import dns.rrset
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tui.propagation import answers, diagnose, eta
from tui.propagation.answers import MAX_SHOWN_RECORDS, MAX_TTL, Answer, read_answer
from tui.propagation.classify import (
    Truth,
    classify_authoritative,
    classify_hidden,
    classify_resolver,
)
from tui.propagation.combine import worst
from tui.propagation.labels import cell_view
from tui.propagation.model import (
    TIME_BOUND,
    Cell,
    Endpoint,
    ExpectedRecord,
    Report,
    Resolver,
    Role,
    Status,
    ZoneInfo,
)
from tui.propagation.report import to_json
from tui.propagation.transport import Exchange, query_wire, why_failed
from tui.propagation.udp import UdpMultiplexer, question_of
from tui.sanitize import is_visible

EXAMPLES = 1000
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
RECORD = ExpectedRecord("s1._domainkey.example.com", "s1.dkim.esp.example")
Q = RECORD.name
AUTH = Resolver("ns1", "ns1", "x", Role.AUTHORITATIVE, (Endpoint("127.0.0.1", 5300),))
PUBLIC = Resolver("r1", "r1", "x", Role.PUBLIC, (Endpoint("127.0.0.1", 5301),))
ZONE = ZoneInfo(apex="example.com", ns_names=("ns1.example.net",), negative_ttl=1800)
SERVER = ("127.0.0.1", 5301)


# --- strategies: well-formed messages -----------------------------------------------------

# Labels that matter to the classifier (the question's own, the target's), and labels with
# every kind of byte: terminal escapes, bidi overrides as UTF-8, dots, backslashes, spaces.
KNOWN_NAMES = [Q, RECORD.target, "example.com", "b.example.com", "other.example", "."]
odd_label = st.one_of(
    st.binary(min_size=1, max_size=12),
    st.sampled_from([b"\x1b[31m", "\u202e".encode(), b"a.b", b"\\", b" ", b"\x00", b"xn--zz"]),
)
random_name = st.lists(odd_label, min_size=0, max_size=4).map(
    lambda labels: dns.name.Name([*labels, b""])
)
names = st.one_of(st.sampled_from(KNOWN_NAMES).map(dns.name.from_text), random_name)
ttls = st.one_of(
    st.sampled_from([0, 1, 300, MAX_TTL, MAX_TTL + 1, 2**32 - 1]), st.integers(0, 2**32 - 1)
)
u32 = st.integers(0, 2**32 - 1)
u16 = st.integers(0, 65535)
short_bytes = st.binary(max_size=40)

IN, T = dns.rdataclass.IN, dns.rdatatype


def _rdata(kind: str) -> st.SearchStrategy[dns.rdata.Rdata]:
    if kind in ("CNAME", "NS", "PTR", "DNAME"):
        cls = {
            "CNAME": dns.rdtypes.ANY.CNAME.CNAME,
            "NS": dns.rdtypes.ANY.NS.NS,
            "PTR": dns.rdtypes.ANY.PTR.PTR,
            "DNAME": dns.rdtypes.ANY.DNAME.DNAME,
        }[kind]
        return names.map(lambda n: cls(IN, T.from_text(kind), n))
    if kind == "A":
        return st.ip_addresses(v=4).map(lambda a: dns.rdtypes.IN.A.A(IN, T.A, str(a)))
    if kind == "AAAA":
        return st.ip_addresses(v=6).map(lambda a: dns.rdtypes.IN.AAAA.AAAA(IN, T.AAAA, str(a)))
    if kind == "TXT":
        strings = st.lists(st.binary(max_size=255), min_size=1, max_size=3)
        return strings.map(lambda s: dns.rdtypes.ANY.TXT.TXT(IN, T.TXT, s))
    if kind == "MX":
        return st.builds(lambda p, n: dns.rdtypes.ANY.MX.MX(IN, T.MX, p, n), u16, names)
    if kind == "SOA":
        return st.builds(
            lambda m, r, a, b, c, d, e: dns.rdtypes.ANY.SOA.SOA(IN, T.SOA, m, r, a, b, c, d, e),
            names,
            names,
            u32,
            u32,
            u32,
            u32,
            u32,
        )
    if kind == "SRV":
        return st.builds(
            lambda a, b, c, n: dns.rdtypes.IN.SRV.SRV(IN, T.SRV, a, b, c, n), u16, u16, u16, names
        )
    if kind == "CAA":
        alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
        tag = st.text(alphabet=alnum, min_size=1, max_size=15).map(str.encode)
        return st.builds(
            lambda f, t, v: dns.rdtypes.ANY.CAA.CAA(IN, T.CAA, f, t, v),
            st.integers(0, 255),
            tag,
            short_bytes,
        )
    if kind == "HINFO":
        return st.builds(
            lambda c, o: dns.rdtypes.ANY.HINFO.HINFO(IN, T.HINFO, c, o),
            st.binary(max_size=255),
            st.binary(max_size=255),
        )
    # A type nobody knows: its bytes as they came.
    return short_bytes.map(lambda b: dns.rdata.GenericRdata(IN, 65280, b))


KINDS = ["CNAME", "A", "AAAA", "TXT", "MX", "NS", "SOA", "PTR", "DNAME", "SRV", "CAA", "HINFO"]
KINDS.append("TYPE65280")
# Built once: a strategy made inside a draw is validated again on every example, which cost
# more than the test itself.
RDATA_LISTS = {kind: st.lists(_rdata(kind), min_size=1, max_size=2) for kind in KINDS}


@st.composite
def rrsets(draw: st.DrawFn) -> dns.rrset.RRset:
    kind = draw(st.sampled_from(KINDS))
    owner = draw(names)
    return dns.rrset.from_rdata_list(owner, draw(ttls), draw(RDATA_LISTS[kind]))


RCODES = st.one_of(st.integers(0, 5), st.integers(0, 4095))
EDNS_OPTIONS = st.one_of(
    st.builds(dns.edns.EDEOption, u16, st.one_of(st.none(), st.text(max_size=30))),
    st.binary(max_size=20).map(dns.edns.NSIDOption),
    st.binary(max_size=20).map(lambda b: dns.edns.GenericOption(65001, b)),
)
RRSET_LISTS = {size: st.lists(rrsets(), max_size=size) for size in (1, 2, 4)}


@st.composite
def messages(draw: st.DrawFn) -> dns.message.Message:
    if draw(st.booleans()):
        qname, qtype = Q, "CNAME"  # mostly an answer to our question...
    else:  # ...or to another one
        qname = draw(names).to_text()
        qtype = draw(st.sampled_from(["CNAME", "A", "SOA", "NS", "TXT"]))
    edns = 0 if draw(st.booleans()) else None
    query = dns.message.make_query(qname, qtype, use_edns=edns, id=draw(u16))
    message = dns.message.make_response(query)
    if draw(st.booleans()):
        message.question = []  # an error answer may leave the question out
    for flag in (dns.flags.AA, dns.flags.TC, dns.flags.RA, dns.flags.AD, dns.flags.CD):
        if draw(st.booleans()):
            message.flags |= flag
    message.set_rcode(draw(RCODES))
    message.answer = draw(RRSET_LISTS[4])
    message.authority = draw(RRSET_LISTS[2])
    message.additional = draw(RRSET_LISTS[1])  # read by nothing: one record is enough
    if message.edns >= 0 or draw(st.booleans()):
        message.use_edns(0, options=draw(st.lists(EDNS_OPTIONS, max_size=3)))
    return message


truths = st.builds(
    Truth,
    served=st.booleans(),
    target=st.one_of(st.none(), st.sampled_from([RECORD.target, "old.esp.example", "\\027x"])),
    hidden=st.sampled_from([None, Status.PROXIED, Status.FLATTENED]),
    negative_ttl=st.one_of(st.none(), st.integers(0, 10**6)),
    answered=st.booleans(),
    everywhere=st.booleans(),
)
transports = st.sampled_from(["udp", "tcp", "doh"])


# --- invariants --------------------------------------------------------------------------


def check_answer(answer: Answer) -> None:
    texts = [
        *answer.cnames,
        *answer.owned_types,
        *answer.records,
        *answer.addresses,
        *answer.texts,
        *answer.ns_names,
        *answer.authority_records,
        *answer.loop,
        answer.rcode,
        answer.referral or "",
    ]
    for soa in (answer.soa, answer.answer_soa):
        if soa is not None:
            texts.append(soa.owner)
            assert 0 <= soa.negative_ttl <= MAX_TTL and 0 <= soa.serial < 2**32
    assert all(isinstance(t, str) and is_visible(t) for t in texts), texts
    for ttl in (answer.cname_ttl, answer.address_ttl):
        assert ttl is None or 0 <= ttl <= MAX_TTL
    assert len(answer.records) <= MAX_SHOWN_RECORDS + 1
    assert len(answer.authority_records) <= MAX_SHOWN_RECORDS + 1


def check_cell(cell: Cell) -> None:
    assert cell.status in Status
    assert cell.detail  # words a human can act on
    for text in (*cell.answer, cell.target or "", cell.detail, cell.bound):
        assert is_visible(text), text
    if cell.status in TIME_BOUND:
        assert cell.remaining is not None and cell.remaining >= 0 and cell.eta is not None
    else:
        assert cell.eta is None and cell.remaining is None
    view = cell_view(cell, NOW, narrow=True)
    assert view.glyph and view.word


def classify_everything(answer: Answer, truth: Truth, transport: str) -> list[Cell]:
    """The whole path a sweep takes from one answer to a report."""
    exchange = Exchange(answer, 1.0, "", transport)
    at_auth = classify_authoritative(RECORD, AUTH, exchange)
    hidden = classify_hidden(at_auth, answer, ("192.0.2.10",))
    public = classify_resolver(RECORD, PUBLIC, exchange, truth, NOW)
    sampled = worst([public, classify_resolver(RECORD, PUBLIC, exchange, truth, NOW)])
    cells = [at_auth, hidden, public, sampled]
    for cell in cells:
        check_cell(cell)
    by_key = {(RECORD.name, AUTH.key): hidden, (RECORD.name, PUBLIC.key): sampled}
    truths = {RECORD.name: truth}
    zones = {RECORD.name: ZONE}
    findings = diagnose.diagnose(
        [RECORD], truths, zones, {}, by_key, {RECORD.name: [hidden]}, added=True
    )
    roles = {AUTH.key: Role.AUTHORITATIVE, PUBLIC.key: Role.PUBLIC}
    report = Report(
        checked_at=NOW,
        records=(RECORD,),
        resolvers=(AUTH, PUBLIC),
        cells=by_key,
        zones=zones,
        diagnoses=tuple(findings),
        eta=eta.overall(by_key.values(), truths, roles, NOW),
    )
    assert report.eta.sentence
    json.dumps(to_json(report))  # the --json output can always be written
    return cells


# --- the tests ---------------------------------------------------------------------------


@FUZZ
@given(message=messages(), truth=truths, transport=transports)
def test_well_formed_messages_classify_without_surprises(
    message: dns.message.Message, truth: Truth, transport: str
) -> None:
    wire = message.to_wire()
    parsed = dns.message.from_wire(wire, one_rr_per_rrset=True, ignore_trailing=True)
    # The reader's own parts, without its last-resort fallback: a message dnspython parsed
    # must be read, not turned into FORMERR by an exception hidden inside.
    answer = answers._read(parsed, Q)
    assert answer == read_answer(parsed, Q)
    check_answer(answer)
    classify_everything(answer, truth, transport)


# --- wire bytes --------------------------------------------------------------------------

QUERY = query_wire(Q, "CNAME", True, False)
QUERY_ID = 0x1234


def _header_and_question(flags: int = 0x8180) -> bytes:
    """A response header (ID, QR, one question) and our question: what the multiplexer checks
    before it parses, so the random tail behind it reaches the parser."""
    return (
        QUERY_ID.to_bytes(2, "big")
        + flags.to_bytes(2, "big")
        + b"\x00\x01"
        + QUERY[6:12]
        + QUERY[12 : 12 + len(question_of(QUERY))]
    )


Datagram = tuple[bytes | dns.message.Message, list[tuple[float, int]], float, int]
OUR_QUESTION = dns.message.make_query(Q, "CNAME").question
PROTECTED = 12 + len(question_of(QUERY))  # header and question: what the socket matches on
flip_lists = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8)
keeps = st.sampled_from([1.0, 1.0, 1.0, 0.0, 0.3, 0.9])  # sometimes cut short


@st.composite
def datagrams(draw: st.DrawFn) -> Datagram:
    """Bytes, or a message to render and then damage: (data, [(where, new byte)], keep,
    protected), where the first ``protected`` bytes stay intact. Rendering happens in the test,
    since dnspython's renderer draws from ``random``, which a strategy must not."""
    how = draw(st.sampled_from(["noise", "behind our question", "damaged", "ours, damaged"]))
    if how == "noise":
        return draw(st.binary(max_size=600)), [], 1.0, 0
    if how == "behind our question":
        counts = draw(st.binary(min_size=0, max_size=6))  # ANCOUNT.. overwritten at random
        data = bytearray(_header_and_question() + draw(st.binary(max_size=400)))
        data[6 : 6 + len(counts)] = counts
        return bytes(data), [], 1.0, 0
    message = draw(messages())
    message.id = QUERY_ID
    if how == "damaged":  # anywhere, the header and question included
        return message, draw(flip_lists), draw(keeps), 0
    # An answer to our question, damaged (or not) only after it: it gets past the socket's
    # checks to the parser, and often on to the classifier.
    message.question = list(OUR_QUESTION)
    message.flags |= dns.flags.QR
    return message, draw(flip_lists), draw(keeps), PROTECTED


def render(item: Datagram) -> bytes:
    data, flips, keep, protected = item
    wire = bytearray(data.to_wire() if isinstance(data, dns.message.Message) else data)
    damageable = len(wire) - protected
    for where, value in flips:
        if damageable > 0:
            wire[protected + min(int(where * damageable), damageable - 1)] = value
    return bytes(wire[: protected + round(max(damageable, 0) * keep)])


@FUZZ
@given(data=datagrams(), truth=truths)
def test_random_datagrams_never_break_the_receive_path(data: Datagram, truth: Truth) -> None:
    """Into the sweep's shared UDP socket, from the server the question went to: ignored, or a
    message the classifier reads. Nothing raises out of the socket's callback."""
    wire = render(data)
    loop = asyncio.new_event_loop()
    try:
        udp = UdpMultiplexer()
        future = loop.create_future()
        key = ("127.0.0.1", SERVER[1], QUERY_ID)
        udp._pending[key] = (question_of(QUERY), future, Q)  # with the fast reader
        udp._received(wire, SERVER)
        key_garbled = key in udp._garbled
        event("accepted" if future.done() else "unreadable" if key_garbled else "ignored")
        if future.done():
            message = future.result()
            if isinstance(message, Answer):  # read by the fast reader: as dnspython reads it
                answer = message
                parsed = dns.message.from_wire(wire, ignore_trailing=True, one_rr_per_rrset=True)
                assert answer == read_answer(parsed, Q)
            else:
                assert isinstance(message, dns.message.Message)
                answer = read_answer(message, Q)
            check_answer(answer)
            classify_everything(answer, truth, "udp")
        else:  # ignored: the question keeps waiting for its answer
            assert udp._pending[key] == (question_of(QUERY), future, Q)
        udp.close()
    finally:
        loop.close()


@FUZZ
@given(data=datagrams(), truth=truths)
def test_random_bytes_over_tcp_or_doh_are_a_message_or_an_error(
    data: Datagram, truth: Truth
) -> None:
    """dnspython's parser as the TCP leg (and DoH) call it: a message the classifier reads,
    or an ``Exception``, which those legs turn into a failed exchange; never anything else
    (a BaseException would go through them)."""
    try:
        message = dns.message.from_wire(render(data), one_rr_per_rrset=True)
    except Exception as exc:
        assert why_failed(exc)  # the words the failed exchange carries
        event(f"parser error: {type(exc).__name__}")
        return
    event("parsed")
    answer = read_answer(message, Q)
    check_answer(answer)
    classify_everything(answer, truth, "tcp")
