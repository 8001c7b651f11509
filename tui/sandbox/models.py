"""The entities one simulated Wix site holds, and their JSON (camelCase) shapes.

Times are timezone-aware UTC datetimes read from the world's clock; on the wire they are
ISO-8601 with milliseconds and ``Z`` (``2026-01-01T09:00:00.000Z``).
"""

from __future__ import annotations

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
        return {"hostName": self.host_name, "value": self.value}


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


@dataclass(frozen=True)
class Package:
    """An email-marketing plan. Quotas are sandbox fixtures, not Wix's real numbers."""

    id: str
    group: str
    campaigns: int  # -1 = unlimited
    emails: int
    max_audience: int
    multiple_senders: bool


# Wix documents that more than one sender needs a Core or Advanced plan (fact sheet §3.1).
PACKAGES: dict[str, Package] = {
    p.id: p
    for p in (
        Package("Free", "Free", 3, 5000, 5000, multiple_senders=False),
        Package("Ascend_Basic", "Basic", 5, 9500, 9500, multiple_senders=False),
        Package("Ascend_Core", "Core", -1, 50000, 25000, multiple_senders=True),
        Package("Ascend_Advanced", "Advanced", -1, 200000, 100000, multiple_senders=True),
    )
}


@dataclass
class Account:
    """A site's email-marketing account (Account Details API)."""

    status: str
    package_id: str
    package_group: str
    campaigns_quota: int
    emails_quota: int
    max_audience: int
    multiple_senders: bool
    campaigns_used: int = 0
    emails_used: int = 0

    @classmethod
    def on_package(cls, package_id: str, status: str = "ACTIVE") -> Account:
        account = cls(status, package_id, package_id, 0, 0, 0, multiple_senders=False)
        account.change_package(package_id)
        return account

    def change_package(self, package_id: str) -> None:
        """Move to a plan; an unknown id keeps the quotas and allows a single sender only."""
        self.package_id = package_id
        package = PACKAGES.get(package_id)
        if package is None:
            self.package_group = package_id
            self.multiple_senders = False
            return
        self.package_group = package.group
        self.campaigns_quota = package.campaigns
        self.emails_quota = package.emails
        self.max_audience = package.max_audience
        self.multiple_senders = package.multiple_senders

    def to_json(self, now: datetime) -> dict[str, Any]:
        # The quota period is the calendar month around "now" on the world clock.
        start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (
            start.replace(year=start.year + 1, month=1)
            if start.month == 12
            else start.replace(month=start.month + 1)
        )
        return {
            "status": self.status,
            "package": {
                "id": self.package_id,
                "group": self.package_group,
                "monthlyQuotaAllocation": {
                    "campaigns": self.campaigns_quota,
                    "emails": self.emails_quota,
                },
            },
            "quotaPeriod": {
                "dateFrom": iso(start),
                "dateTo": iso(end),
                "quotaUsage": {"campaigns": self.campaigns_used, "emails": self.emails_used},
            },
            "maxCampaignAudienceSize": self.max_audience,
        }


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
