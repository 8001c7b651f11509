"""Sender Emails state machine for one site: register, mail a code, verify, delete.

Pure functions over a :class:`~tui.sandbox.models.Site`; the world holds the lock and owns the
mailbox. Error codes chosen where Wix's names are unconfirmed (fact sheet §2.3) [INFERRED]:

- duplicate create -> 409 ``ALREADY_EXISTS``
- send code / verify on a verified address -> 409 ``SENDER_EMAIL_ALREADY_VERIFIED``
- wrong / stale / never-sent code -> 400 field violation on ``verificationCode``
  (``violatedRule`` ``CUSTOM``, description says which case)
- ``verificationCode`` missing or empty -> 400 ``REQUIRED``; 1-2 characters -> 400 ``MIN``
  (``data.threshold`` 3); more than 10 -> 400 ``MAX`` (``data.threshold`` 10). Wix documents
  3-10 characters (fact sheet §2.1): a length violation is a validation error, not a wrong code.
- verify answers ``{}`` (re-Get to see ``verified: true``); delete answers ``{}``
- send code more than 5 times for one sender email within a rolling hour of world time -> 428
  ``VERIFICATION_CODE_LIMIT_REACHED`` with ``data.retryAfterSeconds`` (world seconds until the
  next send is allowed). Wix documents one 428 for Send Verification Code without saying what
  it means; a resend limit is the sandbox's reading of it, and the limit, the window and the
  code name are all [INFERRED]. The already-verified 409 is checked first; a refused send does
  not count, and neither does anything from before a reset (the seeded pending code counts).
  The count belongs to the sender email: deleting and re-creating the address starts afresh.

Codes are six digits (100000-999999), never expire, and only the most recent one per address is
accepted. Deleting an address leaves sender details that use it alone (no rule is documented).
Request validation runs before the id lookup, so a bad body on an unknown id is a 400, not 404.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from tui.sandbox.errors import (
    SandboxError,
    conflict,
    failed_precondition,
    invalid,
    not_found,
    violation,
)
from tui.sandbox.models import Env, SenderEmail, Site, iso
from tui.sandbox.paging import page_of, page_request
from tui.sandbox.validation import email_violations, same_address

VERIFICATION_CODE_MIN_LENGTH = 3
VERIFICATION_CODE_MAX_LENGTH = 10
CODES_PER_WINDOW = 5
CODE_WINDOW = timedelta(hours=1)


def find(site: Site, sender_email_id: str) -> SenderEmail:
    found = site.sender_emails.get(sender_email_id)
    if found is None:
        raise not_found("sender email", sender_email_id)
    return found


def find_by_address(site: Site, address: str) -> SenderEmail | None:
    for sender_email in site.sender_emails.values():
        if same_address(sender_email.email_address, address):
            return sender_email
    return None


def add(site: Site, address: str, env: Env, extended_fields: Any = None) -> SenderEmail:
    """Store a new address; it is born verified if it is one Wix vouches for."""
    sender_email = SenderEmail(
        id=env.new_id(),
        email_address=address,
        verified=address.casefold() in site.auto_verified,
        created=env.now,
        updated=env.now,
        extended_fields=extended_fields if isinstance(extended_fields, dict) else None,
    )
    site.sender_emails[sender_email.id] = sender_email
    return sender_email


def create(site: Site, payload: Any, env: Env) -> SenderEmail:
    if not isinstance(payload, dict):
        raise invalid([violation("senderEmail", "is required", "REQUIRED")])
    address = payload.get("emailAddress")
    problems = email_violations("senderEmail.emailAddress", address)
    if problems:
        raise invalid(problems)
    existing = find_by_address(site, address)
    if existing is not None:
        raise conflict(
            "ALREADY_EXISTS",
            f"sender email {address!r} already exists",
            {"senderEmailId": existing.id},
        )
    return add(site, address, env, payload.get("extendedFields"))


def get_or_create(site: Site, address: Any, env: Env) -> SenderEmail:
    problems = email_violations("emailAddress", address)
    if problems:
        raise invalid(problems)
    return find_by_address(site, address) or add(site, address, env)


def listing(
    site: Site, email_filter: str | None, limit: str | None, cursor: str | None
) -> dict[str, Any]:
    request = page_request("sender-emails", limit, cursor, {"emailAddress": email_filter})
    wanted = request.filter.get("emailAddress")
    items = [
        s
        for s in site.sender_emails.values()
        if not wanted or same_address(s.email_address, wanted)
    ]
    chunk, metadata = page_of("sender-emails", items, request)
    return {"senderEmails": [s.to_json() for s in chunk], "pagingMetadata": metadata}


def send_verification_code(site: Site, sender_email_id: str, env: Env) -> tuple[SenderEmail, str]:
    """Issue a fresh code (replacing older ones); the caller delivers it to the mailbox."""
    sender_email = find(site, sender_email_id)
    if sender_email.verified:
        raise conflict(
            "SENDER_EMAIL_ALREADY_VERIFIED",
            f"sender email {sender_email.email_address!r} is already verified",
            {"senderEmailId": sender_email.id},
        )
    recent = _recent_sends(site, sender_email.id, env.now)
    if len(recent) >= CODES_PER_WINDOW:
        raise _limit_reached(sender_email, recent[-CODES_PER_WINDOW] + CODE_WINDOW, env.now)
    code = env.new_code()
    site.codes_sent.setdefault(sender_email.id, []).append(code)
    recent.append(env.now)
    return sender_email, code


def _recent_sends(site: Site, sender_email_id: str, now: datetime) -> list[datetime]:
    """The sends still inside the rolling window (older ones are dropped for good)."""
    recent = [t for t in site.code_send_times.get(sender_email_id, []) if t > now - CODE_WINDOW]
    site.code_send_times[sender_email_id] = recent
    return recent


def _limit_reached(
    sender_email: SenderEmail, next_allowed: datetime, now: datetime
) -> SandboxError:
    retry_after = max(1, math.ceil((next_allowed - now).total_seconds()))
    return failed_precondition(
        "VERIFICATION_CODE_LIMIT_REACHED",
        f"at most {CODES_PER_WINDOW} verification codes per hour can be sent to "
        f"{sender_email.email_address!r}; the next one can be sent at {iso(next_allowed)} "
        "(world time)",
        {"retryAfterSeconds": retry_after},
    )


def verify(site: Site, sender_email_id: str, body: dict[str, Any], env: Env) -> SenderEmail:
    code = body.get("verificationCode")
    if code is None or code == "":
        raise invalid([violation("verificationCode", "is required", "REQUIRED")])
    if not isinstance(code, str):
        raise invalid([violation("verificationCode", "must be a string", "FORMAT")])
    if len(code) < VERIFICATION_CODE_MIN_LENGTH:
        raise invalid(
            [
                violation(
                    "verificationCode",
                    f"must be at least {VERIFICATION_CODE_MIN_LENGTH} characters",
                    "MIN",
                    {"threshold": VERIFICATION_CODE_MIN_LENGTH},
                )
            ]
        )
    if len(code) > VERIFICATION_CODE_MAX_LENGTH:
        raise invalid(
            [
                violation(
                    "verificationCode",
                    f"must be at most {VERIFICATION_CODE_MAX_LENGTH} characters",
                    "MAX",
                    {"threshold": VERIFICATION_CODE_MAX_LENGTH},
                )
            ]
        )
    sender_email = find(site, sender_email_id)
    if sender_email.verified:
        raise conflict(
            "SENDER_EMAIL_ALREADY_VERIFIED",
            f"sender email {sender_email.email_address!r} is already verified",
            {"senderEmailId": sender_email.id},
        )
    sent = site.codes_sent.get(sender_email.id, [])
    if not sent:
        description = "no verification code was sent to this address; send one first"
    elif code.strip() == sent[-1]:
        sender_email.verified = True
        sender_email.updated = env.now
        return sender_email
    elif code.strip() in sent:
        description = "this code was replaced by a newer one; use the latest code sent"
    else:
        description = "the verification code is wrong"
    raise invalid([violation("verificationCode", description, "CUSTOM")], message=description)


def delete(site: Site, sender_email_id: str) -> None:
    # Sender details that use the address are left alone (Wix documents no rule here).
    find(site, sender_email_id)
    del site.sender_emails[sender_email_id]
    site.codes_sent.pop(sender_email_id, None)
    site.code_send_times.pop(sender_email_id, None)
