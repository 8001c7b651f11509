"""The problems ``POST /_sandbox/break`` can put into a world, each made the way it happens.

A troubleshooting check ("doctor") needs, for every finding it can report, a world that shows
exactly that finding. Each problem here is one such change, made through the operations a user
or Wix would use -- a zone edit at the DNS host, an Update Sender Details, an account change --
so the rest of the world reacts as it would (new SOA serials, resolvers' caches that hold the
old answers until their TTLs run out, the per-domain ``SENDER_DETAILS_DO_NOT_EXIST`` gate).

A problem that cannot be made from the world as it is (nothing left to delete, already doubled)
is a 409 and changes nothing. The route itself (body, target, answer) is :mod:`tui.sandbox.breaks`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from tui.sandbox import sender_emails
from tui.sandbox.dns import breakage
from tui.sandbox.errors import ControlError
from tui.sandbox.models import ACCOUNT_STATUSES, SenderDetails, SendingDomain, Site
from tui.sandbox.validation import email_domain, is_custom_domain, same_address

if TYPE_CHECKING:
    from tui.sandbox.dns.world import DnsWorld
    from tui.sandbox.world import World


@dataclass(frozen=True)
class Target:
    """Where a problem goes: a site, and one of its sending domains (None: none needed)."""

    site_id: str
    site: Site
    domain: SendingDomain | None

    @property
    def domain_name(self) -> str:
        if self.domain is None:  # the route gives a domain to every problem that needs one
            raise ControlError(500, "this problem needs a sending domain")
        return self.domain.domain


Apply = Callable[["World", Target], dict[str, Any]]


@dataclass(frozen=True)
class Problem:
    name: str
    description: str
    apply: Apply
    needs_domain: bool = True


# -- Wix's side ---------------------------------------------------------------------------


def _records_removed(world: World, target: Target) -> dict[str, Any]:
    records = target.domain.records if target.domain else ()
    removed = world.unpublish_records(r.host_name for r in records)
    if not removed:
        raise ControlError(409, f"none of {target.domain_name}'s CNAMEs are in its zone")
    return {}


def _on_domain(site: Site, domain: str) -> list[SenderDetails]:
    return [
        d
        for d in site.sender_details.values()
        if email_domain(d.from_email_address).lower() == domain.lower()
    ]


def _sender_moved(world: World, target: Target) -> dict[str, Any]:
    site, domain = target.site, target.domain_name
    moving = _on_domain(site, domain)
    if not moving:
        raise ControlError(409, f"no sender details of this site use an address on {domain}")
    owner = site.owner_email
    if is_custom_domain(email_domain(owner)):
        raise ControlError(
            409, f"the owner's login email {owner} is not on a public mailbox domain"
        )
    existing = sender_emails.find_by_address(site, owner)
    if existing is not None and not existing.verified:
        raise ControlError(409, f"{owner} is a sender email of this site but not verified")
    # Checked first so the move is all or nothing: no two senders may share name and address.
    names = [d.from_name for d in moving]
    names += [
        d.from_name
        for d in site.sender_details.values()
        if same_address(d.from_email_address, owner)
    ]
    if len(set(names)) != len(names):
        raise ControlError(409, f"two senders would share both name and address {owner}")
    email = world.get_or_create_sender_email(target.site_id, owner)["senderEmail"]
    moved = [
        world.update_sender_details(target.site_id, d.id, {"fromEmailAddress": owner})
        for d in moving
    ]
    return {
        "senderEmail": {**email, "added": existing is None},
        "senderDetails": [m["senderDetails"] for m in moved],
    }


def _account_status(status: str) -> Apply:
    def apply(world: World, target: Target) -> dict[str, Any]:
        return {"accountDetails": world.update_account(target.site_id, {"status": status})}

    return apply


def _quota_used(world: World, target: Target) -> dict[str, Any]:
    quota = target.site.account.emails_quota
    if quota < 0:
        raise ControlError(409, "this account's email quota is unlimited: it cannot be used up")
    return {"accountDetails": world.update_account(target.site_id, {"emails_used": quota})}


# -- the DNS host's side --------------------------------------------------------------------


def _in_zone(edit: Callable[[DnsWorld, str], None]) -> Apply:
    def apply(world: World, target: Target) -> dict[str, Any]:
        edit(world.dns, target.domain_name)
        return {}

    return apply


_PROBLEMS = (
    Problem(
        "records-removed",
        "the domain's CNAMEs deleted at the DNS host; Wix still says AUTHENTICATED",
        _records_removed,
    ),
    Problem(
        "sender-moved",
        "the domain's sender details moved to the owner's public mailbox address (made a "
        "verified sender email if needed); the domain answers 428 SENDER_DETAILS_DO_NOT_EXIST",
        _sender_moved,
    ),
    *(
        Problem(
            f"account-{status}",
            f"the email-marketing account's status set to {status}",
            _account_status(status),
            needs_domain=False,
        )
        for status in ACCOUNT_STATUSES
    ),
    Problem(
        "quota-used",
        "emails used this month set to the plan's monthly allocation",
        _quota_used,
        needs_domain=False,
    ),
    Problem(
        "no-dmarc", "the DMARC record at _dmarc.<domain> deleted", _in_zone(breakage.remove_dmarc)
    ),
    Problem(
        "two-dmarc",
        "a second, different DMARC record added at _dmarc.<domain>",
        _in_zone(breakage.double_dmarc),
    ),
    Problem(
        "bad-dmarc",
        "the DMARC record replaced by a malformed one (v=DMARC1; p=maybe)",
        _in_zone(breakage.malform_dmarc),
    ),
    Problem(
        "spf-too-many-lookups",
        "the SPF at <domain> replaced by one with 11 includes (more than 10 DNS lookups), each "
        "a valid SPF of ip4 terms at mailhost.example",
        _in_zone(breakage.too_many_lookups),
    ),
    Problem(
        "two-spf",
        "a second, different SPF record added at <domain>",
        _in_zone(breakage.double_spf),
    ),
)

PROBLEMS: Mapping[str, Problem] = MappingProxyType({p.name: p for p in _PROBLEMS})
