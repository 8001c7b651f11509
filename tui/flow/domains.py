"""Rules about sending domains and their DNS records: which domains Wix may have made, which
records the propagation engine must look for, and whether the zone's own servers serve them."""

from __future__ import annotations

from collections.abc import Sequence

from tui.flow.journey import PUBLIC_MAILBOX_DOMAINS
from tui.propagation.model import NO_SIGNAL, ExpectedRecord, Report, Role, Status
from tui.wix.models import SenderDetails, SenderEmail, SendingDomain


def custom_domains(details: Sequence[SenderDetails], emails: Sequence[SenderEmail]) -> list[str]:
    """The domains Wix may have a sending domain for: those of the sender details and of the
    verified sender emails, less public mailbox domains (they never get one). In that order,
    without repeats."""
    names = [d.domain for d in details] + [e.domain for e in emails if e.verified]
    return [n for n in dict.fromkeys(names) if n and n not in PUBLIC_MAILBOX_DOMAINS]


def expected_records(domain: SendingDomain) -> list[ExpectedRecord]:
    """The CNAMEs the DNS host must serve for ``domain``, as the engine compares them: lower
    case, no final dot. Records of another type (Wix documents only CNAME) are not watched."""
    return [
        ExpectedRecord(_plain(r.host_name), _plain(r.value))
        for r in domain.dns_records
        if r.type == "CNAME"
    ]


def _plain(name: str) -> str:
    return name.strip().lower().rstrip(".")


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
