"""The journey's rules that used to live in widgets: the read-retry rule, sent codes, the domains
Wix may have made, the records to watch, and when the zone's servers serve them. No I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.flow.codes import SentCodes
from tui.flow.domains import custom_domains, expected_records, records_served
from tui.flow.retry import MAX_DELAY, backoff, read_retry
from tui.propagation.model import (
    Cell,
    Endpoint,
    Eta,
    ExpectedRecord,
    Report,
    Resolver,
    Role,
    Status,
)
from tui.sanitize import is_visible
from tui.wix.errors import (
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    WixProtocolError,
    WixTimeout,
    WixTransportError,
)
from tui.wix.models import DnsRecord, DomainStatus, SenderDetails, SenderEmail, SendingDomain

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WHERE = {"operation": "sender-emails.list", "method": "GET", "path": "/x"}


# --- the read-retry rule --------------------------------------------------------------------


def test_backoff_doubles_to_a_cap() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [5.0, 10.0, 20.0, 40.0]
    assert backoff(30) == MAX_DELAY


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (WixTransportError("down", sent=False, **WHERE), "Wix cannot be reached"),
        (WixTimeout("slow", sent=True, **WHERE), "Wix cannot be reached"),
        (ServerError("oops", status=503, **WHERE), "Wix answered HTTP 503"),
        (WixProtocolError("html", **WHERE), "Wix's answer was unreadable"),
        (RateLimited("slow down", status=429, **WHERE), "too many requests"),
    ],
)
def test_transient_failures_are_read_again_with_backoff(error: Exception, reason: str) -> None:
    first, third = read_retry(error, 1), read_retry(error, 3)  # type: ignore[arg-type]
    assert first.again and first.delay == 5.0 and first.reason == reason
    assert third.again and third.delay == 20.0


def test_retry_after_is_the_minimum_wait_and_the_cap_holds() -> None:
    limited = RateLimited("slow down", status=429, retry_after=42.0, **WHERE)
    assert read_retry(limited, 1).delay == 42.0
    assert read_retry(limited, 5).delay == 80.0  # the backoff is longer by then
    huge = RateLimited("slow down", status=429, retry_after=86400.0, **WHERE)
    assert read_retry(huge, 1).delay == MAX_DELAY


@pytest.mark.parametrize(
    "error",
    [
        PermissionDenied("no", status=403, **WHERE),
        NotFound("gone", status=404, **WHERE),
        InvalidArgument("bad", status=400, **WHERE),
    ],
)
def test_refusals_wait_for_the_user(error: Exception) -> None:
    decision = read_retry(error, 1)  # type: ignore[arg-type]
    assert not decision.again and decision.delay == 0.0


# --- sent codes -------------------------------------------------------------------------------


def test_a_code_may_be_sent_again_after_the_cooldown_or_wix_limit() -> None:
    codes = SentCodes()
    assert codes.wait("e1", NOW) == timedelta(0)
    codes.record("e1", NOW)
    assert codes.wait("e1", NOW + timedelta(seconds=15)) == timedelta(seconds=45)
    assert codes.wait("e2", NOW) == timedelta(0)  # per address
    codes.refuse_until("e1", NOW + timedelta(minutes=10))
    assert codes.wait("e1", NOW + timedelta(minutes=2)) == timedelta(minutes=8)
    assert codes.wait("e1", NOW + timedelta(minutes=11)) == timedelta(0)


# --- domains and records ----------------------------------------------------------------------


def test_custom_domains_leave_out_public_mailboxes_and_repeats() -> None:
    details = [
        SenderDetails("s1", "Bakery", "hello@bakery.example"),
        SenderDetails("s2", "Me", "me@gmail.com"),
    ]
    emails = [
        SenderEmail("e1", "news@bakery.example", verified=True),
        SenderEmail("e2", "info@shop.example", verified=True),
        SenderEmail("e3", "sales@later.example", verified=False),
    ]
    assert custom_domains(details, emails) == ["bakery.example", "shop.example"]


def _domain(*records: DnsRecord) -> SendingDomain:
    return SendingDomain(
        "d",
        "bakery.example",
        DomainStatus.NOT_AUTHENTICATED,
        "NOT_AUTHENTICATED",
        dns_records=records,
    )


def test_expected_records_are_plain_cnames() -> None:
    domain = _domain(
        DnsRecord(" S1._DomainKey.Bakery.Example. ", "s1.dkim.Wix.example."),
        DnsRecord("other.bakery.example", "x.example", type="TXT"),
    )
    assert expected_records(domain) == (
        [ExpectedRecord("s1._domainkey.bakery.example", "s1.dkim.wix.example")],
        [],
    )


def test_incomplete_records_are_not_watched_and_say_why() -> None:
    parsed = SendingDomain.parse(
        {
            "id": "d",
            "domain": "bakery.example",
            "status": "NOT_AUTHENTICATED",
            "dnsRecords": [
                {"hostName": "s1.bakery.example", "value": "s1.t.example", "type": "UNKNOWN_TYPE"},
                {"hostName": "s2.bakery.example", "type": "CNAME"},
                {"value": "s3.t.example"},
            ],
        }
    )
    records, problems = expected_records(parsed)
    # A missing or UNKNOWN_TYPE type is a CNAME: watched.
    assert records == [ExpectedRecord("s1.bakery.example", "s1.t.example")]
    assert len(problems) == 2
    assert "record for 's2.bakery.example' came without a value" in problems[0]
    assert "record 3 came without a host name" in problems[1]
    assert all("read the domain again later" in p for p in problems)


def test_international_names_are_watched_in_their_ascii_form() -> None:
    records, problems = expected_records(_domain(DnsRecord("em1.bücher.example", "t.example")))
    assert problems == []
    assert records == [
        ExpectedRecord(
            "em1.xn--bcher-kva.example",
            "t.example",
            display_name="em1.bücher.example (em1.xn--bcher-kva.example)",
        )
    ]


@pytest.mark.parametrize(
    ("host", "value", "reason"),
    [
        ("a" * 60 + "." + ("b" * 60 + ".") * 4 + "example", "t.example", "at most 253"),
        ("s1..bakery.example", "t.example", "empty label"),
        ("x" * 64 + ".bakery.example", "t.example", "longer than 63"),
        ("s1 ._domainkey.bakery.example", "t.example", "contains spaces"),
        ("s1\x1b[31m.bakery.example", "t.example", "invalid label"),
        ("s1.bakery.example", "t\u202e.example", "not a valid international name"),
        # No value at all: an incomplete record (Wix's typings make it optional).
        ("s1.bakery.example", "", "came without a value"),
    ],
)
def test_names_dns_cannot_carry_are_refused_with_a_reason(
    host: str, value: str, reason: str
) -> None:
    """The checks ``watch HOST=TARGET`` makes, on Wix's names; the valid records are kept."""
    good = DnsRecord("s2._domainkey.bakery.example", "s2.dkim.wix.example")
    records, problems = expected_records(_domain(DnsRecord(host, value), good))
    assert records == [ExpectedRecord("s2._domainkey.bakery.example", "s2.dkim.wix.example")]
    assert len(problems) == 1 and reason in problems[0], problems
    assert problems[0].startswith("Wix's record for '")
    assert is_visible(problems[0])  # an ESC or a U+202E from Wix is shown, inert
    assert len(problems[0]) < 300  # a far too long name is quoted cut, not whole


def _report(statuses: dict[str, Status], records: tuple[str, ...] = ("a.example",)) -> Report:
    endpoint = Endpoint("127.0.0.1", 53)
    resolvers = tuple(
        Resolver(
            key, key, "", Role.AUTHORITATIVE if key.startswith("ns") else Role.PUBLIC, (endpoint,)
        )
        for key in statuses
    )
    cells = {
        (record, key): Cell(record, key, status)
        for record in records
        for key, status in statuses.items()
    }
    return Report(
        checked_at=NOW,
        records=tuple(ExpectedRecord(r, "t.example") for r in records),
        resolvers=resolvers,
        cells=cells,
        zones={},
        diagnoses=(),
        eta=Eta(None, "", "", False),
    )


def test_records_served_needs_every_answering_authoritative_server() -> None:
    ok, missing, silent = Status.OK, Status.NOT_PUBLISHED, Status.UNREACHABLE
    assert records_served(_report({"ns1": ok, "ns2": ok, "google": missing}))
    assert not records_served(_report({"ns1": ok, "ns2": missing}))
    # A dead secondary says nothing; but nobody answering is not "served".
    assert records_served(_report({"ns1": ok, "ns2": silent}))
    assert not records_served(_report({"ns1": silent, "ns2": silent}))
    assert not records_served(_report({"ns1": ok}, records=()))


# --- what a failed write means ----------------------------------------------------------------


def test_a_write_may_have_happened_when_wix_had_the_request() -> None:
    from tui.flow.writes import may_have_happened, write_failure

    write = {**WHERE, "write": True}
    before = WixTransportError("refused", sent=False, **write)
    after = WixTimeout("slow", sent=True, **write)
    unreadable = WixProtocolError("empty body", **write)
    failed = ServerError("oops", status=503, **write)
    refused = InvalidArgument("bad", status=400, **write)
    assert not may_have_happened(before) and "has not sent a code" in write_failure(
        before, "sent a code"
    )
    # A read never "happened": it changes nothing.
    assert not may_have_happened(WixTimeout("slow", sent=True, **WHERE))
    for error in (after, unreadable, failed):
        assert may_have_happened(error)
        assert "may or may not have sent a code" in write_failure(error, "sent a code")
    assert not may_have_happened(refused)
    assert write_failure(unreadable, "x", check="Look.").endswith("Look.")
