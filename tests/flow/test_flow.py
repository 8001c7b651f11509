"""flow/ is pure: these tests need no I/O at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.flow.journey import DnsProgress, Step, next_step
from tui.flow.polling import initializing_delay, resend_wait
from tui.flow.schedule import authenticate_decision
from tui.wix.models import DnsRecord, DomainStatus, SenderDetails, SenderEmail, SendingDomain

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(delta: timedelta) -> datetime:
    return NOW + delta


def test_nothing_added_means_no_attempt() -> None:
    decision = authenticate_decision(
        now=NOW, records_first_seen=None, marked_added=None, last_attempt=None, last_result=None
    )
    assert not decision.allowed and decision.not_before is None
    assert "add them first" in decision.reason


def test_one_hour_after_the_records_were_added() -> None:
    early = authenticate_decision(
        now=NOW,
        records_first_seen=at(-timedelta(minutes=20)),
        marked_added=None,
        last_attempt=None,
        last_result=None,
    )
    assert not early.allowed and early.not_before == NOW + timedelta(minutes=40)
    assert early.wait(NOW) == timedelta(minutes=40) and "1 hour" in early.reason
    later = authenticate_decision(
        now=NOW + timedelta(minutes=41),
        records_first_seen=at(-timedelta(minutes=20)),
        marked_added=None,
        last_attempt=None,
        last_result=None,
    )
    assert later.allowed


def test_marked_added_counts_from_the_earlier_time() -> None:
    decision = authenticate_decision(
        now=NOW,
        records_first_seen=at(-timedelta(minutes=5)),
        marked_added=at(-timedelta(hours=2)),
        last_attempt=None,
        last_result=None,
    )
    assert decision.allowed


def test_four_hours_after_a_failure_and_free_after_success() -> None:
    args = dict(records_first_seen=at(-timedelta(hours=10)), marked_added=None)
    failed = authenticate_decision(
        now=NOW, last_attempt=at(-timedelta(hours=1)), last_result="refused: X", **args
    )
    assert not failed.allowed and failed.not_before == NOW + timedelta(hours=3)
    assert "4 hours" in failed.reason
    assert authenticate_decision(
        now=NOW, last_attempt=at(-timedelta(hours=5)), last_result="refused: X", **args
    ).allowed
    assert authenticate_decision(
        now=NOW, last_attempt=at(-timedelta(minutes=1)), last_result="authenticated", **args
    ).allowed


def email(address: str, verified: bool) -> SenderEmail:
    return SenderEmail(id=address, email_address=address, verified=verified)


def domain(status: DomainStatus, records: int = 3) -> SendingDomain:
    return SendingDomain(
        id="d",
        domain="bakery.example",
        status=status,
        status_raw=status.value,
        dns_records=tuple(DnsRecord(f"h{i}.bakery.example", "t.example") for i in range(records)),
    )


def test_next_step_walks_the_journey() -> None:
    details = [SenderDetails("s", "Bakery", "hello@bakery.example", default=True)]
    assert next_step([], [], []).step is Step.ADD_SENDER_EMAIL
    assert next_step([email("hello@bakery.example", False)], [], []).step is Step.VERIFY_EMAIL
    verified = [email("hello@bakery.example", True)]
    assert next_step(verified, [], []).step is Step.CREATE_SENDER_DETAILS
    assert next_step(verified, details, []).step is Step.WAIT_FOR_DOMAIN
    assert next_step(verified, details, [domain(DomainStatus.INITIALIZING, 0)]).step is (
        Step.WAIT_FOR_DOMAIN
    )
    found = next_step(verified, details, [domain(DomainStatus.NOT_AUTHENTICATED)])
    assert found.step is Step.ADD_DNS_RECORDS and "3 CNAME" in found.sentence
    assert next_step(verified, details, [domain(DomainStatus.AUTHENTICATED)]).step is (
        Step.AUTHENTICATED
    )
    odd = SendingDomain("d", "bakery.example", DomainStatus.UNKNOWN, "DISABLED")
    assert "DISABLED" in next_step(verified, details, [odd]).sentence
    gmail = [SenderDetails("s", "Me", "me@gmail.com", default=True)]
    assert next_step([email("me@gmail.com", True)], gmail, []).step is Step.USE_CUSTOM_DOMAIN


def test_next_step_follows_the_propagation_check() -> None:
    details = [SenderDetails("s", "Bakery", "hello@bakery.example", default=True)]
    verified = [email("hello@bakery.example", True)]
    waiting = [domain(DomainStatus.NOT_AUTHENTICATED)]
    eta = "All visible by 10:05 (bound: the old record's cached TTL (3600 s left))."
    found = next_step(verified, details, waiting, {"bakery.example": DnsProgress(False, eta)})
    assert found.step is Step.ADD_DNS_RECORDS
    assert found.sentence == f"bakery.example: {eta}"
    found = next_step(verified, details, waiting, {"bakery.example": DnsProgress(True, "")})
    assert "All of bakery.example's records are visible: authenticate it" in found.sentence
    # Another domain's check says nothing about this one; AUTHENTICATED wins over any check.
    other = {"other.example": DnsProgress(True, "")}
    assert "3 CNAME" in next_step(verified, details, waiting, other).sentence
    done = [domain(DomainStatus.AUTHENTICATED)]
    ready = {"bakery.example": DnsProgress(True, "")}
    assert next_step(verified, details, done, ready).step is Step.AUTHENTICATED


def test_polling_and_cooldown() -> None:
    assert [initializing_delay(n) for n in (1, 2, 3, 10)] == [10, 20, 40, 300]
    assert resend_wait(None, NOW) == timedelta(0)
    assert resend_wait(NOW - timedelta(seconds=15), NOW) == timedelta(seconds=45)
    assert resend_wait(NOW - timedelta(minutes=5), NOW) == timedelta(0)
