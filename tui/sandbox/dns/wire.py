"""Asyncio UDP and TCP servers speaking DNS wire format for one answering function.

UDP: one datagram in, at most one out, answered in its own task so a slow (latency-injected)
answer never holds up the next query. TCP: 2-byte length-prefixed messages, several per
connection (RFC 7766), answered in order; an idle connection is closed after a while.
A ``None`` reply means silence: the server received the query and never answers (a dead
resolver), which a client sees as a timeout over UDP and TCP alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import dns.exception
import dns.message
import dns.rcode

from tui.sandbox.dns.respond import Reply, encode, formerr

log = logging.getLogger(__name__)

# The answering function gets the query and, for UDP, the client's address (rate limiting).
Answerer = Callable[[dns.message.Message, str | None], Reply | None]
TCP_IDLE_SECONDS = 30.0  # real seconds; RFC 7766 §6.2.3 suggests a few seconds to minutes


class Tasks:
    """The tasks and connections of one server set, so stopping can end every one of them."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def close(self) -> None:
        for writer in list(self.writers):
            writer.close()
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)


def _parse(data: bytes) -> dns.message.Message | None:
    try:
        return dns.message.from_wire(data)
    except (dns.exception.DNSException, ValueError, UnicodeError):
        return None


class UdpServer(asyncio.DatagramProtocol):
    """Answers each datagram at once; an injected delay is a timer, not a sleeping task, so a
    thousand slow answers in flight cost nothing but their timers."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            query = _parse(data)
            if query is None:
                wire = formerr(data)
                delay = 0.0
            else:
                reply = _safe(self.answerer, query, addr[0])
                if reply is None:
                    return  # silent
                wire, delay = encode(reply.message, query, over_tcp=False), reply.delay
        except Exception:  # one bad answer must never take the server down
            log.exception("sandbox DNS: answering a UDP query failed")
            return
        if wire is None:
            return
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self._send, wire, addr)
        else:
            self._send(wire, addr)

    def _send(self, wire: bytes, addr: tuple[str, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(wire, addr)


def tcp_handler(answerer: Answerer, tasks: Tasks):
    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.writers.add(writer)
        try:
            while True:
                try:
                    size = int.from_bytes(
                        await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_SECONDS), "big"
                    )
                    data = await asyncio.wait_for(reader.readexactly(size), TCP_IDLE_SECONDS)
                except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
                    return
                query = _parse(data)
                if query is None:
                    wire = formerr(data)
                else:
                    reply = _safe(answerer, query, None)
                    if reply is None:
                        continue  # silent: keep reading, never answer
                    if reply.delay > 0:
                        await asyncio.sleep(reply.delay)
                    wire = encode(reply.message, query, over_tcp=True)
                if wire is None:
                    return
                writer.write(len(wire).to_bytes(2, "big") + wire)
                await writer.drain()
        except ConnectionError:
            return
        except Exception:
            log.exception("sandbox DNS: a TCP session failed")
        finally:
            tasks.writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def spawn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.spawn(session(reader, writer))

    return spawn


def _safe(answerer: Answerer, query: dns.message.Message, source: str | None) -> Reply | None:
    """The answer, or a SERVFAIL if the world itself broke (logged, never a dead server)."""
    try:
        return answerer(query, source)
    except Exception:
        log.exception("sandbox DNS: answering %s failed", query.question)
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.SERVFAIL)
        return Reply(response)
