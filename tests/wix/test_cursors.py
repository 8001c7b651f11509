"""Cursors over 1000 characters (the documented maximum of ``paging.cursor``, fact sheet §2.1,
§3.1) are refused before they are sent, whoever gave them. Narrow unit tests over
httpx.MockTransport: the sandbox never sends such a cursor."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tui.wix import NO_RETRY, ApiKeyAuth, WixProtocolError
from tui.wix.client import CURSOR_MAX_LENGTH, WixClient


def _email(n: int) -> dict[str, Any]:
    return {"id": f"e-{n}", "emailAddress": f"a{n}@bakery.example", "verified": True}


class Pages:
    def __init__(self, next_cursor: str) -> None:
        self.next_cursor = next_cursor
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if "paging.cursor" in request.url.params:
            body = {"senderEmails": [_email(2)], "pagingMetadata": {"hasNext": False}}
        else:
            meta = {"hasNext": True, "cursors": {"next": self.next_cursor}}
            body = {"senderEmails": [_email(1)], "pagingMetadata": meta}
        return httpx.Response(200, json=body)


def _client(handler: Pages) -> WixClient:
    return WixClient(
        ApiKeyAuth("IST.abcdefghijklmnopqrstuvwxyz", "site-1"),
        retry=NO_RETRY,
        http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )


async def test_a_caller_cursor_over_1000_characters_is_refused_unsent() -> None:
    pages = Pages("c")
    async with _client(pages) as wix:
        with pytest.raises(ValueError, match=r"1001 characters long; Wix allows at most 1000"):
            await wix.list_sender_emails_page(cursor="c" * 1001)
        with pytest.raises(ValueError, match="at most 1000"):
            await wix.list_sender_details_page(cursor="c" * 5000)
        assert pages.requests == []
        page = await wix.list_sender_emails_page(cursor="c" * CURSOR_MAX_LENGTH)
    assert [e.id for e in page.items] == ["e-2"]
    assert pages.requests[0].url.params["paging.cursor"] == "c" * 1000


async def test_a_server_cursor_over_1000_characters_is_refused_unsent() -> None:
    pages = Pages("n" * 1001)
    async with _client(pages) as wix:
        with pytest.raises(WixProtocolError) as info:
            await wix.list_sender_emails()
    assert len(pages.requests) == 1  # the long cursor was never sent back
    assert "1001 characters long" in info.value.sentence and "at most 1000" in info.value.sentence
    assert "n" * 50 not in str(info.value)  # the cursor itself is not quoted


async def test_a_server_cursor_of_1000_characters_is_followed() -> None:
    pages = Pages("n" * 1000)
    async with _client(pages) as wix:
        found = await wix.list_sender_emails()
    assert [e.id for e in found] == ["e-1", "e-2"]
    assert pages.requests[1].url.params["paging.cursor"] == "n" * 1000
