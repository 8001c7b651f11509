"""How Authenticate answers a failed DNS check: 428 (the default) or, switched with
``POST /_sandbox/sending-domains/failed-check {"answer": 200}``, a 200 whose domain is still
NOT_AUTHENTICATED (fact sheet §1.6: a 200 is not proof of success)."""

from __future__ import annotations

import pytest

BASE = "/sending-domains/v1/sending-domains"
SWITCH = "/_sandbox/sending-domains/failed-check"
DOMAIN = "sunrise-bakery.example"


def ready_domain(site, sandbox) -> dict:
    site.verify_email(f"hello@{DOMAIN}")
    assert site.create_sender("Sunrise Bakery", f"hello@{DOMAIN}").status_code == 200
    sandbox.clock.advance(120)
    (domain,) = site.query_domain(DOMAIN)
    assert domain["status"] == "NOT_AUTHENTICATED"
    return domain


def test_default_is_428(site, sandbox, client):
    assert client.get(SWITCH).json() == {"answer": 428}
    domain = ready_domain(site, sandbox)
    response = site.post(f"{BASE}/{domain['id']}/authenticate", json={})
    assert response.status_code == 428
    assert response.json()["details"]["applicationError"]["code"] == "DNS_RECORDS_NOT_FOUND"


def test_switched_to_200_a_failed_check_answers_the_unchanged_domain(site, sandbox, client):
    domain = ready_domain(site, sandbox)
    switched = client.post(SWITCH, json={"answer": 200})
    assert switched.status_code == 200
    assert switched.json() == {"answer": 200}
    path = f"{BASE}/{domain['id']}/authenticate"
    for _ in range(2):  # until switched off, not one shot
        response = site.post(path, json={})
        assert response.status_code == 200
        assert response.json() == {"sendingDomain": domain}  # still NOT_AUTHENTICATED
    assert site.get(f"{BASE}/{domain['id']}").json()["sendingDomain"]["status"] == (
        "NOT_AUTHENTICATED"
    )
    assert client.get("/_sandbox/state").json()["failedCheckAnswer"] == 200
    assert client.get("/_sandbox/").json()["failedCheckAnswer"] == 200

    # A check that passes still authenticates.
    client.post("/_sandbox/dns/publish", json={"domain": DOMAIN})
    client.post("/_sandbox/dns/resolvers/flush", json={"name": "wix-verifier"})
    passed = site.post(path, json={})
    assert passed.status_code == 200
    assert passed.json()["sendingDomain"]["status"] == "AUTHENTICATED"


def test_switching_back_and_reset_restore_the_428(site, sandbox, client):
    domain = ready_domain(site, sandbox)
    path = f"{BASE}/{domain['id']}/authenticate"
    client.post(SWITCH, json={"answer": 200})
    assert site.post(path, json={}).status_code == 200
    client.post(SWITCH, json={"answer": 428})
    assert site.post(path, json={}).status_code == 428
    client.post(SWITCH, json={"answer": 200})
    client.post("/_sandbox/reset", json={})
    assert client.get(SWITCH).json() == {"answer": 428}


def test_initializing_is_still_refused_with_its_own_428(site, client):
    """Not ready yet is not a failed DNS check, whichever way failed checks are answered."""
    client.post(SWITCH, json={"answer": 200})
    site.verify_email(f"hello@{DOMAIN}")
    site.create_sender("Sunrise Bakery", f"hello@{DOMAIN}")
    (domain,) = site.query_domain(DOMAIN)
    response = site.post(f"{BASE}/{domain['id']}/authenticate", json={})
    assert response.status_code == 428
    assert response.json()["details"]["applicationError"]["code"] == "SENDING_DOMAIN_NOT_READY"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "answer is required"),
        ({"answer": 404}, "answer must be 428"),
        ({"answer": "200"}, "answer must be 428"),
        ({"answer": True}, "answer must be 428"),
        ({"answer": 200, "oneShot": True}, "unknown field(s) oneShot"),
    ],
)
def test_switch_refuses_bad_bodies(client, body, says):
    response = client.post(SWITCH, json=body)
    assert response.status_code == 400
    assert says in response.json()["message"]
    assert client.get(SWITCH).json() == {"answer": 428}
