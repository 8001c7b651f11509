"""A hostile DNS server on loopback, for tests: one misbehaviour per instance, over UDP and TCP.

Real servers misbehave in ways the sandbox's well-mannered world never does: they stay silent,
fail, truncate and then drop the TCP retry, send garbage, answer with the wrong ID or to another
question, answer from another socket, send answers too big for any transport, serve CNAME loops,
answer too late, or put terminal escapes in their names and text. Each :class:`Behaviour` is
one of those, applied to every question the instance gets; :attr:`Behaviour.GOOD` is an honest
server for one small zone (authoritative, and answering recursive questions about it too), so a
test can pair a hostile resolver with honest authoritative servers, or the other way round.

It runs in the test's own event loop (asyncio + dnspython for the wire format), binds port 0 on
127.0.0.1 for UDP and the same port for TCP (or a given address and port: several servers on
one port at 127.0.0.2, .3, ... stand for name servers found through discovery), and counts what
it saw (:class:`Log`), so tests can assert on what the engine asked instead of on wall time.

Real resolvers do more than misbehave: a :class:`Script` says what an instance serves besides
its behaviour, and a test may change it between sweeps (a negative's SOA TTL and serial, per
question type; an Extended DNS Error; the software it names for ``version.bind``; the zone's
own NS names, addresses it knows, a parent zone's delegation). With ``zone_only`` the
misbehaviour is for the zone's names only, and other questions (the engine's control question,
``localhost. A``) get an honest resolver's answer: a resolver with a dead path to one zone.

    async with HostileServer(Behaviour.SILENT) as server:
        exchange = await ask(server.endpoint, RECORD, "CNAME", recursion=True, timeout=0.3)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CNAME
import dns.rdtypes.ANY.TXT
import dns.rrset

from tui.propagation.model import Endpoint
from tui.propagation.names import ServerAddress

ZONE = "hostile.example"
RECORD = f"s1._domainkey.{ZONE}"  # the record every test watches
TARGET = "s1.dkim.esp.example"  # what it should point to
OTHER_RECORD = f"em123.{ZONE}"  # a second record, no DKIM selector (a return path, say)
OTHER_TARGET = "em.esp.example"
LOOP_OTHER = f"loop.{ZONE}"  # with LOOP: RECORD -> LOOP_OTHER -> RECORD
OTHER_NAME = "elsewhere.example"  # with OTHER_QUESTION: the name the answer is about
ESC_LABEL = b"ev\x1b[31mil"  # with HOSTILE_TEXT: a label holding a terminal escape
RLO_LABEL = "\u202emoc".encode()  # and one holding a bidi override (as UTF-8 bytes)
HOSTILE_STRINGS = (b"\x1b]52;c;aGVsbG8=\x07", "pay \u202etxt.exe".encode())
PARENT = "example"  # the zone above ZONE (with PARENT: its server, which delegates ZONE)
TTL = 300
NEGATIVE_TTL = 600
SERIAL = 2026010101  # the zone's serial at its authoritative servers (the record is there)
HUGE_RECORDS = 300  # TXT records of 255 bytes: about 80 KB, more than a TCP message can carry
SOA_TEXT = f"ns1.{ZONE}. hostmaster.{ZONE}. {SERIAL} 7200 900 1209600 {NEGATIVE_TTL}"


class Behaviour(StrEnum):
    GOOD = "good"  # honest: the zone's data, AA (and RA when asked recursively)
    SILENT = "silent"  # never answers, over UDP or TCP
    SERVFAIL = "servfail"
    REFUSED = "refused"
    TC_TCP_GOOD = "tc, then a good TCP answer"
    TC_TCP_CLOSED = "tc, then TCP accepted and closed at once"
    TC_TCP_MIDWAY = "tc, then TCP closed in the middle of the answer"
    TC_TCP_REFUSED = "tc, then TCP refused"
    GARBAGE = "garbage"  # the query's ID and question, then bytes that are no DNS message
    WRONG_ID = "wrong id"  # the right answer under another message ID
    OTHER_QUESTION = "answer to another question"  # right ID: another name, then another type
    OTHER_PORT = "answer from another port"  # the right answer, sent from a second socket
    OTHER_ADDRESS = "answer from another address"  # the same, from 127.0.0.2
    HUGE = "huge"  # too big for UDP (TC) and for TCP (truncated at 64 KiB, TC)
    LOOP = "cname loop"  # RECORD -> LOOP_OTHER -> RECORD, both in the answer
    SLOW = "slow"  # the right answer, after ``delay`` seconds
    HOSTILE_TEXT = "hostile text"  # RECORD -> a name with ESC and U+202E, TXT strings with them
    # A caching resolver holding a negative for the zone's names, for the script's types, with
    # the script's SOA TTL (time left) and serial; the other types are answered honestly.
    NEGATIVE = "cached negative"
    STALE_ANSWER = "stale answer"  # the right answer, from an expired entry: EDE 3
    STALE_NXDOMAIN = "stale nxdomain"  # an expired NXDOMAIN, served: EDE 19
    NSEC_DENIAL = "nsec denial"  # NXDOMAIN proven by an NSEC covering the name (if DO is set)
    PARENT = "parent"  # the server of PARENT: delegates ZONE to the script's delegation


TRUNCATING = frozenset(
    {
        Behaviour.TC_TCP_GOOD,
        Behaviour.TC_TCP_CLOSED,
        Behaviour.TC_TCP_MIDWAY,
        Behaviour.TC_TCP_REFUSED,
    }
)


@dataclass
class Script:
    """What an instance serves besides its behaviour; a test may change it between sweeps."""

    zone_only: bool = False  # misbehave on ZONE's names only; answer other questions honestly
    software: str = ""  # its answer to version.bind CH TXT ("" refuses, as hidden versions do)
    negative_ttl: int = NEGATIVE_TTL  # NEGATIVE etc.: the SOA TTL (the time left) it sends
    minimum: int = NEGATIVE_TTL  # ... and the SOA MINIMUM (never counts down)
    serial: int = SERIAL - 1  # ... and the SOA serial (by default: before the record existed)
    negative_types: frozenset[str] = frozenset({"CNAME", "TXT"})  # NEGATIVE: the types denied
    ede: tuple[int, str] | None = None  # an Extended DNS Error added to every answer
    # Question types answered SERVFAIL in the zone (e.g. TXT: following the CNAME fails)
    fail_types: frozenset[str] = frozenset()
    ns: tuple[str, ...] = (f"ns1.{ZONE}",)  # ZONE's own NS records
    addresses: dict[str, str] = field(default_factory=dict)  # A records it knows (any zone)
    delegation: tuple[str, ...] = ()  # PARENT: the NS names it delegates ZONE to
    serves_record: bool = True  # False: RECORD is not in its copy of the zone (not added here)
    parent_ns: tuple[str, ...] = (f"ns.{PARENT}",)  # PARENT's own NS (for its servers' A)


@dataclass
class Log:
    """What a set of servers saw, in order; shared between the instances of one test.

    ``events`` holds ``("asked", port)`` per question over UDP and ``("tcp", port)`` per TCP
    connection, appended when the question arrives; a test may append its own events to the
    same list to check the order of things without reading any clock."""

    events: list[tuple[str, int]] = field(default_factory=list)

    def count(self, kind: str, port: int | None = None) -> int:
        return sum(1 for k, p in self.events if k == kind and (port is None or p == port))


def _name(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


def _exists(qname: dns.name.Name, serves_record: bool = True) -> bool:
    """The zone's names: the apex, the record (and the empty non-terminal above it), the
    loop's other end. Anything else under the apex does not exist."""
    owners = [_name(ZONE), _name(LOOP_OTHER), _name(OTHER_RECORD)]
    if serves_record:
        owners.append(_name(RECORD))
    return any(owner == qname or owner.is_subdomain(qname) for owner in owners)


def honest(
    query: dns.message.Message, behaviour: Behaviour, script: Script | None = None
) -> dns.message.Message:
    """The answer an honest server for ``ZONE`` would give (or, for LOOP and HOSTILE_TEXT,
    the answer a server holding those broken records gives); asked recursively, it also
    answers as a resolver would: ``localhost.`` itself (RFC 6761), ``version.bind`` with the
    script's software, and the script's addresses."""
    script = script or Script()
    reply = dns.message.make_response(query)
    reply.flags |= dns.flags.AA
    if query.flags & dns.flags.RD:
        reply.flags |= dns.flags.RA
    if not query.question:
        reply.set_rcode(dns.rcode.FORMERR)
        return reply
    question = query.question[0]
    qname, qtype = question.name, question.rdtype
    apex = _name(ZONE)
    if question.rdclass == dns.rdataclass.CH:
        reply.flags &= ~dns.flags.AA
        if qname == _name("version.bind") and script.software:
            txt = dns.rdtypes.ANY.TXT.TXT(
                dns.rdataclass.CH, dns.rdatatype.TXT, [script.software.encode()]
            )
            reply.answer.append(dns.rrset.from_rdata_list(qname, 0, [txt]))
        else:
            reply.set_rcode(dns.rcode.REFUSED)
        return reply
    known = {_name(n): a for n, a in script.addresses.items()}
    if qname == _name("localhost"):
        reply.flags &= ~dns.flags.AA
        if qtype == dns.rdatatype.A:
            reply.answer.append(_rrset("localhost", "A", "127.0.0.1"))
        return reply
    if qname in known and not qname.is_subdomain(apex):
        reply.flags &= ~dns.flags.AA
        if qtype == dns.rdatatype.A:
            reply.answer.append(dns.rrset.from_text(qname, TTL, "IN", "A", known[qname]))
        return reply
    if qname == _name(PARENT) and query.flags & dns.flags.RD:
        reply.flags &= ~dns.flags.AA  # as a resolver: the parent zone's NS
        if qtype == dns.rdatatype.NS:
            for ns in script.parent_ns:
                reply.answer.append(_rrset(PARENT, "NS", ns + "."))
        return reply
    if not qname.is_subdomain(apex):
        reply.flags &= ~dns.flags.AA
        reply.set_rcode(dns.rcode.REFUSED)
        return reply
    if qname == _name(RECORD) and script.serves_record:
        if behaviour is Behaviour.LOOP:
            # Both links of the loop, as a server that follows CNAMEs inside its zone gives.
            reply.answer.append(_rrset(RECORD, "CNAME", LOOP_OTHER + "."))
            reply.answer.append(_rrset(LOOP_OTHER, "CNAME", RECORD + "."))
            return reply
        if behaviour is Behaviour.HOSTILE_TEXT:
            evil = dns.name.Name([ESC_LABEL, RLO_LABEL, b"example", b""])
            reply.answer.append(dns.rrset.from_rdata(qname, TTL, _cname(evil)))
            txt = dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, HOSTILE_STRINGS)
            reply.answer.append(dns.rrset.from_rdata(evil, TTL, txt))
            return reply
        reply.answer.append(_rrset(RECORD, "CNAME", TARGET + "."))
        return reply
    if qname == _name(OTHER_RECORD):
        reply.answer.append(_rrset(OTHER_RECORD, "CNAME", OTHER_TARGET + "."))
        return reply
    if qname == _name(LOOP_OTHER) and behaviour is Behaviour.LOOP:
        reply.answer.append(_rrset(LOOP_OTHER, "CNAME", RECORD + "."))
        reply.answer.append(_rrset(RECORD, "CNAME", LOOP_OTHER + "."))
        return reply
    if qname == apex and qtype == dns.rdatatype.SOA:
        reply.answer.append(_rrset(ZONE, "SOA", SOA_TEXT))
        return reply
    if qname == apex and qtype == dns.rdatatype.NS:
        for ns in script.ns:
            reply.answer.append(_rrset(ZONE, "NS", ns + "."))
        return reply
    if qname in known:
        if qtype == dns.rdatatype.A:
            reply.answer.append(dns.rrset.from_text(qname, TTL, "IN", "A", known[qname]))
        else:
            reply.authority.append(_rrset(ZONE, "SOA", SOA_TEXT))
        return reply
    if not _exists(qname, script.serves_record):
        reply.set_rcode(dns.rcode.NXDOMAIN)
    reply.authority.append(_rrset(ZONE, "SOA", SOA_TEXT))  # NXDOMAIN or NODATA: the SOA
    return reply


def _negative_soa(script: Script) -> dns.rrset.RRset:
    text = f"ns1.{ZONE}. hostmaster.{ZONE}. {script.serial} 7200 900 1209600 {script.minimum}"
    return dns.rrset.from_text(ZONE + ".", script.negative_ttl, "IN", "SOA", text)


def scripted(
    query: dns.message.Message, behaviour: Behaviour, script: Script
) -> dns.message.Message:
    """The answers of the behaviours a :class:`Script` drives (a caching resolver's: RA)."""
    question = query.question[0] if query.question else None
    in_zone = question is not None and question.name.is_subdomain(_name(ZONE))
    kind = dns.rdatatype.to_text(question.rdtype) if question is not None else ""
    if behaviour is Behaviour.PARENT:
        reply = _parent(query, script)
    elif not in_zone or (behaviour is Behaviour.NEGATIVE and kind not in script.negative_types):
        reply = honest(query, behaviour, script)
    elif behaviour is Behaviour.STALE_ANSWER:
        reply = honest(query, behaviour, script)
        _ede(reply, query, 3, "served from an expired cache entry")
    else:  # NEGATIVE, STALE_NXDOMAIN, NSEC_DENIAL: "does not exist"
        reply = dns.message.make_response(query)
        reply.flags |= dns.flags.RA
        reply.set_rcode(dns.rcode.NXDOMAIN)
        reply.authority.append(_negative_soa(script))
        if behaviour is Behaviour.STALE_NXDOMAIN:
            _ede(reply, query, 19, "the zone's servers did not answer")
        if behaviour is Behaviour.NSEC_DENIAL and query.ednsflags & dns.flags.DO:
            # The NSEC of the zone's apex, whose range runs to a name after the record: it
            # proves every name in between away, asked or not (RFC 8198).
            reply.authority.append(
                dns.rrset.from_text(ZONE + ".", 300, "IN", "NSEC", f"zz.{ZONE}. SOA NS NSEC")
            )
    if script.ede is not None and question is not None:
        _ede(reply, query, *script.ede)
    return reply


def _ede(reply: dns.message.Message, query: dns.message.Message, code: int, text: str) -> None:
    if query.edns < 0:
        return  # EDE rides in EDNS: a query without it gets none
    options = [*reply.options, dns.edns.EDEOption(code, text)]
    reply.use_edns(0, payload=1232, options=options)


def _parent(query: dns.message.Message, script: Script) -> dns.message.Message:
    """PARENT's server: authoritative for PARENT, and a referral (RFC 1034 §4.3.2, no AA)
    for anything in ZONE, to the script's delegation."""
    reply = dns.message.make_response(query)
    question = query.question[0]
    qname = question.name
    if qname.is_subdomain(_name(ZONE)):
        for ns in script.delegation:
            reply.authority.append(_rrset(ZONE, "NS", ns + "."))
            if ns in script.addresses and _name(ns).is_subdomain(_name(PARENT)):
                reply.additional.append(_rrset(ns, "A", script.addresses[ns]))
        return reply
    if not qname.is_subdomain(_name(PARENT)):
        reply.set_rcode(dns.rcode.REFUSED)
        return reply
    reply.flags |= dns.flags.AA
    if qname == _name(PARENT) and question.rdtype == dns.rdatatype.NS:
        for ns in script.parent_ns:
            reply.answer.append(_rrset(PARENT, "NS", ns + "."))
    elif qname == _name(PARENT) and question.rdtype == dns.rdatatype.SOA:
        soa = f"ns.{PARENT}. hostmaster.{PARENT}. 1 7200 900 1209600 3600"
        reply.answer.append(_rrset(PARENT, "SOA", soa))
    else:
        reply.set_rcode(dns.rcode.NXDOMAIN)
    return reply


def _fails(query: dns.message.Message, script: Script) -> bool:
    if not script.fail_types or not query.question:
        return False
    question = query.question[0]
    kind = dns.rdatatype.to_text(question.rdtype)
    return kind in script.fail_types and question.name.is_subdomain(_name(ZONE))


SCRIPTED = frozenset(
    {
        Behaviour.NEGATIVE,
        Behaviour.STALE_ANSWER,
        Behaviour.STALE_NXDOMAIN,
        Behaviour.NSEC_DENIAL,
        Behaviour.PARENT,
    }
)


def _rrset(owner: str, kind: str, value: str) -> dns.rrset.RRset:
    return dns.rrset.from_text(owner + ".", TTL, "IN", kind, value)


def _cname(target: dns.name.Name) -> dns.rdtypes.ANY.CNAME.CNAME:
    return dns.rdtypes.ANY.CNAME.CNAME(dns.rdataclass.IN, dns.rdatatype.CNAME, target)


def _huge(query: dns.message.Message) -> dns.message.Message:
    reply = dns.message.make_response(query)
    reply.flags |= dns.flags.AA | dns.flags.RA
    owner = query.question[0].name if query.question else _name(RECORD)
    for index in range(HUGE_RECORDS):
        text = (f"{index:04d}" * 64)[:255].encode()
        txt = dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, [text])
        reply.answer.append(dns.rrset.from_rdata(owner, TTL, txt))  # one RRset each
    return reply


def _garbage(data: bytes) -> bytes:
    """The query's ID and question (so it reads as the answer to it), a header that claims
    one answer record, and then bytes that cannot be one."""
    header = bytearray(data[:12])
    header[2] |= 0x80  # QR: a response
    header[6:8] = (1).to_bytes(2, "big")  # ANCOUNT 1
    question_end = 12
    while question_end < len(data) and data[question_end]:
        question_end += 1 + data[question_end]
    question = data[12 : question_end + 5]
    return bytes(header) + question + b"\xc0\xff\xff\x00garbage\xff\xff\xff"


def _other_questions(query: dns.message.Message) -> list[dns.message.Message]:
    """Answers carrying the query's ID, about another name and about another type."""
    other_name = dns.message.make_query(OTHER_NAME, "CNAME")
    other_name.id = query.id
    first = dns.message.make_response(other_name)
    first.answer.append(_rrset(OTHER_NAME, "CNAME", "spoofed.example."))
    qname = query.question[0].name.to_text() if query.question else RECORD + "."
    asked_a = bool(query.question) and query.question[0].rdtype == dns.rdatatype.A
    kind, value = ("TXT", '"spoofed"') if asked_a else ("A", "192.0.2.66")
    other_type = dns.message.make_query(qname, kind)
    other_type.id = query.id
    second = dns.message.make_response(other_type)
    second.answer.append(dns.rrset.from_text(qname, TTL, "IN", kind, value))
    return [first, second]


def _wire(message: dns.message.Message, size: int) -> bytes:
    return message.to_wire(max_size=size, prefer_truncation=True)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: HostileServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server.datagram(data, addr)


class _Quiet(asyncio.DatagramProtocol):
    """The second socket: it only sends."""


class HostileServer:
    def __init__(
        self,
        behaviour: Behaviour,
        *,
        delay: float = 1.0,
        log: Log | None = None,
        script: Script | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.behaviour = behaviour
        self.delay = delay  # SLOW: seconds before answering (more than the client's timeout)
        self.log = log if log is not None else Log()
        self.script = script or Script()
        self.host = host
        self.port = port
        self._udp: asyncio.DatagramTransport | None = None
        self._other: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._reserved: socket.socket | None = None  # TC_TCP_REFUSED: bound, never listening
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._timers: set[asyncio.TimerHandle] = set()

    @property
    def address(self) -> ServerAddress:
        return ServerAddress(self.host, self.port)

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.host, self.port)

    def _behaviour_for(self, query: dns.message.Message) -> Behaviour:
        """GOOD for questions outside the zone when the script says the misbehaviour is for
        the zone's names only (a resolver with a dead path to the zone)."""
        if self.script.zone_only and self.behaviour is not Behaviour.PARENT:
            question = query.question[0] if query.question else None
            if question is None or not question.name.is_subdomain(_name(ZONE)):
                return Behaviour.GOOD
        return self.behaviour

    @property
    def questions(self) -> int:
        """Questions received over UDP."""
        return self.log.count("asked", self.port)

    async def __aenter__(self) -> HostileServer:
        return await self.start()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> HostileServer:
        loop = asyncio.get_running_loop()
        for _ in range(1 if self.port else 50):  # the TCP twin may be taken: pick another pair
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Udp(self), local_addr=(self.host, self.port)
            )
            port = transport.get_extra_info("sockname")[1]
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                tcp.bind((self.host, port))
            except OSError:
                tcp.close()
                transport.close()
                continue
            self._udp, self.port = transport, port  # type: ignore[assignment]
            break
        else:
            raise OSError(f"no free UDP+TCP port pair on {self.host}")
        if self.behaviour is Behaviour.TC_TCP_REFUSED:
            # Bound but not listening: a connection is refused (RST), and no other program
            # can start listening on the port meanwhile.
            self._reserved = tcp
        else:
            tcp.listen(16)
            tcp.setblocking(False)
            self._tcp = await asyncio.start_server(self._session, sock=tcp)
        if self.behaviour in (Behaviour.OTHER_PORT, Behaviour.OTHER_ADDRESS):
            host = "127.0.0.2" if self.behaviour is Behaviour.OTHER_ADDRESS else "127.0.0.1"
            self._other, _ = await loop.create_datagram_endpoint(  # type: ignore[assignment]
                _Quiet, local_addr=(host, 0)
            )
        return self

    async def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        for transport in (self._udp, self._other):
            if transport is not None:
                transport.close()
        if self._reserved is not None:
            self._reserved.close()
        if self._tcp is not None:
            self._tcp.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._tcp is not None:
            await self._tcp.wait_closed()

    # --- UDP ------------------------------------------------------------------------------

    def datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        self.log.events.append(("asked", self.port))
        try:
            query = dns.message.from_wire(data)
        except Exception:
            return
        size = max(512, query.payload if query.edns >= 0 else 512)
        behaviour = self._behaviour_for(query)
        script = self.script
        packets: list[bytes] = []
        if behaviour is Behaviour.SILENT:
            return
        if _fails(query, script):
            reply = dns.message.make_response(query)
            reply.set_rcode(dns.rcode.SERVFAIL)
            self._send(reply.to_wire(), addr)
            return
        if behaviour in SCRIPTED:
            self._send(_wire(scripted(query, behaviour, script), size), addr)
            return
        if behaviour is Behaviour.SLOW:
            wire = _wire(honest(query, behaviour, script), size)
            timer = asyncio.get_running_loop().call_later(self.delay, self._send, wire, addr)
            self._timers.add(timer)
            return
        if behaviour in (Behaviour.SERVFAIL, Behaviour.REFUSED):
            reply = dns.message.make_response(query)
            failing = behaviour is Behaviour.SERVFAIL
            reply.set_rcode(dns.rcode.SERVFAIL if failing else dns.rcode.REFUSED)
            packets.append(reply.to_wire())
        elif behaviour in TRUNCATING:
            reply = dns.message.make_response(query)
            reply.flags |= dns.flags.TC | dns.flags.AA
            packets.append(reply.to_wire())
        elif behaviour is Behaviour.HUGE:
            packets.append(_wire(_huge(query), size))
        elif behaviour is Behaviour.GARBAGE:
            packets.append(_garbage(data))
        elif behaviour is Behaviour.WRONG_ID:
            reply = honest(query, behaviour, script)
            reply.id = (query.id + 1) % 65536
            packets.append(_wire(reply, size))
        elif behaviour is Behaviour.OTHER_QUESTION:
            packets += [_wire(m, size) for m in _other_questions(query)]
        elif behaviour in (Behaviour.OTHER_PORT, Behaviour.OTHER_ADDRESS):
            assert self._other is not None
            self._other.sendto(_wire(honest(query, behaviour, script), size), addr)
            return
        else:  # GOOD, LOOP, HOSTILE_TEXT: the zone's data (broken data for the last two)
            reply = honest(query, behaviour, script)
            if script.ede is not None:
                _ede(reply, query, *script.ede)
            packets.append(_wire(reply, size))
        for packet in packets:
            self._send(packet, addr)

    def _send(self, wire: bytes, addr: tuple[str, int]) -> None:
        if self._udp is not None and not self._udp.is_closing():
            self._udp.sendto(wire, addr)

    # --- TCP ------------------------------------------------------------------------------

    def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(self._serve_tcp(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.log.events.append(("tcp", self.port))
        self._writers.add(writer)
        try:
            if self.behaviour is Behaviour.TC_TCP_CLOSED:
                return  # accepted, then closed at once (finally)
            while True:
                try:
                    size = int.from_bytes(await reader.readexactly(2), "big")
                    data = await reader.readexactly(size)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                wire = self._tcp_answer(data)
                if wire is None:
                    await asyncio.Event().wait()  # SILENT: hold the connection, say nothing
                    return
                if self.behaviour is Behaviour.SLOW:
                    await asyncio.sleep(self.delay)
                if self.behaviour is Behaviour.TC_TCP_MIDWAY:
                    # The length of the whole answer, then half of it, then gone.
                    writer.write(len(wire).to_bytes(2, "big") + wire[: len(wire) // 2])
                    await writer.drain()
                    return
                writer.write(len(wire).to_bytes(2, "big") + wire)
                await writer.drain()
        except ConnectionError:
            return
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _tcp_answer(self, data: bytes) -> bytes | None:
        if self.behaviour is Behaviour.GARBAGE:
            return _garbage(data)
        try:
            query = dns.message.from_wire(data)
        except Exception:
            return b"\x00"
        behaviour = self._behaviour_for(query)
        if behaviour in SCRIPTED:
            return _wire(scripted(query, behaviour, self.script), 65535)
        if behaviour is Behaviour.SILENT:
            return None
        if behaviour in (Behaviour.SERVFAIL, Behaviour.REFUSED):
            reply = dns.message.make_response(query)
            failing = behaviour is Behaviour.SERVFAIL
            reply.set_rcode(dns.rcode.SERVFAIL if failing else dns.rcode.REFUSED)
            return reply.to_wire()
        if behaviour is Behaviour.HUGE:
            return _wire(_huge(query), 65535)  # more than fits: truncated, TC set, over TCP
        if behaviour is Behaviour.WRONG_ID:
            reply = honest(query, behaviour, self.script)
            reply.id = (query.id + 1) % 65536
            return _wire(reply, 65535)
        if behaviour is Behaviour.OTHER_QUESTION:
            return _wire(_other_questions(query)[0], 65535)
        return _wire(honest(query, behaviour, self.script), 65535)
