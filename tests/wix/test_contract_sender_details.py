"""Contract: the real WixClient against the sandbox over loopback HTTP — Sender Details."""

from __future__ import annotations

import pytest

from tests.support import SandboxControl
from tui.wix import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, SenderEmail
from tui.wix.client import WixClient


async def verified(wix: WixClient, control: SandboxControl, address: str) -> SenderEmail:
    email = await wix.get_or_create_sender_email(address)
    if not email.verified:
        await wix.send_verification_code(email.id)
        await wix.verify_sender_email(email.id, control.latest_code(address))
    return await wix.get_sender_email(email.id)


async def test_create_needs_a_verified_email(wix: WixClient, control: SandboxControl) -> None:
    await wix.create_sender_email("hello@bakery.example")
    with pytest.raises(FailedPrecondition) as info:
        await wix.create_sender_details("Bakery", "hello@bakery.example")
    assert info.value.status == 428
    assert info.value.code, "428 keeps Wix's application code"
    # Known from Sender Emails (the address is there, unverified), not from the code.
    assert info.value.cause == "unverified"
    assert "not a verified sender email" in info.value.sentence
    with pytest.raises(FailedPrecondition) as info:
        await wix.create_sender_details("Bakery", "never-added@bakery.example")
    assert info.value.cause == "unverified"


async def test_first_sender_becomes_default(wix: WixClient, control: SandboxControl) -> None:
    await verified(wix, control, "hello@bakery.example")
    details = await wix.create_sender_details("Bakery", "hello@bakery.example")
    assert details.default is True
    assert details.from_name == "Bakery"
    assert details.from_email_address == "hello@bakery.example"
    assert await wix.get_sender_details(details.id) == details
    assert await wix.get_default_sender_details() == details
    assert [d.id for d in await wix.list_sender_details()] == [details.id]


async def test_get_default_without_any_sender(wix: WixClient) -> None:
    with pytest.raises(NotFound):
        await wix.get_default_sender_details()


@pytest.mark.parametrize(
    ("name", "address"),
    [("", "hello@bakery.example"), ("x" * 101, "hello@bakery.example"), ("Bakery", "not-an-email")],
)
async def test_invalid_fields(
    wix: WixClient, control: SandboxControl, name: str, address: str
) -> None:
    await verified(wix, control, "hello@bakery.example")
    with pytest.raises(InvalidArgument) as info:
        await wix.create_sender_details(name, address)
    assert info.value.field_violations


async def test_duplicate_is_already_exists(wix: WixClient, control: SandboxControl) -> None:
    await verified(wix, control, "hello@bakery.example")
    await wix.create_sender_details("Bakery", "hello@bakery.example")
    with pytest.raises(AlreadyExists):
        await wix.create_sender_details("Bakery", "hello@bakery.example")


async def test_update_changes_only_given_fields(wix: WixClient, control: SandboxControl) -> None:
    await verified(wix, control, "hello@bakery.example")
    details = await wix.create_sender_details("Bakery", "hello@bakery.example")
    renamed = await wix.update_sender_details(details.id, from_name="The Bakery")
    assert renamed.from_name == "The Bakery"
    assert renamed.from_email_address == "hello@bakery.example"
    await wix.create_sender_email("other@bakery.example")
    with pytest.raises(FailedPrecondition):
        await wix.update_sender_details(details.id, from_email_address="other@bakery.example")
    await verified(wix, control, "other@bakery.example")
    moved = await wix.update_sender_details(details.id, from_email_address="other@bakery.example")
    assert moved.from_email_address == "other@bakery.example"
    with pytest.raises(NotFound):
        await wix.update_sender_details("00000000-0000-0000-0000-000000000000", from_name="X")


async def test_second_sender_needs_a_bigger_plan(wix: WixClient, control: SandboxControl) -> None:
    await verified(wix, control, "hello@bakery.example")
    await wix.create_sender_details("Bakery", "hello@bakery.example")
    with pytest.raises(FailedPrecondition) as info:
        await wix.create_sender_details("Bakery Orders", "hello@bakery.example")
    assert info.value.code


async def test_default_moves_and_default_cannot_be_deleted(
    wix: WixClient, control: SandboxControl
) -> None:
    control.account(packageId="Ascend_Core")
    await verified(wix, control, "hello@bakery.example")
    first = await wix.create_sender_details("Bakery", "hello@bakery.example")
    second = await wix.create_sender_details("Bakery Orders", "hello@bakery.example")
    assert second.default is False

    with pytest.raises(FailedPrecondition) as info:
        await wix.delete_sender_details(first.id)
    assert "default sender cannot be deleted" in info.value.sentence

    await wix.mark_sender_details_as_default(second.id)
    assert (await wix.get_default_sender_details()).id == second.id
    assert (await wix.get_sender_details(first.id)).default is False

    await wix.delete_sender_details(first.id)
    with pytest.raises(NotFound):
        await wix.get_sender_details(first.id)
    with pytest.raises(NotFound):
        await wix.mark_sender_details_as_default(first.id)
    with pytest.raises(NotFound):
        await wix.delete_sender_details(first.id)


async def test_list_pages(wix: WixClient, control: SandboxControl) -> None:
    control.account(packageId="Ascend_Core")
    await verified(wix, control, "hello@bakery.example")
    made = [
        await wix.create_sender_details(f"Sender {i}", "hello@bakery.example") for i in range(5)
    ]
    page = await wix.list_sender_details_page(limit=2)
    assert len(page.items) == 2 and page.next_cursor
    assert sorted(d.id for d in await wix.list_sender_details()) == sorted(d.id for d in made)
    paged = [d.id async for d in wix.iter_sender_details(page_size=2)]
    assert sorted(paged) == sorted(d.id for d in made)


async def test_a_second_sender_on_a_one_sender_plan_is_explained_from_wix_data(
    wix: WixClient, control: SandboxControl
) -> None:
    """No test depends on the sandbox's code names (Wix documents none for these 428s): the
    cause comes from Account Details' features; without them, Wix's words are quoted and no
    cause is chosen."""
    control.account(packageId="Free")
    await verified(wix, control, "hello@bakery.example")
    await verified(wix, control, "news@bakery.example")
    await wix.create_sender_details("Bakery", "hello@bakery.example")
    with pytest.raises(FailedPrecondition) as info:
        await wix.create_sender_details("News", "news@bakery.example")
    error = info.value
    assert (await wix.get_account_details()).features.multiple_sender_details is False
    assert error.cause == "plan"
    assert "plan allows one sender" in error.sentence
    # The same refusal with Account Details leaving features out: no cause is guessed.
    control.account(showFeatures=False)
    await verified(wix, control, "news2@bakery.example")
    with pytest.raises(FailedPrecondition) as unexplained:
        await wix.create_sender_details("News", "news2@bakery.example")
    assert (await wix.get_account_details()).features.multiple_sender_details is None
    assert unexplained.value.cause == ""
    assert unexplained.value.sentence.startswith("Wix refused to create this sender. Wix says: ")
    assert "two reasons" in unexplained.value.hint
    control.account(showFeatures=True)
    assert "Add it as a sender email" not in error.user_message()  # it is verified
    control.account(packageId="Ascend_Core")
    second = await wix.create_sender_details("News", "news@bakery.example")
    assert second.default is False
