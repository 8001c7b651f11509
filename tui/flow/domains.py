"""Rules about sending domains and their DNS records: which domains Wix may have made, which
records the propagation engine must look for, and whether the zone's own servers serve them."""

from __future__ import annotations

from collections.abc import Sequence

from tui.flow.journey import PUBLIC_MAILBOX_DOMAINS
from tui.propagation.model import NO_SIGNAL, ExpectedRecord, Report, Role, Status
from tui.propagation.names import InvalidInput, parse_name
from tui.sanitize import visible
from tui.wix.models import DnsRecord, SenderDetails, SenderEmail, SendingDomain


def custom_domains(details: Sequence[SenderDetails], emails: Sequence[SenderEmail]) -> list[str]:
    """The domains Wix may have a sending domain for: those of the sender details and of the
    verified sender emails, less public mailbox domains (they never get one). In that order,
    without repeats."""
    names = [d.domain for d in details] + [e.domain for e in emails if e.verified]
    return [n for n in dict.fromkeys(names) if n and n not in PUBLIC_MAILBOX_DOMAINS]


def expected_records(domain: SendingDomain) -> tuple[list[ExpectedRecord], list[str]]:
    """The CNAMEs the DNS host must serve for ``domain``, as the engine compares them, and one
    sentence per record that cannot be watched.

    Wix's names get the same checks as ``watch HOST=TARGET`` (:func:`parse_name`: IDNA,
    length, labels): a name DNS cannot carry would only ever show as a failure at every
    resolver, so it is refused up front with the reason, and the valid records are still
    watched. A record Wix sent without a host name or a value (its typings make both optional)
    is not watched either, with a sentence saying so. Records of another type (Wix documents
    only CNAME; a missing or UNKNOWN_TYPE type reads as CNAME) are not watched."""
    records: list[ExpectedRecord] = []
    problems: list[str] = []
    for number, record in enumerate(domain.dns_records, 1):
        if record.incomplete:
            problems.append(incomplete_note(record, number))
            continue
        if record.type != "CNAME":
            continue
        try:
            host = parse_name(record.host_name, "host name")
            target = parse_name(record.value, "target")
        except InvalidInput as exc:
            # The reason quotes what Wix sent: shown as plain text, control characters and
            # all made visible.
            problems.append(visible(f"Wix's record for {_quoted(record.host_name)}: {exc}"))
            continue
        records.append(
            ExpectedRecord(host.ascii, target.ascii, display_name=str(host) if host.is_idn else "")
        )
    return records, problems


READ_AGAIN_LATER = "Wix may not have finished it: read the domain again later."


def incomplete_note(record: DnsRecord, number: int) -> str:
    """One sentence for a record Wix sent without a host name or a value: which one, what it
    lacks, and what to do."""
    which = f"for {_quoted(record.host_name)}" if record.host_name.strip() else str(number)
    return f"Wix's record {which} came without {record.missing}. {READ_AGAIN_LATER}"


def _quoted(name: str, limit: int = 60) -> str:
    """A name as quoted in a problem: its repr (quotes, and escapes for odd characters), cut
    to ``limit`` characters, since the reason may be that it is far too long."""
    name = name.strip()
    return repr(name if len(name) <= limit else name[: limit - 1] + "…")


def records_served(report: Report) -> bool:
    """Every record is served by every authoritative server that answered (a dead secondary
    says nothing, so it does not hold the clock back), and by at least one. The schedule's
    1-hour wait before Authenticate starts then."""
    auth = {r.key for r in report.resolvers if r.role is Role.AUTHORITATIVE}
    for record in report.records:
        answered = [
            cell
            for (name, key), cell in report.cells.items()
            if name == record.name and key in auth and cell.status not in NO_SIGNAL
        ]
        if not answered or any(c.status is not Status.OK for c in answered):
            return False
    return bool(report.records)
