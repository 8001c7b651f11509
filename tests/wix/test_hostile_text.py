"""Text from Wix is shown on a terminal, so every string the client takes from Wix's JSON comes
out inert: no ESC or C1 sequence (an OSC 52 in a from-name wrote the user's clipboard), no bidi
override, no 10,000-character line. Ids are the exception: they address objects in URLs, so a
hostile id is refused as a protocol error instead of being changed into some other id.

Through the real client against the sandbox, whose ``body`` fault answers any JSON we give it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import SandboxControl
from tui.sanitize import MAX_LENGTH, is_visible
from tui.wix import InvalidArgument, WixError, WixProtocolError
from tui.wix.client import WixClient

OSC52 = "\x1b]52;c;aGVsbG8=\x07"  # would write "hello" to the user's clipboard
CSI = "\x1b[2J\x1b[31m"  # clear the screen, go red
C1 = "\x9b31m\x9d0;title\x9c"  # the same through 8-bit C1 controls
RLO = "\u202e"  # right-to-left override: "moc.elpmaxe" reads as "example.com"
HOSTILE = f"Shop{OSC52}{CSI}{C1}{RLO}moc.elpmaxe\u2066\u200b"
LONG = "N" * 10_000


def strings(value: object) -> Iterator[str]:
    """Every string inside a parsed model (dataclasses, tuples, mappings), recursively."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from strings(getattr(value, field.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)


def assert_inert(value: object) -> None:
    found = list(strings(value))
    assert found, "nothing to check"
    for text in found:
        assert is_visible(text), f"unsafe text got through: {text!r}"
        assert len(text) <= MAX_LENGTH + 40, f"a {len(text)}-character string got through"


def sender(**fields: Any) -> dict[str, Any]:
    return {
        "id": "5e1d3a2c-0000-4000-8000-000000000001",
        "fromName": HOSTILE,
        "fromEmailAddress": f"info{RLO}@bakery.example",
        "default": True,
        **fields,
    }


async def test_sender_details_strings_are_inert(wix: WixClient, control: SandboxControl) -> None:
    body = {
        "senderDetails": [
            sender(),
            sender(id="5e1d3a2c-0000-4000-8000-000000000002", fromName=LONG),
        ]
    }
    control.fault("sender-details.list", "body", body=body)
    found = await wix.list_sender_details()
    assert_inert(found)
    assert found[0].from_name.startswith("Shop\\x1b]52;c;aGVsbG8=\\x07\\x1b[2J")
    assert "\\u202emoc.elpmaxe" in found[0].from_name  # still there to see, but inert
    assert found[0].from_email_address == "info\\u202e@bakery.example"
    assert found[1].from_name == "N" * MAX_LENGTH + "… (9000 more characters)"


async def test_a_created_sender_is_inert_too(wix: WixClient, control: SandboxControl) -> None:
    control.fault("sender-details.create", "body", body={"senderDetails": sender()})
    created = await wix.create_sender_details("Bakery", "info@bakery.example")
    assert_inert(created)


async def test_sender_email_strings_are_inert(wix: WixClient, control: SandboxControl) -> None:
    email = {
        "id": "5e1d3a2c-0000-4000-8000-000000000003",
        "emailAddress": f"{OSC52}a@b.example",
        "verified": True,
    }
    control.fault("sender-emails.get", "body", body={"senderEmail": email})
    found = await wix.get_sender_email("5e1d3a2c-0000-4000-8000-000000000003")
    assert_inert(found)
    assert found.email_address == "\\x1b]52;c;aGVsbG8=\\x07a@b.example"


async def test_sending_domain_strings_are_inert(wix: WixClient, control: SandboxControl) -> None:
    domain = {
        "id": "5e1d3a2c-0000-4000-8000-000000000004",
        "domain": f"bakery{RLO}.example",
        "status": f"NEW{CSI}",
        "dnsRecords": [
            {"hostName": f"s1._domainkey{C1}.bakery.example", "value": LONG, "type": f"c{OSC52}"}
        ],
    }
    control.fault("sending-domains.query", "body", body={"sendingDomains": [domain]})
    found = await wix.query_sending_domains(domains=["bakery.example"])
    assert_inert(found)
    assert found[0].status_label == "unknown: NEW\\x1b[2J\\x1b[31m"
    assert found[0].dns_records[0].host_name.startswith("s1._domainkey\\x9b31m")


async def test_account_details_strings_are_inert(wix: WixClient, control: SandboxControl) -> None:
    details = {
        "status": f"ACTIVE{RLO}",
        "package": {"id": f"Ascend{OSC52}", "group": LONG},
    }
    control.fault("account-details.get", "body", body={"accountDetails": details})
    found = await wix.get_account_details()
    assert_inert(found)
    assert found.status_label == "unknown: ACTIVE\\u202e"


def assert_error_inert(error: WixError) -> None:
    for text in (
        error.sentence,
        error.hint,
        error.server_message,
        error.code or "",
        error.user_message(),
        str(error),
    ):
        assert is_visible(text), f"unsafe text got through: {text!r}"
        assert len(text) <= 4 * MAX_LENGTH


async def test_error_envelope_strings_are_inert(wix: WixClient, control: SandboxControl) -> None:
    envelope = {
        "message": f"nope {OSC52}",
        "details": {
            "applicationError": {
                "code": f"CODE{CSI}",
                "description": f"{RLO}{LONG}",
                "data": {f"k{C1}": [f"v{OSC52}", 7, {"n": f"{RLO}"}], "retryAfterSeconds": 30},
            }
        },
    }
    control.fault("account-details.get", "body", status=403, body=envelope)
    with pytest.raises(WixError) as info:
        await wix.get_account_details()
    assert_error_inert(info.value)
    assert "\\u202e" in info.value.sentence  # Wix's words are quoted, escaped
    assert_inert(dict(info.value.data))
    assert info.value.data["retryAfterSeconds"] == 30  # numbers stay numbers


async def test_field_violations_are_inert(wix: WixClient, control: SandboxControl) -> None:
    envelope = {
        "message": f"bad{CSI}",
        "details": {
            "validationError": {
                "fieldViolations": [
                    {
                        "field": f"fromName{RLO}",
                        "description": f"too long {OSC52}{LONG}",
                        "violatedRule": f"MAX{C1}",
                        "data": {"threshold": 20, "hint": f"{OSC52}"},
                    }
                ]
            }
        },
    }
    control.fault("sender-details.create", "body", status=400, body=envelope)
    with pytest.raises(InvalidArgument) as info:
        await wix.create_sender_details("Bakery", "info@bakery.example")
    assert_error_inert(info.value)
    assert_inert(info.value.field_violations)
    assert info.value.field_violations[0].data == {
        "threshold": 20,
        "hint": "\\x1b]52;c;aGVsbG8=\\x07",
    }


@pytest.mark.parametrize(
    "bad_id",
    [
        "5e1d3a2c\x1b[2J",  # a control character
        "5e1d3a2c\u202e",  # a bidi override
        "..",  # would be normalised away in the URL: DELETE on the collection
        "default",  # would address the sibling route /sender-details/default
        "a/b",  # would address a sub-resource
        "x" * 129,
    ],
)
async def test_an_unsafe_id_is_refused_not_changed(
    wix: WixClient, control: SandboxControl, bad_id: str
) -> None:
    # An id is used in URLs: escaping it would turn it into another id that may address
    # another object, so it is refused, and nothing is shown of it unescaped.
    body = {"senderDetails": [sender(id=bad_id)]}
    control.fault("sender-details.list", "body", body=body, count=10)  # outlasts the retries
    with pytest.raises(WixProtocolError) as info:
        await wix.list_sender_details()
    assert "ID" in info.value.sentence
    assert_error_inert(info.value)


async def test_a_flood_of_violations_is_counted_not_listed(
    wix: WixClient, control: SandboxControl
) -> None:
    one = {"field": "fromName", "description": "x" * 900, "violatedRule": "MAX"}
    envelope = {"message": "bad", "details": {"validationError": {"fieldViolations": [one] * 500}}}
    control.fault("sender-details.create", "body", status=400, body=envelope)
    with pytest.raises(InvalidArgument) as info:
        await wix.create_sender_details("Bakery", "info@bakery.example")
    assert "and 495 more" in info.value.sentence
    assert len(info.value.sentence) < 6 * 1000
    assert len(info.value.field_violations) == 50
