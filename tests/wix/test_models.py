"""Unit tests: parsing at the edge is tolerant of new fields and new enum values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tui.wix import (
    AccountDetails,
    AccountStatus,
    DnsRecord,
    DomainStatus,
    SenderEmail,
    SendingDomain,
)
from tui.wix.models import BillingCycle, Features, Page, ParseError, parse_datetime


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


# --- Wix's typings make a record's parts optional (fact sheet §1.2, §1.3, §4) ---------------


def _domain_with(*records: object, status: str = "NOT_AUTHENTICATED") -> SendingDomain:
    return SendingDomain.parse(
        {"id": "d-1", "domain": "example.com", "status": status, "dnsRecords": list(records)}
    )


def test_a_record_without_host_name_or_value_keeps_the_domain_and_is_marked() -> None:
    good = {"hostName": "s1._domainkey.example.com", "value": "s1.t.example", "type": "CNAME"}
    domain = _domain_with(
        good,
        {"hostName": "s2._domainkey.example.com", "type": "CNAME"},  # no value
        {"value": "s3.t.example"},  # no host name, no type
        {"hostName": "", "value": "  "},  # empty and blank
        {"hostName": 7, "value": ["x"]},  # not text
        None,  # not even an object
    )
    assert domain.domain == "example.com"
    assert len(domain.dns_records) == 6
    assert [r.incomplete for r in domain.dns_records] == [False, True, True, True, True, True]
    assert domain.incomplete_records == domain.dns_records[1:]
    second, third, fourth = domain.dns_records[1:4]
    assert second.host_name == "s2._domainkey.example.com" and second.value == ""
    assert second.missing == "a value"
    assert third.missing == "a host name"
    assert fourth.missing == "a host name and a value"
    assert domain.dns_records[0] == DnsRecord(
        "s1._domainkey.example.com", "s1.t.example", "CNAME", "CNAME"
    )


@pytest.mark.parametrize(
    ("raw", "published", "kept"),
    [
        (None, "CNAME", ""),  # absent
        ("", "CNAME", ""),
        ("UNKNOWN_TYPE", "CNAME", "UNKNOWN_TYPE"),  # the protobuf default: no type said
        ("unknown_type", "CNAME", "unknown_type"),
        ("CNAME", "CNAME", "CNAME"),
        ("cname", "CNAME", "cname"),
        ("TXT", "TXT", "TXT"),  # something new is kept, not turned into a CNAME
        (5, "CNAME", ""),  # not text: as if absent
    ],
)
def test_a_missing_or_unknown_type_reads_as_cname_and_the_raw_value_is_kept(
    raw: object, published: str, kept: str
) -> None:
    record: dict[str, object] = {"hostName": "sg.example.com", "value": "sg.t.example"}
    if raw is not None:
        record["type"] = raw
    (parsed,) = _domain_with(record).dns_records
    assert parsed.type == published
    assert parsed.type_raw == kept
    assert not parsed.incomplete


def test_a_record_type_with_control_characters_is_made_visible() -> None:
    (parsed,) = _domain_with(
        {"hostName": "a.example", "value": "b.example", "type": "\x1b[2J"}
    ).dns_records
    assert "\x1b" not in parsed.type and "\x1b" not in parsed.type_raw


@pytest.mark.parametrize("status", ["UNKNOWN_STATUS", "FAILED", "", None, 3])
def test_unknown_domain_statuses_do_not_crash(status: object) -> None:
    domain = SendingDomain.parse({"id": "d-1", "domain": "example.com", "status": status})
    assert domain.status is DomainStatus.UNKNOWN
    assert domain.status_label.startswith("unknown")
    if status == "UNKNOWN_STATUS":
        assert domain.status_label == "unknown: UNKNOWN_STATUS"


def test_account_details_features_billing_and_tracking() -> None:
    account = AccountDetails.parse(
        {
            "status": "ACTIVE",
            "package": {"id": "Free", "billingCycle": "MONTHLY", "topTier": False},
            "features": {
                "multipleSenderDetails": False,
                "removeWixBranding": True,
                "scheduling": "yes",  # not a JSON boolean: not known
                "somethingNew": True,
            },
            "trackingSettings": {"opensTracking": True, "mode": "x\x1by", "nested": {"a": 1}},
        }
    )
    assert account.features == Features(
        sent=True, multiple_sender_details=False, remove_wix_branding=True, scheduling=None
    )
    assert account.billing_cycle is BillingCycle.MONTHLY
    assert account.billing_cycle_label == "MONTHLY"
    assert account.top_tier is False
    assert account.tracking_settings == {"opensTracking": True, "mode": "x\\x1by"}


@pytest.mark.parametrize(
    "extra",
    [
        {},  # the doc pages' shape: none of the typings' fields
        {"features": None, "trackingSettings": [], "package": {"billingCycle": 3, "topTier": "no"}},
        {"features": "all", "package": None},
        {"features": {}},
    ],
)
def test_account_details_without_the_typed_fields_never_guess(extra: dict[str, object]) -> None:
    account = AccountDetails.parse({"status": "ACTIVE", **extra})
    assert account.features.multiple_sender_details is None
    assert account.features.sent is (extra.get("features") == {})
    assert account.top_tier is None
    assert account.billing_cycle is BillingCycle.UNKNOWN
    assert account.tracking_settings is None


def test_an_unknown_billing_cycle_keeps_its_raw_value() -> None:
    account = AccountDetails.parse({"package": {"billingCycle": "QUARTERLY"}})
    assert account.billing_cycle is BillingCycle.UNKNOWN
    assert account.billing_cycle_label == "unknown: QUARTERLY"
