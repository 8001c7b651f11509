"""Contract: the real WixClient against the sandbox over loopback HTTP — Sending Domains and
Account Details, including the whole journey to AUTHENTICATED."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import client_for, site
from tests.support import SandboxControl
from tui.flow.domains import expected_records
from tui.flow.schedule import Outcome, judge_attempt
from tui.sandbox import SandboxServer
from tui.wix import (
    AccountStatus,
    DomainStatus,
    FailedPrecondition,
    NotFound,
    SenderDetailsDoNotExist,
)
from tui.wix.client import WixClient

from .test_contract_sender_details import verified


async def test_without_sender_details_everything_is_locked(wix: WixClient) -> None:
    with pytest.raises(SenderDetailsDoNotExist) as info:
        await wix.query_sending_domains(domains=["bakery.example"])
    error = info.value
    assert error.status == 428 and error.code == "SENDER_DETAILS_DO_NOT_EXIST"
    assert "create sender details" in error.hint
    with pytest.raises(SenderDetailsDoNotExist):
        await wix.get_sending_domain("00000000-0000-0000-0000-000000000000")
    with pytest.raises(SenderDetailsDoNotExist):
        await wix.authenticate_sending_domain("00000000-0000-0000-0000-000000000000")


async def test_unfiltered_query_is_sender_details_do_not_exist(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    # The client refuses to send this (see test_auth_and_urls); prove the sandbox agrees with
    # the docs by sending it raw.
    creds = site(sandbox_server)
    response = httpx.post(
        f"{sandbox_server.base_url}/sending-domains/v1/sending-domains/query",
        json={"query": {}},
        headers={"Authorization": creds.api_key, "wix-site-id": creds.site_id},
    )
    assert response.status_code == 428
    assert response.json()["details"]["applicationError"]["code"] == "SENDER_DETAILS_DO_NOT_EXIST"


async def test_journey_to_authenticated(wix: WixClient, control: SandboxControl) -> None:
    await verified(wix, control, "hello@bakery.example")
    await wix.create_sender_details("Bakery", "hello@bakery.example")

    domain = await wix.find_sending_domain("bakery.example")
    assert domain is not None
    assert domain.status is DomainStatus.INITIALIZING
    assert domain.dns_records == ()
    with pytest.raises(FailedPrecondition) as info:
        await wix.authenticate_sending_domain(domain.id)
    assert info.value.code

    control.advance(3600)
    domain = await wix.get_sending_domain(domain.id)
    assert domain.status is DomainStatus.NOT_AUTHENTICATED
    assert 3 <= len(domain.dns_records) <= 5
    assert all(r.type == "CNAME" for r in domain.dns_records)
    assert all(r.host_name.endswith(".bakery.example") for r in domain.dns_records)

    with pytest.raises(FailedPrecondition) as info:
        await wix.authenticate_sending_domain(domain.id)
    assert "DNS records" in info.value.sentence
    assert info.value.code
    assert (await wix.get_sending_domain(domain.id)).status is DomainStatus.NOT_AUTHENTICATED

    control.publish("bakery.example")
    control.advance(3600)  # the early attempt left negatives in Wix's resolver: let them expire
    result = await wix.authenticate_sending_domain(domain.id)
    assert result.status is DomainStatus.AUTHENTICATED
    assert (await wix.get_sending_domain(domain.id)).status is DomainStatus.AUTHENTICATED


async def test_partly_published_records_do_not_authenticate(
    wix: WixClient, control: SandboxControl
) -> None:
    await verified(wix, control, "hello@bakery.example")
    await wix.create_sender_details("Bakery", "hello@bakery.example")
    control.advance(3600)
    domain = await wix.find_sending_domain("bakery.example")
    assert domain is not None and domain.dns_records
    control.publish("bakery.example", hostNames=[domain.dns_records[0].host_name])
    with pytest.raises(FailedPrecondition):
        await wix.authenticate_sending_domain(domain.id)


async def test_public_mailbox_domains_get_no_sending_domain(
    wix: WixClient, sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    owner = site(sandbox_server).owner_email  # a public-mailbox address, auto-verified
    await wix.create_sender_email(owner)
    await wix.create_sender_details("Bakery", owner)
    public_domain = owner.rpartition("@")[2]
    assert await wix.query_sending_domains(domains=[public_domain]) == []
    assert await wix.find_sending_domain(public_domain) is None


async def test_query_by_domain_and_id_forms(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("agency")
    creds = site(sandbox_server)
    async with client_for(sandbox_server, creds) as wix:
        names = [d["domain"] for d in _domains_of(control, creds.site_id)]
        assert len(names) >= 4
        every = await wix.query_sending_domains(domains=[n.upper() + "." for n in names])
        assert sorted(d.domain for d in every) == sorted(names)
        statuses = {d.status for d in every}
        assert {
            DomainStatus.INITIALIZING,
            DomainStatus.NOT_AUTHENTICATED,
            DomainStatus.AUTHENTICATED,
            DomainStatus.UNKNOWN,
        } <= statuses
        unknown = next(d for d in every if d.status is DomainStatus.UNKNOWN)
        assert unknown.status_raw and unknown.status_label.startswith("unknown: ")

        one = await wix.query_sending_domains(ids=[every[0].id])
        assert [d.id for d in one] == [every[0].id]
        some = await wix.query_sending_domains(ids=[every[0].id, every[1].id, "missing-id"])
        assert sorted(d.id for d in some) == sorted([every[0].id, every[1].id])
        # No sender details use that domain: Wix's gate is per domain (fact sheet §1.7).
        with pytest.raises(SenderDetailsDoNotExist, match="use an address on this domain"):
            await wix.query_sending_domains(domains=["nothing-here.example"])
        with pytest.raises(NotFound):
            await wix.get_sending_domain("00000000-0000-0000-0000-000000000000")
        with pytest.raises(NotFound):
            await wix.authenticate_sending_domain("00000000-0000-0000-0000-000000000000")


async def test_agency_authenticate_paths(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("agency")
    creds = site(sandbox_server)
    async with client_for(sandbox_server, creds) as wix:
        names = [d["domain"] for d in _domains_of(control, creds.site_id)]
        domains = await wix.query_sending_domains(domains=names)
        authenticated = [d for d in domains if d.status is DomainStatus.AUTHENTICATED]
        assert authenticated
        again = await wix.authenticate_sending_domain(authenticated[0].id)
        assert again.status is DomainStatus.AUTHENTICATED
        initializing = next(d for d in domains if d.status is DomainStatus.INITIALIZING)
        with pytest.raises(FailedPrecondition):
            await wix.authenticate_sending_domain(initializing.id)
        pending = [d for d in domains if d.status is DomainStatus.NOT_AUTHENTICATED]
        outcomes = []
        for domain in pending:
            try:
                outcomes.append((await wix.authenticate_sending_domain(domain.id)).status)
            except FailedPrecondition:
                outcomes.append("refused")
        # One pending domain has its records published already; another does not.
        assert DomainStatus.AUTHENTICATED in outcomes and "refused" in outcomes


async def test_account_details(wix: WixClient, control: SandboxControl) -> None:
    account = await wix.get_account_details()
    assert account.status is AccountStatus.ACTIVE
    assert account.package_id
    assert account.monthly_quota.emails is not None
    control.account(status="SUSPENDED")
    assert (await wix.get_account_details()).status is AccountStatus.SUSPENDED


def _domains_of(control: SandboxControl, site_id: str) -> list[dict]:
    state = control.state()
    sites = state["sites"]
    entry = (
        sites[site_id]
        if isinstance(sites, dict)
        else next(s for s in sites if s.get("siteId") == site_id)
    )
    return entry["sendingDomains"]


# --- issue 11, the client's side: written to pass against the sandbox as it is and as it will
# be (type on records, features in Account Details). ------------------------------------------


async def test_an_authenticate_refusal_while_initializing_is_not_a_dns_attempt(
    wix: WixClient, control: SandboxControl
) -> None:
    await verified(wix, control, "hello@bakery.example")
    await wix.create_sender_details("Bakery", "hello@bakery.example")
    domain = await wix.find_sending_domain("bakery.example")
    assert domain is not None and domain.status is DomainStatus.INITIALIZING

    attempt = await wix.attempt_authentication(domain.id)
    assert attempt.refused  # however the sandbox names its code: no test depends on it
    assert attempt.domain is not None and attempt.domain.status is DomainStatus.INITIALIZING
    verdict = judge_attempt(
        refused=True,
        code=attempt.refusal.code if attempt.refusal else None,
        status_after=attempt.domain.status,
    )
    assert verdict.outcome is Outcome.NOT_READY and not verdict.counts

    control.advance(3600)
    attempt = await wix.attempt_authentication(domain.id)  # records not published: DNS fails
    assert attempt.refused
    assert attempt.domain is not None
    assert attempt.domain.status is DomainStatus.NOT_AUTHENTICATED
    verdict = judge_attempt(refused=True, status_after=attempt.domain.status)
    assert verdict.outcome is Outcome.DNS_FAILED and verdict.counts


async def test_records_come_complete_as_cnames_with_or_without_a_type(
    wix: WixClient, control: SandboxControl
) -> None:
    await verified(wix, control, "hello@bakery.example")
    await wix.create_sender_details("Bakery", "hello@bakery.example")
    control.advance(3600)
    domain = await wix.find_sending_domain("bakery.example")
    assert domain is not None and domain.dns_records
    assert domain.incomplete_records == ()
    for record in domain.dns_records:
        assert record.type == "CNAME"
        assert record.type_raw == "CNAME"  # Wix's typings: UNKNOWN_TYPE | CNAME
    records, problems = expected_records(domain)
    assert len(records) == len(domain.dns_records) and problems == []


async def test_account_details_features_are_read_when_sent_and_never_guessed(
    wix: WixClient, control: SandboxControl
) -> None:
    for package, multiple in (("Free", False), ("Ascend_Core", True)):
        control.account(packageId=package)
        account = await wix.get_account_details()
        assert account.package_id == package
        assert account.features.sent
        assert account.features.multiple_sender_details is multiple
        assert account.billing_cycle_raw in ("MONTHLY", "YEARLY")
    control.account(showFeatures=False)
    account = await wix.get_account_details()  # features left out: nothing is guessed
    assert not account.features.sent and account.features.multiple_sender_details is None
    control.account(showFeatures=True)


async def test_a_200_still_not_authenticated_is_a_failed_dns_check(
    wix: WixClient, control: SandboxControl
) -> None:
    """Wix's typings: Authenticate answers the domain "after authentication attempt", which
    may still be NOT_AUTHENTICATED: the sandbox's failed-check switch answers so."""
    await verified(wix, control, "hello@bakery.example")
    await wix.create_sender_details("Bakery", "hello@bakery.example")
    control.advance(3600)
    domain = await wix.find_sending_domain("bakery.example")
    assert domain is not None and domain.status is DomainStatus.NOT_AUTHENTICATED
    control.failed_check(200)
    attempt = await wix.attempt_authentication(domain.id)
    assert not attempt.refused
    assert attempt.domain is not None
    assert attempt.domain.status is DomainStatus.NOT_AUTHENTICATED
    verdict = judge_attempt(refused=False, status_after=attempt.domain.status)
    assert verdict.outcome is Outcome.DNS_FAILED and verdict.counts


async def test_a_record_without_a_value_keeps_the_domain(
    wix: WixClient, control: SandboxControl
) -> None:
    """The typings make hostName and value optional. Played with the sandbox's ``body``
    fault until it has a switch of its own."""
    await verified(wix, control, "hello@bakery.example")
    await wix.create_sender_details("Bakery", "hello@bakery.example")
    control.advance(3600)
    domain = await wix.find_sending_domain("bakery.example")
    assert domain is not None
    answer = {
        "sendingDomains": [
            {
                "id": domain.id,
                "domain": domain.domain,
                "status": "UNKNOWN_STATUS",
                "dnsRecords": [
                    {"hostName": "s1._domainkey.bakery.example", "type": "UNKNOWN_TYPE"},
                    {"hostName": "sg.bakery.example", "value": "sg.t.example"},
                ],
            }
        ],
        "pagingMetadata": {"count": 1, "cursors": {}, "hasNext": False},
    }
    control.fault("sending-domains.query", "body", body=answer, status=200)
    (found,) = await wix.query_sending_domains(domains=["bakery.example"])
    assert found.status_label == "unknown: UNKNOWN_STATUS"
    assert [r.incomplete for r in found.dns_records] == [True, False]
    assert [r.type for r in found.dns_records] == ["CNAME", "CNAME"]
    assert found.dns_records[0].type_raw == "UNKNOWN_TYPE"
