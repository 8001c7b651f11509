"""A write whose answer cannot be read reached Wix, so it may have happened: the error says so,
in its type's fields and in its sentence, and the client never sends the write again.

Through the real client against the sandbox ('agency' scenario: a verified address, an
unverified one, senders, and cedar-lane.example NOT_AUTHENTICATED with its records published).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import client_for, site
from tests.support import SandboxControl
from tui.sandbox import SandboxServer
from tui.wix import (
    DomainStatus,
    RateLimited,
    ServerError,
    WixError,
    WixProtocolError,
    WixTransportError,
)
from tui.wix.client import WixClient

MAY_HAVE = "Wix may have done it; check before trying again"
UNREADABLE = {
    "malformed": {},
    "empty": {},
    "html-200": {"status": 200, "phase": "after"},
    "no-object": {"body": {"unexpected": True}, "phase": "after"},
}


def kind_of(name: str) -> str:
    return {"html-200": "html", "no-object": "body"}.get(name, name)


@pytest.fixture
async def agency(
    sandbox_server: SandboxServer, control: SandboxControl
) -> AsyncIterator[WixClient]:
    control.reset("agency")
    async with client_for(sandbox_server, site(sandbox_server)) as client:
        yield client


def assert_may_have_happened(error: WixError) -> None:
    assert error.write is True
    assert error.may_have_happened is True
    assert MAY_HAVE in error.sentence
    assert "Try again" not in error.user_message()


@pytest.mark.parametrize("fault", UNREADABLE)
async def test_create_behind_an_unreadable_answer_may_have_happened(
    agency: WixClient, control: SandboxControl, fault: str
) -> None:
    control.count_requests("sender-emails.create")
    control.fault("sender-emails.create", kind_of(fault), **UNREADABLE[fault])
    with pytest.raises(WixProtocolError) as info:
        await agency.create_sender_email("new@northwind-studio.example")
    assert info.value.reached is True
    assert_may_have_happened(info.value)
    assert control.requests("sender-emails.create") == 1  # not sent again
    listed = await agency.list_sender_emails(email_address="new@northwind-studio.example")
    assert len(listed) == 1  # it did happen


@pytest.mark.parametrize("fault", ["malformed", "html-200"])
async def test_send_code_behind_an_unreadable_answer_is_sent_once(
    agency: WixClient, control: SandboxControl, fault: str
) -> None:
    address = "billing@northwind-studio.example"
    (email,) = await agency.list_sender_emails(email_address=address)
    control.count_requests("sender-emails.send-verification-code")
    control.fault("sender-emails.send-verification-code", kind_of(fault), **UNREADABLE[fault])
    with pytest.raises(WixProtocolError) as info:
        await agency.send_verification_code(email.id)
    assert_may_have_happened(info.value)
    assert control.requests("sender-emails.send-verification-code") == 1
    assert len(control.mailbox(address)) == 1


@pytest.mark.parametrize("fault", ["malformed", "html-200"])
async def test_authenticate_behind_an_unreadable_answer_reads_the_domain_again(
    agency: WixClient, control: SandboxControl, fault: str
) -> None:
    # Wix authenticated the domain; the answer was lost. Reading the domain again says so,
    # instead of leaving it "not authenticated" and inviting a second attempt.
    domain = await agency.find_sending_domain("cedar-lane.example")
    assert domain is not None and domain.status is DomainStatus.NOT_AUTHENTICATED
    control.count_requests("sending-domains.authenticate")
    control.fault("sending-domains.authenticate", kind_of(fault), **UNREADABLE[fault])
    result = await agency.authenticate_sending_domain(domain.id)
    assert result.status is DomainStatus.AUTHENTICATED
    assert control.requests("sending-domains.authenticate") == 1


async def test_authenticate_that_did_not_happen_still_raises(
    agency: WixClient, control: SandboxControl
) -> None:
    domain = await agency.find_sending_domain("northwind-studio.example")  # not published
    assert domain is not None
    control.count_requests("sending-domains.authenticate")
    control.fault("sending-domains.authenticate", "html", status=200)  # before processing
    with pytest.raises(WixProtocolError) as info:
        await agency.authenticate_sending_domain(domain.id)
    assert_may_have_happened(info.value)
    assert control.requests("sending-domains.authenticate") == 1


@pytest.mark.parametrize("fault", UNREADABLE)
async def test_a_read_behind_an_unreadable_answer_is_asked_again(
    agency: WixClient, control: SandboxControl, fault: str
) -> None:
    control.count_requests("account-details.get")
    control.fault("account-details.get", kind_of(fault), **UNREADABLE[fault])
    assert (await agency.get_account_details()).package_id == "Ascend_Advanced"
    assert control.requests("account-details.get") == 2


async def test_a_read_that_stays_unreadable_is_a_protocol_error_that_changed_nothing(
    agency: WixClient, control: SandboxControl
) -> None:
    control.fault("account-details.get", "malformed", count=100)
    with pytest.raises(WixProtocolError) as info:
        await agency.get_account_details()
    assert info.value.write is False
    assert info.value.may_have_happened is False
    assert MAY_HAVE not in info.value.sentence


async def test_what_may_have_happened_for_the_other_failures(
    agency: WixClient, control: SandboxControl
) -> None:
    (email,) = await agency.list_sender_emails(email_address="billing@northwind-studio.example")
    # A 5xx says nothing of what Wix did before failing: a write may have happened.
    control.fault("sender-emails.send-verification-code", "status", status=500)
    with pytest.raises(ServerError) as server:
        await agency.send_verification_code(email.id)
    assert server.value.may_have_happened is True
    assert "check before trying again" in server.value.user_message()
    # A 429 is a refusal: nothing happened.
    control.fault("sender-emails.send-verification-code", "status", status=429)
    with pytest.raises(RateLimited) as limited:
        await agency.send_verification_code(email.id)
    assert limited.value.may_have_happened is False
    # The connection died after the request left.
    control.fault("sender-emails.send-verification-code", "drop")
    with pytest.raises(WixTransportError) as dropped:
        await agency.send_verification_code(email.id)
    assert dropped.value.sent is True and dropped.value.may_have_happened is True
    assert len(control.mailbox("billing@northwind-studio.example")) == 1  # the dropped one
    # Reads never "may have happened".
    control.fault("account-details.get", "status", status=500, count=100)
    with pytest.raises(ServerError) as read:
        await agency.get_account_details()
    assert read.value.write is False and read.value.may_have_happened is False
