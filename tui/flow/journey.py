"""The next step of the journey (DESIGN.md): from what the API says, which of
"add a sender email → verify it → create sender details → wait for the domain → add the DNS
records → authenticate" is next, in one sentence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from tui.wix.models import DomainStatus, SenderDetails, SenderEmail, SendingDomain

if TYPE_CHECKING:  # a type only: deciding the next step loads none of the DNS package
    from tui.propagation.model import Report

# Public mailbox domains never get a sending domain (fact sheet §1.5, inferred).
PUBLIC_MAILBOX_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com",
        "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
        "yandex.com", "mail.com", "zoho.com", "msn.com", "yahoo.co.uk", "web.de",
    }
)  # fmt: skip


class Step(StrEnum):
    ADD_SENDER_EMAIL = "add_sender_email"
    VERIFY_EMAIL = "verify_email"
    CREATE_SENDER_DETAILS = "create_sender_details"
    USE_CUSTOM_DOMAIN = "use_custom_domain"
    WAIT_FOR_DOMAIN = "wait_for_domain"
    ADD_DNS_RECORDS = "add_dns_records"
    AUTHENTICATED = "authenticated"
    UNKNOWN_STATUS = "unknown_status"


@dataclass(frozen=True)
class Next:
    step: Step
    sentence: str
    domain: str | None = None


@dataclass(frozen=True)
class DnsProgress:
    """What the last propagation check of a domain's records found, for the next step."""

    visible: bool  # every record at every resolver that answered
    sentence: str  # the check's overall ETA, or what stands in its way


def dns_progress(report: Report) -> DnsProgress:
    """From the last propagation check's report."""
    return DnsProgress(visible=report.eta.ready, sentence=report.eta.sentence)


def next_step(
    emails: Sequence[SenderEmail],
    details: Sequence[SenderDetails],
    domains: Sequence[SendingDomain],
    dns: Mapping[str, DnsProgress] | None = None,
) -> Next:
    """``dns``: the last propagation check per domain name, when there was one."""
    if not emails:
        return Next(Step.ADD_SENDER_EMAIL, "Add the address you want to send from.")
    verified = [e for e in emails if e.verified]
    if not verified:
        return Next(
            Step.VERIFY_EMAIL,
            f"Verify {emails[0].email_address}: send the code, then enter it from the inbox.",
        )
    if not details:
        return Next(
            Step.CREATE_SENDER_DETAILS,
            f"Create sender details (a from-name) for {verified[0].email_address}; this "
            "unlocks the sending domain.",
        )
    default = next((d for d in details if d.default), details[0])
    domain_name = default.domain
    if domain_name in PUBLIC_MAILBOX_DOMAINS:
        return Next(
            Step.USE_CUSTOM_DOMAIN,
            f"{default.from_email_address} is on a public mailbox domain: Wix sends it from a "
            "Wix address. Verify an address on your own domain to send from it.",
        )
    domain = next((d for d in domains if d.domain.lower() == domain_name), None)
    if domain is None or domain.status is DomainStatus.INITIALIZING:
        return Next(
            Step.WAIT_FOR_DOMAIN,
            f"Wix is preparing {domain_name}'s DNS records (usually 1-5 minutes).",
            domain_name,
        )
    if domain.status is DomainStatus.AUTHENTICATED:
        return Next(
            Step.AUTHENTICATED,
            f"{domain_name} is authenticated: email goes out from your own domain.",
            domain_name,
        )
    progress = (dns or {}).get(domain_name)
    if domain.status is DomainStatus.NOT_AUTHENTICATED and progress is not None:
        if progress.visible:
            sentence = (
                f"All of {domain_name}'s records are visible: authenticate it (t, in Domains) "
                "once the schedule allows."
            )
        else:
            sentence = f"{domain_name}: {progress.sentence}"
        return Next(Step.ADD_DNS_RECORDS, sentence, domain_name)
    if domain.status is DomainStatus.NOT_AUTHENTICATED:
        return Next(
            Step.ADD_DNS_RECORDS,
            f"Add {domain_name}'s {len(domain.dns_records)} CNAME records at your DNS host, "
            "watch them propagate, then authenticate.",
            domain_name,
        )
    return Next(
        Step.UNKNOWN_STATUS,
        f"{domain_name} has a status this app does not know ({domain.status_label}); check "
        "the Wix dashboard.",
        domain_name,
    )
