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


class Unreadable(dns.exception.FormError):
    """Bytes carrying the question's ID and question arrived from the server, but no DNS
    message could be read from them, and nothing readable followed before the timeout."""


def question_of(wire: bytes) -> bytes:
    """The question section of a one-question query (name, type, class), lower-cased."""
    end = 12
    while end < len(wire) and wire[end]:
        end += 1 + wire[end]  # a label: its length byte, then its bytes
    # the name (lower-cased for comparison), its root label's zero byte, then QTYPE and QCLASS
    return wire[12 : end + 1].lower() + wire[end + 1 : end + 5]


def _key(host: str, port: int, query_id: int) -> tuple[str, int, int]:
    return (ipaddress.ip_address(host.split("%")[0]).compressed, port, query_id)


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
        try:
            transport.sendto(query_id.to_bytes(2, "big") + wire[2:], (host, port))
            async with asyncio.timeout(timeout):
                response = await future
        except TimeoutError:
            if key in self._garbled:
                raise Unreadable from None
            raise dns.exception.Timeout(timeout=timeout) from None
        finally:
            self._pending.pop(key, None)
            self._garbled.discard(key)
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
            return  # late, duplicate or unsolicited: ignore
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
