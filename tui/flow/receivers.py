"""What receiving mail servers check on an authenticated From domain (Gmail's and Yahoo's bulk
sender rules since February 2024): one DMARC record that parses, the DKIM keys reachable
through Wix's CNAMEs and aligned with From, one SPF record within 10 lookups."""

from __future__ import annotations

from collections.abc import Sequence

from tui.flow.findings import Action, ActionKind, Evidence, Finding, Severity, SiteFacts
from tui.propagation.mailfacts import MailAuth, aligned, dkim_signing_domain
from tui.wix.models import DomainStatus


def receiver_findings(facts: SiteFacts, earlier: Sequence[Finding]) -> list[Finding]:
    """What receivers check on each authenticated From domain: DMARC published (one record
    that parses), the DKIM keys reachable and aligned with From, SPF valid."""
    removed = {f.domain for f in earlier if f.code == "records_removed"}
    senders = {s.domain for s in facts.sender_details or ()}
    findings: list[Finding] = []
    for domain in facts.domains:
        if domain.mail is None or domain.domain is None:
            continue
        if domain.domain.status is not DomainStatus.AUTHENTICATED or domain.name not in senders:
            continue
        findings += _dmarc(domain.name, domain.mail)
        findings += _spf(domain.name, domain.mail)
        if domain.name not in removed:
            findings += _dkim(domain.name, domain.mail)
    return findings


def suggested_dmarc(domain: str) -> str:
    return f'_dmarc.{domain} TXT "v=DMARC1; p=none; rua=mailto:dmarc@{domain}"'


def _dmarc(name: str, mail: MailAuth) -> list[Finding]:
    dmarc = mail.dmarc
    where = f"TXT {dmarc.found_at or dmarc.asked} at {mail.resolver}"
    if dmarc.error:
        return [_could_not_check(name, "DMARC", dmarc.error, where)]
    if not dmarc.records:
        return [
            Finding(
                "dmarc_missing",
                Severity.WARNING,
                f"{name} publishes no DMARC record",
                "Gmail and Yahoo require DMARC of bulk senders since February 2024. Add this "
                f"TXT record at your DNS host: {suggested_dmarc(name)} (p=none only monitors; "
                "tighten it later).",
                domain=name,
                evidence=(
                    Evidence(
                        f"no v=DMARC1 record at {dmarc.asked}", mail.resolver, mail.checked_at
                    ),
                ),
                action=Action(
                    ActionKind.COPY, "Copy the record", domain=name, text=suggested_dmarc(name)
                ),
            )
        ]
    if len(dmarc.records) > 1:
        return [
            Finding(
                "dmarc_multiple",
                Severity.ERROR,
                f"{name} has {len(dmarc.records)} DMARC records, so receivers use none",
                f"RFC 7489 §6.6.3: with more than one record, DMARC is not applied. Keep one at "
                f"{dmarc.found_at} and delete the others.",
                domain=name,
                evidence=tuple(Evidence(r, where, mail.checked_at) for r in dmarc.records),
                action=Action(
                    ActionKind.COPY, "Copy the records", domain=name, text="\n".join(dmarc.records)
                ),
            )
        ]
    if dmarc.problem:
        return [
            Finding(
                "dmarc_invalid",
                Severity.ERROR,
                f"{name}'s DMARC record does not parse, so receivers ignore it",
                f"{dmarc.problem} Fix the record at your DNS host; a minimal one is "
                f"{suggested_dmarc(name)}.",
                domain=name,
                evidence=(Evidence(dmarc.records[0], where, mail.checked_at),),
                action=Action(
                    ActionKind.COPY, "Copy a valid record", domain=name, text=suggested_dmarc(name)
                ),
            )
        ]
    return []


def _dkim(name: str, mail: MailAuth) -> list[Finding]:
    findings: list[Finding] = []
    missing = [k for k in mail.dkim if not k.found and not k.error]
    if missing:
        findings.append(
            Finding(
                "dkim_key_missing",
                Severity.ERROR,
                f"Receivers cannot read {name}'s DKIM key at {missing[0].name}"
                + (f" and {len(missing) - 1} more" if len(missing) > 1 else ""),
                "The CNAME must lead to Wix's key. Check the record at your DNS host: a CNAME "
                "(not TXT), not proxied, with the value exactly as Wix gives it.",
                domain=name,
                evidence=tuple(
                    Evidence(f"{k.name}: {k.problem or 'no key'}", mail.resolver, mail.checked_at)
                    for k in missing
                ),
                action=Action(ActionKind.SHOW_DOMAIN, "Show its records", domain=name),
            )
        )
    signing = {dkim_signing_domain(k.name) for k in mail.dkim if k.found}
    mode = mail.dmarc.adkim if mail.dmarc.records and not mail.dmarc.problem else "r"
    if signing and not any(aligned(s, name, mode) for s in signing):
        findings.append(
            Finding(
                "dkim_not_aligned",
                Severity.ERROR,
                f"{name}'s DKIM signature is not aligned with the From domain",
                f"The keys sign for {', '.join(sorted(signing))}, but From is @{name}"
                + (" and DMARC asks for strict alignment (adkim=s)" if mode == "s" else "")
                + ": use sender details on the authenticated domain itself.",
                domain=name,
                evidence=(Evidence(f"DKIM d= {', '.join(sorted(signing))}; From @{name}"),),
                action=Action(ActionKind.SHOW_SENDERS, "Show the senders"),
            )
        )
    return findings


def _spf(name: str, mail: MailAuth) -> list[Finding]:
    spf = mail.spf
    where = f"TXT {spf.asked} at {mail.resolver}"
    if spf.error:
        return [_could_not_check(name, "SPF", spf.error, where)]
    if len(spf.records) > 1:
        return [
            Finding(
                "spf_multiple",
                Severity.ERROR,
                f"{name} has {len(spf.records)} SPF records: every SPF check fails (permerror)",
                "RFC 7208 §4.5: a domain has one SPF record. Merge them into one at your DNS host.",
                domain=name,
                evidence=tuple(Evidence(r, where, mail.checked_at) for r in spf.records),
                action=Action(
                    ActionKind.COPY, "Copy the records", domain=name, text="\n".join(spf.records)
                ),
            )
        ]
    if spf.records and spf.too_many_lookups:
        count = f"{spf.lookups} " if spf.lookups is not None else "more than 10 "
        return [
            Finding(
                "spf_too_many_lookups",
                Severity.WARNING,
                f"{name}'s SPF needs {count}DNS lookups; receivers stop at 10 (permerror)",
                "Remove include: entries you no longer use, or replace some with the ip4:/ip6: "
                "ranges they stand for, until at most 10 lookups remain.",
                domain=name,
                evidence=(Evidence(spf.records[0], where, mail.checked_at), Evidence(spf.problem)),
                action=Action(ActionKind.COPY, "Copy the record", domain=name, text=spf.records[0]),
            )
        ]
    if spf.records and spf.problem:
        return [
            Finding(
                "spf_invalid",
                Severity.WARNING,
                f"{name}'s SPF record does not parse (permerror at receivers)",
                f"{spf.problem} Fix the record at your DNS host.",
                domain=name,
                evidence=(Evidence(spf.records[0], where, mail.checked_at),),
                action=Action(ActionKind.COPY, "Copy the record", domain=name, text=spf.records[0]),
            )
        ]
    return []


def _could_not_check(name: str, what: str, error: str, where: str) -> Finding:
    return Finding(
        f"{what.lower()}_not_checked",
        Severity.INFO,
        f"{name}'s {what} record could not be checked",
        f"{error} Check again later.",
        domain=name,
        evidence=(Evidence(error, where),),
        action=Action(ActionKind.RECHECK, "Check again"),
    )
