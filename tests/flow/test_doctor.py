"""The doctor's checks, one by one, on facts built by hand: each situation gives exactly its
finding (code, severity, evidence, action), a healthy site gives none, and every case of Wix's
troubleshooting guide has a check. No I/O: tests/test_doctor_scenarios.py runs the checks against
the sandbox's scenarios."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tui.flow import doctor
from tui.flow.doctor import (
    GUIDE_CASES,
    ActionKind,
    CallProblem,
    DomainFacts,
    Severity,
    SiteFacts,
    examine,
    exit_code,
    headline,
)
from tui.propagation.mailfacts import DkimCheck, DmarcCheck, MailAuth, SpfCheck
from tui.propagation.model import (
    Cell,
    Diagnosis,
    Endpoint,
    Eta,
    ExpectedRecord,
    Report,
    Resolver,
    Role,
    Status,
    ZoneInfo,
)
from tui.store.state import DomainState
from tui.wix.models import (
    AccountDetails,
    DnsRecord,
    DomainStatus,
    SenderDetails,
    SendingDomain,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
NAME = "maple-books.example"
RECORDS = (
    ExpectedRecord(f"s1._domainkey.{NAME}", f"s1._domainkey.{NAME}.s004.ascendbywix.com"),
    ExpectedRecord(f"s2._domainkey.{NAME}", f"s2._domainkey.{NAME}.s004.ascendbywix.com"),
)
NS = Resolver("ns1", "ns1.dns-host.example", "DNS host", Role.AUTHORITATIVE, (Endpoint("1.2.3.4"),))
GOOGLE = Resolver("google", "Google", "Google", Role.PUBLIC, (Endpoint("8.8.8.8"),))
ZONE = ZoneInfo(NAME, ns_names=("ns1.dns-host.example",), provider="DNS Host Inc")
SENDER = SenderDetails("sd1", "Maple Books", f"hello@{NAME}", default=True)
ACTIVE = AccountDetails.parse(
    {
        "status": "ACTIVE",
        "package": {"id": "Free", "monthlyQuotaAllocation": {"emails": 5000, "campaigns": 3}},
        "quotaPeriod": {"quotaUsage": {"emails": 12, "campaigns": 1}},
    }
)


def domain(status: str, *, records: bool = True, created: datetime | None = None) -> SendingDomain:
    return SendingDomain(
        id="dom1",
        domain=NAME,
        status=DomainStatus(status),
        status_raw=status,
        dns_records=tuple(DnsRecord(r.name, r.target) for r in RECORDS) if records else (),
        created_date=created,
    )


def report(
    auth: Status = Status.OK,
    public: Status = Status.OK,
    *,
    remaining: float | None = None,
    diagnoses: tuple[Diagnosis, ...] = (),
) -> Report:
    cells = {}
    for record in RECORDS:
        cells[(record.name, "ns1")] = Cell(record.name, "ns1", auth)
        cells[(record.name, "google")] = Cell(record.name, "google", public, remaining=remaining)
    return Report(
        checked_at=NOW,
        records=RECORDS,
        resolvers=(NS, GOOGLE),
        cells=cells,
        zones={r.name: ZONE for r in RECORDS},
        diagnoses=diagnoses,
        eta=Eta(
            NOW + timedelta(minutes=40), "negative cache", "Visible everywhere by 12:40.", False
        ),
    )


def mail(
    *,
    dmarc: tuple[str, ...] = ("v=DMARC1; p=none",),
    dmarc_problem: str = "",
    spf: tuple[str, ...] = ("v=spf1 include:_spf.wix.example ~all",),
    spf_problem: str = "",
    too_many: bool = False,
    dkim_found: bool = True,
    adkim: str = "r",
    dkim_names: tuple[str, ...] = tuple(r.name for r in RECORDS),
) -> MailAuth:
    return MailAuth(
        domain=NAME,
        organizational_domain=NAME,
        resolver="google",
        checked_at=NOW,
        dmarc=DmarcCheck(
            f"_dmarc.{NAME}",
            f"_dmarc.{NAME}" if dmarc else "",
            dmarc,
            policy="none",
            adkim=adkim,
            problem=dmarc_problem,
        ),
        spf=SpfCheck(
            NAME, spf, lookups=12 if too_many else 1, problem=spf_problem, too_many_lookups=too_many
        ),
        dkim=tuple(
            DkimCheck(
                n,
                cname=f"{n}.s004.ascendbywix.com",
                found=dkim_found,
                problem="" if dkim_found else "NXDOMAIN",
            )
            for n in dkim_names
        ),
    )


def healthy(**changes: object) -> SiteFacts:
    facts = SiteFacts(
        now=NOW,
        sender_details=(SENDER,),
        verified_emails=(SENDER.from_email_address,),
        account=ACTIVE,
        domains=(
            DomainFacts(
                NAME,
                domain("AUTHENTICATED"),
                report=report(),
                history=DomainState(last_auth_result="authenticated"),
                mail=mail(),
            ),
        ),
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def with_domain(**changes: object) -> SiteFacts:
    facts = healthy()
    return replace(facts, domains=(replace(facts.domains[0], **changes),))  # type: ignore[arg-type]


def codes(facts: SiteFacts) -> list[str]:
    return [f.code for f in examine(facts)]


def only(facts: SiteFacts) -> doctor.Finding:
    findings = examine(facts)
    assert len(findings) == 1, [f.code for f in findings]
    return findings[0]


# --- healthy, and the guide ---------------------------------------------------------------------


def test_a_healthy_site_has_no_finding_and_exits_0() -> None:
    findings = examine(healthy())
    assert findings == []
    assert exit_code(findings) == 0
    assert headline(findings).startswith("Healthy")


def test_every_case_of_the_troubleshooting_guide_has_a_check_that_can_produce_it() -> None:
    assert set(GUIDE_CASES) >= {
        "authentication fails after adding the DNS records",
        "SENDER_DETAILS_DO_NOT_EXIST",
        "domain stuck in INITIALIZING",
        "DNS records are empty",
        "AUTHENTICATED but emails fail to send",
    }
    for case, case_codes in GUIDE_CASES.items():
        assert case_codes, case
        for code in case_codes:
            assert code in SITUATIONS, f"no situation produces {code} ({case})"


# --- checks that stop everything ---------------------------------------------------------------


def test_an_unreachable_api_is_one_finding_that_blocks_the_checks() -> None:
    facts = SiteFacts(
        now=NOW, problems=(CallProblem("sender details", "No answer.", reached=False),)
    )
    found = only(facts)
    assert found.code == "api_unreachable" and found.blocks_checks
    assert exit_code([found]) == 2
    assert found.action is not None and found.action.kind is ActionKind.RECHECK


def test_a_refused_key_is_one_finding_whatever_else_failed() -> None:
    facts = SiteFacts(
        now=NOW,
        problems=(
            CallProblem("sender details", "Wix refused the key.", status=401),
            CallProblem("account details", "Wix refused the key.", status=401),
        ),
    )
    found = only(facts)
    assert found.code == "credentials_rejected" and exit_code([found]) == 2
    assert found.action is not None and found.action.kind is ActionKind.LOGIN


def test_a_domain_not_on_the_site_is_one_finding() -> None:
    facts = healthy(asked_domain="elsewhere.example", domains=(DomainFacts("elsewhere.example"),))
    found = only(facts)
    assert found.code == "domain_not_on_site" and found.blocks_checks
    assert "elsewhere.example" in found.title


# --- SENDER_DETAILS_DO_NOT_EXIST ----------------------------------------------------------------


def test_no_sender_details_site_wide_is_the_guided_fix_with_the_verified_addresses() -> None:
    facts = SiteFacts(
        now=NOW,
        sender_details=(),
        verified_emails=("hello@maple-books.example",),
        account=ACTIVE,
        problems=(
            CallProblem(
                "sending domains",
                "Wix answered SENDER_DETAILS_DO_NOT_EXIST",
                status=428,
                code="SENDER_DETAILS_DO_NOT_EXIST",
            ),
        ),
    )
    found = only(facts)
    assert found.code == "no_sender_details" and found.severity is Severity.ERROR
    assert found.action is not None and found.action.kind is ActionKind.GUIDED_SENDER
    assert any("hello@maple-books.example" in e.seen for e in found.evidence)
    assert "inbox" in found.fix and "dashboard" in found.fix  # both branches


def test_a_domain_without_sender_details_is_news_unless_it_was_in_use_or_asked_about() -> None:
    other = (SenderDetails("x", "Other", "hi@other.example", default=True),)
    refused = DomainFacts(NAME, refused="SENDER_DETAILS_DO_NOT_EXIST")
    found = only(healthy(sender_details=other, domains=(refused,)))
    assert found.code == "domain_without_sender_details" and found.severity is Severity.INFO
    assert found.action is not None and found.action.kind is ActionKind.GUIDED_SENDER
    assert found.action.domain == NAME
    asked = only(healthy(sender_details=other, domains=(refused,), asked_domain=NAME))
    assert asked.code == "domain_without_sender_details" and asked.severity is Severity.WARNING
    used = replace(refused, history=DomainState(records_first_seen=NOW - timedelta(days=3)))
    moved = only(healthy(sender_details=other, domains=(used,)))
    assert moved.code == "sender_on_other_domain" and moved.severity is Severity.ERROR
    assert "hi@other.example" in moved.fix


def test_sender_details_moved_to_a_public_mailbox_says_wix_rewrites_from() -> None:
    facts = healthy(
        sender_details=(SenderDetails("sd1", "Maple", "owner.maple@gmail.com", default=True),),
        domains=(
            DomainFacts(
                NAME,
                refused="SENDER_DETAILS_DO_NOT_EXIST",
                history=DomainState(last_auth_result="authenticated"),
            ),
        ),
    )
    found = only(facts)
    assert found.code == "sender_on_other_domain"
    assert "was authenticated" in found.title
    assert "public mailbox" in found.fix and "owner.maple@gmail.com" in found.fix


def test_a_default_sender_on_a_public_mailbox_domain_is_a_warning() -> None:
    facts = healthy(
        sender_details=(SenderDetails("sd1", "Maple", "owner.maple@gmail.com", default=True),),
        domains=(),
    )
    found = only(facts)
    assert found.code == "sender_on_public_domain" and found.severity is Severity.WARNING


# --- INITIALIZING, empty records ----------------------------------------------------------------


def test_initializing_is_expected_for_ten_minutes_then_a_warning_with_the_elapsed_time() -> None:
    early = with_domain(
        domain=domain("INITIALIZING", records=False, created=NOW - timedelta(minutes=3)),
        report=None,
        mail=None,
    )
    found = only(early)
    assert found.code == "initializing" and found.severity is Severity.INFO
    assert exit_code([found]) == 0
    late = with_domain(
        domain=domain("INITIALIZING", records=False, created=NOW - timedelta(minutes=25)),
        report=None,
        mail=None,
    )
    found = only(late)
    assert found.code == "initializing_long" and "25 min" in found.title
    assert found.severity is Severity.WARNING


def test_not_authenticated_without_records_is_an_anomaly() -> None:
    found = only(
        with_domain(domain=domain("NOT_AUTHENTICATED", records=False), report=None, mail=None)
    )
    assert found.code == "no_dns_records"


# --- authentication fails though records were added -------------------------------------------


def test_records_not_visible_say_where_the_negative_caches_and_the_next_attempt() -> None:
    history = DomainState(
        records_first_seen=NOW - timedelta(minutes=30),
        last_auth_attempt=NOW - timedelta(minutes=10),
        last_auth_result="DNS check failed: still NOT_AUTHENTICATED",
    )
    facts = with_domain(
        domain=domain("NOT_AUTHENTICATED"),
        report=report(public=Status.CACHED_NEGATIVE, remaining=1800),
        history=history,
        mail=None,
    )
    found = only(facts)
    assert found.code == "records_not_visible" and found.severity is Severity.WARNING
    seen = " | ".join(e.seen for e in found.evidence)
    assert "not visible at Google" in seen
    assert "30 min more" in seen  # the negative cache's time left
    assert "next attempt allowed" in seen  # 4 h after the failed attempt
    assert "Visible everywhere by 12:40." in found.fix  # the overall ETA
    assert found.action is not None and found.action.kind is ActionKind.SHOW_DOMAIN


def test_after_48_hours_the_advice_is_to_check_the_records_at_the_dns_host() -> None:
    facts = with_domain(
        domain=domain("NOT_AUTHENTICATED"),
        report=report(auth=Status.NOT_PUBLISHED, public=Status.NOT_PUBLISHED),
        history=DomainState(marked_added=NOW - timedelta(hours=50)),
        mail=None,
    )
    found = only(facts)
    assert found.code == "records_not_found_48h" and found.severity is Severity.ERROR
    assert "DNS Host Inc" in found.fix and "ns1.dns-host.example" in found.fix


def test_visible_records_wait_for_the_schedule_then_authenticate_is_one_key_away() -> None:
    waiting = with_domain(
        domain=domain("NOT_AUTHENTICATED"),
        report=report(),
        history=DomainState(records_first_seen=NOW - timedelta(minutes=20)),
        mail=None,
    )
    found = only(waiting)
    assert found.code == "auth_wait" and " at " in found.title
    ready = with_domain(
        domain=domain("NOT_AUTHENTICATED"),
        report=report(),
        history=DomainState(records_first_seen=NOW - timedelta(hours=2)),
        mail=None,
    )
    found = only(ready)
    assert found.code == "auth_ready"
    assert found.action is not None and found.action.kind is ActionKind.AUTHENTICATE


def test_engine_diagnoses_become_findings_next_to_the_wait() -> None:
    diagnosis = Diagnosis(
        "double_suffix",
        "The record is at x.maple-books.example.maple-books.example: fix the host.",
        (RECORDS[0].name,),
        NAME,
    )
    facts = with_domain(
        domain=domain("NOT_AUTHENTICATED"),
        report=report(
            auth=Status.NOT_PUBLISHED, public=Status.NOT_PUBLISHED, diagnoses=(diagnosis,)
        ),
        history=DomainState(marked_added=NOW - timedelta(hours=2)),
        mail=None,
    )
    assert set(codes(facts)) == {"dns_double_suffix", "records_not_visible"}
    first = examine(facts)[0]
    assert first.code == "dns_double_suffix" and first.severity is Severity.ERROR


# --- AUTHENTICATED but mail fails ----------------------------------------------------------------


def test_records_removed_after_authentication_name_the_servers_and_hide_the_dkim_echo() -> None:
    facts = with_domain(
        report=report(auth=Status.NOT_PUBLISHED, public=Status.NOT_PUBLISHED),
        mail=mail(dkim_found=False),
    )
    found = only(facts)
    assert found.code == "records_removed" and found.severity is Severity.ERROR
    assert all(e.where == "ns1.dns-host.example" for e in found.evidence)
    assert "DNS Host Inc" in found.fix


@pytest.mark.parametrize(
    ("status", "severity", "words"),
    [
        ("WARNED", Severity.ERROR, "accept"),
        ("SUSPENDED", Severity.ERROR, "questionnaire"),
        ("SUSPENDED_AUTOLIFT", Severity.ERROR, "lifts by itself"),
        ("BANNED", Severity.ERROR, "Wix support"),
        ("UNKNOWN", Severity.WARNING, "does not know"),
        ("SOMETHING_NEW", Severity.WARNING, "does not know"),
    ],
)
def test_each_account_status_has_its_own_fix(status: str, severity: Severity, words: str) -> None:
    account = AccountDetails.parse({"status": status, "package": {"id": "Free"}})
    found = only(healthy(account=account))
    assert found.code == "account_not_active" and found.severity is severity
    assert words in found.fix


def test_quota_used_up_says_when_it_resets() -> None:
    account = AccountDetails.parse(
        {
            "status": "ACTIVE",
            "package": {"id": "Free", "monthlyQuotaAllocation": {"emails": 200}},
            "quotaPeriod": {"quotaUsage": {"emails": 200}, "dateTo": "2026-12-31T00:00:00Z"},
        }
    )
    found = only(healthy(account=account))
    assert found.code == "quota_used_up" and "200 of 200" in found.evidence[0].seen
    assert "reset" in found.fix


def test_a_403_on_account_details_is_a_missing_permission_not_a_cascade() -> None:
    facts = healthy(
        account=None,
        problems=(CallProblem("account details", "Not allowed.", status=403, where="GET /x"),),
    )
    found = only(facts)
    assert found.code == "missing_permission" and found.severity is Severity.WARNING
    assert found.action is not None and found.action.kind is ActionKind.LOGIN


# --- what receivers check ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "severity"),
    [
        ({"dmarc": ()}, "dmarc_missing", Severity.WARNING),
        ({"dmarc": ("v=DMARC1; p=none", "v=DMARC1; p=reject")}, "dmarc_multiple", Severity.ERROR),
        (
            {"dmarc_problem": "Error: Expected none or quarantine or reject at position 13"},
            "dmarc_invalid",
            Severity.ERROR,
        ),
        ({"spf": ("v=spf1 -all", "v=spf1 include:x ~all")}, "spf_multiple", Severity.ERROR),
        (
            {"too_many": True, "spf_problem": "12 DNS lookups"},
            "spf_too_many_lookups",
            Severity.WARNING,
        ),
        ({"spf_problem": "syntax error"}, "spf_invalid", Severity.WARNING),
        ({"dkim_found": False}, "dkim_key_missing", Severity.ERROR),
        (
            {"adkim": "s", "dkim_names": ("s1._domainkey.mail.maple-books.example",)},
            "dkim_not_aligned",
            Severity.ERROR,
        ),
    ],
)
def test_each_receiver_check_gives_exactly_its_finding(
    changes: dict, code: str, severity: Severity
) -> None:
    found = only(with_domain(mail=mail(**changes)))
    assert found.code == code and found.severity is severity
    assert found.domain == NAME and found.fix


def test_a_missing_dmarc_offers_a_record_to_copy() -> None:
    found = only(with_domain(mail=mail(dmarc=())))
    assert found.action is not None and found.action.kind is ActionKind.COPY
    assert found.action.text.startswith(f"_dmarc.{NAME} TXT")


def test_receiver_checks_run_only_on_authenticated_domains_that_send() -> None:
    not_sending = healthy(sender_details=(SenderDetails("x", "X", "a@other.example"),))
    assert "dmarc_missing" not in codes(
        replace(not_sending, domains=(replace(not_sending.domains[0], mail=mail(dmarc=())),))
    )


def test_findings_are_grouped_site_first_then_by_domain_worst_first_with_stable_json() -> None:
    account = AccountDetails.parse({"status": "SUSPENDED"})
    facts = with_domain(mail=mail(dmarc=(), too_many=True, dkim_found=False))
    facts = replace(facts, account=account)
    findings = examine(facts)
    assert findings[0].code == "account_not_active" and findings[0].domain == ""
    domain_part = [f.severity for f in findings[1:]]
    assert domain_part == sorted(domain_part, reverse=True)
    data = findings[0].to_json()
    assert set(data) == {"code", "severity", "domain", "title", "fix", "evidence", "action"}
    assert headline(findings).startswith("Error: The email marketing account is SUSPENDED")


# One situation per code, each producing exactly that finding (the guide test checks that every
# case of the troubleshooting guide has one).
def _account(status: str) -> SiteFacts:
    return healthy(account=AccountDetails.parse({"status": status}))


def _not_authenticated(report_: Report, history: DomainState) -> SiteFacts:
    return with_domain(
        domain=domain("NOT_AUTHENTICATED"), report=report_, history=history, mail=None
    )


SITUATIONS: dict[str, Callable[[], SiteFacts]] = {
    "records_not_visible": lambda: _not_authenticated(
        report(public=Status.CACHED_NEGATIVE, remaining=600),
        DomainState(records_first_seen=NOW - timedelta(minutes=30)),
    ),
    "auth_wait": lambda: _not_authenticated(
        report(), DomainState(records_first_seen=NOW - timedelta(minutes=30))
    ),
    "auth_ready": lambda: _not_authenticated(
        report(), DomainState(records_first_seen=NOW - timedelta(hours=3))
    ),
    "records_not_found_48h": lambda: _not_authenticated(
        report(public=Status.NOT_PUBLISHED), DomainState(marked_added=NOW - timedelta(hours=49))
    ),
    "no_sender_details": lambda: healthy(sender_details=(), domains=()),
    "domain_without_sender_details": lambda: healthy(
        sender_details=(SENDER,),
        domains=(
            healthy().domains[0],
            DomainFacts("second.example", refused="SENDER_DETAILS_DO_NOT_EXIST"),
        ),
    ),
    "initializing": lambda: with_domain(
        domain=domain("INITIALIZING", records=False, created=NOW), report=None, mail=None
    ),
    "initializing_long": lambda: with_domain(
        domain=domain("INITIALIZING", records=False, created=NOW - timedelta(hours=1)),
        report=None,
        mail=None,
    ),
    "no_dns_records": lambda: with_domain(
        domain=domain("NOT_AUTHENTICATED", records=False), report=None, mail=None
    ),
    "records_removed": lambda: with_domain(report=report(auth=Status.NOT_PUBLISHED)),
    "sender_on_other_domain": lambda: healthy(
        sender_details=(SenderDetails("sd1", "M", "owner@gmail.com", default=True),),
        domains=(DomainFacts(NAME, refused="SENDER_DETAILS_DO_NOT_EXIST"),),
    ),
    "sender_on_public_domain": lambda: healthy(
        sender_details=(SenderDetails("sd1", "M", "owner@gmail.com", default=True),), domains=()
    ),
    "account_not_active": lambda: _account("SUSPENDED"),
    "quota_used_up": lambda: healthy(
        account=AccountDetails.parse(
            {
                "status": "ACTIVE",
                "package": {"monthlyQuotaAllocation": {"emails": 10}},
                "quotaPeriod": {"quotaUsage": {"emails": 10}},
            }
        )
    ),
    "missing_permission": lambda: healthy(
        account=None, problems=(CallProblem("account details", "No.", status=403),)
    ),
    "dmarc_missing": lambda: with_domain(mail=mail(dmarc=())),
    "dmarc_multiple": lambda: with_domain(mail=mail(dmarc=("v=DMARC1; p=none", "v=DMARC1"))),
    "dmarc_invalid": lambda: with_domain(mail=mail(dmarc_problem="Expected none")),
    "dkim_key_missing": lambda: with_domain(mail=mail(dkim_found=False)),
    "dkim_not_aligned": lambda: with_domain(
        mail=mail(adkim="s", dkim_names=("s1._domainkey.mail.maple-books.example",))
    ),
    "spf_multiple": lambda: with_domain(mail=mail(spf=("v=spf1 -all", "v=spf1 ~all"))),
    "spf_too_many_lookups": lambda: with_domain(mail=mail(too_many=True, spf_problem="12")),
    "spf_invalid": lambda: with_domain(mail=mail(spf_problem="syntax")),
}


@pytest.mark.parametrize("code", sorted(SITUATIONS))
def test_each_situation_gives_exactly_its_finding(code: str) -> None:
    assert codes(SITUATIONS[code]()) == [code]


def test_the_readme_lists_every_finding_code() -> None:
    """Scripts branch on the codes: each one the checks can give is in the README's list."""
    import re
    from pathlib import Path

    from tui.flow import dns_findings, receivers

    source = "".join(
        Path(module.__file__).read_text(encoding="utf-8")  # type: ignore[arg-type]
        for module in (doctor, dns_findings, receivers)
    )
    found = set(re.findall(r'Finding\(\s*"([a-z_0-9]+)"', source))
    found |= {"dmarc_not_checked", "spf_not_checked"}  # f"{what.lower()}_not_checked"
    assert len(found) > 20
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    missing = sorted(code for code in found if f"`{code}`" not in readme)
    assert not missing, missing
