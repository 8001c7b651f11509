"""flow/ is pure: these tests need no I/O at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tui.flow.journey import DnsProgress, Step, dns_progress, next_step
from tui.flow.polling import initializing_delay, resend_wait
from tui.flow.schedule import authenticate_decision
from tui.propagation.model import Diagnosis, Eta, Report
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


# --- "Next:" agrees with the pane: its domain, the user's keys, the diagnosis's own fix --------


def test_next_step_is_about_the_domain_the_pane_shows() -> None:
    details = [SenderDetails("s", "Bakery", "hello@bakery.example", default=True)]
    verified = [email("hello@bakery.example", True)]
    bakery = domain(DomainStatus.AUTHENTICATED)
    shop = replace(domain(DomainStatus.NOT_AUTHENTICATED, 2), id="e", domain="shop.example")
    # Without a shown domain: the default sender's.
    assert next_step(verified, details, [bakery, shop]).domain == "bakery.example"
    found = next_step(verified, details, [bakery, shop], shown="shop.example")
    assert found.domain == "shop.example" and found.step is Step.ADD_DNS_RECORDS
    assert "shop.example's 2 CNAME records" in found.sentence
    # A name the site does not have (a stale selection) is not followed.
    assert next_step(verified, details, [bakery], shown="gone.example").domain == ("bakery.example")


def test_next_step_names_the_users_keys() -> None:
    assert "press a in Senders" in next_step([], [], []).sentence
    remapped = next_step([], [], [], keys={"senders-add": "f6"})
    assert "press f6 in Senders" in remapped.sentence and "press a" not in remapped.sentence
    unverified = [email("hello@bakery.example", False)]
    assert "press v in Senders" in next_step(unverified, [], []).sentence
    assert "press w in" in next_step(unverified, [], [], keys={"senders-verify": "w"}).sentence
    verified = [email("hello@bakery.example", True)]
    assert (
        "press ^k in Senders" in next_step(verified, [], [], keys={"details-create": "^k"}).sentence
    )
    details = [SenderDetails("s", "Bakery", "hello@bakery.example", default=True)]
    visible = {"bakery.example": DnsProgress(True, "")}
    waiting = [domain(DomainStatus.NOT_AUTHENTICATED)]
    found = next_step(verified, details, waiting, visible, keys={"auth-try": "f8"})
    assert "press f8 in Domains" in found.sentence


def test_next_step_says_the_diagnosis_fix() -> None:
    details = [SenderDetails("s", "Bakery", "hello@bakery.example", default=True)]
    verified = [email("hello@bakery.example", True)]
    waiting = [domain(DomainStatus.NOT_AUTHENTICATED)]
    eta = "No ETA yet: 1 of 3 record(s) are not at the authoritative servers. Add them at X."
    fix = "The record is at s1.domainkey.bakery.example, without the underscore. Rename the host."
    checked = {"bakery.example": DnsProgress(False, eta, fix)}
    found = next_step(verified, details, waiting, checked)
    assert found.sentence == f"bakery.example: {fix}"
    assert "Add them at" not in found.sentence


def test_the_fix_is_the_first_diagnosis_that_names_one() -> None:
    wait = Diagnosis("queried_too_early", "2 resolver(s) cached 'does not exist'. Wait.")
    typo = Diagnosis(
        "typo_underscore",
        "The record is at s1.domainkey.b.example, without the underscore. Rename the host at "
        "Acme DNS to 's1._domainkey' (the '_' is part of the name). The same goes for 1 more "
        "record(s).",
    )
    eta = Eta(None, "", "No ETA yet: add them at Acme DNS.", ready=False)
    progress = dns_progress(report_with((wait, typo), eta))
    assert progress.fix == (
        "The record is at s1.domainkey.b.example, without the underscore. Rename the host at "
        "Acme DNS to 's1._domainkey' (the '_' is part of the name)."
    )
    assert progress.sentence == eta.sentence and not progress.visible
    assert dns_progress(report_with((wait,), eta)).fix == ""


def report_with(diagnoses: tuple[Diagnosis, ...], eta: Eta) -> Report:
    return Report(NOW, (), (), {}, {}, diagnoses, eta)


def test_a_long_diagnosis_is_said_short_in_next() -> None:
    """Long names quoted in full would push the grid off an 80x24 screen: "Next:" says the fix
    in short, and the pane shows the whole diagnosis."""
    long_name = "s1._domainkey.sunrise-bakery.example.s006.ascendbywix.com.sunrise-bakery.example"
    relative = Diagnosis(
        "relative_target",
        f"s1._domainkey.sunrise-bakery.example points to {long_name}: the DNS host read the "
        "target as relative and appended the domain. Enter the value with a final dot.",
    )
    eta = Eta(None, "", "No ETA: 3 cell(s) need a fix first.", ready=False)
    fix = dns_progress(report_with((relative,), eta)).fix
    assert fix == (
        "Add a final dot to the records' values at your DNS host (the diagnosis below says how)."
    )
