"""Unit tests: parsing at the edge is tolerant of new fields and new enum values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tui.wix import AccountDetails, AccountStatus, DomainStatus, SenderEmail, SendingDomain
from tui.wix.models import Page, ParseError, parse_datetime


def test_sending_domain_with_unknown_status_and_extra_fields() -> None:
    domain = SendingDomain.parse(
        {
            "id": "d-1",
            "domain": "example.com",
            "status": "SUSPENDED_BY_WIX",
            "brandNewField": {"x": 1},
            "dnsRecords": [
                {"hostName": "s1._domainkey.example.com", "value": "s1.t.example", "ttl": 3600},
                {"hostName": "_dmarc.example.com", "value": "v=DMARC1", "type": "txt"},
            ],
            "createdDate": "2025-11-02T09:14:55.120Z",
        }
    )
    assert domain.status is DomainStatus.UNKNOWN
    assert domain.status_raw == "SUSPENDED_BY_WIX"
    assert domain.status_label == "unknown: SUSPENDED_BY_WIX"
    assert [r.type for r in domain.dns_records] == ["CNAME", "TXT"]
    assert domain.created_date == datetime(2025, 11, 2, 9, 14, 55, 120000, tzinfo=UTC)


def test_known_status_label() -> None:
    domain = SendingDomain.parse({"id": "d", "domain": "e.example", "status": "INITIALIZING"})
    assert domain.status is DomainStatus.INITIALIZING
    assert domain.status_label == "INITIALIZING"
    assert domain.dns_records == ()


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        {"domain": "x.example"},
        {"id": "d", "domain": "x.example", "dnsRecords": "nope"},
        {"id": "d", "domain": "x.example", "dnsRecords": [{"hostName": "a"}]},
    ],
)
def test_missing_required_fields_raise_parse_error(bad: object) -> None:
    with pytest.raises(ParseError):
        SendingDomain.parse(bad)


def test_sender_email_tolerates_bad_optional_fields() -> None:
    email = SenderEmail.parse(
        {"id": "e", "emailAddress": "Info@Example.COM", "verified": "yes", "createdDate": "never"}
    )
    assert email.verified is False  # only a real JSON true counts
    assert email.created_date is None
    assert email.domain == "example.com"


def test_account_details_quota_and_unknown_status() -> None:
    account = AccountDetails.parse(
        {
            "status": "ON_VACATION",
            "package": {
                "id": "Free",
                "group": "Free",
                "monthlyQuotaAllocation": {"campaigns": 3, "emails": "5000"},
            },
            "quotaPeriod": {"quotaUsage": {"campaigns": 1, "emails": 4990}},
            "maxCampaignAudienceSize": 5000,
        }
    )
    assert account.status is AccountStatus.UNKNOWN
    assert account.status_label == "unknown: ON_VACATION"
    assert account.emails_left == 10
    unlimited = AccountDetails.parse(
        {"status": "ACTIVE", "package": {"monthlyQuotaAllocation": {"emails": -1}}}
    )
    assert unlimited.emails_left is None
    assert AccountDetails.parse({}).status_label == "unknown"


def test_page_cursor_rules() -> None:
    def parse(x: object, where: str) -> object:
        return x

    page = Page.parse(
        {"items": [1], "pagingMetadata": {"cursors": {"next": "c2"}, "hasNext": True}},
        "items",
        parse,
    )
    assert page.next_cursor == "c2"
    last = Page.parse(
        {"items": [], "pagingMetadata": {"cursors": {"next": "c2"}, "hasNext": False}},
        "items",
        parse,
    )
    assert last.next_cursor is None
    assert Page.parse({}, "items", parse).items == ()


def test_parse_datetime() -> None:
    assert parse_datetime("2025-11-02T09:00:00Z") == datetime(2025, 11, 2, 9, tzinfo=UTC)
    assert parse_datetime(12) is None
    assert parse_datetime("") is None
