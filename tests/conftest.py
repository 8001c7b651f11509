"""Shared fixtures: one sandbox server on a real loopback port for the whole run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support import SandboxControl
from tui.sandbox import SandboxServer, SiteCredentials
from tui.wix import ApiKeyAuth, RetryPolicy
from tui.wix.client import WixClient

# Fast retries so fault tests do not sleep for long; the policy's logic is the real one.
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, max_total=5.0)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer(scenario="fresh", host="127.0.0.1", port=0, time_scale=1.0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def control(sandbox_server: SandboxServer) -> Iterator[SandboxControl]:
    control = SandboxControl(sandbox_server.base_url)
    control.reset("fresh")
    control.time_scale(1.0)  # reset keeps the clock speed on purpose (the demo wants that)
    yield control
    control.clear_faults()


def site(server: SandboxServer, index: int = 0) -> SiteCredentials:
    return server.credentials[index]


def client_for(server: SandboxServer, creds: SiteCredentials, **kwargs: object) -> WixClient:
    kwargs.setdefault("retry", FAST_RETRY)
    return WixClient(
        ApiKeyAuth(creds.api_key, creds.site_id),
        base_url=server.base_url,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
async def wix(sandbox_server: SandboxServer, control: SandboxControl) -> AsyncIterator[WixClient]:
    """A client for the 'fresh' scenario's site."""
    async with client_for(sandbox_server, site(sandbox_server)) as client:
        yield client
