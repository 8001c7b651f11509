"""Contract: auth, OAuth, rate limits and injected faults, against the sandbox over loopback.

Every endpoint under every API fault (5xx, 429, timeouts, resets, unreadable answers) is in
test_fault_matrix.py; this file keeps auth, OAuth, the rate limiter and Retry-After."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.conftest import FAST_RETRY, client_for, site
from tests.support import SandboxControl
from tui.clock import ManualClock, ScaledClock
from tui.sandbox import SandboxServer
from tui.wix import (
    NO_RETRY,
    ApiKeyAuth,
    OAuthAuth,
    PermissionDenied,
    RateLimited,
    RetryPolicy,
    ServerError,
    Unauthorized,
    WixProtocolError,
    WixTimeout,
    WixTransportError,
)
from tui.wix.client import WixClient


async def test_missing_authorization_is_401(sandbox_server: SandboxServer, control) -> None:
    response = httpx.get(f"{sandbox_server.base_url}/email-marketing/v1/account-details")
    assert response.status_code == 401
    assert "message" in response.json()


async def test_wrong_key_is_not_accepted_with_advice_that_fits_its_status(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    """Wix's pages differ (fact sheet §5.1): 401 on the newer one, 403 on the API-key pages.
    The sandbox follows the newer page; each status gets its own advice (the 403 advice is
    checked in test_errors.py): 401 the key itself."""
    creds = site(sandbox_server)
    async with WixClient(
        ApiKeyAuth("IST.wrong-key", creds.site_id), base_url=sandbox_server.base_url
    ) as wix:
        with pytest.raises(Unauthorized) as info:
            await wix.get_account_details()
    error = info.value
    assert error.status == 401
    assert "Check the key" in error.hint and "site ID" not in error.hint
    assert "IST.wrong-key" not in error.user_message()


async def test_key_of_one_site_cannot_touch_another(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("agency")
    first, second = sandbox_server.credentials[0], sandbox_server.credentials[1]
    async with WixClient(
        ApiKeyAuth(first.api_key, second.site_id), base_url=sandbox_server.base_url
    ) as wix:
        with pytest.raises(PermissionDenied):
            await wix.list_sender_emails()


async def test_oauth_token_is_cached_and_refetched_once_after_401(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    creds = site(sandbox_server)
    auth = OAuthAuth(creds.app_id, creds.app_secret, creds.instance_id)
    async with WixClient(auth, base_url=sandbox_server.base_url, retry=FAST_RETRY) as wix:
        await wix.get_account_details()
        await wix.list_sender_emails()
        email = await wix.create_sender_email("hello@bakery.example")
        assert auth.tokens_fetched == 1
        control.expire_tokens()
        # A write after expiry: rejected with 401 (no effect), new token, sent once more.
        await wix.send_verification_code(email.id)
        assert auth.tokens_fetched == 2
        assert len(control.mailbox("hello@bakery.example")) == 1


async def test_oauth_bad_secret_is_unauthorized_with_a_fix(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    creds = site(sandbox_server)
    auth = OAuthAuth(creds.app_id, "wrong-secret", creds.instance_id)
    async with WixClient(auth, base_url=sandbox_server.base_url) as wix:
        with pytest.raises(Unauthorized) as info:
            await wix.get_account_details()
    assert "app secret" in info.value.hint
    assert info.value.operation == "oauth.token"


async def test_rate_limit_without_retries(wix: WixClient, control: SandboxControl) -> None:
    control.rate_limit(3)
    no_retry = WixClient(wix.auth, base_url=wix.base_url, retry=NO_RETRY)
    for _ in range(3):
        await no_retry.get_account_details()
    with pytest.raises(RateLimited) as info:
        await no_retry.get_account_details()
    assert info.value.status == 429
    assert info.value.retry_after is not None and 0 < info.value.retry_after <= 60
    await no_retry.aclose()


async def test_rate_limit_retry_honours_retry_after(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    # Both clocks run an hour in a second, as in the demo: the client waits out the sandbox's
    # Retry-After in world seconds, and the retry then gets through.
    control.time_scale(3600)
    control.rate_limit(3)
    clock = ScaledClock(3600)
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_total=600, max_retry_after=120)
    async with client_for(sandbox_server, site(sandbox_server), clock=clock, retry=policy) as wix:
        for _ in range(4):
            await wix.get_account_details()


async def test_server_retry_after_on_503_is_honoured(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    control.fault("account-details.get", "status", status=503, retryAfter=7, count=1)
    clock = ManualClock()
    policy = RetryPolicy(base_delay=0.01, max_total=60)
    async with client_for(sandbox_server, site(sandbox_server), clock=clock, retry=policy) as wix:
        await wix.get_account_details()
    assert len(clock.sleeps) == 1 and clock.sleeps[0] >= 7


async def test_malformed_and_empty_bodies_are_typed_errors(
    wix: WixClient, control: SandboxControl
) -> None:
    email = await wix.create_sender_email("hello@bakery.example")
    # A read is asked again (FAST_RETRY: 4 attempts), so the fault must outlast the attempts.
    control.fault("sender-emails.get", "malformed", count=4)
    with pytest.raises(WixProtocolError) as info:
        await wix.get_sender_email(email.id)
    assert "not valid JSON" in info.value.sentence
    control.fault("sender-emails.get", "empty", count=4)
    with pytest.raises(WixProtocolError):
        await wix.get_sender_email(email.id)
    # Where the documented answer is {}, an empty body is fine.
    control.fault("sender-emails.send-verification-code", "empty", count=1)
    await wix.send_verification_code(email.id)
    assert len(control.mailbox("hello@bakery.example")) == 1


async def test_html_error_page_without_retries(wix: WixClient, control: SandboxControl) -> None:
    control.fault("account-details.get", "html", count=1)
    no_retry = WixClient(wix.auth, base_url=wix.base_url, retry=NO_RETRY)
    with pytest.raises(ServerError) as info:
        await no_retry.get_account_details()
    assert info.value.status == 502
    assert "HTML page" in info.value.sentence
    await no_retry.aclose()


async def test_slow_answer_times_out(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    control.fault("account-details.get", "latency", latencyMs=1500, count=1)
    async with client_for(sandbox_server, site(sandbox_server), timeout=0.3, retry=NO_RETRY) as wix:
        with pytest.raises(WixTimeout):
            await wix.get_account_details()


async def test_nothing_listening_is_a_transport_error_retried_for_reads_and_writes() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for call in (lambda w: w.create_sender_email("a@b.example"), lambda w: w.list_sender_emails()):
        clock = ManualClock()
        async with WixClient(
            ApiKeyAuth("IST.key-for-nobody", "site"),
            base_url=f"http://127.0.0.1:{port}",
            retry=RetryPolicy(max_attempts=3, base_delay=0.01),
            clock=clock,
        ) as wix:
            with pytest.raises(WixTransportError) as info:
                await call(wix)
        assert info.value.sent is False
        assert "Could not connect" in info.value.sentence
        # Nothing was sent, so even the write (create) was tried all 3 times.
        assert len(clock.sleeps) == 2


async def test_oauth_token_failures_do_not_multiply_attempts(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    creds = site(sandbox_server)
    control.fault("oauth.token", "status", status=503, count=100)
    auth = OAuthAuth(creds.app_id, creds.app_secret, creds.instance_id)
    policy = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002)
    async with WixClient(auth, base_url=sandbox_server.base_url, retry=policy) as wix:
        with pytest.raises(ServerError) as info:
            await wix.get_account_details()
    assert info.value.operation == "oauth.token"
    assert control.fired("oauth.token") == 3  # one per attempt of the call, not 3 x 3

    control.clear_faults()
    bad = OAuthAuth(creds.app_id, "wrong-secret", creds.instance_id)
    control.fault("oauth.token", "latency", latencyMs=0, count=100)  # counts token requests
    async with WixClient(bad, base_url=sandbox_server.base_url, retry=policy) as wix:
        with pytest.raises(Unauthorized):
            await wix.get_account_details()
    assert control.fired("oauth.token") == 1  # a refused secret is not "an expired token"


async def test_key_without_a_permission_is_permission_denied_naming_it(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("agency")
    creds = site(sandbox_server)
    assert creds.restricted_api_key
    async with WixClient(
        ApiKeyAuth(creds.restricted_api_key, creds.site_id), base_url=sandbox_server.base_url
    ) as wix:
        domains = await wix.query_sending_domains(domains=["northwind-studio.example"])
        assert len(domains) == 1  # reading is allowed
        with pytest.raises(PermissionDenied) as info:
            await wix.authenticate_sending_domain(domains[0].id)
        assert "SCOPE.SENDING-DOMAINS.MANAGE" in info.value.sentence
        assert "permissions" in info.value.hint
        with pytest.raises(PermissionDenied):
            await wix.get_account_details()
