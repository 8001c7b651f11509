"""The shared-socket UDP multiplexer, against real UDP servers on loopback that misbehave on
purpose: answers to other questions, wrong IDs, missing question sections, truncation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest

from tui.propagation.authority import newest_serial, older
from tui.propagation.transport import query_wire
from tui.propagation.udp import ANSWER_COST, PER_SOCKET, RECEIVE_BUFFER, UdpMultiplexer

Q = "s1._domainkey.example.com"


class _Server(asyncio.DatagramProtocol):
    def __init__(self, reply: Callable[[bytes], list[bytes]]) -> None:
        self.reply = reply
        self.seen = 0

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:  # type: ignore[no-untyped-def]
        self.seen += 1
        for packet in self.reply(data):
            self.transport.sendto(packet, addr)


async def serve(reply: Callable[[bytes], list[bytes]]) -> tuple[int, _Server, object]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: _Server(reply), local_addr=("127.0.0.1", 0)
    )
    return transport.get_extra_info("sockname")[1], protocol, transport


def answer(data: bytes, target: str = "t.example.") -> dns.message.Message:
    reply = dns.message.make_response(dns.message.from_wire(data))
    reply.answer.append(dns.rrset.from_text(Q + ".", 60, "IN", "CNAME", target))
    return reply


async def test_answers_to_another_question_or_id_are_ignored() -> None:
    def reply(data: bytes) -> list[bytes]:
        other = dns.message.make_response(dns.message.make_query("evil.example", "CNAME"))
        other.id = int.from_bytes(data[:2], "big")  # right ID, wrong question
        wrong_id = answer(data, "spoofed.example.")
        wrong_id.id = (wrong_id.id + 1) % 65536
        return [other.to_wire(), wrong_id.to_wire(), b"\x00garbage", answer(data).to_wire()]

    port, _, transport = await serve(reply)
    udp = UdpMultiplexer()
    try:
        response = await udp.query(query_wire(Q, "CNAME", True, False), "127.0.0.1", port, 2)
    finally:
        udp.close()
        transport.close()  # type: ignore[attr-defined]
    assert response.answer[0][0].target.to_text() == "t.example."


async def test_error_answers_without_a_question_are_accepted() -> None:
    def reply(data: bytes) -> list[bytes]:
        header = bytearray(data[:12])
        header[2] |= 0x80  # QR
        header[3] = (header[3] & 0xF0) | dns.rcode.REFUSED
        header[4:12] = bytes(8)  # no question, no records
        return [bytes(header)]

    port, _, transport = await serve(reply)
    udp = UdpMultiplexer()
    try:
        response = await udp.query(query_wire(Q, "CNAME", True, False), "127.0.0.1", port, 2)
    finally:
        udp.close()
        transport.close()  # type: ignore[attr-defined]
    assert response.rcode() == dns.rcode.REFUSED


async def test_truncated_answers_are_reported_for_tcp_fallback() -> None:
    def reply(data: bytes) -> list[bytes]:
        message = dns.message.make_response(dns.message.from_wire(data))
        message.flags |= dns.flags.TC
        return [message.to_wire()]

    port, _, transport = await serve(reply)
    udp = UdpMultiplexer()
    try:
        with pytest.raises(dns.message.Truncated):
            await udp.query(query_wire(Q, "TXT", True, False), "127.0.0.1", port, 2)
    finally:
        udp.close()
        transport.close()  # type: ignore[attr-defined]


async def test_many_concurrent_questions_share_one_socket_and_close_cleanly() -> None:
    port, server, transport = await serve(lambda data: [answer(data).to_wire()])
    udp = UdpMultiplexer()
    try:
        wire = query_wire(Q, "CNAME", True, False)
        answers = await asyncio.gather(*(udp.query(wire, "127.0.0.1", port, 2) for _ in range(50)))
        assert len(answers) == 50 and server.seen == 50
        assert len(udp._transports) == 1
    finally:
        udp.close()
        transport.close()  # type: ignore[attr-defined]
    assert not udp._transports and not udp._pending


async def test_silence_is_a_timeout() -> None:
    port, _, transport = await serve(lambda data: [])
    udp = UdpMultiplexer()
    try:
        with pytest.raises(dns.exception.Timeout):
            await udp.query(query_wire(Q, "CNAME", True, False), "127.0.0.1", port, 0.2)
        assert not udp._pending
    finally:
        udp.close()
        transport.close()  # type: ignore[attr-defined]


def test_the_multiplexer_survives_a_new_event_loop() -> None:
    udp = UdpMultiplexer()

    async def once() -> None:
        port, _, transport = await serve(lambda data: [answer(data).to_wire()])
        try:
            await udp.query(query_wire(Q, "CNAME", True, False), "127.0.0.1", port, 2)
        finally:
            transport.close()  # type: ignore[attr-defined]

    asyncio.run(once())
    asyncio.run(once())  # the first loop is closed by now
    udp.close()


def test_serial_arithmetic_wraps() -> None:
    assert older(2**32 - 1, 5)
    assert not older(5, 2**32 - 1)
    assert newest_serial([2**32 - 1, 5]) == 5
    assert newest_serial([7, 7]) == 7
    assert newest_serial([]) is None


async def test_a_big_sweep_is_spread_over_sockets_each_carrying_a_bounded_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Questions beyond what one socket's receive buffer holds go out on more sockets at
    once (one round trip), never more than the buffer holds on one; all of them are answered.
    (A buffer for PER_SOCKET answers here: Linux reports twice the size set.)"""
    monkeypatch.setattr("tui.propagation.udp.RECEIVE_BUFFER", PER_SOCKET * ANSWER_COST // 2)
    sources: set[int] = set()

    class Counting(_Server):
        def datagram_received(self, data: bytes, addr) -> None:  # type: ignore[no-untyped-def]
            sources.add(addr[1])
            super().datagram_received(data, addr)

    class Slow(Counting):  # answers a moment later, as a resolver across a network does
        def datagram_received(self, data: bytes, addr) -> None:  # type: ignore[no-untyped-def]
            loop.call_later(0.2, super().datagram_received, data, addr)

    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: Slow(lambda data: [answer(data).to_wire()]), local_addr=("127.0.0.1", 0)
    )
    port = transport.get_extra_info("sockname")[1]
    udp = UdpMultiplexer()
    count = PER_SOCKET * 2 + 50
    try:
        wire = query_wire(Q, "CNAME", True, False)
        answers = await asyncio.gather(
            *(udp.query(wire, "127.0.0.1", port, 5) for _ in range(count))
        )
        assert len(answers) == count and udp.sockets() == 3
        assert max(udp.peak.values()) <= PER_SOCKET
    finally:
        udp.close()
        transport.close()
    assert len(sources) == 3  # three source ports: three sockets


async def test_with_a_big_receive_buffer_one_socket_carries_a_whole_sweep() -> None:
    """Where the system grants the 4 MiB asked for, 2,000 questions (200 resolvers x 5
    records and their extra questions) share one socket: one round trip, no answer lost."""
    import socket

    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    granted = probe.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    probe.close()
    if granted // ANSWER_COST < 2000:
        pytest.skip(f"this system grants a {granted} byte receive buffer (rmem_max)")
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _Server(lambda data: [answer(data).to_wire()]), local_addr=("127.0.0.1", 0)
    )
    port = transport.get_extra_info("sockname")[1]
    udp = UdpMultiplexer()
    try:
        wire = query_wire(Q, "CNAME", True, False)
        answers = await asyncio.gather(
            *(udp.query(wire, "127.0.0.1", port, 5) for _ in range(2000))
        )
        assert len(answers) == 2000 and udp.sockets() == 1
    finally:
        udp.close()
        transport.close()


async def test_two_questions_never_share_an_id_to_one_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The IDs drawn collide on purpose: the second question must draw again, even while
    the first sockets are still being opened (an ID drawn before that wait could be drawn
    by the other question too, and one answer would go to the wrong question)."""
    draws = iter([7, 7, 7, 8, 9, 10])
    monkeypatch.setattr("tui.propagation.udp.secrets.randbelow", lambda _: next(draws))
    port, _, transport = await serve(lambda data: [answer(data).to_wire()])
    udp = UdpMultiplexer()
    try:
        wire = query_wire(Q, "CNAME", True, False)
        both = await asyncio.gather(*(udp.query(wire, "127.0.0.1", port, 1) for _ in range(2)))
    finally:
        udp.close()
        transport.close()  # type: ignore[attr-defined]
    assert sorted(m.id for m in both) == [7, 8]
