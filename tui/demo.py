"""The demo's link to the sandbox: the sandbox-only actions the app offers in demo mode (read
the mailbox, publish the records at the sandbox DNS host, with or without a common mistake),
and the DNS servers the propagation grid asks. Plain async Python over the sandbox's HTTP
control routes, so the app never reaches into the sandbox's objects."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.propagation.model import Resolver, Role
from tui.propagation.names import ServerAddress

if TYPE_CHECKING:
    import httpx

MISTAKES = {
    "": "correctly",
    "double_suffix": "with the domain typed into the Host field (doubled suffix)",
    "proxied": "proxied behind Cloudflare's orange cloud",
    "relative_target": "without the final dot on the target",
    "typo_underscore": "with the underscore missing (s1.domainkey)",
}


class SandboxError(Exception):
    """The sandbox's control routes could not be used (refused, unreachable, unreadable)."""


@dataclass
class SandboxLink:
    base_url: str
    time_scale: float = 1.0
    authoritative: list[ServerAddress] = field(default_factory=list)
    resolvers: list[Resolver] = field(default_factory=list)
    # One client for the app's life: making one builds an SSL context (tens of ms on the
    # event loop), which the code screen would otherwise pay on every mailbox look.
    _http: httpx.AsyncClient | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_server(cls, server: Any) -> SandboxLink:
        """From a running ``tui.sandbox.SandboxServer``."""
        link = cls(base_url=server.base_url, time_scale=server.clock.speed)
        link.fill_from(server)
        return link

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        # httpx is imported here: the Domains pane imports this module for everyone, and only
        # the demo ever calls the sandbox.
        import httpx

        if self._http is None:
            self._http = httpx.AsyncClient(base_url=f"{self.base_url}/_sandbox/", timeout=5)
        try:
            response = await self._http.request(method, path, **kwargs)
            response.raise_for_status()
            return response.json() if response.content else None
        except (httpx.HTTPError, ValueError) as exc:
            raise SandboxError(str(exc) or type(exc).__name__) from exc

    async def latest_code(self, address: str) -> str | None:
        """The newest verification code the sandbox "emailed" to ``address``."""
        found = await self._call("GET", "mailbox", params={"to": address})
        messages = found.get("messages", []) if isinstance(found, dict) else []
        try:
            return str(messages[-1]["code"]) if messages else None
        except (KeyError, TypeError, IndexError) as exc:
            raise SandboxError(f"the mailbox answer was unreadable ({exc!r})") from exc

    async def publish(self, domain: str, mistake: str = "") -> None:
        """Add the domain's records at the sandbox DNS host, as a user would at theirs."""
        body: dict[str, Any] = {"domain": domain}
        if mistake:
            body["mistake"] = mistake
        await self._call("POST", "dns/publish", json=body)

    async def unpublish(self, domain: str) -> None:
        await self._call("POST", "dns/unpublish", json={"domain": domain})

    def fill_from(self, server: Any) -> None:
        """The DNS servers of ``server`` (a running ``SandboxServer``), once it runs."""
        from tui.propagation.resolvers import resolver_from_address

        if getattr(server, "serves_dns", True):
            dns = server.dns
            self.authoritative = [ServerAddress(host, port) for host, port in dns.authoritative]
            self.resolvers = [
                resolver_from_address(ServerAddress(r.host, r.port), Role.PUBLIC, name=r.name)
                for r in dns.resolvers
            ]

    async def aclose(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()


class DemoSandbox:
    """``wix-sending demo``'s sandbox, started after the app's first frame: its clock and its
    port (so the base URL) exist at once; the world, the Wix API and the DNS servers are built
    and started by :meth:`start`, on a thread, while the first frame is already up."""

    def __init__(
        self, scenario: str, time_scale: float, faults: str | None = None, host: str = "127.0.0.1"
    ) -> None:
        from tui.clock import ScaledClock

        self.scenario, self.faults, self.host = scenario, faults, host
        self.clock = ScaledClock(time_scale)
        self.socket: socket.socket | None = _bind_loopback(host)
        port = self.socket.getsockname()[1]
        self.link = SandboxLink(base_url=f"http://{host}:{port}", time_scale=time_scale)
        self.server: Any = None
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> Any:
        """Build and start the sandbox (blocking: call it on a thread); its first site's
        credentials (``SiteCredentials``)."""
        from tui.sandbox import SandboxServer

        with self._lock:
            if self._stopped or self.socket is None:
                raise SandboxError("the demo is ending")
            sock, self.socket = self.socket, None
            server = SandboxServer(
                scenario=self.scenario,
                host=self.host,
                port=sock.getsockname()[1],
                faults=self.faults,
                clock=self.clock,
                sock=sock,
            )
            self.server = server
            server.start()
        self.link.fill_from(server)
        return server.credentials[0]

    def stop(self) -> None:
        """Stop the sandbox (waits for a start under way); safe to call twice."""
        with self._lock:
            self._stopped = True
            server, self.server = self.server, None
            sock, self.socket = self.socket, None
        if server is not None:
            server.stop()
        if sock is not None:
            sock.close()


def _bind_loopback(host: str) -> socket.socket:
    # As the sandbox binds (tui/sandbox/server.py): proto=IPPROTO_TCP, so asyncio sets
    # TCP_NODELAY on the accepted sockets.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock
