"""When Authenticate may be tried (Wix's troubleshooting advice, fact sheet §1.6): not before
1 hour after the records were added (first seen on the authoritative servers, or marked added
by the user), and 4 hours after a failed attempt. Trying earlier mostly plants a cached "does
not exist" at Wix's own resolver, which then fails the next attempts too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tui.wix.models import DomainStatus

FIRST_ATTEMPT_AFTER = timedelta(hours=1)
RETRY_AFTER_FAILURE = timedelta(hours=4)
AUTHENTICATED = "authenticated"  # the saved result of an attempt that succeeded


@dataclass(frozen=True)
class AuthDecision:
    allowed: bool
    not_before: datetime | None  # when it becomes allowed (None: now, or never known)
    reason: str  # one sentence for the screen

    def wait(self, now: datetime) -> timedelta:
        if self.allowed or self.not_before is None:
            return timedelta(0)
        return max(timedelta(0), self.not_before - now)


def authenticate_decision(
    *,
    now: datetime,
    records_first_seen: datetime | None,
    marked_added: datetime | None,
    last_attempt: datetime | None,
    last_result: str | None,
) -> AuthDecision:
    """Whether the schedule allows an attempt now, and if not, until when and why."""
    added = min((t for t in (records_first_seen, marked_added) if t is not None), default=None)
    if added is None:
        return AuthDecision(
            False,
            None,
            "The records have not been seen on your DNS servers yet, nor marked as added: add "
            "them first (or mark them added), then the 1-hour wait starts.",
        )
    ready = added + FIRST_ATTEMPT_AFTER
    failed = last_attempt is not None and (last_result or "") != AUTHENTICATED
    if failed and last_attempt is not None:
        retry = last_attempt + RETRY_AFTER_FAILURE
        if now < retry:
            return AuthDecision(
                False,
                retry,
                "The last attempt failed; Wix advises 4 hours between attempts, because "
                "each early try can keep the next one failing.",
            )
    if now < ready:
        return AuthDecision(
            False,
            ready,
            "Wix advises waiting at least 1 hour after adding the records before the first "
            "attempt, so that its resolvers see them.",
        )
    return AuthDecision(True, None, "The schedule allows an attempt now.")


# --- what an attempt was ----------------------------------------------------------------------


class Outcome(StrEnum):
    AUTHENTICATED = "authenticated"
    DNS_FAILED = "dns-failed"  # Wix checked the DNS and did not authenticate
    NOT_READY = "not-ready"  # the domain is still INITIALIZING: no DNS check happened
    UNCLEAR = "unclear"  # the status afterwards is not one that says


@dataclass(frozen=True)
class AttemptVerdict:
    outcome: Outcome
    result: str
    """What ``last_auth_result`` records ("" when the attempt is not recorded at all)."""

    @property
    def counts(self) -> bool:
        """Whether this was an attempt for the schedule (recorded, and unless it succeeded,
        the 4-hour wait starts)."""
        return bool(self.result)


def judge_attempt(
    *,
    refused: bool,
    code: str | None = None,
    status_after: DomainStatus | None,
    status_label: str = "",
) -> AttemptVerdict:
    """What an Authenticate attempt was, from the domain's status read after it (fact sheet
    §1.6). ``refused``: Wix answered with a refusal (428, application ``code``), else 200;
    ``status_after``: the status read afterwards (``None``: it could not be read).

    - AUTHENTICATED afterwards: success, whatever the answer was;
    - INITIALIZING afterwards: Wix is still making the records, so no DNS check happened;
      not an attempt, and the 4-hour wait does not start;
    - NOT_AUTHENTICATED afterwards, refused or with a 200: the DNS check failed, an attempt;
    - not read, or a status that says nothing (``UNKNOWN_STATUS``, something new): counted as
      an attempt, so that an unclear answer never lets attempts follow one another at once.
    """
    refusal = f"refused: {code or 'FAILED_PRECONDITION'}"
    if status_after is DomainStatus.AUTHENTICATED:
        return AttemptVerdict(Outcome.AUTHENTICATED, AUTHENTICATED)
    if status_after is DomainStatus.INITIALIZING:
        return AttemptVerdict(Outcome.NOT_READY, "")
    if status_after is DomainStatus.NOT_AUTHENTICATED:
        if refused:
            return AttemptVerdict(Outcome.DNS_FAILED, refusal)
        return AttemptVerdict(Outcome.DNS_FAILED, "DNS check failed: still NOT_AUTHENTICATED")
    after = status_label or "could not be read"
    if refused:
        return AttemptVerdict(Outcome.UNCLEAR, f"{refusal} (status afterwards: {after})")
    return AttemptVerdict(Outcome.UNCLEAR, f"unclear: Wix answered, status afterwards {after}")
