"""Test helpers: drive the sandbox through its /_sandbox/ control endpoints over real HTTP."""

from __future__ import annotations

import atexit
from dataclasses import dataclass
from typing import Any

import httpx

_http: httpx.Client | None = None


def _shared_http() -> httpx.Client:
    """One client for every control call of the run: building one (its TLS context) costs
    ~25 ms, more than the call itself, and the fault matrix makes thousands of calls."""
    global _http
    if _http is None:
        _http = httpx.Client(timeout=10)
        atexit.register(_http.close)
    return _http


@dataclass
class SandboxControl:
    base_url: str

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.base_url}/_sandbox/{path}"
        response = _shared_http().request(method, url, **kwargs)
        assert response.status_code < 400, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json() if response.content else None

    def reset(self, scenario: str) -> dict:
        return self._call("POST", "reset", json={"scenario": scenario})

    def index(self) -> dict:
        return self._call("GET", "")

    def mailbox(self, to: str | None = None) -> list[dict]:
        params = {"to": to} if to else {}
        return self._call("GET", "mailbox", params=params)["messages"]

    def latest_code(self, to: str) -> str:
        messages = self.mailbox(to)
        assert messages, f"no code was mailed to {to}"
        return messages[-1]["code"]

    def fault(self, endpoint: str, kind: str, **options: Any) -> None:
        self._call("POST", "faults", json={"endpoint": endpoint, "kind": kind, **options})

    def faults(self) -> list[dict]:
        return self._call("GET", "faults")["faults"]

    def fired(self, endpoint: str) -> int:
        """How many times the still-active faults on ``endpoint`` fired."""
        return sum(f["fired"] for f in self.faults() if f["endpoint"] == endpoint)

    def spent(self, endpoint: str) -> bool:
        """Whether every counted fault on ``endpoint`` fired all its times (the sandbox drops
        a fault once its count is used up)."""
        return not any(f["endpoint"] == endpoint for f in self.faults())

    def count_requests(self, endpoint: str) -> None:
        """Start counting the requests that reach ``endpoint``: a zero-latency fault fires on
        every request (it stacks with any other fault) and is never used up in a test."""
        self.fault(endpoint, "latency", latencyMs=0, count=1_000_000)

    def requests(self, endpoint: str) -> int:
        """How many requests reached ``endpoint`` since :meth:`count_requests`."""
        counters = [
            f
            for f in self.faults()
            if f["endpoint"] == endpoint and f["kind"] == "latency" and f["latencyMs"] == 0
        ]
        assert len(counters) == 1, f"call count_requests({endpoint!r}) first"
        return counters[0]["fired"]

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def advance(self, seconds: float) -> None:
        self._call("POST", "clock", json={"advanceSeconds": seconds})

    def time_scale(self, scale: float) -> None:
        self._call("POST", "clock", json={"timeScale": scale})

    def publish(self, domain: str, **options: Any) -> None:
        self._call("POST", "dns/publish", json={"domain": domain, **options})

    def unpublish(self, domain: str, **options: Any) -> None:
        self._call("POST", "dns/unpublish", json={"domain": domain, **options})

    def account(self, **changes: Any) -> None:
        self._call("POST", "account", json=changes)

    def failed_check(self, answer: int) -> None:
        """How Authenticate answers a failed DNS check: 428 (the default) or 200 with the
        domain still NOT_AUTHENTICATED."""
        self._call("POST", "sending-domains/failed-check", json={"answer": answer})

    def rate_limit(self, per_minute: int) -> None:
        self._call("POST", "rate-limit", json={"perMinute": per_minute})

    def expire_tokens(self) -> None:
        self._call("POST", "oauth/expire-tokens", json={})

    def state(self) -> dict:
        return self._call("GET", "state")
