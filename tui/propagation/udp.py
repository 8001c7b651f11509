"""Many DNS questions over one UDP socket.

dnspython's ``asyncquery.udp`` opens a socket (an asyncio datagram endpoint) per question; in a
sweep of hundreds of questions that setup costs more CPU than the questions themselves, and
with 2 cores it showed: 30 resolvers x 5 records took 2.5x the resolvers' latency. Here one
socket per address family carries a whole sweep, and answers are matched to questions by
(server address, port, message ID) and then checked to answer *our* question. No library does
this for asyncio, hence this module; the wire format is still dnspython's.

A socket carries at most as many questions at once as its receive buffer holds answers: they
can arrive in one burst, and a socket's receive buffer drops what does not fit. The buffer asked
for is 4 MiB (:data:`RECEIVE_BUFFER`); Linux grants up to the system's ``rmem_max`` (208 KiB
on many systems, 4 MiB on others), and each small answer takes up to about 2 KiB of it, kernel
bookkeeping included (:data:`ANSWER_COST`). Beyond that, more sockets are opened (up to
:data:`MAX_SOCKETS` per family), so a sweep of thousands of questions still goes out at once.

Trade-off, stated: a few source ports per sweep give an off-path spoofer 16 bits (the ID) to
guess instead of 32. We only display what we get (we are not a cache anyone else trusts), and a
forged answer would be overwritten by the next sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import secrets
import socket

import dns.exception
import dns.flags
import dns.message
import dns.rdatatype

from tui.propagation.answers import Answer
from tui.propagation.wire import read_wire
from tui.sanitize import visible


class Unreadable(dns.exception.FormError):
    """Bytes carrying the question's ID and question arrived from the server, but no DNS
    message could be read from them, and nothing readable followed before the timeout."""


class Ignored(dns.exception.Timeout):
    """No answer to the question in time, but the server sent packets that were not one:
    with a message ID nobody was waiting for, or answering another question. They were
    dropped (never trusted); ``reasons`` says what they were, for the cell's detail."""

    def __init__(self, reasons: list[str], timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.reasons = reasons


PER_SOCKET = 100  # questions in flight on one socket when its buffer size cannot be read
MAX_SOCKETS = 16  # per address family
RECEIVE_BUFFER = 4 << 20  # asked for; the system grants up to its maximum
# Bytes of receive buffer counted per answer (Linux reports twice the size set, for its
# bookkeeping; a small datagram's share of it is under 2 KiB): 4 MiB carries 2,048 questions.
ANSWER_COST = 4096
MAX_STRAYS = 4  # stray packets described per server: enough to explain, bounded
WRONG_ID = ""  # a stray with a message ID nobody waits for (else: the question it answers)


def _stray_words(strays: list[str]) -> list[str]:
    """``answers with a message ID we did not send``, ``answers to other questions (x A)``."""
    words = []
    if WRONG_ID in strays:
        words.append("answers with a message ID we did not send")
    others = [s for s in strays if s != WRONG_ID]
    if others:
        words.append(f"answers to other questions ({', '.join(others)})")
    return words


def question_of(wire: bytes) -> bytes:
    """The question section of a one-question query (name, type, class), lower-cased."""
    end = 12
    while end < len(wire) and wire[end]:
        end += 1 + wire[end]  # a label: its length byte, then its bytes
    # the name (lower-cased for comparison), its root label's zero byte, then QTYPE and QCLASS
    return wire[12 : end + 1].lower() + wire[end + 1 : end + 5]


@functools.lru_cache(maxsize=4096)
def _address(host: str) -> str:
    """``host`` as one spelling of its address (parsed once per address: a sweep sends and
    receives thousands of packets to and from a few hundred)."""
    return ipaddress.ip_address(host.split("%")[0]).compressed


def _key(host: str, port: int, query_id: int) -> tuple[str, int, int]:
    return (_address(host), port, query_id)


def _question_text(data: bytes) -> str:
    """The question a stray packet answers, in words (``elsewhere.example CNAME``), sanitised:
    it is from the network; "unreadable" when its question cannot be read."""
    try:
        message = dns.message.from_wire(data, ignore_trailing=True, question_only=True)
        question = message.question[0]
        name = question.name.to_text(omit_final_dot=True)
        kind = dns.rdatatype.to_text(question.rdtype)
    except Exception:
        return "unreadable"
    return visible(f"{name} {kind}", limit=120)


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, owner: UdpMultiplexer) -> None:
        self.owner = owner

    def datagram_received(self, data: bytes, addr: tuple) -> None:  # type: ignore[type-arg]
        self.owner._received(data, addr)

    def error_received(self, exc: Exception) -> None:
        # An unconnected UDP socket rarely hears ICMP errors, and cannot tell which question
        # they belong to; the question's own timeout covers it.
        pass


class UdpMultiplexer:
    def __init__(self) -> None:
        self._transports: dict[int, list[asyncio.DatagramTransport]] = {}
        self._load: dict[asyncio.DatagramTransport, int] = {}  # questions in flight on each
        self._capacity: dict[asyncio.DatagramTransport, int] = {}  # what each one's buffer holds
        self.peak: dict[int, int] = {}  # the most questions ever in flight on one (by id)
        self._creating: asyncio.Lock | None = None
        # Per question in flight: its question section, its future, and the name asked when
        # the caller takes an :class:`Answer` read by the fast reader (``query``'s ``read``).
        self._pending: dict[tuple[str, int, int], tuple[bytes, asyncio.Future, str | None]] = {}
        # Questions to which only unreadable bytes came back so far: if nothing better comes,
        # the timeout says so instead of pretending the server was silent.
        self._garbled: set[tuple[str, int, int]] = set()
        # Per server (address, port) with questions in flight: how many, and what it sent that
        # answered none of them (forged, misdirected or late packets), to explain a timeout.
        self._waiting: dict[tuple[str, int], int] = {}
        self._strays: dict[tuple[str, int], list[str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _transport(self, family: int) -> asyncio.DatagramTransport:
        """The family's socket with the fewest questions in flight, or a new one when every
        socket carries :data:`PER_SOCKET` already (and there are fewer than the maximum).
        Counts the question on it (the caller gives it back in ``query``)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (a new asyncio.run): start afresh
            self.close()
            self._loop = loop
            self._creating = asyncio.Lock()
        assert self._creating is not None
        found = self._least(family)
        if found is None:
            async with self._creating:  # one new socket at a time, and only when needed
                found = self._least(family)
                if found is None:
                    found = await self._open(loop, family)
        self._load[found] = self._load.get(found, 0) + 1
        self.peak[id(found)] = max(self.peak.get(id(found), 0), self._load[found])
        return found

    def _least(self, family: int) -> asyncio.DatagramTransport | None:
        """A socket with room (the least loaded), or None when a new one should be opened. No
        awaiting here: a sweep's questions take their sockets in one go."""
        pool = [t for t in self._transports.get(family, []) if not t.is_closing()]
        self._transports[family] = pool
        least = min(pool, key=lambda t: self._load.get(t, 0), default=None)
        if least is None:
            return None
        full = self._load.get(least, 0) >= self._capacity.get(least, PER_SOCKET)
        if full and len(pool) < MAX_SOCKETS:
            return None
        return least

    async def _open(
        self, loop: asyncio.AbstractEventLoop, family: int
    ) -> asyncio.DatagramTransport:
        local = ("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0)  # noqa: S104
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(self), local_addr=local, family=family
        )
        sock = transport.get_extra_info("socket")
        with contextlib.suppress(OSError, AttributeError):  # a smaller buffer will do
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        with contextlib.suppress(OSError, AttributeError, TypeError):
            granted = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
            self._capacity[transport] = max(PER_SOCKET // 4, granted // ANSWER_COST)
        self._transports.setdefault(family, []).append(transport)
        return transport

    def sockets(self) -> int:
        """How many sockets are open (for tests and benchmarks)."""
        return sum(len(pool) for pool in self._transports.values())

    async def query(
        self, wire: bytes, host: str, port: int, timeout: float, *, read: str | None = None
    ) -> dns.message.Message | Answer:
        """The answer to the query ``wire`` (its ID is replaced); raises
        ``dns.exception.Timeout`` or ``dns.message.Truncated`` (the caller then uses TCP).

        ``read``: the name asked; then a plain answer comes back already read as an
        :class:`Answer` about it (:mod:`tui.propagation.wire`, without dnspython's parse), and
        anything else as dnspython's message, as without it.

        Taking ready-made wire bytes matters: a sweep asks the same question of every
        resolver, so the query is built once and only its ID changes per packet.
        """
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        _key(host, port, 0)  # a host that is no address fails here, before taking a socket
        # Counts this question on the socket (given back in ``finally``). The ID is picked
        # only after this await: one picked before could be picked by another question to
        # the same server meanwhile, and one of the two answers would go to the wrong one.
        transport = await self._transport(family)
        while True:  # a fresh ID that no question to this server is waiting on
            query_id = secrets.randbelow(65536)
            key = _key(host, port, query_id)
            if key not in self._pending:
                break
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[key] = (question_of(wire), future, read)
        server = key[:2]
        self._waiting[server] = self._waiting.get(server, 0) + 1
        try:
            transport.sendto(query_id.to_bytes(2, "big") + wire[2:], (host, port))
            async with asyncio.timeout(timeout):
                response = await future
        except TimeoutError:
            if key in self._garbled:
                raise Unreadable from None
            strays = self._strays.get(server)
            if strays:
                raise Ignored(_stray_words(strays), timeout) from None
            raise dns.exception.Timeout(timeout=timeout) from None
        finally:
            self._load[transport] = max(0, self._load.get(transport, 1) - 1)
            self._pending.pop(key, None)
            self._garbled.discard(key)
            left = self._waiting.get(server, 1) - 1
            if left > 0:
                self._waiting[server] = left
            else:  # nothing in flight to it any more: what it sent is forgotten with it
                self._waiting.pop(server, None)
                self._strays.pop(server, None)
        if not isinstance(response, Answer) and response.flags & dns.flags.TC:
            raise dns.message.Truncated(message=response)
        return response

    def _received(self, data: bytes, addr: tuple) -> None:  # type: ignore[type-arg]
        if len(data) < 12 or not data[2] & 0x80:  # too short, or not a response (QR=0)
            return
        no_question = data[4:6] == b"\x00\x00"
        try:
            key = _key(addr[0], addr[1], int.from_bytes(data[:2], "big"))
        except ValueError:
            return
        waiting = self._pending.get(key)
        if waiting is None:
            # Late, duplicate or unsolicited: ignored. From a server we are waiting on, it is
            # remembered, so that its silence can be explained (a forged or broken answer).
            self._stray(key[:2], WRONG_ID)
            return
        question, future, read = waiting
        # The answer must repeat our question (the name case-insensitively, then type and
        # class); an error answer may leave the question out (REFUSED, FORMERR, ...).
        if future.done():
            return
        name_length = len(question) - 4
        same = (
            data[12 : 12 + name_length].lower() == question[:name_length]
            and data[12 + name_length : 12 + len(question)] == question[name_length:]
        )
        if not same and not (no_question and data[3] & 0x0F in (1, 2, 4, 5)):
            self._stray(key[:2], _question_text(data))
            return
        if read is not None:
            answer = read_wire(data, read)
            if answer is not None:
                future.set_result(answer)
                return
        try:
            # one_rr_per_rrset: keep both CNAMEs when a server wrongly has two (a conflict we
            # must see; dnspython would otherwise keep only one of a singleton type).
            response = dns.message.from_wire(data, ignore_trailing=True, one_rr_per_rrset=True)
        except Exception:
            # Garbage with a matching ID and question: keep waiting, since the real answer may
            # still come (the garbage may be forged), but remember it for the timeout.
            self._garbled.add(key)
            return
        future.set_result(response)

    def _stray(self, server: tuple[str, int], reason: str) -> None:
        if server not in self._waiting:
            return  # nothing asked of it now: a late answer to an old question
        kept = self._strays.setdefault(server, [])
        if len(kept) < MAX_STRAYS and reason not in kept:
            kept.append(reason)

    def close(self) -> None:
        for pool in self._transports.values():
            for transport in pool:
                # RuntimeError: its event loop is already closed (asyncio.run ended)
                with contextlib.suppress(RuntimeError):
                    transport.close()
        self._transports.clear()
        self._load.clear()
        self._capacity.clear()
        self.peak.clear()
        for _, future, _ in self._pending.values():
            if not future.done() and not future.get_loop().is_closed():
                future.cancel()
        self._pending.clear()
        self._garbled.clear()
        self._waiting.clear()
        self._strays.clear()
