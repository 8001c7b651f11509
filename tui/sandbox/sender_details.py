"""Sender Details state machine for one site (the new ``sender-details/v1`` API).

Rules from the docs (fact sheet §3.1): the address must be a verified sender email, the first
sender is the default, the default cannot be deleted, more than one sender needs a Core/Advanced
plan, and no two senders share both name and address. Creating (or updating to) an address on a
custom domain makes that domain's sending domain appear; deleting the last sender details on a
domain, or moving them to an address on another domain, closes that domain's sending domain
(Get/Query/Authenticate answer 428 ``SENDER_DETAILS_DO_NOT_EXIST``, see
:mod:`tui.sandbox.sending_domains`) without deleting it. Mark As Default answers ``{}``
(the world drops what :func:`mark_as_default` returns).

Whether a second sender is allowed is ``features.multipleSenderDetails`` of Account Details
(``Account.multiple_senders``), so the rule and what Account Details says never disagree.

Error codes where Wix's names are unconfirmed [INFERRED] (Wix publishes none for these; the
names are the sandbox's own, and clients must not infer a cause from them, fact sheet §3.1):

- address not a verified sender email of the site -> 428 ``SENDER_EMAIL_NOT_VERIFIED``
- second sender on a single-sender plan -> 428 ``PLAN_DOES_NOT_SUPPORT_MULTIPLE_SENDERS``
- deleting the default -> 428 ``CANNOT_DELETE_DEFAULT_SENDER_DETAILS``
- same name + address twice -> 409 ``ALREADY_EXISTS``
- get default with none -> 404 ``NOT_FOUND``
"""

from __future__ import annotations

from typing import Any

from tui.sandbox import sender_emails, sending_domains
from tui.sandbox.errors import (
    SandboxError,
    conflict,
    failed_precondition,
    invalid,
    not_found,
    violation,
)
from tui.sandbox.models import Env, SenderDetails, Site
from tui.sandbox.paging import page_of, page_request
from tui.sandbox.validation import (
    email_domain,
    email_violations,
    same_address,
    text_violations,
)

FROM_NAME_MAX_LENGTH = 100


def find(site: Site, sender_details_id: str) -> SenderDetails:
    found = site.sender_details.get(sender_details_id)
    if found is None:
        raise not_found("sender details", sender_details_id)
    return found


def _require_verified(site: Site, address: str) -> None:
    sender_email = sender_emails.find_by_address(site, address)
    if sender_email is None or not sender_email.verified:
        state = "is not verified" if sender_email else "is not a sender email of this site"
        raise failed_precondition(
            "SENDER_EMAIL_NOT_VERIFIED",
            f"{address!r} {state}; verify it with the Sender Emails API first",
            {"fromEmailAddress": address},
        )


def _require_unique(site: Site, name: str, address: str, ignore_id: str | None = None) -> None:
    for other in site.sender_details.values():
        if (
            other.id != ignore_id
            and other.from_name == name
            and same_address(other.from_email_address, address)
        ):
            raise conflict(
                "ALREADY_EXISTS",
                f"sender details with name {name!r} and address {address!r} already exist",
                {"senderDetailsId": other.id},
            )


def create(site: Site, payload: Any, env: Env) -> SenderDetails:
    if not isinstance(payload, dict):
        raise invalid([violation("senderDetails", "is required", "REQUIRED")])
    name, address = payload.get("fromName"), payload.get("fromEmailAddress")
    problems = text_violations("senderDetails.fromName", name, 1, FROM_NAME_MAX_LENGTH)
    problems += email_violations("senderDetails.fromEmailAddress", address)
    if problems:
        raise invalid(problems)
    _require_verified(site, address)
    _require_unique(site, name, address)
    if site.sender_details and not site.account.multiple_senders:
        raise failed_precondition(
            "PLAN_DOES_NOT_SUPPORT_MULTIPLE_SENDERS",
            f"the {site.account.package_id} plan allows one sender; upgrade to Core or "
            "Advanced to add more",
            {"packageId": site.account.package_id},
        )
    extended = payload.get("extendedFields")
    details = SenderDetails(
        id=env.new_id(),
        from_name=name,
        from_email_address=address,
        default=not site.sender_details,
        created=env.now,
        updated=env.now,
        extended_fields=extended if isinstance(extended, dict) else None,
    )
    site.sender_details[details.id] = details
    sending_domains.ensure_for_domain(site, email_domain(address), env)
    return details


def update(site: Site, sender_details_id: str, payload: Any, env: Env) -> SenderDetails:
    """Change only the fields given; ``default`` and the ids are read-only and ignored."""
    if not isinstance(payload, dict):
        raise invalid([violation("senderDetails", "is required", "REQUIRED")])
    problems = []
    if "fromName" in payload:
        problems += text_violations(
            "senderDetails.fromName", payload["fromName"], 1, FROM_NAME_MAX_LENGTH
        )
    if "fromEmailAddress" in payload:
        problems += email_violations("senderDetails.fromEmailAddress", payload["fromEmailAddress"])
    if problems:
        raise invalid(problems)
    details = find(site, sender_details_id)
    name = payload.get("fromName", details.from_name)
    address = payload.get("fromEmailAddress", details.from_email_address)
    if not same_address(address, details.from_email_address):
        _require_verified(site, address)
    _require_unique(site, name, address, ignore_id=details.id)
    changed = name != details.from_name or address != details.from_email_address
    if isinstance(payload.get("extendedFields"), dict):
        details.extended_fields = payload["extendedFields"]
        changed = True
    details.from_name, details.from_email_address = name, address
    if changed:
        details.updated = env.now
    sending_domains.ensure_for_domain(site, email_domain(address), env)
    return details


def delete(site: Site, sender_details_id: str) -> None:
    details = find(site, sender_details_id)
    if details.default:
        raise failed_precondition(
            "CANNOT_DELETE_DEFAULT_SENDER_DETAILS",
            "the default sender cannot be deleted; mark another sender as default first",
            {"senderDetailsId": details.id},
        )
    del site.sender_details[sender_details_id]


def mark_as_default(site: Site, sender_details_id: str, env: Env) -> SenderDetails:
    chosen = find(site, sender_details_id)
    for details in site.sender_details.values():
        should_be_default = details is chosen
        if details.default != should_be_default:
            details.default = should_be_default
            details.updated = env.now
    return chosen


def get_default(site: Site) -> SenderDetails:
    for details in site.sender_details.values():
        if details.default:
            return details
    raise SandboxError(404, "NOT_FOUND", "this site has no sender details yet, so no default")


def listing(site: Site, limit: str | None, cursor: str | None) -> dict[str, Any]:
    request = page_request("sender-details", limit, cursor, {})
    chunk, metadata = page_of("sender-details", list(site.sender_details.values()), request)
    return {"senderDetails": [d.to_json() for d in chunk], "pagingMetadata": metadata}
