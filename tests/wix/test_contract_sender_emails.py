"""Contract: the real WixClient against the sandbox over loopback HTTP — Sender Emails."""

from __future__ import annotations

import pytest

from tests.conftest import site
from tests.support import SandboxControl
from tui.sandbox import SandboxServer
from tui.wix import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from tui.wix.client import WixClient


async def test_create_gives_an_unverified_address(wix: WixClient) -> None:
    email = await wix.create_sender_email("hello@bakery.example")
    assert email.email_address == "hello@bakery.example"
    assert email.verified is False
    assert email.id
    assert email.created_date is not None
    again = await wix.get_sender_email(email.id)
    assert again == email


async def test_owner_login_email_is_auto_verified(
    wix: WixClient, sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    owner = site(sandbox_server).owner_email
    email = await wix.create_sender_email(owner)
    assert email.verified is True
    assert control.mailbox(owner) == []


@pytest.mark.parametrize("address", ["not-an-email", "a@b", "@bakery.example", "x" * 250 + "@e.ex"])
async def test_invalid_address_is_a_field_violation(wix: WixClient, address: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        await wix.create_sender_email(address)
    error = info.value
    assert error.status == 400
    assert error.field_violations, "the sandbox should say which field is wrong"
    assert any("emailAddress" in v.field for v in error.field_violations)
    assert "emailAddress" in error.user_message()
    assert error.method == "POST" and error.path == "/sender-emails/v1/sender-emails"


async def test_duplicate_create_is_already_exists(wix: WixClient) -> None:
    await wix.create_sender_email("hello@bakery.example")
    with pytest.raises(AlreadyExists) as info:
        await wix.create_sender_email("Hello@Bakery.example")
    assert "already a sender email" in info.value.sentence


async def test_get_or_create_returns_the_existing_address(wix: WixClient) -> None:
    first = await wix.get_or_create_sender_email("orders@bakery.example")
    second = await wix.get_or_create_sender_email("orders@bakery.example")
    assert first.id == second.id
    assert len(await wix.list_sender_emails()) == 1


async def test_get_or_create_rejects_an_invalid_address(wix: WixClient) -> None:
    with pytest.raises(InvalidArgument):
        await wix.get_or_create_sender_email("nope")


async def test_unknown_id_is_not_found(wix: WixClient) -> None:
    with pytest.raises(NotFound) as info:
        await wix.get_sender_email("00000000-0000-0000-0000-000000000000")
    assert info.value.status == 404
    assert info.value.path.endswith("/00000000-0000-0000-0000-000000000000")
    for call in (
        wix.send_verification_code,
        wix.delete_sender_email,
        lambda i: wix.verify_sender_email(i, "123456"),
    ):
        with pytest.raises(NotFound):
            await call("00000000-0000-0000-0000-000000000000")


@pytest.mark.parametrize(
    "bad_id", [".", "..", "../sender-emails", "a/b", "default", "query", "x" * 200, "id\ud800"]
)
async def test_ids_that_could_reach_another_route_are_refused_before_sending(
    wix: WixClient, control: SandboxControl, bad_id: str
) -> None:
    email = await wix.create_sender_email("hello@bakery.example")
    before = control.state()["sites"][0]["requestsLastMinute"]
    for call in (
        wix.get_sender_email,
        wix.delete_sender_email,
        wix.send_verification_code,
        lambda i: wix.verify_sender_email(i, "123456"),
    ):
        with pytest.raises(ValueError, match="not a valid sender email ID"):
            await call(bad_id)
    assert control.state()["sites"][0]["requestsLastMinute"] == before
    assert (await wix.get_sender_email(email.id)).id == email.id


async def test_wrong_argument_types_get_a_clear_type_error(wix: WixClient) -> None:
    with pytest.raises(TypeError, match="email address must be a string"):
        await wix.create_sender_email(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="verification code must be a string"):
        await wix.verify_sender_email("abc", 123456)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="domain name must be a string"):
        await wix.query_sending_domains(domains=[None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="sender email ID must be a string"):
        await wix.get_sender_email(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at most 254"):
        await wix.list_sender_emails(email_address="x" * 300 + "@e.example")


async def test_list_iterates_every_page(wix: WixClient) -> None:
    created = [await wix.create_sender_email(f"user{i}@bakery.example") for i in range(7)]
    first = await wix.list_sender_emails_page(limit=3)
    assert len(first.items) == 3 and first.next_cursor
    seen = [e async for e in wix.iter_sender_emails(page_size=3)]
    assert sorted(e.id for e in seen) == sorted(e.id for e in created)
    assert len({e.id for e in seen}) == 7


async def test_list_filters_by_address_across_pages(wix: WixClient) -> None:
    for i in range(4):
        await wix.create_sender_email(f"user{i}@bakery.example")
    wanted = await wix.create_sender_email("wanted@bakery.example")
    found = await wix.list_sender_emails(email_address="wanted@bakery.example")
    assert [e.id for e in found] == [wanted.id]
    paged = [
        e async for e in wix.iter_sender_emails(email_address="user1@bakery.example", page_size=1)
    ]
    assert [e.email_address for e in paged] == ["user1@bakery.example"]
    assert await wix.list_sender_emails(email_address="nobody@bakery.example") == []


async def test_list_rejects_an_out_of_range_page_size(wix: WixClient) -> None:
    with pytest.raises(InvalidArgument):
        await wix.list_sender_emails_page(limit=1000)


async def test_verification_journey(wix: WixClient, control: SandboxControl) -> None:
    email = await wix.create_sender_email("hello@bakery.example")
    await wix.send_verification_code(email.id)
    code = control.latest_code("hello@bakery.example")
    assert 3 <= len(code) <= 10

    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(InvalidArgument) as info:
        await wix.verify_sender_email(email.id, wrong)
    assert "code is not right" in info.value.sentence
    assert (await wix.get_sender_email(email.id)).verified is False

    await wix.verify_sender_email(email.id, code)
    assert (await wix.get_sender_email(email.id)).verified is True

    with pytest.raises(AlreadyExists) as info:
        await wix.verify_sender_email(email.id, code)
    assert "already verified" in info.value.sentence
    with pytest.raises(AlreadyExists):
        await wix.send_verification_code(email.id)
    assert len(control.mailbox("hello@bakery.example")) == 1


async def test_only_the_latest_code_counts(wix: WixClient, control: SandboxControl) -> None:
    email = await wix.create_sender_email("hello@bakery.example")
    await wix.send_verification_code(email.id)
    old = control.latest_code("hello@bakery.example")
    await wix.send_verification_code(email.id)
    new = control.latest_code("hello@bakery.example")
    assert len(control.mailbox("hello@bakery.example")) == 2
    assert old != new  # the sandbox's codes are seeded per scenario, so this is stable
    with pytest.raises(InvalidArgument):
        await wix.verify_sender_email(email.id, old)
    await wix.verify_sender_email(email.id, new)


async def test_verify_without_a_code_sent_is_refused(wix: WixClient) -> None:
    email = await wix.create_sender_email("hello@bakery.example")
    with pytest.raises(InvalidArgument):
        await wix.verify_sender_email(email.id, "123456")


async def test_overlong_code_is_a_field_violation(wix: WixClient) -> None:
    email = await wix.create_sender_email("hello@bakery.example")
    await wix.send_verification_code(email.id)
    with pytest.raises(InvalidArgument) as info:
        await wix.verify_sender_email(email.id, "12345678901")
    assert any(v.field == "verificationCode" for v in info.value.field_violations)


async def test_delete(wix: WixClient) -> None:
    email = await wix.create_sender_email("hello@bakery.example")
    await wix.delete_sender_email(email.id)
    with pytest.raises(NotFound):
        await wix.get_sender_email(email.id)
    assert await wix.list_sender_emails() == []


async def test_too_many_codes_is_a_failed_precondition(
    wix: WixClient, control: SandboxControl
) -> None:
    email = await wix.create_sender_email("hello@bakery.example")
    for _ in range(5):
        await wix.send_verification_code(email.id)
    with pytest.raises(FailedPrecondition) as info:
        await wix.send_verification_code(email.id)
    error = info.value
    assert error.status == 428 and error.code == "VERIFICATION_CODE_LIMIT_REACHED"
    assert "cannot send a code" in error.sentence
    assert len(control.mailbox("hello@bakery.example")) == 5
