"""Turn a :class:`~tui.sandbox.scenarios.Scenario` into live site state.

Seeding goes through the same state-machine functions the API uses where it can (so seeded
objects look exactly like API-created ones) and then sets the few things only time or DNS would
otherwise change: verified flags, domain statuses, ages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from tui.sandbox import sender_emails, sending_domains
from tui.sandbox.auth import ApiKey
from tui.sandbox.models import Account, Env, SenderDetails, Site
from tui.sandbox.scenarios import RESTRICTED_KEY_SCOPES, Scenario, SiteSeed
from tui.sandbox.scopes import ALL_SCOPES
from tui.sandbox.validation import email_domain


@dataclass(frozen=True)
class CodeSent:
    site_id: str
    sender_email_id: str
    to: str
    code: str


@dataclass
class Seeded:
    sites: dict[str, Site] = field(default_factory=dict)
    api_keys: dict[str, ApiKey] = field(default_factory=dict)
    codes_sent: list[CodeSent] = field(default_factory=list)
    published: set[str] = field(default_factory=set)  # domains whose records are in DNS


def seed(scenario: Scenario, env: Env) -> Seeded:
    seeded = Seeded()
    for site_seed in scenario.sites:
        seeded.api_keys[site_seed.api_key] = ApiKey(site_seed.account_id, ALL_SCOPES)
        if site_seed.restricted_api_key:
            seeded.api_keys[site_seed.restricted_api_key] = ApiKey(
                site_seed.account_id, RESTRICTED_KEY_SCOPES
            )
        seeded.sites[site_seed.site_id] = _seed_site(site_seed, env, seeded)
    return seeded


def _aged(env: Env, hours: float) -> Env:
    return replace(env, now=env.now - timedelta(hours=hours))


def _seed_site(spec: SiteSeed, env: Env, seeded: Seeded) -> Site:
    account = Account.on_package(spec.package_id, spec.account_status)
    account.emails_used, account.campaigns_used = spec.emails_used, spec.campaigns_used
    site = Site(
        name=spec.name,
        site_id=spec.site_id,
        account_id=spec.account_id,
        instance_id=spec.instance_id,
        owner_email=spec.owner_email,
        account=account,
        auto_verified={a.casefold() for a in (spec.owner_email, *spec.business_mailboxes)},
        wix_managed_domains={d.lower() for d in spec.wix_managed_domains},
    )
    for email_seed in spec.sender_emails:
        sender_email = sender_emails.add(site, email_seed.address, _aged(env, email_seed.age_hours))
        sender_email.verified = sender_email.verified or email_seed.verified
        if email_seed.code_sent and not sender_email.verified:
            _, code = sender_emails.send_verification_code(site, sender_email.id, env)
            seeded.codes_sent.append(
                CodeSent(site.site_id, sender_email.id, email_seed.address, code)
            )

    has_explicit_default = any(s.default for s in spec.senders)
    for index, sender_seed in enumerate(spec.senders):
        aged = _aged(env, sender_seed.age_hours)
        details = SenderDetails(
            id=env.new_id(),
            from_name=sender_seed.from_name,
            from_email_address=sender_seed.address,
            default=sender_seed.default if has_explicit_default else index == 0,
            created=aged.now,
            updated=aged.now,
        )
        site.sender_details[details.id] = details
        sending_domains.ensure_for_domain(site, email_domain(sender_seed.address), aged)

    for domain_seed in spec.domains:
        aged = _aged(env, domain_seed.age_hours)
        domain = sending_domains.find_by_name(site, domain_seed.domain)
        if domain is None:
            domain = sending_domains.ensure_for_domain(site, domain_seed.domain, aged)
        if domain is None:
            raise ValueError(f"{domain_seed.domain} is a public mailbox domain")
        domain.status = domain_seed.status
        domain.created = aged.now
        domain.ready_at = aged.now + timedelta(seconds=env.initializing_seconds)
        if domain_seed.published:
            seeded.published.add(domain.domain)
    return site
