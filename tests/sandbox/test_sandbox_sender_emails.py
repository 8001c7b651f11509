"""Sender Emails endpoints over HTTP: happy paths, validation, codes, paging."""

from __future__ import annotations

import re

import pytest

BASE = "/sender-emails/v1/sender-emails"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def violations(response) -> list[dict]:
    return response.json()["details"]["validationError"]["fieldViolations"]


def app_code(response) -> str:
    return response.json()["details"]["applicationError"]["code"]


def test_create_returns_unverified_email_with_wix_shape(site):
    response = site.post(BASE, json={"senderEmail": {"emailAddress": "hello@sunrise.example"}})
    assert response.status_code == 200
    email = response.json()["senderEmail"]
    assert set(email) == {"id", "emailAddress", "verified", "createdDate", "updatedDate"}
    assert email["emailAddress"] == "hello@sunrise.example"
    assert email["verified"] is False
    assert ISO_MS.match(email["createdDate"]) and ISO_MS.match(email["updatedDate"])
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", email["id"]
    )


def test_owner_login_email_is_auto_verified(site):
    email = site.create_email(site.creds.owner_email)
    assert email["verified"] is True


def test_unknown_request_fields_are_ignored(site):
    response = site.post(
        BASE,
        json={"senderEmail": {"emailAddress": "a.b@sunrise.example", "color": "red"}, "x": 1},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        ("not-an-email", "FORMAT"),
        ("a@b.c", "MIN"),
        ("x" * 250 + "@a.example", "MAX"),
        ("two@@signs.example", "FORMAT"),
        ("dot.@end.example", "FORMAT"),
        ("", "REQUIRED"),
    ],
)
def test_create_validates_the_address(site, address, rule):
    response = site.post(BASE, json={"senderEmail": {"emailAddress": address}})
    assert response.status_code == 400
    (violation,) = violations(response)
    assert violation["field"] == "senderEmail.emailAddress"
    assert violation["violatedRule"] == rule


def test_create_without_sender_email_object(site):
    response = site.post(BASE, json={})
    assert response.status_code == 400
    assert violations(response)[0]["field"] == "senderEmail"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""])
def test_create_needs_a_json_object_body(site, body):
    response = site.post(BASE, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "validationError" in response.json()["details"]


def test_duplicate_create_is_409_case_insensitively(site):
    site.create_email("hello@sunrise.example")
    response = site.post(BASE, json={"senderEmail": {"emailAddress": "HELLO@Sunrise.Example"}})
    assert response.status_code == 409
    assert app_code(response) == "ALREADY_EXISTS"


def test_get_and_404(site):
    email = site.create_email("hello@sunrise.example")
    assert site.get(f"{BASE}/{email['id']}").json() == {"senderEmail": email}
    missing = site.get(f"{BASE}/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert app_code(missing) == "NOT_FOUND"


def test_get_or_create_returns_existing_or_creates(site):
    first = site.post(f"{BASE}/get-or-create", json={"emailAddress": "info@sunrise.example"})
    assert first.status_code == 200
    again = site.post(f"{BASE}/get-or-create", json={"emailAddress": "INFO@sunrise.example"})
    assert again.json()["senderEmail"]["id"] == first.json()["senderEmail"]["id"]
    bad = site.post(f"{BASE}/get-or-create", json={"emailAddress": "nope"})
    assert bad.status_code == 400
    assert violations(bad)[0]["field"] == "emailAddress"


def test_send_code_puts_a_six_digit_code_in_the_mailbox(site, client):
    email = site.create_email("hello@sunrise.example")
    response = site.post(f"{BASE}/{email['id']}/send-verification-code")
    assert response.status_code == 200
    assert response.json() == {}
    (message,) = client.get("/_sandbox/mailbox").json()["messages"]
    assert message["to"] == "hello@sunrise.example"
    assert re.fullmatch(r"\d{6}", message["code"])
    assert message["siteId"] == site.creds.site_id
    assert message["senderEmailId"] == email["id"]
    assert ISO_MS.match(message["sentAt"])


def test_verify_with_the_right_code_bumps_updated_date(site, sandbox):
    email = site.create_email("hello@sunrise.example")
    site.post(f"{BASE}/{email['id']}/send-verification-code")
    sandbox.clock.advance(5)
    code = site.latest_code("hello@sunrise.example")
    response = site.post(f"{BASE}/{email['id']}/verify", json={"verificationCode": code})
    assert response.status_code == 200
    assert response.json() == {}
    after = site.get(f"{BASE}/{email['id']}").json()["senderEmail"]
    assert after["verified"] is True
    assert after["updatedDate"] > email["updatedDate"]
    assert after["createdDate"] == email["createdDate"]


def test_only_the_latest_code_is_valid(site):
    email = site.create_email("hello@sunrise.example")
    site.post(f"{BASE}/{email['id']}/send-verification-code")
    old = site.latest_code("hello@sunrise.example")
    site.post(f"{BASE}/{email['id']}/send-verification-code")
    new = site.latest_code("hello@sunrise.example")
    assert old != new
    stale = site.post(f"{BASE}/{email['id']}/verify", json={"verificationCode": old})
    assert stale.status_code == 400
    assert "newer" in violations(stale)[0]["description"]
    assert site.post(f"{BASE}/{email['id']}/verify", json={"verificationCode": new}).is_success


def test_verify_errors(site):
    email = site.create_email("hello@sunrise.example")
    path = f"{BASE}/{email['id']}/verify"
    never_sent = site.post(path, json={"verificationCode": "123456"})
    assert never_sent.status_code == 400
    assert violations(never_sent)[0]["field"] == "verificationCode"
    assert "no verification code" in violations(never_sent)[0]["description"]

    site.post(f"{BASE}/{email['id']}/send-verification-code")
    wrong = site.post(path, json={"verificationCode": "000000"})
    assert wrong.status_code == 400
    assert violations(wrong)[0]["description"] == "the verification code is wrong"

    empty = site.post(path, json={"verificationCode": ""})
    assert violations(empty)[0]["violatedRule"] == "REQUIRED"
    missing = site.post(path, json={})
    assert violations(missing)[0]["violatedRule"] == "REQUIRED"
    too_long = site.post(path, json={"verificationCode": "12345678901"})
    assert too_long.status_code == 400
    assert violations(too_long)[0] == {
        "field": "verificationCode",
        "description": "must be at most 10 characters",
        "violatedRule": "MAX",
        "data": {"threshold": 10},
    }
    unknown = site.post(f"{BASE}/nope/verify", json={"verificationCode": "123456"})
    assert unknown.status_code == 404


@pytest.mark.parametrize("code", ["1", "12", " 1"])
def test_verify_refuses_codes_shorter_than_3_as_a_length_violation(site, code):
    email = site.create_email("hello@sunrise.example")
    site.post(f"{BASE}/{email['id']}/send-verification-code")
    response = site.post(f"{BASE}/{email['id']}/verify", json={"verificationCode": code})
    assert response.status_code == 400
    assert violations(response) == [
        {
            "field": "verificationCode",
            "description": "must be at least 3 characters",
            "violatedRule": "MIN",
            "data": {"threshold": 3},
        }
    ]
    assert site.get(f"{BASE}/{email['id']}").json()["senderEmail"]["verified"] is False


@pytest.mark.parametrize("code", ["123", "1234567890"])
def test_verify_judges_codes_of_3_to_10_characters(site, code):
    # In range: the length passes and the code itself is judged (wrong here).
    email = site.create_email("hello@sunrise.example")
    site.post(f"{BASE}/{email['id']}/send-verification-code")
    response = site.post(f"{BASE}/{email['id']}/verify", json={"verificationCode": code})
    assert response.status_code == 400
    assert violations(response)[0]["description"] == "the verification code is wrong"


def test_already_verified_is_409_for_send_and_verify(site):
    email = site.create_email(site.creds.owner_email)
    send = site.post(f"{BASE}/{email['id']}/send-verification-code")
    assert send.status_code == 409
    assert app_code(send) == "SENDER_EMAIL_ALREADY_VERIFIED"
    verify = site.post(f"{BASE}/{email['id']}/verify", json={"verificationCode": "123456"})
    assert verify.status_code == 409


def test_delete(site):
    email = site.create_email("hello@sunrise.example")
    response = site.delete(f"{BASE}/{email['id']}")
    assert response.status_code == 200
    assert response.json() == {}
    assert site.get(f"{BASE}/{email['id']}").status_code == 404
    assert site.delete(f"{BASE}/{email['id']}").status_code == 404


def test_list_filters_by_address(site):
    site.create_email("a1@sunrise.example")
    site.create_email("b2@sunrise.example")
    everything = site.get(BASE).json()
    assert [e["emailAddress"] for e in everything["senderEmails"]] == [
        "a1@sunrise.example",
        "b2@sunrise.example",
    ]
    assert everything["pagingMetadata"] == {"count": 2, "cursors": {}, "hasNext": False}
    one = site.get(BASE, params={"emailAddress": "B2@sunrise.example"}).json()
    assert [e["emailAddress"] for e in one["senderEmails"]] == ["b2@sunrise.example"]


def test_list_pages_with_an_opaque_cursor(site):
    for index in range(5):
        site.create_email(f"user{index}@sunrise.example")
    seen = []
    params = {"paging.limit": "2"}
    pages = 0
    while True:
        page = site.get(BASE, params=params).json()
        pages += 1
        seen += [e["emailAddress"] for e in page["senderEmails"]]
        assert page["pagingMetadata"]["count"] == len(page["senderEmails"])
        if not page["pagingMetadata"]["hasNext"]:
            assert "next" not in page["pagingMetadata"]["cursors"]
            break
        params = {"paging.limit": "2", "paging.cursor": page["pagingMetadata"]["cursors"]["next"]}
    assert pages == 3
    assert seen == [f"user{i}@sunrise.example" for i in range(5)]


@pytest.mark.parametrize("limit", ["101", "ten", "2.5", "-1"])
def test_list_rejects_bad_limits(site, limit):
    response = site.get(BASE, params={"paging.limit": limit})
    assert response.status_code == 400
    assert violations(response)[0]["field"] == "paging.limit"


def test_list_limit_bounds_name_the_documented_range(site):
    below = violations(site.get(BASE, params={"paging.limit": "-1"}))[0]
    assert (below["violatedRule"], below["data"]) == ("MIN", {"threshold": 0})
    above = violations(site.get(BASE, params={"paging.limit": "101"}))[0]
    assert (above["violatedRule"], above["data"]) == ("MAX", {"threshold": 100})


def test_list_accepts_limit_0_as_an_empty_page_that_keeps_its_place(site):
    for i in range(3):
        site.create_email(f"user{i}@sunrise.example")
    empty = site.get(BASE, params={"paging.limit": "0"})
    assert empty.status_code == 200
    body = empty.json()
    assert body["senderEmails"] == []
    assert body["pagingMetadata"]["count"] == 0
    assert body["pagingMetadata"]["hasNext"] is True
    following = site.get(BASE, params={"paging.cursor": body["pagingMetadata"]["cursors"]["next"]})
    assert [e["emailAddress"] for e in following.json()["senderEmails"]] == [
        f"user{i}@sunrise.example" for i in range(3)
    ]


def test_list_limit_0_of_an_empty_list_has_no_next(site):
    body = site.get(BASE, params={"paging.limit": "0"}).json()
    assert body == {
        "senderEmails": [],
        "pagingMetadata": {"count": 0, "cursors": {}, "hasNext": False},
    }


def test_list_refuses_a_cursor_over_1000_characters(site):
    for i in range(2):
        site.create_email(f"user{i}@sunrise.example")
    cursor = site.get(BASE, params={"paging.limit": "1"}).json()["pagingMetadata"]["cursors"][
        "next"
    ]
    assert len(cursor) <= 1000
    assert site.get(BASE, params={"paging.cursor": cursor}).status_code == 200
    too_long = site.get(BASE, params={"paging.cursor": "A" * 1001})
    assert too_long.status_code == 400
    (violation,) = violations(too_long)
    assert violation == {
        "field": "paging.cursor",
        "description": "must be at most 1000 characters",
        "violatedRule": "MAX",
        "data": {"threshold": 1000},
    }
    # 1000 characters is still judged as a cursor (a bad one here), not refused for its length.
    at_limit = violations(site.get(BASE, params={"paging.cursor": "A" * 1000}))[0]
    assert at_limit["description"] != "must be at most 1000 characters"


def test_list_accepts_limit_100_and_rejects_a_foreign_cursor(site):
    assert site.get(BASE, params={"paging.limit": "100"}).status_code == 200
    bad = site.get(BASE, params={"paging.cursor": "garbage!"})
    assert bad.status_code == 400
    assert violations(bad)[0]["field"] == "paging.cursor"
