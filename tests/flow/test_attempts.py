"""What an Authenticate attempt was, for the 4-hour rule (fact sheet §1.6): a refusal while
INITIALIZING is no DNS check; a 200 whose domain is still NOT_AUTHENTICATED is a failed one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.flow.schedule import (
    AUTHENTICATED,
    Outcome,
    authenticate_decision,
    judge_attempt,
)
from tui.wix.models import DomainStatus

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ADDED = NOW - timedelta(hours=10)


def allowed_after(result: str) -> bool:
    """Whether the schedule allows another attempt a minute after one with ``result`` (or
    after none, when the attempt was not recorded)."""
    recorded = bool(result)
    return authenticate_decision(
        now=NOW + timedelta(minutes=1),
        records_first_seen=ADDED,
        marked_added=None,
        last_attempt=NOW if recorded else None,
        last_result=result if recorded else None,
    ).allowed


@pytest.mark.parametrize("refused", [True, False])
def test_initializing_afterwards_is_not_an_attempt(refused: bool) -> None:
    verdict = judge_attempt(
        refused=refused, code="ANY", status_after=DomainStatus.INITIALIZING, status_label="x"
    )
    assert verdict.outcome is Outcome.NOT_READY
    assert not verdict.counts and verdict.result == ""
    assert allowed_after(verdict.result)  # the 4-hour wait did not start


def test_a_200_still_not_authenticated_is_a_failed_dns_check() -> None:
    verdict = judge_attempt(
        refused=False, status_after=DomainStatus.NOT_AUTHENTICATED, status_label="x"
    )
    assert verdict.outcome is Outcome.DNS_FAILED
    assert verdict.counts and verdict.result != AUTHENTICATED
    assert "DNS check failed" in verdict.result
    assert not allowed_after(verdict.result)  # the 4-hour wait started


def test_a_refusal_while_not_authenticated_is_a_failed_dns_check() -> None:
    verdict = judge_attempt(refused=True, code="DNS_X", status_after=DomainStatus.NOT_AUTHENTICATED)
    assert verdict.outcome is Outcome.DNS_FAILED
    assert verdict.result == "refused: DNS_X"
    assert not allowed_after(verdict.result)
    no_code = judge_attempt(refused=True, status_after=DomainStatus.NOT_AUTHENTICATED)
    assert no_code.result == "refused: FAILED_PRECONDITION"


@pytest.mark.parametrize("refused", [True, False])
def test_authenticated_afterwards_is_a_success(refused: bool) -> None:
    verdict = judge_attempt(refused=refused, status_after=DomainStatus.AUTHENTICATED)
    assert verdict.outcome is Outcome.AUTHENTICATED
    assert verdict.result == AUTHENTICATED
    assert allowed_after(verdict.result)


@pytest.mark.parametrize("refused", [True, False])
@pytest.mark.parametrize(
    ("status", "label"),
    [(None, ""), (DomainStatus.UNKNOWN, "unknown: UNKNOWN_STATUS")],
)
def test_a_status_that_says_nothing_counts_so_attempts_do_not_follow_at_once(
    refused: bool, status: DomainStatus | None, label: str
) -> None:
    verdict = judge_attempt(refused=refused, code="C", status_after=status, status_label=label)
    assert verdict.outcome is Outcome.UNCLEAR
    assert verdict.counts
    assert (label or "could not be read") in verdict.result
    assert not allowed_after(verdict.result)
