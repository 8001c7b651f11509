"""Fuzzing the edge where Wix's JSON enters: whatever Wix sends, a parser gives a typed model or
a typed error (ParseError / a WixError), never another exception; and whatever it gives is safe
to show (no control or bidi character in any string, no key in an error).

Two kinds of input per parser: arbitrary JSON values, and structure-aware ones that keep the
keys the parser looks for but put anything at all under them (wrong types, nesting, nulls,
hostile text). At least 1,000 examples each, no deadline (CI machines vary).
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.clock import ManualClock
from tui.sanitize import is_visible
from tui.secret import Secret
from tui.wix import NO_RETRY, ApiKeyAuth, WixApiError, WixError, WixProtocolError
from tui.wix.client import WixClient
from tui.wix.errors import decode_envelope, error_from_response
from tui.wix.models import (
    AccountDetails,
    DnsRecord,
    Page,
    ParseError,
    Quota,
    SenderDetails,
    SenderEmail,
    SendingDomain,
)

EXAMPLES = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KEY = "IST.fuzz-key-0123456789abcdefghijklmnopqrstuvwxyz"

# Text a hostile or broken server might send: terminal sequences, C1, bidi, the caller's key,
# someone's key, plus anything hypothesis invents.
NASTY = st.sampled_from(
    [
        "\x1b]52;c;aGVsbG8=\x07",
        "\x1b[2J",
        "\x9b31m",
        "\u202e",
        "\u2066",
        "\ufeff",
        "\x00",
        KEY,
        "IST.someone-elses-key",
        "authorization: abc",
        "x" * 2000,
        "2025-11-02T09:14:55.120Z",
        "NOT_AUTHENTICATED",
        "3f1c2a8e-5b7d-4c11-9a3e-2d6f8b9c0a11",
    ]
)
TEXT = st.one_of(
    st.text(max_size=40), NASTY, st.builds(lambda a, b: a + b, st.text(max_size=10), NASTY)
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(TEXT, children, max_size=5)
    ),
    max_leaves=30,
)


def shaped(keys: Mapping[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with (some of) the keys a parser reads, each holding the right shape or any
    JSON at all, plus a stray key now and then."""
    optional = {key: st.one_of(value, JSON) for key, value in keys.items()}
    return st.builds(
        lambda known, extra: {**extra, **known},
        st.fixed_dictionaries({}, optional=optional),
        st.dictionaries(TEXT, JSON, max_size=2),
    )


ID = st.one_of(st.uuids().map(str), TEXT)
DATE = st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), TEXT)
SENDER_EMAIL = shaped(
    {"id": ID, "emailAddress": TEXT, "verified": st.booleans(), "createdDate": DATE}
)
SENDER_DETAILS = shaped(
    {"id": ID, "fromName": TEXT, "fromEmailAddress": TEXT, "default": st.booleans()}
)
DNS_RECORD = shaped({"hostName": TEXT, "value": TEXT, "type": TEXT})
SENDING_DOMAIN = shaped(
    {
        "id": ID,
        "domain": TEXT,
        "status": st.one_of(st.sampled_from(["INITIALIZING", "AUTHENTICATED"]), TEXT),
        "dnsRecords": st.lists(st.one_of(DNS_RECORD, JSON), max_size=6),
        "createdDate": DATE,
    }
)
QUOTA = shaped({"campaigns": st.one_of(st.integers(), TEXT), "emails": st.integers()})
ACCOUNT_DETAILS = shaped(
    {
        "status": TEXT,
        "package": shaped({"id": TEXT, "group": TEXT, "monthlyQuotaAllocation": QUOTA}),
        "quotaPeriod": shaped({"dateFrom": DATE, "dateTo": DATE, "quotaUsage": QUOTA}),
        "maxCampaignAudienceSize": st.one_of(st.integers(), TEXT),
    }
)
PAGING = shaped(
    {
        "hasNext": st.booleans(),
        "cursors": shaped({"next": TEXT}),
        "count": st.integers(),
    }
)

PARSERS: dict[str, tuple[Callable[[Any], Any], st.SearchStrategy[Any]]] = {
    "SenderEmail": (SenderEmail.parse, SENDER_EMAIL),
    "SenderDetails": (SenderDetails.parse, SENDER_DETAILS),
    "DnsRecord": (DnsRecord.parse, DNS_RECORD),
    "SendingDomain": (SendingDomain.parse, SENDING_DOMAIN),
    "AccountDetails": (AccountDetails.parse, ACCOUNT_DETAILS),
    "Quota": (Quota.parse, QUOTA),
    "Page[SendingDomain]": (
        lambda data: Page.parse(data, "sendingDomains", SendingDomain.parse),
        shaped(
            {
                "sendingDomains": st.lists(st.one_of(SENDING_DOMAIN, JSON), max_size=3),
                "pagingMetadata": PAGING,
            }
        ),
    ),
    "Page[SenderEmail]": (
        lambda data: Page.parse(data, "senderEmails", SenderEmail.parse),
        shaped(
            {
                "senderEmails": st.lists(st.one_of(SENDER_EMAIL, JSON), max_size=3),
                "pagingMetadata": PAGING,
            }
        ),
    ),
}


def strings(value: object, depth: int = 0) -> Iterator[str]:
    """Every string inside a parsed result (dataclasses, tuples, mappings)."""
    assert depth < 50, "a result nested this deep"
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from strings(getattr(value, field.name), depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item, depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(key, depth + 1)
            yield from strings(item, depth + 1)


def _parse_safely(parse: Callable[[Any], Any], data: Any) -> None:
    try:
        result = parse(data)
    except ParseError:
        return
    for text in strings(result):
        if isinstance(result, Page) and text == result.next_cursor:
            continue  # the cursor is sent back to Wix, never shown (models.Page)
        assert is_visible(text), f"unsafe text from {data!r}: {text!r}"


@EXAMPLES
@given(data=JSON)
def test_every_parser_takes_any_json(data: Any) -> None:
    # One value for all of them: each parser still sees every example, and drawing (most of
    # the time spent) is done once.
    for parse, _ in PARSERS.values():
        _parse_safely(parse, data)
    envelope = decode_envelope(_body(data), "", [Secret(KEY)])
    for text in strings(dataclasses.asdict(envelope)):
        assert is_visible(text) and KEY not in text


@pytest.mark.parametrize("name", PARSERS)
@EXAMPLES
@given(data=st.data())
def test_every_parser_takes_the_right_keys_with_anything_under_them(
    name: str, data: st.DataObject
) -> None:
    parse, strategy = PARSERS[name]
    _parse_safely(parse, data.draw(strategy))


# --- the error envelope -------------------------------------------------------------------

VIOLATION = shaped(
    {
        "field": TEXT,
        "description": TEXT,
        "violatedRule": TEXT,
        "data": st.dictionaries(TEXT, JSON, max_size=3),
    }
)
ENVELOPE = st.one_of(
    shaped(
        {
            "message": TEXT,
            "details": shaped(
                {
                    "applicationError": shaped(
                        {
                            "code": TEXT,
                            "description": TEXT,
                            "data": st.dictionaries(TEXT, JSON, max_size=4),
                        }
                    ),
                    "validationError": shaped(
                        {"fieldViolations": st.lists(st.one_of(VIOLATION, JSON), max_size=8)}
                    ),
                }
            ),
        }
    ),
    shaped({"error": TEXT, "error_description": TEXT}),
    JSON,
)


def _body(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


def _assert_error_safe(error: WixError) -> None:
    for text in (
        error.sentence,
        error.hint,
        error.server_message,
        error.code or "",
        error.user_message(),
        str(error),
        *strings(getattr(error, "data", {})),
        *strings(getattr(error, "field_violations", ())),
    ):
        assert is_visible(text), text
        assert KEY not in text and "IST." not in text, text


@EXAMPLES
@given(
    envelope=ENVELOPE,
    status=st.integers(min_value=400, max_value=599),
    retry_after=st.one_of(st.none(), TEXT, st.integers().map(str)),
)
def test_the_error_envelope_takes_any_json(
    envelope: Any, status: int, retry_after: str | None
) -> None:
    error = error_from_response(
        operation="sender-details.create",
        method="POST",
        path="/p",
        status=status,
        body=_body(envelope),
        retry_after=retry_after,
        secrets=[Secret(KEY)],
        write=True,
    )
    assert isinstance(error, WixApiError)
    assert error.status == status
    _assert_error_safe(error)


@EXAMPLES
@given(body=st.binary(max_size=200), content_type=TEXT)
def test_the_error_envelope_takes_any_bytes(body: bytes, content_type: str) -> None:
    envelope = decode_envelope(body, content_type, [Secret(KEY)])
    for text in strings(dataclasses.asdict(envelope)):
        assert is_visible(text)


# --- the whole client, any answer to any call ----------------------------------------------

CALLS: dict[str, Callable[[WixClient], Any]] = {
    "create": lambda w: w.create_sender_email("a@b.example"),
    "get-email": lambda w: w.get_sender_email("e-1"),
    "list-emails": lambda w: w.list_sender_emails(),
    "send-code": lambda w: w.send_verification_code("e-1"),
    "verify": lambda w: w.verify_sender_email("e-1", "123456"),
    "create-details": lambda w: w.create_sender_details("N", "a@b.example"),
    "update-details": lambda w: w.update_sender_details("d-1", from_name="M"),
    "mark-default": lambda w: w.mark_sender_details_as_default("d-1"),
    "default": lambda w: w.get_default_sender_details(),
    "query": lambda w: w.query_sending_domains(domains=["example.com"]),
    "authenticate": lambda w: w.authenticate_sending_domain("d-1"),
    "account": lambda w: w.get_account_details(),
}
ANSWERS = st.one_of(
    st.tuples(st.integers(min_value=200, max_value=599), JSON.map(_body)),
    st.tuples(st.sampled_from([200, 400, 428, 500]), ENVELOPE.map(_body)),
    st.tuples(st.sampled_from([200, 201, 204, 502]), st.binary(max_size=100)),
)


class Answers:
    """A MockTransport handler answering the drawn answers in turn (the last one repeats)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, bytes]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})


@EXAMPLES
@given(call=st.sampled_from(list(CALLS)), answers=st.lists(ANSWERS, min_size=1, max_size=3))
async def test_the_client_takes_any_answer(call: str, answers: list[tuple[int, bytes]]) -> None:
    handler = Answers()
    handler.answers = list(answers)
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with WixClient(
        ApiKeyAuth(KEY, "site-1"),
        retry=NO_RETRY,
        http=http,
        clock=ManualClock(),
        rng=random.Random(0),
    ) as wix:
        try:
            result = await CALLS[call](wix)
        except WixError as error:
            _assert_error_safe(error)
        else:
            for text in strings(result):
                assert is_visible(text)
        finally:
            await http.aclose()


# --- deep nesting -------------------------------------------------------------------------

DEEP = b"[" * 1_000_000


@pytest.mark.parametrize("status", [200, 400, 503])
@pytest.mark.parametrize("call", ["account", "create", "query"])
async def test_a_million_open_brackets_is_a_protocol_error(status: int, call: str) -> None:
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(status, content=DEEP))
    )
    async with WixClient(ApiKeyAuth(KEY, "site-1"), retry=NO_RETRY, http=http) as wix:
        with pytest.raises(WixError) as info:
            await CALLS[call](wix)
    await http.aclose()
    if status == 200:
        assert isinstance(info.value, WixProtocolError)
        assert "not valid JSON" in info.value.sentence
    else:
        assert isinstance(info.value, WixApiError) and info.value.status == status


def _nested(depth: int) -> Any:
    """A Python structure ``depth`` levels deep, built without recursion."""
    value: Any = "leaf\x1b"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_values_are_not_walked(depth: int) -> None:
    # Valid objects with a very deep value in every field a parser might walk into: the
    # parsers keep what they need and never recurse into the rest.
    deep = _nested(depth)
    valid = {
        "id": "d-1",
        "domain": "example.com",
        "emailAddress": "a@example.com",
        "fromEmailAddress": "a@example.com",
        "hostName": "s1._domainkey.example.com",
        "value": "s1.example.net",
        "status": deep,
        "type": deep,
        "package": {"id": deep, "monthlyQuotaAllocation": deep},
        "quotaPeriod": deep,
        "pagingMetadata": {"cursors": deep},
        "unknownField": deep,
    }
    for name, (parse, _) in PARSERS.items():
        if name.startswith("Page"):
            parse({"senderEmails": [valid], "sendingDomains": [valid], **valid})
        else:
            _parse_safely(parse, valid)
    assert SendingDomain.parse(valid).status_label == "unknown"


def test_deep_error_data_is_cut_not_walked() -> None:
    # Deep enough for json to read (under the recursion limit), far deeper than data needs.
    data = b"[" * 400 + b'"\\u001b"' + b"]" * 400
    body = b'{"details": {"applicationError": {"code": "X", "data": {"d": ' + data + b"}}}}"
    envelope = decode_envelope(body)
    assert envelope.code == "X"
    assert list(strings(envelope.data)) == ["d"]  # cut off long before the escape sequence
    # Deeper than json reads: refused as not JSON, never a RecursionError.
    deeper = decode_envelope(b'{"message": ' + b"[" * 1_000_000)
    assert deeper.unreadable == "a body that is not JSON"
