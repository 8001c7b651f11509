"""A Create Sender Details 428 is explained from Wix's data, never from a code name (fact sheet
§3.1: Wix documents two 428s without naming their codes; §4: ``features.multipleSenderDetails``).

Narrow unit tests over httpx.MockTransport (the sandbox cannot yet send ``features``, nor
refuse with a code that lies); the contract test against the sandbox is in
test_contract_sender_details.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tui.wix import NO_RETRY, ApiKeyAuth, FailedPrecondition, SenderDetailsDoNotExist
from tui.wix import errors as e
from tui.wix.client import WixClient

KEY = "IST.abcdefghijklmnopqrstuvwxyz0123456789"
ADDRESS = "hello@bakery.example"
SENDER = {"id": "s-1", "fromName": "One", "fromEmailAddress": "one@bakery.example"}
Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def refusal(code: str = "SOMETHING", words: str = "cannot add this sender") -> httpx.Response:
    body = {
        "message": words,
        "details": {"applicationError": {"code": code, "description": words, "data": {}}},
    }
    return httpx.Response(428, json=body)


def account(features: object = None, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {"status": "ACTIVE", "package": {"id": "Free"}, **extra}
    if features is not None:
        body["features"] = features
    return httpx.Response(200, json={"accountDetails": body})


def emails(*items: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"senderEmails": list(items), "pagingMetadata": {}})


def details(*items: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"senderDetails": list(items), "pagingMetadata": {}})


VERIFIED = {"id": "e-1", "emailAddress": ADDRESS, "verified": True}
UNVERIFIED = {"id": "e-1", "emailAddress": ADDRESS, "verified": False}


class FakeWix:
    """Answers by (method, path); records every request it was sent."""

    def __init__(self, answers: dict[tuple[str, str], Answer]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.get((request.method, request.url.path))
        if answer is None:
            return httpx.Response(404, json={"message": "no such route in the test"})
        return answer(request) if callable(answer) else answer

    def asked(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if (r.method, r.url.path) == (method, path))


SD = "/sender-details/v1/sender-details"
SE = "/sender-emails/v1/sender-emails"
AD = "/email-marketing/v1/account-details"


def fake(
    create: Answer,
    account_answer: Answer | None = None,
    email_answer: Answer | None = None,
    details_answer: Answer | None = None,
) -> FakeWix:
    answers: dict[tuple[str, str], Answer] = {("POST", SD): create}
    if account_answer is not None:
        answers[("GET", AD)] = account_answer
    if email_answer is not None:
        answers[("GET", SE)] = email_answer
    if details_answer is not None:
        answers[("GET", SD)] = details_answer
    return FakeWix(answers)


async def create(wix_fake: FakeWix) -> FailedPrecondition:
    client = WixClient(
        ApiKeyAuth(KEY, "site-1"),
        retry=NO_RETRY,
        http=httpx.AsyncClient(transport=httpx.MockTransport(wix_fake)),
    )
    async with client:
        with pytest.raises(FailedPrecondition) as info:
            await client.create_sender_details("Two", ADDRESS)
    return info.value


async def test_one_sender_plan_with_a_sender_says_so_and_quotes_wix() -> None:
    wix = fake(
        refusal(words="no more senders"),
        account({"multipleSenderDetails": False}),
        details_answer=details(SENDER),
    )
    error = await create(wix)
    assert error.cause == e.CAUSE_PLAN
    assert "plan allows one sender" in error.user_message()
    assert "Wix says: no more senders." in error.sentence
    assert "Core or Advanced" in error.hint
    assert "verif" not in error.user_message().lower()
    assert error.status == 428 and error.code == "SOMETHING"  # Wix's code is kept, not read
    assert wix.asked("GET", SE) == 0  # the plan settles it: no more reads


async def test_a_plan_code_name_is_not_a_cause_when_the_plan_allows_more() -> None:
    # The sandbox's own invention: a code that "contains PLAN". Wix documents no such name.
    wix = fake(
        refusal("PLAN_DOES_NOT_SUPPORT_MULTIPLE_SENDERS", "refused"),
        account({"multipleSenderDetails": True}),
        emails(VERIFIED),
    )
    error = await create(wix)
    assert error.cause == ""
    assert "plan allows one sender" not in error.user_message()
    assert "Wix says: refused." in error.sentence
    assert "not the reason" in error.hint
    assert "verify" not in error.user_message().lower()  # the address is verified


async def test_without_features_nothing_is_guessed_and_wix_is_quoted() -> None:
    wix = fake(refusal("PLAN_X", "the plan allows one sender"), account(), emails(VERIFIED))
    error = await create(wix)
    assert error.cause == ""
    assert not error.sentence.startswith("Your email-marketing plan")
    assert "Wix says: the plan allows one sender." in error.sentence
    assert "two reasons" in error.hint and "this address is verified" in error.hint
    assert "do not say whether the plan" in error.hint


async def test_an_unverified_address_is_said_only_when_wix_says_it_is() -> None:
    wix = fake(refusal(), account({"multipleSenderDetails": True}), emails(UNVERIFIED))
    error = await create(wix)
    assert error.cause == e.CAUSE_UNVERIFIED
    assert "not a verified sender email" in error.sentence
    assert "verify it" in error.hint
    # The address is asked for by name, and only it counts.
    (listing,) = [r for r in wix.requests if r.url.path == SE]
    assert listing.url.params.get("emailAddress") == ADDRESS


async def test_an_address_that_is_not_a_sender_email_at_all_is_unverified() -> None:
    other = {"id": "e-2", "emailAddress": "other@bakery.example", "verified": True}
    wix = fake(refusal(), account({"multipleSenderDetails": True}), emails(other))
    error = await create(wix)
    assert error.cause == e.CAUSE_UNVERIFIED


async def test_a_one_sender_plan_without_any_sender_is_not_the_reason() -> None:
    wix = fake(
        refusal(),
        account({"multipleSenderDetails": False}),
        emails(UNVERIFIED),
        details_answer=details(),
    )
    error = await create(wix)
    assert error.cause == e.CAUSE_UNVERIFIED
    assert "plan allows one sender" not in error.user_message()


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(403, json={"message": "no scope"}),
        httpx.Response(500, json={"message": "", "details": {}}),
        httpx.Response(200, content=b"<html>"),
    ],
)
async def test_account_details_that_cannot_be_read_are_said_and_wix_is_quoted(
    failure: httpx.Response,
) -> None:
    wix = fake(refusal(words="cannot add this sender"), failure, emails(VERIFIED))
    error = await create(wix)
    assert error.cause == ""
    assert "Wix says: cannot add this sender." in error.sentence
    assert "account details could not be read" in error.hint
    assert "verify" not in error.user_message().lower()


async def test_every_read_failing_still_quotes_wix_and_guesses_nothing() -> None:
    down = httpx.Response(503, json={"message": "", "details": {}})
    error = await create(fake(refusal(words="nope"), down, down))
    assert error.cause == ""
    assert "Wix says: nope." in error.sentence
    assert "plan allows one sender" not in error.user_message()
    assert "The from address is not" not in error.user_message()
    assert "two reasons" in error.hint  # both documented reasons named, neither chosen


async def test_wix_words_are_sanitised_and_secrets_masked() -> None:
    words = f"bad \x1b]52;c;AAAA\x07 key {KEY}"
    error = await create(fake(refusal(words=words), account({"multipleSenderDetails": True})))
    text = error.user_message()
    assert "\x1b" not in text and "\x07" not in text
    assert KEY not in text and e.HIDDEN in text


async def test_a_refusal_without_words_says_wix_gave_no_reason() -> None:
    empty = httpx.Response(428, json={"message": "", "details": {}})
    error = await create(fake(empty, account({"multipleSenderDetails": True}), emails(VERIFIED)))
    assert "Wix gave no reason." in error.sentence


async def test_sender_details_do_not_exist_and_other_errors_pass_untouched() -> None:
    gate = httpx.Response(
        428,
        json={
            "message": "m",
            "details": {"applicationError": {"code": "SENDER_DETAILS_DO_NOT_EXIST"}},
        },
    )
    wix = fake(gate, account({"multipleSenderDetails": False}))
    client = WixClient(
        ApiKeyAuth(KEY, "site-1"),
        retry=NO_RETRY,
        http=httpx.AsyncClient(transport=httpx.MockTransport(wix)),
    )
    async with client:
        with pytest.raises(SenderDetailsDoNotExist):
            await client.create_sender_details("Two", ADDRESS)
        wix.answers[("POST", SD)] = httpx.Response(409, json={"message": "dup"})
        with pytest.raises(e.AlreadyExists):
            await client.create_sender_details("Two", ADDRESS)
    assert wix.asked("GET", AD) == 0  # only a 428 is explained


async def test_the_create_request_is_sent_once() -> None:
    wix = fake(refusal(), account({"multipleSenderDetails": True}), emails(VERIFIED))
    await create(wix)
    assert wix.asked("POST", SD) == 1
    (sent,) = [r for r in wix.requests if r.method == "POST"]
    assert json.loads(sent.content) == {
        "senderDetails": {"fromName": "Two", "fromEmailAddress": ADDRESS}
    }


# --- the words alone -------------------------------------------------------------------------


def _refused(words: str = "w") -> e.FailedPrecondition:
    error = e.error_from_response(
        operation="sender-details.create",
        method="POST",
        path=SD,
        status=428,
        body=json.dumps(
            {"message": words, "details": {"applicationError": {"code": "PLAN_ANYTHING"}}}
        ).encode(),
        write=True,
    )
    assert isinstance(error, e.FailedPrecondition)
    return error


def test_the_mapping_alone_guesses_no_cause_from_a_code() -> None:
    error = _refused("the plan is too small")
    assert error.code == "PLAN_ANYTHING"
    assert not error.sentence.startswith("Your")
    assert "verif" not in error.user_message().lower()
    assert "Wix says: the plan is too small." in error.sentence  # the message, quoted


@pytest.mark.parametrize(
    ("multiple", "has_senders", "verified", "cause"),
    [
        (False, True, None, e.CAUSE_PLAN),
        (False, None, False, e.CAUSE_PLAN),  # the sender list unread: the plan still says
        (False, False, False, e.CAUSE_UNVERIFIED),
        (False, False, True, ""),
        (True, None, False, e.CAUSE_UNVERIFIED),
        (True, None, True, ""),
        (None, None, None, ""),
        (None, None, False, e.CAUSE_UNVERIFIED),
    ],
)
def test_explain_sender_refusal_decides_from_data(
    multiple: bool | None, has_senders: bool | None, verified: bool | None, cause: str
) -> None:
    error = _refused()
    explained = e.explain_sender_refusal(
        error, multiple_senders=multiple, has_senders=has_senders, address_verified=verified
    )
    assert explained.cause == cause
    assert type(explained) is type(error)
    assert (explained.status, explained.code, explained.write) == (428, "PLAN_ANYTHING", True)
    assert "Wix says: w." in explained.sentence
    assert not explained.may_have_happened
