"""Whatever bytes come back, the client raises one of its own typed errors, never a raw
httpx/json/Python exception. (Narrow unit tests over httpx.MockTransport: a real server cannot
easily send most of these.)"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tui.wix import NO_RETRY, ApiKeyAuth, WixError, WixProtocolError
from tui.wix.client import WixClient

OK_DOMAIN = {"id": "d-1", "domain": "example.com", "status": "NOT_AUTHENTICATED"}


def _client(response: Callable[[], httpx.Response]) -> WixClient:
    # A fresh response per request: a streamed body can only be read once (and authenticate
    # reads the domain again after its POST).
    return WixClient(
        ApiKeyAuth("IST.abcdefghijklmnopqrstuvwxyz", "site-1"),
        retry=NO_RETRY,
        http=httpx.AsyncClient(transport=httpx.MockTransport(lambda request: response())),
    )


HOSTILE = [
    lambda: httpx.Response(400, json={"details": {"validationError": {"fieldViolations": 5}}}),
    lambda: httpx.Response(400, json={"details": {"validationError": "nope"}}),
    lambda: httpx.Response(428, json={"details": {"applicationError": {"code": 7, "data": []}}}),
    lambda: httpx.Response(429, headers={"retry-after": "1e400"}, json={}),
    lambda: httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000),
    lambda: httpx.Response(500, content=b"[" * 100_000 + b"]" * 100_000),
    lambda: httpx.Response(
        200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(b"junk")
    ),
    lambda: httpx.Response(200, content=b"\xff\xfe\x00garbage"),
    lambda: httpx.Response(200, json=[1, 2, 3]),
    lambda: httpx.Response(200, json={"accountDetails": None}),
    lambda: httpx.Response(200, json={"accountDetails": {"status": 5, "package": []}}),
    lambda: httpx.Response(200, json={"sendingDomain": {"id": 1, "domain": "x"}}),
    lambda: httpx.Response(200, json={"sendingDomain": {**OK_DOMAIN, "dnsRecords": [None]}}),
    lambda: httpx.Response(200, json={"sendingDomains": {"not": "a list"}}),
    lambda: httpx.Response(200, json={"senderEmails": [{"id": "x"}], "pagingMetadata": []}),
    lambda: httpx.Response(302, headers={"location": "https://elsewhere.example"}),
    lambda: httpx.Response(204),
]

CALLS = {
    "account": lambda w: w.get_account_details(),
    "domain": lambda w: w.get_sending_domain("d-1"),
    "query": lambda w: w.query_sending_domains(domains=["example.com"]),
    "list": lambda w: w.list_sender_emails(),
    "verify": lambda w: w.verify_sender_email("e-1", "123456"),
    "authenticate": lambda w: w.authenticate_sending_domain("d-1"),
}


@pytest.mark.parametrize("response", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_hostile_answers_give_typed_errors(response, call) -> None:
    async with _client(response) as wix:
        try:
            await call(wix)
        except WixError as error:
            assert error.sentence
            assert error.method and error.path.startswith("/")
        # A plain success is fine too (e.g. {} for verify); anything else fails the test.


async def test_unreadable_echo_of_a_successful_write_is_not_an_error() -> None:
    def response() -> httpx.Response:
        return httpx.Response(200, json={"senderEmail": {"id": 5}})

    async with _client(response) as wix:
        assert await wix.verify_sender_email("e-1", "123456") is None


async def test_protocol_errors_name_the_real_path() -> None:
    async with _client(lambda: httpx.Response(200, json={"sendingDomain": {"id": 1}})) as wix:
        with pytest.raises(WixProtocolError) as info:
            await wix.get_sending_domain("d-1")
    assert info.value.path == "/sending-domains/v1/sending-domains/d-1"
    assert "documented shape" in info.value.sentence
