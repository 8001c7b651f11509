"""Send Verification Code's documented 428, modelled as a resend limit [INFERRED]: at most 5
codes per sender email per rolling hour of world time (fact sheet §2.3)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

BASE = "/sender-emails/v1/sender-emails"
ADDRESS = "hello@sunrise.example"
# Practically frozen (the clock needs a positive speed): world time moves only when advanced,
# so the exact timestamps and retry seconds in the 428 can be asserted.
FROZEN = 1e-9


def parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def wire(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def send(site, email_id: str):
    return site.post(f"{BASE}/{email_id}/send-verification-code")


def mailbox(client, address: str = ADDRESS) -> list[dict]:
    return client.get("/_sandbox/mailbox", params={"to": address}).json()["messages"]


@pytest.fixture
def frozen(sandbox):
    sandbox.clock.set_speed(FROZEN)
    return sandbox


def test_sixth_code_within_the_hour_is_428_with_the_next_send_time(site, client, frozen):
    email = site.create_email(ADDRESS)
    for _ in range(5):
        assert send(site, email["id"]).status_code == 200
    first_sent = parse(mailbox(client)[0]["sentAt"])
    next_allowed = wire(first_sent + timedelta(hours=1))

    refused = send(site, email["id"])
    assert refused.status_code == 428
    message = (
        f"at most 5 verification codes per hour can be sent to '{ADDRESS}'; "
        f"the next one can be sent at {next_allowed} (world time)"
    )
    assert refused.json() == {
        "message": message,
        "details": {
            "applicationError": {
                "code": "VERIFICATION_CODE_LIMIT_REACHED",
                "description": message,
                "data": {"retryAfterSeconds": 3600},
            }
        },
    }
    assert "Retry-After" not in refused.headers
    assert len(mailbox(client)) == 5  # nothing was mailed


def test_the_window_rolls_and_refusals_do_not_count(site, client, frozen):
    email = site.create_email(ADDRESS)
    for _ in range(3):
        assert send(site, email["id"]).status_code == 200
    frozen.clock.advance(1800)
    for _ in range(2):
        assert send(site, email["id"]).status_code == 200
    refused = send(site, email["id"])
    assert refused.status_code == 428
    assert refused.json()["details"]["applicationError"]["data"] == {"retryAfterSeconds": 1800}
    assert send(site, email["id"]).status_code == 428

    frozen.clock.advance(1800)  # the first three leave the window; the refusals never entered
    for _ in range(3):
        assert send(site, email["id"]).status_code == 200
    again = send(site, email["id"])
    assert again.status_code == 428
    assert again.json()["details"]["applicationError"]["data"] == {"retryAfterSeconds": 1800}


def test_latest_code_still_verifies_after_the_limit(site, client):
    email = site.create_email(ADDRESS)
    for _ in range(5):
        send(site, email["id"])
    assert send(site, email["id"]).status_code == 428
    code = site.latest_code(ADDRESS)
    verified = site.post(f"{BASE}/{email['id']}/verify", json={"verificationCode": code})
    assert verified.status_code == 200


def test_already_verified_is_409_and_checked_first(site):
    email = site.create_email(ADDRESS)
    for _ in range(5):
        send(site, email["id"])
    code = site.latest_code(ADDRESS)
    site.post(f"{BASE}/{email['id']}/verify", json={"verificationCode": code})
    response = send(site, email["id"])
    assert response.status_code == 409
    assert response.json()["details"]["applicationError"]["code"] == (
        "SENDER_EMAIL_ALREADY_VERIFIED"
    )


def test_unknown_id_is_still_404(site):
    assert send(site, "00000000-0000-4000-8000-000000000000").status_code == 404


def test_limit_is_per_sender_email(site):
    first = site.create_email(ADDRESS)
    other = site.create_email("orders@sunrise.example")
    for _ in range(5):
        send(site, first["id"])
    assert send(site, first["id"]).status_code == 428
    assert send(site, other["id"]).status_code == 200


def test_midway_pre_sent_code_counts_as_one_send(use_scenario, client):
    (site,) = use_scenario("midway")
    listed = site.get(BASE, params={"emailAddress": "orders@harbor-ceramics.example"})
    (pending,) = listed.json()["senderEmails"]
    for _ in range(4):
        assert send(site, pending["id"]).status_code == 200
    refused = send(site, pending["id"])
    assert refused.status_code == 428
    assert refused.json()["details"]["applicationError"]["code"] == (
        "VERIFICATION_CODE_LIMIT_REACHED"
    )


def test_reset_clears_the_history(site, client, sandbox):
    email = site.create_email(ADDRESS)
    for _ in range(5):
        send(site, email["id"])
    assert send(site, email["id"]).status_code == 428
    assert client.post("/_sandbox/reset", json={"scenario": "fresh"}).status_code == 200
    again = site.create_email(ADDRESS)
    assert again["id"] == email["id"]  # ids replay per scenario: only the history is gone
    for _ in range(5):
        assert send(site, again["id"]).status_code == 200


def test_midway_reset_restores_exactly_one_counted_send(use_scenario, client):
    (site,) = use_scenario("midway")
    (pending,) = site.get(BASE, params={"emailAddress": "orders@harbor-ceramics.example"}).json()[
        "senderEmails"
    ]
    for _ in range(4):
        send(site, pending["id"])
    assert send(site, pending["id"]).status_code == 428
    client.post("/_sandbox/reset", json={})
    for _ in range(4):
        assert send(site, pending["id"]).status_code == 200
    assert send(site, pending["id"]).status_code == 428
