"""Unit tests of the retry policy, and of WixTransport's retries over httpx.MockTransport.

(The same behaviour is exercised against the real sandbox over loopback in test_contract_faults.)
"""

from __future__ import annotations

import random

import httpx
import pytest

from tui.clock import ManualClock
from tui.wix import (
    ApiKeyAuth,
    NotFound,
    RateLimited,
    RetryPolicy,
    ServerError,
    WixTimeout,
    WixTransportError,
)
from tui.wix import errors as e
from tui.wix.client import WixClient

KEY = "IST.unit-test-key-abcdefghijklmnop"
SITE = "11111111-2222-3333-4444-555555555555"
OK_EMAIL = {"senderEmail": {"id": "se-1", "emailAddress": "a@b.example", "verified": False}}


def _error(cls: type, **kw: object) -> e.WixError:
    base = {"operation": "o", "method": "GET", "path": "/p"}
    return cls("s", **base, **kw)


class TestPolicy:
    policy = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=8.0)

    def test_reads_retry_on_server_errors_rate_limits_and_transport(self) -> None:
        for error in (
            _error(ServerError, status=503),
            _error(RateLimited, status=429),
            _error(WixTransportError, sent=True),
            _error(WixTimeout, sent=True),
            _error(WixTransportError, sent=False),
        ):
            assert self.policy.should_retry(error, idempotent=True), error

    def test_reads_do_not_retry_client_errors(self) -> None:
        for cls, status in ((NotFound, 404), (e.InvalidArgument, 400), (e.Unauthorized, 401)):
            assert not self.policy.should_retry(_error(cls, status=status), idempotent=True)

    def test_writes_retry_only_when_nothing_was_sent(self) -> None:
        assert self.policy.should_retry(_error(WixTransportError, sent=False), idempotent=False)
        for error in (
            _error(WixTransportError, sent=True),
            _error(WixTimeout, sent=True),
            _error(ServerError, status=503),
            _error(RateLimited, status=429, retry_after=1.0),
        ):
            assert not self.policy.should_retry(error, idempotent=False), error

    def test_unreadable_answers_are_asked_again_only_for_reads(self) -> None:
        read = _error(e.WixProtocolError)
        write = _error(e.UnreadableAnswer)
        assert self.policy.should_retry(read, idempotent=True)
        assert not self.policy.should_retry(write, idempotent=False)
        assert write.write and write.reached and write.may_have_happened
        assert not read.write and not read.may_have_happened

    def test_full_jitter_is_bounded_by_the_exponential_cap(self) -> None:
        rng = random.Random(7)
        error = _error(ServerError, status=500)
        for retry_number, cap in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (6, 8.0)):
            delays = [self.policy.delay(error, retry_number, rng) for _ in range(200)]
            assert all(0.0 <= d <= cap for d in delays)
            assert max(delays) > cap * 0.8  # really spread over the range, not fixed

    def test_retry_after_is_a_floor(self) -> None:
        error = _error(RateLimited, status=429, retry_after=5.0)
        assert all(self.policy.delay(error, 1, random.Random(i)) >= 5.0 for i in range(50))

    def test_too_long_retry_after_is_not_waited_out(self) -> None:
        error = _error(RateLimited, status=429, retry_after=3600.0)
        assert not self.policy.should_retry(error, idempotent=True)

    def test_invalid_policy(self) -> None:
        with pytest.raises(ValueError):
            RetryPolicy(max_attempts=0)


class Script:
    """A MockTransport handler answering from a list, recording each request."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]


def _client(script: Script, clock: ManualClock, **policy: object) -> WixClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(script))
    return WixClient(
        ApiKeyAuth(KEY, SITE),
        base_url="https://www.wixapis.com",
        http=http,
        clock=clock,
        rng=random.Random(1),
        retry=RetryPolicy(**policy),  # type: ignore[arg-type]
    )


def _status(code: int, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(code, json={"message": "", "details": {}}, headers=headers)


async def test_read_retries_503_then_succeeds() -> None:
    clock = ManualClock()
    script = Script(_status(503), _status(502), httpx.Response(200, json=OK_EMAIL))
    client = _client(script, clock)
    email = await client.get_sender_email("se-1")
    assert email.id == "se-1"
    assert len(script.requests) == 3
    assert len(clock.sleeps) == 2


async def test_read_gives_up_after_max_attempts() -> None:
    clock = ManualClock()
    script = Script(_status(503))
    client = _client(script, clock, max_attempts=3)
    with pytest.raises(ServerError) as info:
        await client.get_sender_email("se-1")
    assert info.value.status == 503
    assert len(script.requests) == 3


async def test_read_gives_up_when_total_time_is_spent() -> None:
    clock = ManualClock()
    script = Script(_status(429, {"Retry-After": "20"}))
    client = _client(script, clock, max_attempts=10, max_total=30.0)
    with pytest.raises(RateLimited) as info:
        await client.get_account_details()
    assert info.value.retry_after == 20.0
    # 20 s waited once; a second 20 s wait would pass the 30 s budget, so it stops.
    assert clock.sleeps == [20.0]
    assert len(script.requests) == 2


async def test_read_retries_timeouts_and_dropped_connections() -> None:
    clock = ManualClock()
    script = Script(
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("peer closed"),
        httpx.ConnectError("refused"),
        httpx.Response(200, json=OK_EMAIL),
    )
    client = _client(script, clock)
    assert (await client.get_sender_email("se-1")).id == "se-1"
    assert len(script.requests) == 4


@pytest.mark.parametrize(
    "failure",
    [
        _status(503),
        _status(429, {"Retry-After": "1"}),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("peer closed"),
        httpx.WriteError("broken pipe"),
    ],
)
async def test_send_code_is_never_retried_once_it_may_have_been_sent(failure: object) -> None:
    clock = ManualClock()
    script = Script(failure, httpx.Response(200, json={}))
    client = _client(script, clock)
    with pytest.raises(e.WixError):
        await client.send_verification_code("se-1")
    assert len(script.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b'{"senderEmail": {"id"'),
        httpx.Response(200, content=b""),
        httpx.Response(200, html="<html><body>Welcome to the hotel wifi</body></html>"),
        httpx.Response(200, json={"somethingElse": {}}),
    ],
)
async def test_a_write_behind_an_unreadable_answer_is_never_sent_again(answer: object) -> None:
    clock = ManualClock()
    script = Script(answer, httpx.Response(200, json=OK_EMAIL))
    client = _client(script, clock)
    with pytest.raises(e.UnreadableAnswer) as info:
        await client.create_sender_email("a@b.example")
    assert len(script.requests) == 1
    assert info.value.may_have_happened and info.value.reached and info.value.write
    assert "Wix may have done it; check before trying again." in info.value.sentence


async def test_a_read_behind_an_unreadable_answer_is_asked_again() -> None:
    clock = ManualClock()
    script = Script(httpx.Response(200, content=b"<html>"), httpx.Response(200, json=OK_EMAIL))
    client = _client(script, clock)
    assert (await client.get_sender_email("se-1")).id == "se-1"
    assert len(script.requests) == 2


async def test_write_is_retried_when_the_connection_failed_before_sending() -> None:
    clock = ManualClock()
    script = Script(httpx.ConnectError("refused"), httpx.Response(200, json={}))
    client = _client(script, clock)
    await client.send_verification_code("se-1")
    assert len(script.requests) == 2


async def test_every_write_operation_is_not_retried_on_503() -> None:
    calls = {
        "create": lambda c: c.create_sender_email("a@b.example"),
        "get_or_create": lambda c: c.get_or_create_sender_email("a@b.example"),
        "verify": lambda c: c.verify_sender_email("se-1", "123456"),
        "delete": lambda c: c.delete_sender_email("se-1"),
        "create_details": lambda c: c.create_sender_details("N", "a@b.example"),
        "update_details": lambda c: c.update_sender_details("sd-1", from_name="M"),
        "delete_details": lambda c: c.delete_sender_details("sd-1"),
        "mark_default": lambda c: c.mark_sender_details_as_default("sd-1"),
        "authenticate": lambda c: c.authenticate_sending_domain("d-1"),
    }
    for name, call in calls.items():
        script = Script(_status(503))
        client = _client(script, ManualClock())
        with pytest.raises(ServerError):
            await call(client)
        # Authenticate reads the domain afterwards (GET, retried): the write went once.
        writes = [r for r in script.requests if r.method != "GET"]
        assert len(writes) == 1, name


async def test_timeouts_become_typed_errors() -> None:
    script = Script(httpx.ConnectTimeout("slow connect"))
    client = _client(script, ManualClock(), max_attempts=1)
    with pytest.raises(WixTransportError) as info:
        await client.get_account_details()
    assert info.value.sent is False
    script = Script(httpx.ReadTimeout("slow read"))
    client = _client(script, ManualClock(), max_attempts=1)
    with pytest.raises(WixTimeout) as info:
        await client.get_account_details()
    assert info.value.sent is True
