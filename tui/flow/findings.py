"""What the doctor reports and what it reads: findings (a stable code, a severity, a title, the
evidence, the fix, one action) and the facts a check-up gathers (``tui.checkup``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from tui.propagation.mailfacts import MailAuth
from tui.propagation.model import Report
from tui.store.state import DomainState
from tui.wix.models import AccountDetails, SenderDetails, SendingDomain


class Severity(IntEnum):
    """How bad a finding is. The CLI exits 1 for WARNING or worse."""

    INFO = 1  # worth knowing; nothing fails because of it
    WARNING = 2  # mail fails at some receivers, or the setup waits on something
    ERROR = 3  # mail from this domain fails, or the setup cannot go on

    @property
    def word(self) -> str:
        return {1: "info", 2: "warning", 3: "error"}[self.value]

    @property
    def glyph(self) -> str:
        return {1: "○", 2: "▲", 3: "✗"}[self.value]


class ActionKind(StrEnum):
    """What the one-key fix of a finding does (the TUI runs it; the CLI prints the fix)."""

    RECHECK = "recheck"  # run the checks again
    SHOW_DOMAIN = "show_domain"  # the Domains pane at this domain (records, grid)
    AUTHENTICATE = "authenticate"  # the Authenticate dialog for this domain
    GUIDED_SENDER = "guided_sender"  # the SENDER_DETAILS_DO_NOT_EXIST guided fix (inbox or not)
    SHOW_SENDERS = "show_senders"  # the Senders pane (sender details to update)
    COPY = "copy"  # copy ``text`` (a record to publish, a page to open)
    LOGIN = "login"  # log in again with another key


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    label: str  # the key's words, e.g. "Open the guided fix"
    domain: str = ""
    text: str = ""  # what COPY copies


@dataclass(frozen=True, slots=True)
class Evidence:
    seen: str  # what was seen
    where: str = ""  # which server, resolver or call
    when: datetime | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # stable, for scripts and monitoring
    severity: Severity
    title: str  # one line
    fix: str  # what to do, and where
    domain: str = ""  # "" for the site as a whole
    evidence: tuple[Evidence, ...] = ()
    action: Action | None = None
    blocks_checks: bool = False  # the checks could not run (the CLI exits 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.word,
            "domain": self.domain or None,
            "title": self.title,
            "fix": self.fix,
            "evidence": [
                {
                    "seen": e.seen,
                    "where": e.where or None,
                    "when": e.when.isoformat() if e.when else None,
                }
                for e in self.evidence
            ],
            "action": (
                {"kind": self.action.kind.value, "label": self.action.label}
                | ({"domain": self.action.domain} if self.action.domain else {})
                | ({"text": self.action.text} if self.action.text else {})
                if self.action
                else None
            ),
        }


# --- the facts a check-up gathers -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallProblem:
    """A call of the check-up that failed: which one, and how."""

    call: str  # "sender details", "sender emails", "account details", "sending domain"
    sentence: str  # the client's own sentence and hint
    status: int | None = None  # HTTP status; None when Wix was not reached
    code: str = ""  # the application error code
    reached: bool = True  # False: no answer at all (network, DNS, TLS, timeout)
    where: str = ""  # METHOD path


@dataclass(frozen=True, slots=True)
class DomainFacts:
    name: str
    domain: SendingDomain | None = None  # None: not read (see ``refused``) or not on the site
    refused: str = ""  # the application code Wix answered when it was read
    report: Report | None = None  # the propagation sweep of its records
    history: DomainState | None = None
    mail: MailAuth | None = None  # what receivers see for it as a From domain
    dns_error: str = ""  # why no sweep ran, when none did


@dataclass(frozen=True, slots=True)
class SiteFacts:
    now: datetime
    sender_details: tuple[SenderDetails, ...] | None = None  # None: could not be read
    verified_emails: tuple[str, ...] = ()
    account: AccountDetails | None = None
    domains: tuple[DomainFacts, ...] = ()
    problems: tuple[CallProblem, ...] = ()
    asked_domain: str = ""  # ``--domain``: only this one was asked for
    world: bool = False  # times come from the sandbox's fast clock


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    unique = list(dict.fromkeys(findings))
    return sorted(unique, key=lambda f: (f.domain != "", f.domain, -f.severity, f.code))


def exit_code(findings: Sequence[Finding]) -> int:
    """0 healthy (at most information), 1 a warning or worse, 2 the checks could not run."""
    if any(f.blocks_checks for f in findings):
        return 2
    return 1 if any(f.severity >= Severity.WARNING for f in findings) else 0


def headline(findings: Sequence[Finding]) -> str:
    """The first line: the worst finding's title (the first of the worst: site-wide ones come
    first, since they stop every domain), how many more need a look, or that all is well."""
    if not findings:
        return "Healthy: no problem found."
    worst = max(findings, key=lambda f: f.severity)
    line = f"{worst.severity.word.capitalize()}: {worst.title}"
    others = sum(1 for f in findings if f.severity >= Severity.WARNING and f is not worst)
    if worst.severity >= Severity.WARNING and others:
        line += f" (+{others} more)"
    if worst.severity is Severity.INFO:
        line = f"No problem found (note: {worst.title})"
    return line
