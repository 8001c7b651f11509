"""One sandbox server for the whole session, reset before every test; plain httpx clients.

These tests speak raw HTTP on purpose (no client library): they pin the sandbox to the wire
format of the fact sheet, independently of ``tui.wix``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tui.sandbox import SandboxServer, SiteCredentials

INITIALIZING_SECONDS = 120.0


class SiteApi:
    """Calls Wix routes as one site (API key + wix-site-id) over a shared client."""

    def __init__(self, client: httpx.Client, creds: SiteCredentials) -> None:
        self.client = client
        self.creds = creds
        self.headers = {"Authorization": creds.api_key, "wix-site-id": creds.site_id}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    # -- small conveniences for multi-step tests --

    def create_email(self, address: str) -> dict[str, Any]:
        response = self.post(
            "/sender-emails/v1/sender-emails", json={"senderEmail": {"emailAddress": address}}
        )
        assert response.status_code == 200, response.text
        return response.json()["senderEmail"]

    def verify_email(self, address: str) -> dict[str, Any]:
        """Create (unless it exists), send a code, read the mailbox, verify."""
        found = self.get("/sender-emails/v1/sender-emails", params={"emailAddress": address})
        existing = found.json()["senderEmails"]
        email = existing[0] if existing else self.create_email(address)
        if email["verified"]:
            return email
        path = f"/sender-emails/v1/sender-emails/{email['id']}"
        assert self.post(f"{path}/send-verification-code").status_code == 200
        code = latest_code(self.client, address)
        response = self.post(f"{path}/verify", json={"verificationCode": code})
        assert response.status_code == 200, response.text
        return self.get(path).json()["senderEmail"]

    def latest_code(self, address: str) -> str:
        return latest_code(self.client, address)

    def create_sender(self, name: str, address: str) -> httpx.Response:
        return self.post(
            "/sender-details/v1/sender-details",
            json={"senderDetails": {"fromName": name, "fromEmailAddress": address}},
        )

    def query_domain(self, domain: str) -> list[dict[str, Any]]:
        response = self.post(
            "/sending-domains/v1/sending-domains/query",
            json={"query": {"filter": {"domain": domain}}},
        )
        assert response.status_code == 200, response.text
        return response.json()["sendingDomains"]


def latest_code(client: httpx.Client, address: str) -> str:
    messages = client.get("/_sandbox/mailbox", params={"to": address}).json()["messages"]
    assert messages, f"no code mailed to {address}"
    return messages[-1]["code"]


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer(scenario="fresh", initializing_seconds=INITIALIZING_SECONDS)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The shared server, reset to the ``fresh`` scenario with a real-time clock."""
    sandbox_server.clock.set_speed(1.0)
    sandbox_server.world.reset("fresh", initializing_seconds=INITIALIZING_SECONDS)
    return sandbox_server


@pytest.fixture(scope="session")
def session_client(sandbox_server: SandboxServer) -> Iterator[httpx.Client]:
    # One client for the session: building an httpx.Client (its TLS context) costs ~30 ms.
    with httpx.Client(base_url=sandbox_server.base_url, timeout=10.0) as http:
        yield http


@pytest.fixture
def client(sandbox: SandboxServer, session_client: httpx.Client) -> httpx.Client:
    return session_client


@pytest.fixture
def site(sandbox: SandboxServer, client: httpx.Client) -> SiteApi:
    """The first site of the current scenario (re-read it after switching scenarios)."""
    return SiteApi(client, sandbox.credentials[0])


@pytest.fixture
def use_scenario(sandbox: SandboxServer, client: httpx.Client):
    """Switch the world to another scenario; returns one SiteApi per site."""

    def switch(name: str) -> list[SiteApi]:
        sandbox.world.reset(name)
        return [SiteApi(client, creds) for creds in sandbox.credentials]

    return switch


FROZEN = 1e-6  # world seconds per real second: remaining TTLs stay exact while a test runs


@pytest.fixture
def frozen(sandbox: SandboxServer) -> SandboxServer:
    """The shared server with its world clock all but stopped (it moves only by advance())."""
    sandbox.clock.set_speed(FROZEN)
    return sandbox


@pytest.fixture
def lab(frozen: SandboxServer) -> SandboxServer:
    """The shared server in the ``dns-lab`` scenario, clock frozen."""
    frozen.world.reset("dns-lab")
    return frozen
