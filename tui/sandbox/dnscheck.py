"""The pluggable check Authenticate runs: "are this domain's CNAME records published?".

The default, :class:`PublishedRecordsDnsCheck`, looks at a per-world set of "published" records
that the ``/_sandbox/dns/publish`` and ``/_sandbox/dns/unpublish`` control routes edit. A real
DNS world (authoritative servers on loopback) can be plugged in instead through
``SandboxServer(dns_check=...)``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
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


class PublishedRecords:
    """A thread-safe stand-in for "what the user's DNS host serves": CNAME host -> target."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cnames: dict[str, str] = {}

    def publish(self, records: Iterable[tuple[str, str]]) -> None:
        with self._lock:
            for host, value in records:
                self._cnames[normalize_name(host)] = normalize_name(value)

    def unpublish(self, host_names: Iterable[str]) -> None:
        with self._lock:
            for host in host_names:
                self._cnames.pop(normalize_name(host), None)

    def lookup(self, host: str) -> str | None:
        with self._lock:
            return self._cnames.get(normalize_name(host))

    def clear(self) -> None:
        with self._lock:
            self._cnames.clear()

    def snapshot(self) -> list[tuple[str, str]]:
        with self._lock:
            return sorted(self._cnames.items())


class PublishedRecordsDnsCheck:
    """Passes when every record is published with exactly the expected target."""

    def __init__(self, published: PublishedRecords) -> None:
        self.published = published

    async def check(self, domain: str, records: Sequence[tuple[str, str]]) -> DnsCheckResult:
        missing: list[str] = []
        problems: list[str] = []
        for host, expected in records:
            actual = self.published.lookup(host)
            if actual is None:
                missing.append(host)
                problems.append(f"no CNAME at {host}")
            elif actual != normalize_name(expected):
                missing.append(host)
                problems.append(f"{host} points to {actual}, expected {normalize_name(expected)}")
        if not missing:
            return DnsCheckResult(True, (), f"all {len(records)} CNAME records of {domain} found")
        detail = f"{len(missing)} of {len(records)} CNAME records not found: " + "; ".join(problems)
        return DnsCheckResult(False, tuple(missing), detail)
