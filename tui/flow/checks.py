"""Checks for what the user types in the sender forms: an email address, a from-name, a
verification code.

Each returns "" when the value may be sent, else one sentence saying what to fix. The forms run
them before any call, so nothing reaches Wix while a field is invalid. The limits are the fact
sheet's (shared/reference/wix-api.md §2.1, §2.2, §3.1).
"""

from __future__ import annotations

import re

EMAIL_MIN_LENGTH = 6
EMAIL_MAX_LENGTH = 254
LOCAL_PART_MAX_LENGTH = 64
FROM_NAME_MAX_LENGTH = 100
CODE_MIN_LENGTH = 3
CODE_MAX_LENGTH = 10
CODE_ALPHABET = re.compile(r"[A-Za-z0-9]*")
"""Letters and digits: what the code field lets through (the sandbox sends six digits)."""

_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
EXAMPLE = "e.g. info@example.com"


def email_problem(text: str) -> str:
    """Why ``text`` (already stripped) is not an address Wix would take, or ""."""
    if not text:
        return f"Type the address you want to send from ({EXAMPLE})."
    if any(c.isspace() for c in text):
        return f"An email address has no spaces ({EXAMPLE})."
    if text.count("@") != 1:
        return f"An email address has exactly one @ ({EXAMPLE})."
    local, domain = text.split("@")
    if not local:
        return f"Put the mailbox name before the @ ({EXAMPLE})."
    if not domain:
        return f"Put the domain after the @ ({EXAMPLE})."
    if len(local) > LOCAL_PART_MAX_LENGTH:
        return f"The part before the @ is longer than {LOCAL_PART_MAX_LENGTH} characters."
    if (
        not _LOCAL_PART.fullmatch(local)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
    ):
        return "The part before the @ has characters an email address cannot have."
    labels = domain.rstrip(".").split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        return f"The part after the @ must be a domain such as example.com ({EXAMPLE})."
    if len(text) < EMAIL_MIN_LENGTH:
        return f"Wix takes addresses of at least {EMAIL_MIN_LENGTH} characters."
    if len(text) > EMAIL_MAX_LENGTH:
        return f"Wix takes addresses of at most {EMAIL_MAX_LENGTH} characters."
    return ""


def from_name_problem(text: str) -> str:
    """Why ``text`` cannot be a from-name (1-100 characters, not only spaces), or ""."""
    if not text.strip():
        return "Type the name recipients will see as the sender, e.g. your business name."
    if len(text) > FROM_NAME_MAX_LENGTH:
        return (
            f"The from-name is {len(text)} characters long; Wix takes at most "
            f"{FROM_NAME_MAX_LENGTH}."
        )
    return ""


def code_problem(text: str) -> str:
    """Why ``text`` cannot be a verification code (3-10 letters or digits), or ""."""
    if not text:
        return "Type the code from the email Wix sent."
    if not CODE_ALPHABET.fullmatch(text):
        return "The code has only letters and digits."
    if not CODE_MIN_LENGTH <= len(text) <= CODE_MAX_LENGTH:
        return (
            f"The code has {len(text)} characters; Wix codes have {CODE_MIN_LENGTH} to "
            f"{CODE_MAX_LENGTH} letters or digits."
        )
    return ""


def clean_code(text: str) -> str:
    """A pasted code without the spaces, dashes and dots mail clients and people put in it."""
    return re.sub(r"[\s\-.·]", "", text)
