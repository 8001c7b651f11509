"""The pluggable check Authenticate runs: "are this domain's CNAME records visible?".

The default asks the sandbox DNS world's own caching resolver, ``wix-verifier``
(:mod:`tui.sandbox.dns.verifier`): over real loopback DNS when ``SandboxServer`` runs the DNS
servers, in-process otherwise. Because that resolver caches negative answers, Authenticate
pressed too early keeps failing for a while after the records are published, as in real life.
Any object with this ``check`` coroutine can replace it (``SandboxServer(dns_check=...)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class DnsCheckResult:
    passed: bool
    missing: tuple[str, ...]  # host names whose CNAME is absent or points elsewhere
    detail: str


@runtime_checkable
class DnsCheck(Protocol):
    async def check(self, domain: str, records: Sequence[tuple[str, str]]) -> DnsCheckResult:
        """Decide whether every ``(hostName, value)`` CNAME of ``domain`` is visible."""
        ...


def normalize_name(name: str) -> str:
    """DNS names compare case-insensitively and without the root dot."""
    return name.strip().rstrip(".").lower()
