"""Field validation shared by the endpoints: email syntax, string lengths, public mailboxes."""

from __future__ import annotations

import re
from typing import Any

from tui.sandbox.errors import violation

EMAIL_MIN_LENGTH = 6
EMAIL_MAX_LENGTH = 254

# A deliberately practical address syntax (not full RFC 5322): dot-atom local part, a domain of
# at least two LDH labels and an alphabetic TLD. Quoted local parts and IP literals are refused,
# which is what mail-marketing products do in practice.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(rf"(?P<local>{_LOCAL})@(?P<domain>(?:{_LABEL}\.)+[A-Za-z]{{2,63}})")

# Mailbox providers whose domains never get a sending domain: users cannot publish DNS records
# there, so Wix sends From its own address with the user's as Reply-To. [INFERRED, fact sheet
# §1.5/§6] Kept here as one list so the rule is easy to extend.
PUBLIC_MAILBOX_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "web.de",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "fastmail.com",
        "tutanota.com",
        "qq.com",
        "163.com",
    }
)


def email_violations(field: str, value: Any) -> list[dict[str, Any]]:
    """Violations for an email-address field (empty list when the value is fine)."""
    if value is None or value == "":
        return [violation(field, "is required", "REQUIRED")]
    if not isinstance(value, str):
        return [violation(field, "must be a string", "FORMAT", {"expected": "EMAIL"})]
    if len(value) < EMAIL_MIN_LENGTH:
        return [
            violation(
                field,
                f"must be at least {EMAIL_MIN_LENGTH} characters",
                "MIN",
                {"threshold": EMAIL_MIN_LENGTH},
            )
        ]
    if len(value) > EMAIL_MAX_LENGTH:
        return [
            violation(
                field,
                f"must be at most {EMAIL_MAX_LENGTH} characters",
                "MAX",
                {"threshold": EMAIL_MAX_LENGTH},
            )
        ]
    match = _EMAIL_RE.fullmatch(value)
    if match is None or len(match["local"]) > 64:
        return [violation(field, "must be a valid email address", "FORMAT", {"expected": "EMAIL"})]
    return []


def text_violations(field: str, value: Any, minimum: int, maximum: int) -> list[dict[str, Any]]:
    """Violations for a plain text field with a length range."""
    if value is None:
        return [violation(field, "is required", "REQUIRED")]
    if not isinstance(value, str):
        return [violation(field, "must be a string", "FORMAT", {"expected": "STRING"})]
    if len(value.strip()) < minimum:
        return [
            violation(
                field, f"must be at least {minimum} characters", "MIN", {"threshold": minimum}
            )
        ]
    if len(value) > maximum:
        return [
            violation(field, f"must be at most {maximum} characters", "MAX", {"threshold": maximum})
        ]
    return []


def email_domain(address: str) -> str:
    """The lower-cased domain part of an (already validated) address."""
    return address.rsplit("@", 1)[1].lower()


def is_custom_domain(domain: str) -> bool:
    """Whether a domain is the user's own (can get a sending domain), not a public mailbox."""
    return domain.lower() not in PUBLIC_MAILBOX_DOMAINS


def same_address(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()
