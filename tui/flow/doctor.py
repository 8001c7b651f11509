"""The doctor: every troubleshooting case as a check that turns what was seen into findings.

Users arrive with a symptom ("authentication keeps failing", "it says AUTHENTICATED but mail
doesn't go out"). Each check here reads the facts one check-up gathered (the API's answers,
a propagation sweep, the state history, what a receiver sees in DNS) and says what is wrong,
with the evidence (what was seen, where, when), the fix, and one action the TUI can run.

Pure: no I/O (``tui.checkup`` gathers the facts; the pane and ``wix-sending doctor`` show the
findings). The cases are those of Wix's troubleshooting guide (fact sheet §1.6-1.7, §4, §5.1)
plus what receivers have required of bulk senders since February 2024 (DMARC published, the
From domain aligned with DKIM). :data:`GUIDE_CASES` maps each case of the guide to its codes.
The checks of what DNS says about the records live in ``dns_findings``, those of what receivers
check in ``receivers``; the site's and the domain statuses' checks are here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from tui.flow.dns_findings import authenticated, dns_diagnoses, not_authenticated
from tui.flow.findings import (
    Action,
    ActionKind,
    CallProblem,
    DomainFacts,
    Evidence,
    Finding,
    Severity,
    SiteFacts,
    exit_code,
    headline,
    sort_findings,
)
from tui.flow.journey import PUBLIC_MAILBOX_DOMAINS
from tui.flow.receivers import receiver_findings
from tui.flow.schedule import AUTHENTICATED as ATTEMPT_SUCCEEDED
from tui.store.state import DomainState
from tui.time_words import clock_time, duration
from tui.wix.models import AccountStatus, DomainStatus, SendingDomain

__all__ = [
    "Action",
    "ActionKind",
    "CallProblem",
    "DomainFacts",
    "Evidence",
    "Finding",
    "Severity",
    "SiteFacts",
    "examine",
    "exit_code",
    "headline",
]

SENDER_DETAILS_DO_NOT_EXIST = "SENDER_DETAILS_DO_NOT_EXIST"
INITIALIZING_TOO_LONG = timedelta(minutes=10)
WIX_DASHBOARD = "https://manage.wix.com"
API_KEYS_PAGE = "https://manage.wix.com/account/api-keys"


# --- the guide: each case and the codes that answer it ---------------------------------------

GUIDE_CASES: dict[str, tuple[str, ...]] = {
    # "Authentication fails though I added the records" (propagation, checked too early).
    "authentication fails after adding the DNS records": (
        "records_not_visible",
        "auth_wait",
        "auth_ready",
        "records_not_found_48h",
    ),
    # "SENDER_DETAILS_DO_NOT_EXIST" (site-wide, or for one domain).
    "SENDER_DETAILS_DO_NOT_EXIST": ("no_sender_details", "domain_without_sender_details"),
    # "The domain stays INITIALIZING" / "the DNS records list is empty".
    "domain stuck in INITIALIZING": ("initializing", "initializing_long"),
    "DNS records are empty": ("initializing", "no_dns_records"),
    # "Emails fail to send even though the domain status is AUTHENTICATED".
    "AUTHENTICATED but emails fail to send": (
        "records_removed",
        "sender_on_other_domain",
        "sender_on_public_domain",
        "account_not_active",
        "quota_used_up",
        "missing_permission",
        "dmarc_missing",
        "dmarc_multiple",
        "dmarc_invalid",
        "dkim_key_missing",
        "dkim_not_aligned",
        "spf_multiple",
        "spf_too_many_lookups",
        "spf_invalid",
    ),
}


# What each account status means and what to do (fact sheet §4).
ACCOUNT_FIXES: dict[AccountStatus, tuple[Severity, str]] = {
    AccountStatus.WARNED: (
        Severity.ERROR,
        "The account must accept Wix's terms before it sends again: open Email Marketing in "
        "the Wix dashboard and accept them.",
    ),
    AccountStatus.SUSPENDED: (
        Severity.ERROR,
        "Email marketing is suspended until the compliance questionnaire is filled in: open "
        "Email Marketing in the Wix dashboard and complete it.",
    ),
    AccountStatus.SUSPENDED_AUTOLIFT: (
        Severity.ERROR,
        "The suspension lifts by itself after a while; until then nothing is sent. Wait, or ask "
        "Wix support when it lifts.",
    ),
    AccountStatus.BANNED: (
        Severity.ERROR,
        "The account is banned from email marketing: only Wix support can say why and whether "
        "it can be lifted.",
    ),
    AccountStatus.UNKNOWN: (
        Severity.WARNING,
        "Wix reports a status this app does not know: open Email Marketing in the Wix "
        "dashboard to see what it asks for.",
    ),
}


# --- the checks --------------------------------------------------------------------------------


def examine(facts: SiteFacts) -> list[Finding]:
    """Every finding for the site, grouped by domain (site-wide first) and worst first."""
    blocking = _blocking(facts)
    if blocking is not None:
        return [blocking]
    findings: list[Finding] = []
    findings += _site_findings(facts)
    for domain in facts.domains:
        findings += _domain_findings(domain, facts)
    findings += _sender_findings(facts, findings)
    findings += receiver_findings(facts, findings)
    return sort_findings(findings)


def _blocking(facts: SiteFacts) -> Finding | None:
    """One clear finding when the checks cannot run: Wix unreachable, the key refused, the
    domain asked for not on the site. Anything else would be a cascade of wrong findings."""
    for problem in facts.problems:
        if not problem.reached:
            return Finding(
                "api_unreachable",
                Severity.ERROR,
                "Wix's API could not be reached, so nothing was checked",
                "Check the network (and --wix-base-url / WIX_BASE_URL if you set one), then "
                "run the checks again.",
                evidence=(Evidence(problem.sentence, problem.where or problem.call),),
                action=Action(ActionKind.RECHECK, "Check again"),
                blocks_checks=True,
            )
        if problem.status == 401:
            return Finding(
                "credentials_rejected",
                Severity.ERROR,
                "Wix refused the API key (401), so nothing was checked",
                "The key is wrong, revoked or for another account: create one in the API Keys "
                f"Manager ({API_KEYS_PAGE}) and log in again with it.",
                evidence=(Evidence(problem.sentence, problem.where or problem.call),),
                action=Action(ActionKind.LOGIN, "Log in again"),
                blocks_checks=True,
            )
    if facts.asked_domain:
        asked = facts.asked_domain.lower()
        found = next((d for d in facts.domains if d.name == asked), None)
        # Wix answers SENDER_DETAILS_DO_NOT_EXIST for a domain that is not on the site just as
        # for one whose sender details left: no address of the site on it tells them apart.
        known = site_domains(facts)
        unknown = found is None or (
            found.domain is None and (not found.refused or asked not in known)
        )
        if unknown and facts.sender_details is not None:
            return Finding(
                "domain_not_on_site",
                Severity.ERROR,
                f"{asked} is not a sending domain of this site, so it was not checked",
                f"Check the spelling, or the profile: this site's domains are "
                f"{', '.join(known) or 'none yet'}. A domain appears once sender details use "
                "an address on it.",
                domain=asked,
                evidence=(
                    Evidence(
                        f"no sender details or verified sender email of this site is @{asked}",
                        "List Sender Details, List Sender Emails",
                    ),
                ),
                blocks_checks=True,
            )
    return None


def site_domains(facts: SiteFacts) -> list[str]:
    """The custom domains of the site's sender details and verified sender emails."""
    names = [d.domain for d in facts.sender_details or ()]
    names += [address.rpartition("@")[2].lower() for address in facts.verified_emails]
    return [n for n in dict.fromkeys(names) if n and n not in PUBLIC_MAILBOX_DOMAINS]


def _site_findings(facts: SiteFacts) -> list[Finding]:
    findings: list[Finding] = []
    for problem in facts.problems:
        if problem.status == 403:
            findings.append(_permission(problem))
        elif problem.code == SENDER_DETAILS_DO_NOT_EXIST and problem.call == "sending domains":
            findings.append(_no_sender_details(facts, problem))
    if facts.sender_details == () and not any(f.code == "no_sender_details" for f in findings):
        findings.append(_no_sender_details(facts, None))
    account = facts.account
    if account is not None:
        if account.status is not AccountStatus.ACTIVE:
            severity, fix = ACCOUNT_FIXES[account.status]
            findings.append(
                Finding(
                    "account_not_active",
                    severity,
                    f"The email marketing account is {account.status_label}: nothing is sent",
                    fix,
                    evidence=(Evidence(f"status {account.status_label}", "Account Details"),),
                    action=Action(
                        ActionKind.COPY, "Copy the dashboard's address", text=WIX_DASHBOARD
                    ),
                )
            )
        if account.emails_left == 0:
            allowed = account.monthly_quota.emails
            resets = account.quota_period_to
            when = f" on {clock_time(resets, facts.now, world=facts.world)}" if resets else ""
            findings.append(
                Finding(
                    "quota_used_up",
                    Severity.ERROR,
                    "This month's email quota is used up: no more mail goes out",
                    f"Wait for the quota to reset{when}, or upgrade the plan in the Wix dashboard.",
                    evidence=(
                        Evidence(
                            f"{account.quota_used.emails} of {allowed} emails used "
                            f"(plan {account.package_id or 'unknown'})",
                            "Account Details",
                            resets,
                        ),
                    ),
                    action=Action(
                        ActionKind.COPY, "Copy the dashboard's address", text=WIX_DASHBOARD
                    ),
                )
            )
    return findings


def _permission(problem: CallProblem) -> Finding:
    return Finding(
        "missing_permission",
        Severity.WARNING,
        f"The API key may not read {problem.call} (403), so that part was not checked",
        "Give the key the Email Marketing and Sending Domains permissions in the API Keys "
        f"Manager ({API_KEYS_PAGE}), or log in with a key that has them; check that the site "
        "ID is this key's site.",
        evidence=(Evidence(problem.sentence, problem.where or problem.call),),
        action=Action(ActionKind.LOGIN, "Log in with another key"),
    )


def _no_sender_details(facts: SiteFacts, problem: CallProblem | None) -> Finding:
    seen = [
        Evidence(
            "Wix answered SENDER_DETAILS_DO_NOT_EXIST" if problem else "no sender details",
            problem.where if problem else "List Sender Details",
        )
    ]
    if facts.verified_emails:
        seen.append(Evidence(f"verified sender emails: {', '.join(facts.verified_emails)}"))
    have = "one of the verified addresses" if facts.verified_emails else "a verified address"
    return Finding(
        "no_sender_details",
        Severity.ERROR,
        "The site has no sender details, so Wix keeps its Sending Domains closed",
        f"Create sender details (a from-name and {have}). Can read the inbox: verify an "
        "address with the emailed code. Can't: the site owner verifies it in the Wix dashboard, "
        "then check again.",
        evidence=tuple(seen),
        action=Action(ActionKind.GUIDED_SENDER, "Open the guided fix"),
    )


def _domain_findings(facts: DomainFacts, site: SiteFacts) -> list[Finding]:
    if facts.domain is None:
        if facts.refused == SENDER_DETAILS_DO_NOT_EXIST:
            return [_domain_without_sender(facts, site)]
        return []
    domain = facts.domain
    status = domain.status
    if status is DomainStatus.INITIALIZING:
        return [_initializing(facts, domain, site)]
    if status is DomainStatus.NOT_AUTHENTICATED:
        if not domain.dns_records:
            return [
                Finding(
                    "no_dns_records",
                    Severity.WARNING,
                    f"{facts.name} is NOT_AUTHENTICATED but Wix gave no DNS records",
                    "Records come with NOT_AUTHENTICATED; without them nothing can be "
                    "published. Check again in a few minutes; if they stay empty, ask Wix "
                    "support.",
                    domain=facts.name,
                    evidence=(Evidence("dnsRecords is empty", "Get Sending Domain"),),
                    action=Action(ActionKind.RECHECK, "Check again"),
                )
            ]
        return [*dns_diagnoses(facts), *not_authenticated(facts, site)]
    if status is DomainStatus.AUTHENTICATED:
        return authenticated(facts)
    return []


def _domain_without_sender(facts: DomainFacts, site: SiteFacts) -> Finding:
    """Wix answers SENDER_DETAILS_DO_NOT_EXIST for one domain: no sender details use it. Either
    they did and were moved to another domain (then mail no longer goes out from it), or the
    domain only has a verified address and was never a sender (then it is only worth knowing,
    unless the user asked about it)."""
    details = site.sender_details or ()
    elsewhere = sorted({d.from_email_address for d in details})
    history = facts.history or DomainState()
    authenticated = (history.last_auth_result or "") == ATTEMPT_SUCCEEDED
    was_used = authenticated or any(
        t is not None
        for t in (history.records_first_seen, history.marked_added, history.last_auth_attempt)
    )
    # Sender details only on public mailbox domains while this custom domain has a verified
    # address: the likeliest story is that they were moved off it (or never put on it).
    only_public = bool(details) and all(d.domain in PUBLIC_MAILBOX_DOMAINS for d in details)
    evidence = [
        Evidence(f"Wix answered SENDER_DETAILS_DO_NOT_EXIST for {facts.name}", "Get Sending Domain")
    ]
    if elsewhere:
        evidence.append(Evidence(f"sender details use {', '.join(elsewhere)}"))
    action = Action(ActionKind.GUIDED_SENDER, "Open the guided fix", domain=facts.name)
    if elsewhere and (was_used or only_public):
        public = [a for a in elsewhere if a.rpartition("@")[2] in PUBLIC_MAILBOX_DOMAINS]
        public_words = (
            f" {public[0]} is on a public mailbox domain: Wix sends it from a Wix address."
            if public
            else ""
        )
        return Finding(
            "sender_on_other_domain",
            Severity.ERROR,
            f"No sender details use @{facts.name}"
            + (" any more (it was authenticated)" if authenticated else ""),
            f"Mail goes out from {', '.join(elsewhere)}, not from {facts.name}.{public_words} "
            f"Update the sender details to an address @{facts.name}, or create new ones with it.",
            domain=facts.name,
            evidence=tuple(evidence),
            action=action,
        )
    asked = site.asked_domain == facts.name
    return Finding(
        "domain_without_sender_details",
        Severity.WARNING if asked or not details else Severity.INFO,
        f"Wix keeps {facts.name} closed: no sender details use an address on it",
        f"To send from {facts.name}, create sender details with a verified address on it. Can "
        "read the inbox: verify it with the emailed code. Can't: the site owner verifies it in "
        "the Wix dashboard, then check again.",
        domain=facts.name,
        evidence=tuple(evidence),
        action=action,
    )


def _initializing(facts: DomainFacts, domain: SendingDomain, site: SiteFacts) -> Finding:
    since = domain.created_date
    elapsed = site.now - since if since is not None else None
    evidence = (Evidence("status INITIALIZING, no DNS records yet", "Get Sending Domain", since),)
    if elapsed is not None and elapsed > INITIALIZING_TOO_LONG:
        return Finding(
            "initializing_long",
            Severity.WARNING,
            f"{facts.name} has been INITIALIZING for {duration(elapsed.total_seconds())}",
            "Wix usually makes the records in 1-5 minutes. Keep this open: it checks again by "
            "itself. If it is still INITIALIZING in an hour, ask Wix support.",
            domain=facts.name,
            evidence=evidence,
            action=Action(ActionKind.RECHECK, "Check again"),
        )
    return Finding(
        "initializing",
        Severity.INFO,
        f"Wix is still making the DNS records for {facts.name}",
        "Nothing to do: this usually takes 1-5 minutes, and the records list is empty until "
        "then. The checks run again by themselves.",
        domain=facts.name,
        evidence=evidence,
        action=Action(ActionKind.RECHECK, "Check again"),
    )


def _sender_findings(facts: SiteFacts, earlier: Sequence[Finding]) -> list[Finding]:
    """Sender details on a public mailbox domain: Wix sends them from a Wix address, so the
    site's own domain is not in From. Said once, unless a domain's finding already said it."""
    details = facts.sender_details or ()
    if any(f.code == "sender_on_other_domain" for f in earlier):
        return []
    findings = []
    for sender in details:
        if sender.domain in PUBLIC_MAILBOX_DOMAINS and sender.default:
            findings.append(
                Finding(
                    "sender_on_public_domain",
                    Severity.WARNING,
                    f"The default sender {sender.from_email_address} is on a public mailbox domain",
                    f"Wix sends it from a Wix address ({sender.domain} does not let others send "
                    "as its users), so replies and DMARC are not yours. Use an address on your "
                    "own domain for the sender details.",
                    evidence=(Evidence(f"default sender details: {sender.from_email_address}"),),
                    action=Action(ActionKind.SHOW_SENDERS, "Show the senders"),
                )
            )
    return findings
