"""The client's side of an Authenticate attempt (fact sheet §1.6): on a refusal it reads the
domain again, so the caller can tell "not ready yet" (INITIALIZING) from a failed DNS check;
after a 200 it reports the domain as read afterwards, which may still be NOT_AUTHENTICATED.
Narrow unit tests over httpx.MockTransport (the sandbox cannot answer "200, still
NOT_AUTHENTICATED" yet); the contract test is in test_contract_sending_domains.py."""

from __future__ import annotations

import httpx
import pytest

from tui.wix import NO_RETRY, ApiKeyAuth, DomainStatus, SenderDetailsDoNotExist, WixError
from tui.wix.client import WixClient

PATH = "/sending-domains/v1/sending-domains/d-1"


def domain(status: str) -> dict[str, object]:
    return {"sendingDomain": {"id": "d-1", "domain": "bakery.example", "status": status}}


class Wix:
    def __init__(self, attempt: httpx.Response, read: httpx.Response) -> None:
        self.attempt, self.read = attempt, read
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}")
        if request.method == "POST" and request.url.path == PATH + "/authenticate":
            return self.attempt
        if request.method == "GET" and request.url.path == PATH:
            return self.read
        return httpx.Response(404, json={})


async def attempt(wix: Wix):
    client = WixClient(
        ApiKeyAuth("IST.abcdefghijklmnopqrstuvwxyz", "site-1"),
        retry=NO_RETRY,
        http=httpx.AsyncClient(transport=httpx.MockTransport(wix)),
    )
    async with client:
        return await client.attempt_authentication("d-1")


def refusal(code: str = "WHATEVER") -> httpx.Response:
    return httpx.Response(
        428, json={"message": "no", "details": {"applicationError": {"code": code}}}
    )


async def test_a_refusal_while_initializing_comes_with_the_domain_read_again() -> None:
    wix = Wix(refusal(), httpx.Response(200, json=domain("INITIALIZING")))
    result = await attempt(wix)
    assert result.refused and result.refusal is not None and result.refusal.code == "WHATEVER"
    assert result.domain is not None and result.domain.status is DomainStatus.INITIALIZING
    assert wix.seen == [f"POST {PATH}/authenticate", f"GET {PATH}"]  # sent once


async def test_a_refusal_whose_domain_cannot_be_read_keeps_the_refusal() -> None:
    wix = Wix(refusal(), httpx.Response(500, json={"message": "", "details": {}}))
    result = await attempt(wix)
    assert result.refused and result.domain is None


async def test_a_200_still_not_authenticated_is_reported_as_it_is() -> None:
    wix = Wix(
        httpx.Response(200, json=domain("NOT_AUTHENTICATED")),
        httpx.Response(200, json=domain("NOT_AUTHENTICATED")),
    )
    result = await attempt(wix)
    assert not result.refused
    assert result.domain is not None and result.domain.status is DomainStatus.NOT_AUTHENTICATED


async def test_a_200_with_an_unknown_status_does_not_crash() -> None:
    wix = Wix(
        httpx.Response(200, json=domain("UNKNOWN_STATUS")),
        httpx.Response(200, json=domain("UNKNOWN_STATUS")),
    )
    result = await attempt(wix)
    assert result.domain is not None and result.domain.status_label == "unknown: UNKNOWN_STATUS"


async def test_sender_details_do_not_exist_and_other_errors_are_raised() -> None:
    gate = Wix(refusal("SENDER_DETAILS_DO_NOT_EXIST"), httpx.Response(200, json=domain("X")))
    with pytest.raises(SenderDetailsDoNotExist):
        await attempt(gate)
    assert gate.seen == [f"POST {PATH}/authenticate"]
    denied = Wix(httpx.Response(403, json={}), httpx.Response(200, json=domain("X")))
    with pytest.raises(WixError):
        await attempt(denied)
