"""DoH (RFC 8484) through an httpx transport: the query goes out as dnspython wire format in a
POST, the answer comes back the same way; bad answers become failures, never exceptions."""

from __future__ import annotations

import dns.message
import dns.rrset
import httpx

from tui.propagation.transport import DOH_MEDIA_TYPE, ask_doh

URL = "https://doh.example/dns-query"


def _doh_server(seen: list[httpx.Request]):
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        query = dns.message.from_wire(request.content)
        reply = dns.message.make_response(query)
        name = query.question[0].name
        reply.answer.append(dns.rrset.from_text(name, 300, "IN", "CNAME", "t.esp.example."))
        return httpx.Response(
            200, headers={"content-type": DOH_MEDIA_TYPE}, stream=httpx.ByteStream(reply.to_wire())
        )

    return handle


async def test_doh_round_trip() -> None:
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(transport=httpx.MockTransport(_doh_server(seen))) as client:
        exchange = await ask_doh(client, URL, "s1._domainkey.example.com", "CNAME", cd=True)
    assert exchange.failure == ""
    assert exchange.transport == "doh"
    assert exchange.answer is not None
    assert exchange.answer.cnames == ("t.esp.example",)
    request = seen[0]
    assert request.method == "POST"
    assert request.headers["content-type"] == DOH_MEDIA_TYPE
    assert request.headers["accept"] == DOH_MEDIA_TYPE
    sent = dns.message.from_wire(request.content)
    assert sent.id == 0  # RFC 8484 §4.1
    assert sent.flags & dns.flags.CD
    assert sent.question[0].name.to_text() == "s1._domainkey.example.com."


async def test_doh_failures_are_values() -> None:
    cases = {
        "bad response: HTTP 503": lambda r: httpx.Response(503),
        "bad response: ": lambda r: httpx.Response(200, content=b"\x00\x01garbage"),
        "connection failed": lambda r: (_ for _ in ()).throw(httpx.ConnectError("no")),
        "timeout": lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow")),
    }
    for expected, handler in cases.items():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            exchange = await ask_doh(client, URL, "a.example", "CNAME")
        assert exchange.answer is None
        assert exchange.failure.startswith(expected), (expected, exchange.failure)


async def test_doh_answer_to_another_question_is_refused() -> None:
    def other(request: httpx.Request) -> httpx.Response:
        reply = dns.message.make_response(dns.message.make_query("evil.example", "CNAME"))
        reply.id = 0
        return httpx.Response(200, stream=httpx.ByteStream(reply.to_wire()))

    async with httpx.AsyncClient(transport=httpx.MockTransport(other)) as client:
        exchange = await ask_doh(client, URL, "a.example", "CNAME")
    assert exchange.answer is None
    assert "not an answer to our question" in exchange.failure
