"""Many DNS questions over one UDP socket.

dnspython's ``asyncquery.udp`` opens a socket (an asyncio datagram endpoint) per question; in a
sweep of hundreds of questions that setup costs more CPU than the questions themselves, and
with 2 cores it showed: 30 resolvers x 5 records took 2.5x the resolvers' latency. Here one
socket per address family carries a whole sweep, and answers are matched to questions by
(server address, port, message ID) and then checked to answer *our* question. No library does
this for asyncio, hence this module; the wire format is still dnspython's.

Trade-off, stated: one source port per sweep gives an off-path spoofer 16 bits (the ID) to
guess instead of 32. We only display what we get (we are not a cache anyone else trusts), and a
forged answer would be overwritten by the next sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import secrets
import socket

import dns.exception
import dns.flags
import dns.message
import dns.rdatatype

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


def _key(host: str, port: int, query_id: int) -> tuple[str, int, int]:
    return (ipaddress.ip_address(host.split("%")[0]).compressed, port, query_id)


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
        self._transports: dict[int, asyncio.DatagramTransport] = {}
        self._creating: asyncio.Lock | None = None
        self._pending: dict[tuple[str, int, int], tuple[bytes, asyncio.Future]] = {}
        # Questions to which only unreadable bytes came back so far: if nothing better comes,
        # the timeout says so instead of pretending the server was silent.
        self._garbled: set[tuple[str, int, int]] = set()
        # Per server (address, port) with questions in flight: how many, and what it sent that
        # answered none of them (forged, misdirected or late packets), to explain a timeout.
        self._waiting: dict[tuple[str, int], int] = {}
        self._strays: dict[tuple[str, int], list[str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _transport(self, family: int) -> asyncio.DatagramTransport:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (a new asyncio.run): start afresh
            self.close()
            self._loop = loop
            self._creating = asyncio.Lock()
        assert self._creating is not None
        async with self._creating:  # concurrent first questions must share one socket
            transport = self._transports.get(family)
            if transport is None or transport.is_closing():
                local = ("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0)  # noqa: S104
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Protocol(self), local_addr=local, family=family
                )
                self._transports[family] = transport
        return transport

    async def query(self, wire: bytes, host: str, port: int, timeout: float) -> dns.message.Message:
        """The answer to the query ``wire`` (its ID is replaced); raises
        ``dns.exception.Timeout`` or ``dns.message.Truncated`` (the caller then uses TCP).

        Taking ready-made wire bytes matters: a sweep asks the same question of every
        resolver, so the query is built once and only its ID changes per packet.
        """
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        transport = await self._transport(family)
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        while True:  # a fresh ID that no question to this server is waiting on
            query_id = secrets.randbelow(65536)
            key = _key(host, port, query_id)
            if key not in self._pending:
                break
        self._pending[key] = (question_of(wire), future)
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
            self._pending.pop(key, None)
            self._garbled.discard(key)
            left = self._waiting.get(server, 1) - 1
            if left > 0:
                self._waiting[server] = left
            else:  # nothing in flight to it any more: what it sent is forgotten with it
                self._waiting.pop(server, None)
                self._strays.pop(server, None)
        if response.flags & dns.flags.TC:
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
        question, future = waiting
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
        for transport in self._transports.values():
            # RuntimeError: its event loop is already closed (asyncio.run ended); nothing to do
            with contextlib.suppress(RuntimeError):
                transport.close()
        self._transports.clear()
        for _, future in self._pending.values():
            if not future.done() and not future.get_loop().is_closed():
                future.cancel()
        self._pending.clear()
        self._garbled.clear()
        self._waiting.clear()
        self._strays.clear()
