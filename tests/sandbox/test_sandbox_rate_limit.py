"""The per-site rate limit over a rolling minute of world time."""

from __future__ import annotations

EMAILS = "/sender-emails/v1/sender-emails"


def test_default_limit_is_200_per_minute(site, client):
    assert client.get("/_sandbox/rate-limit").json() == {"perMinute": 200}
    statuses = [site.get(EMAILS).status_code for _ in range(201)]
    assert statuses[:200] == [200] * 200
    assert statuses[200] == 429


def test_over_the_limit_is_429_with_retry_after_in_world_seconds(site, client, sandbox):
    client.post("/_sandbox/rate-limit", json={"perMinute": 3})
    for _ in range(3):
        assert site.get(EMAILS).status_code == 200
    sandbox.clock.advance(20)
    limited = site.get(EMAILS)
    assert limited.status_code == 429
    retry_after = int(limited.headers["Retry-After"])
    assert 39 <= retry_after <= 40
    error = limited.json()["details"]["applicationError"]
    assert error["code"] == "RESOURCE_EXHAUSTED"  # the family Wix names (fact sheet §5.5)
    sandbox.clock.advance(retry_after)
    assert site.get(EMAILS).status_code == 200


def test_window_is_rolling(site, client, sandbox):
    client.post("/_sandbox/rate-limit", json={"perMinute": 2})
    site.get(EMAILS)
    sandbox.clock.advance(30)
    site.get(EMAILS)
    assert site.get(EMAILS).status_code == 429
    sandbox.clock.advance(30)  # the first request has left the window
    assert site.get(EMAILS).status_code == 200
    assert site.get(EMAILS).status_code == 429


def test_limit_is_per_site_and_control_routes_are_exempt(use_scenario, client):
    agency, other = use_scenario("agency")
    client.post("/_sandbox/rate-limit", json={"perMinute": 1})
    assert agency.get(EMAILS).status_code == 200
    assert agency.get(EMAILS).status_code == 429
    assert other.get(EMAILS).status_code == 200
    for _ in range(5):
        assert client.get("/_sandbox/state").status_code == 200


def test_rejected_and_unauthenticated_requests_are_not_counted(site, client):
    client.post("/_sandbox/rate-limit", json={"perMinute": 1})
    for _ in range(3):
        assert client.get(EMAILS).status_code == 401
    assert site.get(EMAILS).status_code == 200
    for _ in range(3):
        assert site.get(EMAILS).status_code == 429


def test_bad_rate_limit_bodies(client):
    assert client.post("/_sandbox/rate-limit", json={"perMinute": 0}).status_code == 400
    assert client.post("/_sandbox/rate-limit", json={}).status_code == 400
    assert client.post("/_sandbox/rate-limit", json={"perMinute": "ten"}).status_code == 400


def test_reset_restores_the_default_limit(site, client):
    client.post("/_sandbox/rate-limit", json={"perMinute": 1})
    site.get(EMAILS)
    client.post("/_sandbox/reset", json={})
    assert client.get("/_sandbox/rate-limit").json() == {"perMinute": 200}
    assert site.get(EMAILS).status_code == 200
