"""The next step of the journey (DESIGN.md): from what the API says, which of
"add a sender email → verify it → create sender details → wait for the domain → add the DNS
records → authenticate" is next, in one sentence.

The sentence agrees with what the panes show: it is about the domain the Domains pane shows
(``shown``), names the keys the user really has (``keys``: binding id -> key, after the
config's [keymap]), and when the last check found a mistake with a fix ("rename the host"),
it says that fix rather than the general advice. Pure: the screen passes those facts in."""

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


# The bindings the sentences name, with their keys before any [keymap] (tui/screens: the
# Senders and Domains panes' BINDINGS).
DEFAULT_KEYS = {
    "senders-add": "a",
    "senders-verify": "v",
    "details-create": "c",
    "auth-try": "t",
    "pane-doctor": "3",
}

# Diagnoses (propagation.diagnose codes) that name a mistake and its fix: waiting does not
# help, so the next step is that fix. The others (a resolver that cannot reach the zone, a
# cached "does not exist") pass with time, which the ETA says.
FIX_CODES = frozenset(
    {
        "apex_cname",
        "double_suffix",
        "typo_underscore",
        "relative_target",
        "wrong_target",
        "conflict",
        "proxied",
        "flattened",
        "wrong_dns_host",
        "delegation_mismatch",
        "dnssec_broken",
    }
)
_SAME_GOES = " The same goes for "
# "Next:" has two lines or so at 80x24, under which the pane shows the whole diagnosis: a
# diagnosis longer than this (long names quoted in full) is said by its short form here.
NEXT_FIX_CHARS = 160
SHORT_FIXES = {
    "apex_cname": "Move the records off the zone's apex to the host names Wix gave",
    "double_suffix": "The host names carry the domain twice: enter them without it",
    "typo_underscore": "Rename the host: '_domainkey' starts with an underscore",
    "relative_target": "Add a final dot to the records' values at your DNS host",
    "wrong_target": "Correct the records' values to the targets Wix gave",
    "conflict": "Remove the other records at those names",
    "proxied": "Turn the proxy (orange cloud) off for the records",
    "flattened": "Turn CNAME flattening off for the records",
    "wrong_dns_host": "Add the records at the DNS host that serves the zone",
    "delegation_mismatch": "Add the records at the DNS host that really serves the zone",
    "dnssec_broken": "Fix the zone's DNSSEC at your DNS host",
}


@dataclass(frozen=True)
class DnsProgress:
    """What the last propagation check of a domain's records found, for the next step."""

    visible: bool  # every record at every resolver that answered
    sentence: str  # the check's overall ETA, or what stands in its way
    fix: str = ""  # the first diagnosis that says what to change, in its own words


def dns_progress(report: Report) -> DnsProgress:
    """From the last propagation check's report."""
    first = next((d for d in report.diagnoses if d.code in FIX_CODES), None)
    fix = ""
    if first is not None:
        # "The same goes for 4 more record(s)": the pane lists them; the next step is the fix.
        fix = first.sentence.split(_SAME_GOES)[0]
        if len(fix) > NEXT_FIX_CHARS and first.code in SHORT_FIXES:
            fix = f"{SHORT_FIXES[first.code]} (the diagnosis below says how)."
    return DnsProgress(visible=report.eta.ready, sentence=report.eta.sentence, fix=fix)


def next_step(
    emails: Sequence[SenderEmail],
    details: Sequence[SenderDetails],
    domains: Sequence[SendingDomain],
    dns: Mapping[str, DnsProgress] | None = None,
    *,
    shown: str | None = None,
    keys: Mapping[str, str] | None = None,
) -> Next:
    """``dns``: the last propagation check per domain name, when there was one. ``shown``:
    the domain the Domains pane shows, which the sentence is about when it is one of
    ``domains``. ``keys``: binding id -> the key the user presses (DEFAULT_KEYS otherwise)."""
    key = {**DEFAULT_KEYS, **(keys or {})}
    if not emails:
        return Next(
            Step.ADD_SENDER_EMAIL,
            f"Add the address you want to send from: press {key['senders-add']} in Senders.",
        )
    verified = [e for e in emails if e.verified]
    if not verified:
        return Next(
            Step.VERIFY_EMAIL,
            f"Verify {emails[0].email_address}: press {key['senders-verify']} in Senders to "
            "send the code, then enter it from the inbox.",
        )
    if not details:
        return Next(
            Step.CREATE_SENDER_DETAILS,
            f"Create sender details (a from-name) for {verified[0].email_address}: press "
            f"{key['details-create']} in Senders; this unlocks the sending domain.",
        )
    default = next((d for d in details if d.default), details[0])
    known = {d.domain.lower() for d in domains}
    domain_name = shown.lower() if shown and shown.lower() in known else default.domain
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
            f"{domain_name} is authenticated: email goes out from your own domain. The Doctor "
            f"({key['pane-doctor']}) checks that it stays so.",
            domain_name,
        )
    progress = (dns or {}).get(domain_name)
    if domain.status is DomainStatus.NOT_AUTHENTICATED and progress is not None:
        if progress.visible:
            sentence = (
                f"All of {domain_name}'s records are visible: authenticate it (press "
                f"{key['auth-try']} in Domains) once the schedule allows."
            )
        elif progress.fix:
            sentence = f"{domain_name}: {progress.fix}"
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
