"""Put the DNS world on the network: one UDP+TCP server per authoritative view and resolver.

Every server listens on the same host, each on its own port (UDP and TCP share the number).
Sockets are bound when the servers are created -- so ports are known before serving and a
world reset that adds resolvers binds theirs at once -- and served by one asyncio loop on a
background thread. Servers are keyed by name, so a resolver keeps its port across resets.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import dns.message

from tui.sandbox.dns.respond import Reply, respond
from tui.sandbox.dns.wire import Tasks, UdpServer, tcp_handler
from tui.sandbox.dns.world import PARENT, PRIMARY, SECONDARY, VERIFIER, DnsWorld

START_TIMEOUT_SECONDS = 10.0
BIND_ATTEMPTS = 50


@dataclass(frozen=True)
class ResolverInfo:
    name: str
    host: str
    port: int
    behaviour: str


@dataclass(frozen=True)
class DnsInfo:
    """Where the sandbox DNS servers listen (``SandboxServer.dns``)."""

    authoritative: list[tuple[str, int]]  # primary first, then the secondary
    resolvers: list[ResolverInfo]  # the public resolvers, in scenario order
    verifier: ResolverInfo  # the resolver the sandbox's Authenticate asks
    # The root and TLD server: ask it (RD=0) for a zone's NS to get the parent's delegation.
    parent: tuple[str, int] | None = None


@dataclass
class _Endpoint:
    name: str
    port: int
    udp: socket.socket | None = None
    tcp: socket.socket | None = None
    transport: asyncio.DatagramTransport | None = None
    server: asyncio.Server | None = None
    removed: bool = False


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _bind_pair(host: str, port: int) -> tuple[socket.socket, socket.socket, int]:
    """A UDP and a TCP socket on the same port (``port`` 0: any free one)."""
    for _ in range(BIND_ATTEMPTS if port == 0 else 1):
        udp = socket.socket(_family(host), socket.SOCK_DGRAM)
        try:
            udp.bind((host, port))
            chosen = udp.getsockname()[1]
            tcp = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
            try:
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind((host, chosen))
                tcp.listen(128)  # queued connections wait for the loop: no start-up race
            except OSError:
                tcp.close()
                if port:
                    raise
                udp.close()
                continue  # that port's TCP side is taken: try another
        except OSError:
            udp.close()
            raise
        udp.setblocking(False)
        tcp.setblocking(False)
        return udp, tcp, chosen
    raise OSError(f"no free port with both UDP and TCP on {host}")


class DnsServers:
    def __init__(self, world: DnsWorld, host: str = "127.0.0.1") -> None:
        self.world = world
        self.host = host
        self._endpoints: dict[str, _Endpoint] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks = Tasks()
        # Serializes starting and stopping servers on the loop. Without it a reset undone
        # within a millisecond closes a socket that start_server() is about to register, and
        # the stale selector entry then silences the next socket that gets the same fd.
        self._ops = asyncio.Lock()
        try:
            self.sync()
        except OSError:
            self.close()
            raise
        world.listeners.append(self.sync)
        world.addresses = self.address

    # -- which servers exist ---------------------------------------------------------------

    def sync(self) -> None:
        """Bind servers for new names and drop those the world no longer has."""
        wanted = self.world.endpoint_names()
        with self._lock:
            for name in wanted:
                if name not in self._endpoints:
                    udp, tcp, port = _bind_pair(self.host, 0)
                    endpoint = _Endpoint(name, port, udp, tcp)
                    self._endpoints[name] = endpoint
                    self._on_loop(self._serve, endpoint)
            for name in [n for n in self._endpoints if n not in wanted]:
                self._on_loop(self._remove, self._endpoints.pop(name), closed_now=True)

    def _on_loop(
        self,
        action: Callable[[_Endpoint], Coroutine[Any, Any, None]],
        endpoint: _Endpoint,
        closed_now: bool = False,
    ) -> None:
        loop = self._loop
        if loop is not None and loop.is_running():
            # Through Tasks: an unreferenced task can be garbage-collected mid-way, and then
            # a resolver added by a reset would never start serving.
            loop.call_soon_threadsafe(lambda: self._tasks.spawn(action(endpoint)))
        elif closed_now:
            _close_sockets(endpoint)

    # -- serving ---------------------------------------------------------------------------

    def start(self) -> DnsServers:
        if self._thread is not None:
            raise RuntimeError("the sandbox DNS servers are already running")
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        self._loop = loop
        self._ops = asyncio.Lock()  # a fresh one per loop (it binds to the loop on first use)
        self._thread = threading.Thread(target=run, name="wix-sandbox-dns", daemon=True)
        self._thread.start()
        ready.wait(START_TIMEOUT_SECONDS)
        with self._lock:
            endpoints = list(self._endpoints.values())
        started = asyncio.run_coroutine_threadsafe(self._serve_all(endpoints), loop)
        try:
            started.result(START_TIMEOUT_SECONDS)
        except BaseException:
            self.stop()
            raise
        return self

    async def _serve_all(self, endpoints: list[_Endpoint]) -> None:
        async with self._ops:
            for endpoint in endpoints:
                await self._serve_now(endpoint)

    async def _serve(self, endpoint: _Endpoint) -> None:
        async with self._ops:
            await self._serve_now(endpoint)

    async def _serve_now(self, endpoint: _Endpoint) -> None:
        if endpoint.transport is not None or endpoint.removed:
            return
        if endpoint.udp is None or endpoint.tcp is None:  # serving again after stop()
            endpoint.udp, endpoint.tcp, _ = _bind_pair(self.host, endpoint.port)
        loop = asyncio.get_running_loop()
        name, world = endpoint.name, self.world

        def answer(query: dns.message.Message, source: str | None) -> Reply | None:
            return respond(world, name, query, source=source)

        transport, _ = await loop.create_datagram_endpoint(
            lambda: UdpServer(answer), sock=endpoint.udp
        )
        endpoint.transport = transport  # type: ignore[assignment]
        endpoint.server = await asyncio.start_server(
            tcp_handler(answer, self._tasks), sock=endpoint.tcp
        )

    async def _remove(self, endpoint: _Endpoint) -> None:
        async with self._ops:
            endpoint.removed = True  # gone from the world: never served again
            self._shut_now(endpoint)

    def _shut_now(self, endpoint: _Endpoint) -> None:
        if endpoint.transport is not None:
            endpoint.transport.close()
        if endpoint.server is not None:
            endpoint.server.close()
        _close_sockets(endpoint)
        endpoint.transport, endpoint.server = None, None

    async def _shut_all(self) -> None:
        with self._lock:
            endpoints = list(self._endpoints.values())
        async with self._ops:
            for endpoint in endpoints:
                self._shut_now(endpoint)  # kept: start() serves them again on the same ports
        await self._tasks.close()
        await asyncio.sleep(0)  # let transports finish closing before the loop stops

    def stop(self) -> None:
        """Stop serving, close every socket and end the thread; safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            done = asyncio.run_coroutine_threadsafe(self._shut_all(), loop)
            try:
                done.result(START_TIMEOUT_SECONDS)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(START_TIMEOUT_SECONDS)
        if loop is not None and not loop.is_running():
            loop.close()
        self._loop, self._thread = None, None
        self.close()

    def close(self) -> None:
        """Release the ports of servers that are not serving (stop() does this too)."""
        with self._lock:
            for endpoint in self._endpoints.values():
                if endpoint.transport is None:
                    _close_sockets(endpoint)

    # -- where -----------------------------------------------------------------------------

    def address(self, name: str) -> tuple[str, int] | None:
        with self._lock:
            endpoint = self._endpoints.get(name)
            return (self.host, endpoint.port) if endpoint else None

    def info(self) -> DnsInfo:
        with self.world.lock:
            resolvers = [(r.name, r.behaviour) for r in self.world.resolvers.values()]
        with self._lock:
            ports = {name: e.port for name, e in self._endpoints.items()}
        host = self.host
        return DnsInfo(
            authoritative=[(host, ports[PRIMARY]), (host, ports[SECONDARY])],
            resolvers=[ResolverInfo(n, host, ports[n], b) for n, b in resolvers if n in ports],
            verifier=ResolverInfo(VERIFIER, host, ports[VERIFIER], "normal"),
            parent=(host, ports[PARENT]),
        )


def _close_sockets(endpoint: _Endpoint) -> None:
    for sock in (endpoint.udp, endpoint.tcp):
        if sock is not None:
            sock.close()
    endpoint.udp, endpoint.tcp = None, None
