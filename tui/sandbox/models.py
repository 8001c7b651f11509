"""The entities one simulated Wix site holds, and their JSON (camelCase) shapes.

Times are timezone-aware UTC datetimes read from the world's clock; on the wire they are
ISO-8601 with milliseconds and ``Z`` (``2026-01-01T09:00:00.000Z``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

INITIALIZING = "INITIALIZING"
NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
AUTHENTICATED = "AUTHENTICATED"
DOCUMENTED_DOMAIN_STATUSES = (INITIALIZING, NOT_AUTHENTICATED, AUTHENTICATED)

ACCOUNT_STATUSES = ("ACTIVE", "WARNED", "SUSPENDED", "BANNED", "SUSPENDED_AUTOLIFT", "UNKNOWN")


def iso(moment: datetime) -> str:
    """Wix wire format for a timestamp: UTC, millisecond precision, ``Z`` suffix."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class SenderEmail:
    id: str
    email_address: str
    verified: bool
    created: datetime
    updated: datetime
    extended_fields: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "emailAddress": self.email_address,
            "verified": self.verified,
            "createdDate": iso(self.created),
            "updatedDate": iso(self.updated),
        }
        if self.extended_fields is not None:
            out["extendedFields"] = self.extended_fields
        return out


@dataclass
class SenderDetails:
    id: str
    from_name: str
    from_email_address: str
    default: bool
    created: datetime
    updated: datetime
    extended_fields: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "fromName": self.from_name,
            "fromEmailAddress": self.from_email_address,
            "default": self.default,
            "createdDate": iso(self.created),
            "updatedDate": iso(self.updated),
        }
        if self.extended_fields is not None:
            out["extendedFields"] = self.extended_fields
        return out


@dataclass(frozen=True)
class DnsRecord:
    host_name: str
    value: str

    def to_json(self) -> dict[str, str]:
        # ``type`` is UNKNOWN_TYPE | CNAME in Wix's typings; every record Wix describes is a
        # CNAME, so the sandbox always sends "CNAME" (fact sheet §1.2).
        return {"hostName": self.host_name, "value": self.value, "type": "CNAME"}


@dataclass
class SendingDomain:
    """A sending domain. ``status`` is a raw string so tests can force undocumented values."""

    id: str
    domain: str
    status: str
    created: datetime
    ready_at: datetime  # when INITIALIZING ends (evaluated lazily on every read)
    records: tuple[DnsRecord, ...]
    wix_managed: bool = False

    def to_json(self) -> dict[str, Any]:
        # While INITIALIZING the records are "still being generated" (fact sheet §1.3).
        shown = () if self.status == INITIALIZING else self.records
        return {
            "id": self.id,
            "createdDate": iso(self.created),
            "domain": self.domain,
            "status": self.status,
            "dnsRecords": [record.to_json() for record in shown],
        }


BILLING_CYCLES = ("UNKNOWN", "TWO_YEARS", "YEARLY", "MONTHLY")

# What ``trackingSettings`` holds when switched on without an object of the caller's own. Wix
# publishes no inner field names (fact sheet §4: "opens tracking and click tracking"), so these
# names are the sandbox's guess; a client must treat the object as opaque.
DEFAULT_TRACKING_SETTINGS: dict[str, Any] = {"opensTracking": True, "clickTracking": True}


@dataclass(frozen=True)
class Package:
    """An email-marketing plan. Quotas, billing cycles and feature sets are sandbox fixtures,
    not Wix's real numbers."""

    id: str
    group: str
    campaigns: int  # -1 = unlimited
    emails: int
    max_audience: int
    multiple_senders: bool
    billing_cycle: str = "MONTHLY"
    top_tier: bool = False
    remove_wix_branding: bool = False
    scheduling: bool = False


# Wix documents that more than one sender needs a Core or Advanced plan (fact sheet §3.1).
PACKAGES: dict[str, Package] = {
    p.id: p
    for p in (
        Package("Free", "Free", 3, 5000, 5000, multiple_senders=False),
        Package(
            "Ascend_Basic",
            "Basic",
            5,
            9500,
            9500,
            multiple_senders=False,
            billing_cycle="YEARLY",
            scheduling=True,
        ),
        Package(
            "Ascend_Core",
            "Core",
            -1,
            50000,
            25000,
            multiple_senders=True,
            billing_cycle="YEARLY",
            remove_wix_branding=True,
            scheduling=True,
        ),
        Package(
            "Ascend_Advanced",
            "Advanced",
            -1,
            200000,
            100000,
            multiple_senders=True,
            billing_cycle="YEARLY",
            top_tier=True,
            remove_wix_branding=True,
            scheduling=True,
        ),
    )
}


@dataclass
class Account:
    """A site's email-marketing account (Account Details API).

    ``multiple_senders`` is both what ``features.multipleSenderDetails`` says and the rule
    Create Sender Details enforces, so the two never disagree. ``show_features`` False leaves
    ``features`` out (it is ``@internal`` in one of Wix's typings, so a caller may not get it);
    ``tracking_settings`` None leaves ``trackingSettings`` out (its shape is unknown, so the
    fact sheet puts it behind a switch, §4).
    """

    status: str
    package_id: str
    package_group: str
    campaigns_quota: int
    emails_quota: int
    max_audience: int
    multiple_senders: bool
    campaigns_used: int = 0
    emails_used: int = 0
    billing_cycle: str = "MONTHLY"
    top_tier: bool = False
    remove_wix_branding: bool = False
    scheduling: bool = False
    show_features: bool = True
    tracking_settings: dict[str, Any] | None = None

    @classmethod
    def on_package(cls, package_id: str, status: str = "ACTIVE") -> Account:
        account = cls(status, package_id, package_id, 0, 0, 0, multiple_senders=False)
        account.change_package(package_id)
        return account

    def change_package(self, package_id: str) -> None:
        """Move to a plan (quotas, billing cycle, features); an unknown id keeps the quotas and
        the billing cycle, and gets no features at all: a single sender only."""
        self.package_id = package_id
        package = PACKAGES.get(package_id)
        if package is None:
            self.package_group = package_id
            self.multiple_senders = False
            self.top_tier = self.remove_wix_branding = self.scheduling = False
            return
        self.package_group = package.group
        self.campaigns_quota = package.campaigns
        self.emails_quota = package.emails
        self.max_audience = package.max_audience
        self.multiple_senders = package.multiple_senders
        self.billing_cycle = package.billing_cycle
        self.top_tier = package.top_tier
        self.remove_wix_branding = package.remove_wix_branding
        self.scheduling = package.scheduling

    def to_json(self, now: datetime) -> dict[str, Any]:
        # The quota period is the calendar month around "now" on the world clock.
        start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (
            start.replace(year=start.year + 1, month=1)
            if start.month == 12
            else start.replace(month=start.month + 1)
        )
        out: dict[str, Any] = {
            "status": self.status,
            "package": {
                "id": self.package_id,
                "group": self.package_group,
                "monthlyQuotaAllocation": {
                    "campaigns": self.campaigns_quota,
                    "emails": self.emails_quota,
                },
                "billingCycle": self.billing_cycle,
                "topTier": self.top_tier,
            },
            "quotaPeriod": {
                "dateFrom": iso(start),
                "dateTo": iso(end),
                "quotaUsage": {"campaigns": self.campaigns_used, "emails": self.emails_used},
            },
            "maxCampaignAudienceSize": self.max_audience,
        }
        if self.show_features:
            out["features"] = {
                "multipleSenderDetails": self.multiple_senders,
                "removeWixBranding": self.remove_wix_branding,
                "scheduling": self.scheduling,
            }
        if self.tracking_settings is not None:
            out["trackingSettings"] = copy.deepcopy(self.tracking_settings)
        return out


@dataclass
class Site:
    """Everything one simulated Wix site holds. Dicts keep insertion (= creation) order."""

    name: str
    site_id: str
    account_id: str
    instance_id: str
    owner_email: str
    account: Account
    auto_verified: set[str] = field(default_factory=set)  # lower-cased addresses
    wix_managed_domains: set[str] = field(default_factory=set)  # lower-cased domains
    sender_emails: dict[str, SenderEmail] = field(default_factory=dict)
    sender_details: dict[str, SenderDetails] = field(default_factory=dict)
    sending_domains: dict[str, SendingDomain] = field(default_factory=dict)
    codes_sent: dict[str, list[str]] = field(default_factory=dict)  # sender email id -> codes
    # sender email id -> world times of recent sends, for the resend limit (pruned as it goes)
    code_send_times: dict[str, list[datetime]] = field(default_factory=dict)
    # Query Sending Domains cursor key -> the (ids, domains) filter it pages, least recent first
    query_filters: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...] | None]] = field(
        default_factory=dict
    )


@dataclass(frozen=True)
class Env:
    """What a state-machine operation needs from the world besides the site itself."""

    now: datetime
    new_id: Callable[[], str]
    new_code: Callable[[], str]
    initializing_seconds: float


@dataclass(frozen=True)
class MailMessage:
    """A verification email the sandbox "sent" (the sandbox's stand-in for an inbox)."""

    to: str
    code: str
    sent_at: datetime
    site_id: str
    sender_email_id: str

    def to_json(self) -> dict[str, str]:
        return {
            "to": self.to,
            "code": self.code,
            "sentAt": iso(self.sent_at),
            "siteId": self.site_id,
            "senderEmailId": self.sender_email_id,
        }
