"""The demo's link to the sandbox: the sandbox-only actions the app offers in demo mode (read
the mailbox, publish the records at the sandbox DNS host, with or without a common mistake),
and the DNS servers the propagation grid asks. Plain async Python over the sandbox's HTTP
control routes, so the app never reaches into the sandbox's objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tui.propagation import Resolver, Role, ServerAddress
from tui.propagation.resolvers import resolver_from_address

MISTAKES = {
    "": "correctly",
    "double_suffix": "with the domain typed into the Host field (doubled suffix)",
    "proxied": "proxied behind Cloudflare's orange cloud",
    "relative_target": "without the final dot on the target",
    "typo_underscore": "with the underscore missing (s1.domainkey)",
}


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
        """From a running ``tui.sandbox.SandboxServer`` (the in-process demo)."""
        link = cls(base_url=server.base_url, time_scale=server.clock.speed)
        if getattr(server, "serves_dns", True):
            dns = server.dns
            link.authoritative = [ServerAddress(host, port) for host, port in dns.authoritative]
            link.resolvers = [
                resolver_from_address(ServerAddress(r.host, r.port), Role.PUBLIC, name=r.name)
                for r in dns.resolvers
            ]
        return link

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=f"{self.base_url}/_sandbox/", timeout=5)
        response = await self._http.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    async def latest_code(self, address: str) -> str | None:
        """The newest verification code the sandbox "emailed" to ``address``."""
        found = await self._call("GET", "mailbox", params={"to": address})
        messages = found.get("messages", []) if isinstance(found, dict) else []
        return str(messages[-1]["code"]) if messages else None

    async def publish(self, domain: str, mistake: str = "") -> None:
        """Add the domain's records at the sandbox DNS host, as a user would at theirs."""
        body: dict[str, Any] = {"domain": domain}
        if mistake:
            body["mistake"] = mistake
        await self._call("POST", "dns/publish", json=body)

    async def unpublish(self, domain: str) -> None:
        await self._call("POST", "dns/unpublish", json={"domain": domain})

    async def aclose(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()
