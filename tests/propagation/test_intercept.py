"""Interception detection (dns.md §2.4) against real UDP servers on loopback: one answers
``id.server`` like Cloudflare, one like an ISP resolver that took the packet over."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import dns.message
import dns.rcode
import dns.rrset
import pytest

from tui.propagation.intercept import intercepted
from tui.propagation.model import Endpoint, Resolver, Role
from tui.propagation.sweep import Prober


class _Server(asyncio.DatagramProtocol):
    def __init__(self, answer: Callable[[dns.message.Message], dns.message.Message]) -> None:
        self.answer = answer

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:  # type: ignore[no-untyped-def]
        query = dns.message.from_wire(data)
        self.transport.sendto(self.answer(query).to_wire(), addr)


def cloudflare(query: dns.message.Message) -> dns.message.Message:
    reply = dns.message.make_response(query)
    reply.answer.append(dns.rrset.from_text("id.server.", 0, "CH", "TXT", '"FRA"'))
    return reply


def isp(query: dns.message.Message) -> dns.message.Message:
    reply = dns.message.make_response(query)
    reply.answer.append(dns.rrset.from_text("id.server.", 0, "CH", "TXT", '"resolver3.isp.net"'))
    return reply


def refusing(query: dns.message.Message) -> dns.message.Message:
    reply = dns.message.make_response(query)
    reply.set_rcode(dns.rcode.REFUSED)
    return reply


@pytest.fixture
async def serve() -> AsyncIterator[Callable]:
    transports = []

    async def start(answer) -> Endpoint:  # type: ignore[no-untyped-def]
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Server(answer), local_addr=("127.0.0.1", 0)
        )
        transports.append(transport)
        return Endpoint("127.0.0.1", transport.get_extra_info("sockname")[1])

    yield start
    for transport in transports:
        transport.close()


async def test_cloudflare_is_not_intercepted(serve) -> None:
    assert await intercepted(await serve(cloudflare), timeout=1) is False


async def test_another_resolver_answering_is_interception(serve) -> None:
    assert await intercepted(await serve(isp), timeout=1) is True
    assert await intercepted(await serve(refusing), timeout=1) is True


async def test_silence_is_not_interception() -> None:
    assert await intercepted(Endpoint("127.0.0.1", 9), timeout=0.3) is None


async def test_interception_switches_public_rows_to_doh(serve) -> None:
    endpoint = await serve(isp)
    public = Resolver(
        "google", "Google", "Google", Role.PUBLIC, (Endpoint("127.0.0.1", 9),), "https://x/dq"
    )
    prober = Prober(interception=endpoint, timeout=0.3)
    await prober._check_interception([public])
    assert "google" in prober._use_doh
    assert any("intercepted" in w for w in prober._warnings)
    await prober.aclose()
