"""A hostile DNS server on loopback, for tests: one misbehaviour per instance, over UDP and TCP.

Real servers misbehave in ways the sandbox's well-mannered world never does: they stay silent,
fail, truncate and then drop the TCP retry, send garbage, answer with the wrong ID or to another
question, answer from another socket, send answers too big for any transport, serve CNAME loops,
answer too late, or put terminal escapes in their names and text. Each :class:`Behaviour` is
one of those, applied to every question the instance gets; :attr:`Behaviour.GOOD` is an honest
server for one small zone (authoritative, and answering recursive questions about it too), so a
test can pair a hostile resolver with honest authoritative servers, or the other way round.

It runs in the test's own event loop (asyncio + dnspython for the wire format), binds port 0 on
127.0.0.1 for UDP and the same port for TCP, and counts what it saw (:class:`Log`), so tests
can assert on what the engine asked instead of on wall time.

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
LOOP_OTHER = f"loop.{ZONE}"  # with LOOP: RECORD -> LOOP_OTHER -> RECORD
OTHER_NAME = "elsewhere.example"  # with OTHER_QUESTION: the name the answer is about
ESC_LABEL = b"ev\x1b[31mil"  # with HOSTILE_TEXT: a label holding a terminal escape
RLO_LABEL = "\u202emoc".encode()  # and one holding a bidi override (as UTF-8 bytes)
HOSTILE_STRINGS = (b"\x1b]52;c;aGVsbG8=\x07", "pay \u202etxt.exe".encode())
TTL = 300
NEGATIVE_TTL = 600
HUGE_RECORDS = 300  # TXT records of 255 bytes: about 80 KB, more than a TCP message can carry
SOA_TEXT = f"ns1.{ZONE}. hostmaster.{ZONE}. 2026010101 7200 900 1209600 {NEGATIVE_TTL}"


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


TRUNCATING = frozenset(
    {
        Behaviour.TC_TCP_GOOD,
        Behaviour.TC_TCP_CLOSED,
        Behaviour.TC_TCP_MIDWAY,
        Behaviour.TC_TCP_REFUSED,
    }
)


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


def _exists(qname: dns.name.Name) -> bool:
    """The zone's names: the apex, the record (and the empty non-terminal above it), the
    loop's other end. Anything else under the apex does not exist."""
    owners = [_name(ZONE), _name(RECORD), _name(LOOP_OTHER)]
    return any(owner == qname or owner.is_subdomain(qname) for owner in owners)


def honest(query: dns.message.Message, behaviour: Behaviour) -> dns.message.Message:
    """The answer an honest server for ``ZONE`` would give (or, for LOOP and HOSTILE_TEXT,
    the answer a server holding those broken records gives)."""
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
    if not qname.is_subdomain(apex):
        reply.flags &= ~dns.flags.AA
        reply.set_rcode(dns.rcode.REFUSED)
        return reply
    if qname == _name(RECORD):
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
    if qname == _name(LOOP_OTHER) and behaviour is Behaviour.LOOP:
        reply.answer.append(_rrset(LOOP_OTHER, "CNAME", RECORD + "."))
        reply.answer.append(_rrset(RECORD, "CNAME", LOOP_OTHER + "."))
        return reply
    if qname == apex and qtype == dns.rdatatype.SOA:
        reply.answer.append(_rrset(ZONE, "SOA", SOA_TEXT))
        return reply
    if qname == apex and qtype == dns.rdatatype.NS:
        reply.answer.append(_rrset(ZONE, "NS", f"ns1.{ZONE}."))
        return reply
    if not _exists(qname):
        reply.set_rcode(dns.rcode.NXDOMAIN)
    reply.authority.append(_rrset(ZONE, "SOA", SOA_TEXT))  # NXDOMAIN or NODATA: the SOA
    return reply


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
    other_type = dns.message.make_query(qname, "A")
    other_type.id = query.id
    second = dns.message.make_response(other_type)
    second.answer.append(dns.rrset.from_text(qname, TTL, "IN", "A", "192.0.2.66"))
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
    def __init__(self, behaviour: Behaviour, *, delay: float = 1.0, log: Log | None = None) -> None:
        self.behaviour = behaviour
        self.delay = delay  # SLOW: seconds before answering (more than the client's timeout)
        self.log = log if log is not None else Log()
        self.port = 0
        self._udp: asyncio.DatagramTransport | None = None
        self._other: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._reserved: socket.socket | None = None  # TC_TCP_REFUSED: bound, never listening
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._timers: set[asyncio.TimerHandle] = set()

    @property
    def address(self) -> ServerAddress:
        return ServerAddress("127.0.0.1", self.port)

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("127.0.0.1", self.port)

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
        for _ in range(50):  # the UDP port's TCP twin may be taken: pick another pair
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Udp(self), local_addr=("127.0.0.1", 0)
            )
            port = transport.get_extra_info("sockname")[1]
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                tcp.bind(("127.0.0.1", port))
            except OSError:
                tcp.close()
                transport.close()
                continue
            self._udp, self.port = transport, port  # type: ignore[assignment]
            break
        else:
            raise RuntimeError("no free UDP+TCP port pair on loopback")
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
        behaviour = self.behaviour
        packets: list[bytes] = []
        if behaviour is Behaviour.SILENT:
            return
        if behaviour is Behaviour.SLOW:
            wire = _wire(honest(query, behaviour), size)
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
            reply = honest(query, behaviour)
            reply.id = (query.id + 1) % 65536
            packets.append(_wire(reply, size))
        elif behaviour is Behaviour.OTHER_QUESTION:
            packets += [_wire(m, size) for m in _other_questions(query)]
        elif behaviour in (Behaviour.OTHER_PORT, Behaviour.OTHER_ADDRESS):
            assert self._other is not None
            self._other.sendto(_wire(honest(query, behaviour), size), addr)
            return
        else:  # GOOD, LOOP, HOSTILE_TEXT: the zone's data (broken data for the last two)
            packets.append(_wire(honest(query, behaviour), size))
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
        behaviour = self.behaviour
        if behaviour is Behaviour.GARBAGE:
            return _garbage(data)
        try:
            query = dns.message.from_wire(data)
        except Exception:
            return b"\x00"
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
            reply = honest(query, behaviour)
            reply.id = (query.id + 1) % 65536
            return _wire(reply, 65535)
        if behaviour is Behaviour.OTHER_QUESTION:
            return _wire(_other_questions(query)[0], 65535)
        return _wire(honest(query, behaviour), 65535)
