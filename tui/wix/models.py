"""Typed models of the Wix JSON we use, parsed once at the edge.

Rules (DESIGN.md, conventions):
- unknown fields are ignored, so a new field Wix adds never breaks us;
- an unknown enum value is kept as ``UNKNOWN`` together with the raw string, never a crash;
- a missing *required* field (an object without ``id``, say) is a protocol error, raised by the
  parser as :class:`ParseError` and turned into a typed client error by the caller;
- a malformed optional field (an unparseable date) becomes ``None``;
- every string taken from Wix passes :func:`tui.sanitize.visible` here, once: a from-name, an
  address, a domain or a DNS record is shown on a terminal, and a control sequence in it would
  be obeyed by the terminal. Two exceptions, both for the same reason (the value goes back to
  Wix, so changing it would change what it points at): IDs, which are *checked* instead (see
  :func:`is_wix_id`), and the paging cursor, which is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import islice
from typing import Any, Generic, TypeVar

from tui.sanitize import visible

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


class ParseError(ValueError):
    """A response body did not have the shape the fact sheet documents."""


class DomainStatus(StrEnum):
    INITIALIZING = "INITIALIZING"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    AUTHENTICATED = "AUTHENTICATED"
    UNKNOWN = "UNKNOWN"


class AccountStatus(StrEnum):
    ACTIVE = "ACTIVE"
    WARNED = "WARNED"
    SUSPENDED = "SUSPENDED"
    SUSPENDED_AUTOLIFT = "SUSPENDED_AUTOLIFT"
    BANNED = "BANNED"
    UNKNOWN = "UNKNOWN"


def enum_value(enum: type[E], raw: object) -> E:
    """``raw`` as a member of ``enum``, or ``enum.UNKNOWN`` if Wix sent something new."""
    try:
        return enum(raw)
    except ValueError:
        return enum("UNKNOWN")


def describe_enum(value: StrEnum, raw: str) -> str:
    """A label that keeps an unknown value visible: ``"unknown: SUSPENDED_BY_WIX"``."""
    if value.value == "UNKNOWN" and raw != "UNKNOWN":
        return f"unknown: {raw}" if raw else "unknown"
    return value.value


# --- IDs -----------------------------------------------------------------------------------

# Wix IDs are GUIDs. An ID goes into URLs (/sender-emails/{id}), so it is never escaped or cut
# the way shown text is: "abc\x1b" escaped would become another ID, which could address another
# object. An ID outside this alphabet is refused as a protocol error instead. The alphabet also
# keeps an ID from being "." or ".." (which httpx would normalise away, sending a DELETE to the
# collection) or a route word (which would address a sibling route), and makes every ID we hold
# safe to show as it is.
_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_ROUTE_WORDS = frozenset({"default", "query", "get-or-create"})
ID_RULE = "letters, digits, '-' and '_', at most 128"


def is_wix_id(text: str) -> bool:
    """Whether ``text`` can only ever address the one object it names."""
    return _ID.fullmatch(text) is not None and text.lower() not in _ROUTE_WORDS


# --- field readers -------------------------------------------------------------------------


def _obj(data: object, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ParseError(f"{where} should be a JSON object, got {type(data).__name__}")
    return data


def _required_str(data: Mapping[str, Any], key: str, where: str) -> str:
    """A required text field, made safe to show (see the module docstring)."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ParseError(f"{where}.{key} is missing or not a string")
    return visible(value)


def _required_id(data: Mapping[str, Any], key: str, where: str) -> str:
    """An ID, kept exactly as Wix sent it, or a :class:`ParseError` if it is not one."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ParseError(f"{where}.{key} is missing or not a string")
    if not is_wix_id(value):
        # The ID itself is not quoted raw: it is what was unsafe.
        raise ParseError(f"{where}.{key} is not a Wix ID ({ID_RULE}): {visible(value, limit=40)!r}")
    return value


def _str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    """An optional text field, made safe to show; ``default`` when missing or not text."""
    value = data.get(key)
    return visible(value) if isinstance(value, str) else default


def _raw_str(data: Mapping[str, Any], key: str) -> str:
    """Text as Wix sent it: only for matching (an enum value), never for showing."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _bool(data: Mapping[str, Any], key: str) -> bool:
    return data.get(key) is True


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    # proto3 JSON sends 64-bit integers as strings
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def parse_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _list(
    data: Mapping[str, Any], key: str, item: Callable[[object, str], T], where: str
) -> list[T]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{where}.{key} should be a list")
    return [item(entry, f"{where}.{key}[{i}]") for i, entry in enumerate(value)]


# --- Sender Emails -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SenderEmail:
    id: str
    email_address: str
    verified: bool
    created_date: datetime | None = None
    updated_date: datetime | None = None

    @property
    def domain(self) -> str:
        return self.email_address.rpartition("@")[2].lower()

    @classmethod
    def parse(cls, data: object, where: str = "senderEmail") -> SenderEmail:
        obj = _obj(data, where)
        return cls(
            id=_required_id(obj, "id", where),
            email_address=_required_str(obj, "emailAddress", where),
            verified=_bool(obj, "verified"),
            created_date=parse_datetime(obj.get("createdDate")),
            updated_date=parse_datetime(obj.get("updatedDate")),
        )


# --- Sender Details ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SenderDetails:
    id: str
    from_name: str
    from_email_address: str
    default: bool = False
    created_date: datetime | None = None
    updated_date: datetime | None = None

    @property
    def domain(self) -> str:
        return self.from_email_address.rpartition("@")[2].lower()

    @classmethod
    def parse(cls, data: object, where: str = "senderDetails") -> SenderDetails:
        obj = _obj(data, where)
        return cls(
            id=_required_id(obj, "id", where),
            from_name=_str(obj, "fromName"),
            from_email_address=_required_str(obj, "fromEmailAddress", where),
            default=_bool(obj, "default"),
            created_date=parse_datetime(obj.get("createdDate")),
            updated_date=parse_datetime(obj.get("updatedDate")),
        )


# --- Sending Domains -----------------------------------------------------------------------


UNKNOWN_TYPE = "UNKNOWN_TYPE"
"""The protobuf default of ``DnsRecord.type`` (fact sheet §1.2): no type said, not a DNS type."""


def record_type(raw: str) -> str:
    """The DNS type to publish for a record whose ``type`` Wix sent as ``raw``: CNAME when it is
    missing, empty or ``UNKNOWN_TYPE`` (Wix documents only CNAME records, so a zone file never
    gets ``UNKNOWN_TYPE``), else the value upper-cased (and made visible)."""
    text = raw.strip().upper()
    if not text or text == UNKNOWN_TYPE:
        return "CNAME"
    return visible(text)


@dataclass(frozen=True, slots=True)
class DnsRecord:
    """One record to publish. Wix's typings make ``hostName``, ``value`` and ``type`` optional
    (fact sheet §1.2), so none of them fails the domain: a record without a host name or a
    value is kept and marked :attr:`incomplete` (shown as such, not exported, not watched),
    and a missing or ``UNKNOWN_TYPE`` type reads as CNAME, with what Wix sent kept in
    :attr:`type_raw`."""

    host_name: str
    value: str
    type: str = "CNAME"
    type_raw: str = ""
    """``type`` as Wix sent it (made visible): "" when absent, ``UNKNOWN_TYPE``, ``CNAME``..."""

    @property
    def incomplete(self) -> bool:
        """Wix sent this record without a host name or a value: it cannot be published yet."""
        return not self.host_name.strip() or not self.value.strip()

    @property
    def missing(self) -> str:
        """What an incomplete record lacks, in words ("a value", "a host name and a value")."""
        parts = [
            what
            for what, text in (("a host name", self.host_name), ("a value", self.value))
            if not text.strip()
        ]
        return " and ".join(parts)

    @classmethod
    def parse(cls, data: object, where: str = "dnsRecord") -> DnsRecord:
        # Not even an object (null, a string): kept as a record with nothing in it, so the
        # domain and its other records still show.
        obj = data if isinstance(data, Mapping) else {}
        raw_type = _raw_str(obj, "type")
        return cls(
            host_name=_str(obj, "hostName"),
            value=_str(obj, "value"),
            type=record_type(raw_type),
            type_raw=visible(raw_type),
        )


@dataclass(frozen=True, slots=True)
class SendingDomain:
    id: str
    domain: str
    status: DomainStatus
    status_raw: str
    dns_records: tuple[DnsRecord, ...] = ()
    created_date: datetime | None = None

    @property
    def status_label(self) -> str:
        return describe_enum(self.status, self.status_raw)

    @property
    def incomplete_records(self) -> tuple[DnsRecord, ...]:
        """The records Wix sent without a host name or a value (read the domain again later)."""
        return tuple(r for r in self.dns_records if r.incomplete)

    @classmethod
    def parse(cls, data: object, where: str = "sendingDomain") -> SendingDomain:
        obj = _obj(data, where)
        raw_status = _raw_str(obj, "status")
        return cls(
            id=_required_id(obj, "id", where),
            domain=_required_str(obj, "domain", where),
            status=enum_value(DomainStatus, raw_status),
            status_raw=visible(raw_status),
            dns_records=tuple(_list(obj, "dnsRecords", DnsRecord.parse, where)),
            created_date=parse_datetime(obj.get("createdDate")),
        )


# --- Account Details -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quota:
    campaigns: int | None = None
    emails: int | None = None

    @classmethod
    def parse(cls, data: object) -> Quota:
        if not isinstance(data, Mapping):
            return cls()
        return cls(campaigns=_int(data, "campaigns"), emails=_int(data, "emails"))


class BillingCycle(StrEnum):
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"
    TWO_YEARS = "TWO_YEARS"
    UNKNOWN = "UNKNOWN"


def _flag(data: Mapping[str, Any], key: str) -> bool | None:
    """An optional boolean: ``None`` when absent or not a JSON boolean (never guessed)."""
    value = data.get(key)
    return value if isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Features:
    """``accountDetails.features`` (fact sheet §4): from the typings only (``@internal`` in one
    of them, on no doc page), so every flag is ``None`` when Wix did not send it, and
    :attr:`sent` says whether the object came at all. Never guess from a missing flag."""

    sent: bool = False
    multiple_sender_details: bool | None = None
    remove_wix_branding: bool | None = None
    scheduling: bool | None = None

    @classmethod
    def parse(cls, data: object) -> Features:
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            sent=True,
            multiple_sender_details=_flag(data, "multipleSenderDetails"),
            remove_wix_branding=_flag(data, "removeWixBranding"),
            scheduling=_flag(data, "scheduling"),
        )


# How much of ``trackingSettings`` (whose inner names no source gives) is kept: flat values only.
_TRACKING_KEYS = 20


def _tracking(data: object) -> dict[str, bool | int | str] | None:
    """``trackingSettings`` as its flat values (nested ones are dropped), strings made visible;
    ``None`` when Wix did not send the object."""
    if not isinstance(data, Mapping):
        return None
    kept: dict[str, bool | int | str] = {}
    for key, value in islice(data.items(), _TRACKING_KEYS):
        if isinstance(value, str):
            kept[visible(str(key), limit=100)] = visible(value, limit=200)
        elif isinstance(value, bool | int):
            kept[visible(str(key), limit=100)] = value
    return kept


@dataclass(frozen=True, slots=True)
class AccountDetails:
    status: AccountStatus
    status_raw: str
    package_id: str = ""
    package_group: str = ""
    monthly_quota: Quota = field(default_factory=Quota)
    quota_used: Quota = field(default_factory=Quota)
    quota_period_from: datetime | None = None
    quota_period_to: datetime | None = None
    max_campaign_audience_size: int | None = None
    billing_cycle: BillingCycle = BillingCycle.UNKNOWN
    billing_cycle_raw: str = ""
    top_tier: bool | None = None
    features: Features = field(default_factory=Features)
    tracking_settings: Mapping[str, bool | int | str] | None = None
    """Flat values of ``trackingSettings`` (inner names unconfirmed); ``None`` when absent."""

    @property
    def status_label(self) -> str:
        return describe_enum(self.status, self.status_raw)

    @property
    def emails_left(self) -> int | None:
        """Emails left this period; ``None`` when unknown or unlimited (-1)."""
        allowed, used = self.monthly_quota.emails, self.quota_used.emails
        if allowed is None or allowed < 0 or used is None:
            return None
        return max(0, allowed - used)

    @classmethod
    def parse(cls, data: object, where: str = "accountDetails") -> AccountDetails:
        obj = _obj(data, where)
        raw_status = _raw_str(obj, "status")
        package = obj.get("package")
        package = package if isinstance(package, Mapping) else {}
        period = obj.get("quotaPeriod")
        period = period if isinstance(period, Mapping) else {}
        raw_cycle = _raw_str(package, "billingCycle")
        return cls(
            status=enum_value(AccountStatus, raw_status),
            status_raw=visible(raw_status),
            package_id=_str(package, "id"),
            package_group=_str(package, "group"),
            monthly_quota=Quota.parse(package.get("monthlyQuotaAllocation")),
            quota_used=Quota.parse(period.get("quotaUsage")),
            quota_period_from=parse_datetime(period.get("dateFrom")),
            quota_period_to=parse_datetime(period.get("dateTo")),
            max_campaign_audience_size=_int(obj, "maxCampaignAudienceSize"),
            billing_cycle=enum_value(BillingCycle, raw_cycle),
            billing_cycle_raw=visible(raw_cycle),
            top_tier=_flag(package, "topTier"),
            features=Features.parse(obj.get("features")),
            tracking_settings=_tracking(obj.get("trackingSettings")),
        )

    @property
    def billing_cycle_label(self) -> str:
        return describe_enum(self.billing_cycle, self.billing_cycle_raw)


# --- paging --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a cursor-paged list. ``next_cursor`` is ``None`` on the last page."""

    items: tuple[T, ...]
    next_cursor: str | None

    @classmethod
    def parse(cls, data: object, key: str, item: Callable[[object, str], T]) -> Page[T]:
        data = _obj(data, "response")
        items = tuple(_list(data, key, item, "response"))
        meta = data.get("pagingMetadata")
        meta = meta if isinstance(meta, Mapping) else {}
        cursors = meta.get("cursors")
        cursors = cursors if isinstance(cursors, Mapping) else {}
        cursor = cursors.get("next")
        # Kept raw: it is only ever sent back to Wix (httpx percent-encodes it), never shown,
        # and an escaped or shortened cursor would page somewhere else.
        next_cursor = cursor if isinstance(cursor, str) and cursor else None
        # Some Wix lists send hasNext=false with a leftover cursor; trust hasNext when present.
        if meta.get("hasNext") is False:
            next_cursor = None
        return cls(items=items, next_cursor=next_cursor)
