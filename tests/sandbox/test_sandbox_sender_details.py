"""Sender Details endpoints over HTTP: create rules, default flag, plan limit, update, delete."""

from __future__ import annotations

import pytest

BASE = "/sender-details/v1/sender-details"


def app_code(response) -> str:
    return response.json()["details"]["applicationError"]["code"]


def violations(response) -> list[dict]:
    return response.json()["details"]["validationError"]["fieldViolations"]


def allow_multiple_senders(client) -> None:
    response = client.post("/_sandbox/account", json={"packageId": "Ascend_Core"})
    assert response.status_code == 200, response.text


def test_first_sender_is_default_and_has_wix_shape(site):
    site.verify_email("hello@sunrise.example")
    response = site.create_sender("Sunrise Bakery", "hello@sunrise.example")
    assert response.status_code == 200
    details = response.json()["senderDetails"]
    assert set(details) == {
        "id",
        "fromName",
        "fromEmailAddress",
        "default",
        "createdDate",
        "updatedDate",
    }
    assert details["default"] is True
    assert details["fromName"] == "Sunrise Bakery"
    assert site.get(f"{BASE}/{details['id']}").json() == {"senderDetails": details}
    assert site.get(f"{BASE}/default").json() == {"senderDetails": details}


def test_get_default_with_none_is_404(site):
    response = site.get(f"{BASE}/default")
    assert response.status_code == 404
    assert app_code(response) == "NOT_FOUND"


def test_unverified_or_unknown_address_is_428(site):
    site.create_email("hello@sunrise.example")
    unverified = site.create_sender("Sunrise", "hello@sunrise.example")
    assert unverified.status_code == 428
    assert app_code(unverified) == "SENDER_EMAIL_NOT_VERIFIED"
    unknown = site.create_sender("Sunrise", "other@sunrise.example")
    assert unknown.status_code == 428
    assert app_code(unknown) == "SENDER_EMAIL_NOT_VERIFIED"


@pytest.mark.parametrize(
    ("sender", "field", "rule"),
    [
        ({"fromName": "", "fromEmailAddress": "owner.bakery@gmail.com"}, "fromName", "MIN"),
        ({"fromName": "x" * 101, "fromEmailAddress": "owner.bakery@gmail.com"}, "fromName", "MAX"),
        ({"fromEmailAddress": "owner.bakery@gmail.com"}, "fromName", "REQUIRED"),
        ({"fromName": "Sunrise", "fromEmailAddress": "not-an-email"}, "fromEmailAddress", "FORMAT"),
        ({"fromName": "Sunrise"}, "fromEmailAddress", "REQUIRED"),
    ],
)
def test_create_validation(site, sender, field, rule):
    response = site.post(BASE, json={"senderDetails": sender})
    assert response.status_code == 400
    (violation,) = violations(response)
    assert violation["field"] == f"senderDetails.{field}"
    assert violation["violatedRule"] == rule


def test_same_name_and_address_twice_is_409(site, client):
    allow_multiple_senders(client)
    site.create_email(site.creds.owner_email)
    assert site.create_sender("Sunrise", site.creds.owner_email).status_code == 200
    again = site.create_sender("Sunrise", site.creds.owner_email.upper())
    assert again.status_code == 409
    assert app_code(again) == "ALREADY_EXISTS"
    other_name = site.create_sender("Sunrise Two", site.creds.owner_email)
    assert other_name.status_code == 200


def test_second_sender_needs_core_or_advanced_plan(site, client):
    site.create_email(site.creds.owner_email)
    site.verify_email("hello@sunrise.example")
    assert site.create_sender("One", site.creds.owner_email).status_code == 200
    second = site.create_sender("Two", "hello@sunrise.example")
    assert second.status_code == 428
    assert app_code(second) == "PLAN_DOES_NOT_SUPPORT_MULTIPLE_SENDERS"
    allow_multiple_senders(client)
    later = site.create_sender("Two", "hello@sunrise.example")
    assert later.status_code == 200
    assert later.json()["senderDetails"]["default"] is False


def test_mark_as_default_moves_the_flag_and_default_cannot_be_deleted(site, client):
    allow_multiple_senders(client)
    site.create_email(site.creds.owner_email)
    first = site.create_sender("One", site.creds.owner_email).json()["senderDetails"]
    second = site.create_sender("Two", site.creds.owner_email).json()["senderDetails"]

    refused = site.delete(f"{BASE}/{first['id']}")
    assert refused.status_code == 428
    assert app_code(refused) == "CANNOT_DELETE_DEFAULT_SENDER_DETAILS"

    marked = site.post(f"{BASE}/{second['id']}/mark-as-default")
    assert marked.status_code == 200
    assert marked.json() == {}  # Wix answers an empty object, not the sender (§3.1)
    assert site.get(f"{BASE}/{second['id']}").json()["senderDetails"]["default"] is True
    assert site.get(f"{BASE}/{first['id']}").json()["senderDetails"]["default"] is False
    assert site.get(f"{BASE}/default").json()["senderDetails"]["id"] == second["id"]

    deleted = site.delete(f"{BASE}/{first['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == {}
    assert site.get(f"{BASE}/{first['id']}").status_code == 404
    assert site.post(f"{BASE}/{first['id']}/mark-as-default").status_code == 404


def test_update_changes_only_given_fields(site, sandbox):
    site.create_email(site.creds.owner_email)
    created = site.create_sender("Sunrise", site.creds.owner_email).json()["senderDetails"]
    sandbox.clock.advance(10)
    response = site.patch(
        f"{BASE}/{created['id']}", json={"senderDetails": {"fromName": "Sunrise Bakery"}}
    )
    assert response.status_code == 200
    updated = response.json()["senderDetails"]
    assert updated["fromName"] == "Sunrise Bakery"
    assert updated["fromEmailAddress"] == created["fromEmailAddress"]
    assert updated["default"] is True
    assert updated["updatedDate"] > created["updatedDate"]


def test_update_to_unverified_address_is_428_and_validation_is_400(site):
    site.create_email(site.creds.owner_email)
    created = site.create_sender("Sunrise", site.creds.owner_email).json()["senderDetails"]
    path = f"{BASE}/{created['id']}"
    site.create_email("hello@sunrise.example")
    unverified = site.patch(
        path, json={"senderDetails": {"fromEmailAddress": "hello@sunrise.example"}}
    )
    assert unverified.status_code == 428
    assert app_code(unverified) == "SENDER_EMAIL_NOT_VERIFIED"
    invalid = site.patch(path, json={"senderDetails": {"fromName": ""}})
    assert invalid.status_code == 400
    assert site.patch(path, json={}).status_code == 400
    assert site.patch(f"{BASE}/nope", json={"senderDetails": {"fromName": "A"}}).status_code == 404


def test_list_and_paging(site, client):
    allow_multiple_senders(client)
    site.create_email(site.creds.owner_email)
    for index in range(3):
        assert site.create_sender(f"Sender {index}", site.creds.owner_email).status_code == 200
    first = site.get(BASE, params={"paging.limit": "2"}).json()
    assert [d["fromName"] for d in first["senderDetails"]] == ["Sender 0", "Sender 1"]
    assert first["pagingMetadata"]["hasNext"] is True
    cursor = first["pagingMetadata"]["cursors"]["next"]
    rest = site.get(BASE, params={"paging.cursor": cursor}).json()
    assert [d["fromName"] for d in rest["senderDetails"]] == ["Sender 2"]
    assert rest["pagingMetadata"] == {"count": 1, "cursors": {}, "hasNext": False}
    assert site.get(BASE, params={"paging.limit": "101"}).status_code == 400
    # A sender-emails cursor is not a sender-details cursor.
    site.create_email("a@sunrise.example")
    site.create_email("b@sunrise.example")
    emails = site.get("/sender-emails/v1/sender-emails", params={"paging.limit": "1"}).json()
    foreign = emails["pagingMetadata"]["cursors"]["next"]
    assert site.get(BASE, params={"paging.cursor": foreign}).status_code == 400
