"""Serve the sandbox as real HTTP on loopback, on a background thread or in the foreground.

Unless ``dns=False``, its DNS world is served too: authoritative primary and secondary and every
caching resolver, each a real UDP+TCP DNS server on its own port of the same host (on a thread
of their own), and Authenticate asks the ``wix-verifier`` resolver over that loopback DNS.

The socket is bound when the server is constructed (not by uvicorn), so ``port=0`` yields a
known port and ``base_url`` before serving starts, and a busy port raises ``OSError`` right
away. Call ``stop()`` (or ``close()`` if it was never started) to release it.

Uvicorn is told not to configure logging (``log_config=None``): inside the TUI its stderr
handler would scribble over the screen. Records go to whatever the host app configured
(Python's last-resort handler prints warnings to stderr when nothing is configured).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Generator
from types import FrameType, TracebackType

import uvicorn

from tui.clock import ScaledClock
from tui.sandbox.app import build_app
from tui.sandbox.dns.serve import DnsInfo, DnsServers
from tui.sandbox.dns.verifier import WireVerifierCheck
from tui.sandbox.dns.world import VERIFIER, DnsOptions
from tui.sandbox.dnscheck import DnsCheck
from tui.sandbox.faults import DeliberateConnectionDrop
from tui.sandbox.scenarios import SiteCredentials
from tui.sandbox.world import DEFAULT_INITIALIZING_SECONDS, World

# Longer than typical client pools keep idle connections, so a client never reuses a socket
# the server is closing at that very moment.
KEEP_ALIVE_SECONDS = 30
START_TIMEOUT_SECONDS = 10.0
MAX_RESOLVERS = 1000  # each is two sockets; more would crowd a default fd limit
MAX_LATENCY_MS = 10_000.0
GRACEFUL_SHUTDOWN_SECONDS = 3


class _DropNoiseFilter(logging.Filter):
    """Hide uvicorn's "Exception in ASGI application" for connections dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        seen = 0
        while error is not None and seen < 10:
            if isinstance(error, DeliberateConnectionDrop):
                return False
            error = error.__cause__ or error.__context__
            seen += 1
        return True


_DROP_FILTER = _DropNoiseFilter()


def _install_drop_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if _DROP_FILTER not in logger.filters:
        logger.addFilter(_DROP_FILTER)


class _Server(uvicorn.Server):
    """Uvicorn server whose signal handling returns cleanly instead of re-raising the signal."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            if self.should_exit and signum == signal.SIGINT:
                self.force_exit = True  # a second Ctrl-C stops waiting for open connections
            self.should_exit = True

        handled = [signal.SIGINT, signal.SIGTERM]
        previous = {sig: signal.signal(sig, stop) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it Nagle + delayed ACKs add ~40 ms to every response.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


class SandboxServer:
    """A simulated Wix backend on ``http://host:port``; see the package docstring."""

    def __init__(
        self,
        scenario: str = "fresh",
        host: str = "127.0.0.1",
        port: int = 0,
        time_scale: float = 1.0,
        initializing_seconds: float = DEFAULT_INITIALIZING_SECONDS,
        dns_check: DnsCheck | None = None,
        dns: bool = True,
        dns_resolver_count: int | None = None,
        dns_latency_ms: float = 0.0,
        faults: str | None = None,
        clock: ScaledClock | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        """``clock``: the world's clock, made beforehand (the demo's app shows it before the
        sandbox exists); ``sock``: a listening socket bound beforehand (its port is ``port``),
        so the base URL is known before the sandbox is built.

        ``dns_resolver_count`` replaces the scenario's normal resolvers by that many
        (``isp-1``...), and ``dns_latency_ms`` delays every public resolver's answers by that
        many real milliseconds: both for benchmarks. ``faults``: a fault preset ("flaky", see
        tui/sandbox/faults.py), installed at start and after every reset."""
        if dns_resolver_count is not None and not 0 <= dns_resolver_count <= MAX_RESOLVERS:
            raise ValueError(f"dns_resolver_count must be from 0 to {MAX_RESOLVERS}")
        if not 0 <= dns_latency_ms <= MAX_LATENCY_MS:
            raise ValueError(f"dns_latency_ms must be from 0 to {MAX_LATENCY_MS}")
        self.host = host
        self.port = port
        self.clock = clock if clock is not None else ScaledClock(time_scale)
        self.world = World(
            scenario,
            clock=self.clock,
            initializing_seconds=initializing_seconds,
            dns_check=dns_check,
            dns_options=DnsOptions(dns_resolver_count, dns_latency_ms),
            fault_preset=faults,
        )
        self.app = build_app(self.world)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        # Bound now, so the port (and base_url) is known at once and a busy port fails here.
        self._socket: socket.socket | None = sock if sock is not None else _bind(host, port)
        self.port = self._socket.getsockname()[1]
        self._dns: DnsServers | None = None
        if dns:
            try:
                self._dns = DnsServers(self.world.dns, host)
            except OSError:
                self._socket.close()
                raise
            if dns_check is None:
                servers = self._dns
                self.world.dns_check = WireVerifierCheck(
                    self.world.dns, lambda: servers.address(VERIFIER)
                )

    @property
    def serves_dns(self) -> bool:
        return self._dns is not None

    @property
    def dns(self) -> DnsInfo:
        """Where the DNS servers listen (authoritative, resolvers, verifier)."""
        if self._dns is None:
            raise RuntimeError("this sandbox serves no DNS (it was created with dns=False)")
        return self._dns.info()

    @property
    def credentials(self) -> list[SiteCredentials]:
        return self.world.credentials

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _prepare(self) -> _Server:
        if self._server is not None:
            raise RuntimeError("the sandbox server is already running")
        _install_drop_filter()
        if self._socket is None:  # serving again after stop(): same port
            self._socket = _bind(self.host, self.port)
        config = uvicorn.Config(
            self.app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="asyncio",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
        self._server = _Server(config)
        return self._server

    def start(self) -> SandboxServer:
        """Serve on a background thread; returns once connections are accepted."""
        server = self._prepare()
        if self._dns is not None:
            self._dns.start()
        sockets = [self._socket] if self._socket else []

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=sockets))
            except BaseException as error:  # reported to start() / stop()
                self._error = error

        self._thread = threading.Thread(target=run, name="wix-sandbox-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sandbox server did not start: {self._error!r}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread; safe to call twice."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=START_TIMEOUT_SECONDS + GRACEFUL_SHUTDOWN_SECONDS)
            self._thread = None
        if self._dns is not None:
            self._dns.stop()
        self._close()

    def close(self) -> None:
        """Release the ports of a server that was never started (stop() does this too)."""
        if self._server is None:
            self._close()
            if self._dns is not None:
                self._dns.close()

    def _close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._server = None

    def serve_forever(self, ready: Callable[[SandboxServer], None] | None = None) -> None:
        """Serve in the current thread until SIGINT/SIGTERM (Ctrl-C), then return cleanly.

        ``ready`` is called with this server once it accepts connections (e.g. to print the
        URL and credentials).
        """
        server = self._prepare()
        sockets = [self._socket] if self._socket else []
        if self._dns is not None:
            self._dns.start()

        async def main() -> None:
            serving = asyncio.create_task(server.serve(sockets=sockets))
            # uvicorn only exposes a `started` flag, no event to await.
            while not server.started and not serving.done():  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            if server.started and ready is not None:
                ready(self)
            await serving

        try:
            asyncio.run(main())
        except KeyboardInterrupt:
            pass  # a Ctrl-C landing outside uvicorn's handlers (e.g. during startup)
        finally:
            if self._dns is not None:
                self._dns.stop()
            self._close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._server is not None else "stopped"
        return f"SandboxServer(scenario={self.world.scenario.name!r}, {self.base_url}, {state})"
