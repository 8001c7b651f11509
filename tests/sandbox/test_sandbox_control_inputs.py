"""Control-route numbers: finite and in range, or a JSON 400 naming the field and the range.

Python's json parses NaN and +/-Infinity, so bodies here are often sent as raw text.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tui.sandbox import SandboxServer

JSON = {"Content-Type": "application/json"}
NON_FINITE = ["NaN", "Infinity", "-Infinity"]


def post_raw(client: httpx.Client, path: str, text: str) -> httpx.Response:
    return client.post(f"/_sandbox/{path}", content=text.encode(), headers=JSON)


def assert_refused(response: httpx.Response, *fragments: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["message"]
    for fragment in fragments:
        assert fragment in message, message


def world_now(client: httpx.Client) -> datetime:
    return datetime.fromisoformat(
        client.get("/_sandbox/clock").json()["now"].replace("Z", "+00:00")
    )


def assert_world_renders(client: httpx.Client) -> None:
    for path in ("/_sandbox/", "/_sandbox/state", "/_sandbox/clock"):
        assert client.get(path).status_code == 200, path
    assert client.post("/_sandbox/reset", json={}).status_code == 200


# -- /reset ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*NON_FINITE, "-1", "31536001", "1e12", '"5"', "true"])
def test_reset_initializing_seconds_out_of_range(client, sandbox, value):
    response = post_raw(client, "reset", f'{{"initializingSeconds": {value}}}')
    assert_refused(response, "initializingSeconds", "0 to 31536000")
    assert sandbox.world.initializing_seconds == 120
    assert_world_renders(client)


def test_reset_initializing_seconds_bounds_are_inclusive(client, sandbox):
    for value in (0, 31_536_000, 2.5):
        response = client.post("/_sandbox/reset", json={"initializingSeconds": value})
        assert response.status_code == 200
        assert sandbox.world.initializing_seconds == value
    assert_world_renders(client)


def test_world_refuses_bad_initializing_seconds_from_python_too(sandbox):
    with pytest.raises(ValueError, match="initializingSeconds"):
        sandbox.world.reset(initializing_seconds=float("nan"))
    assert sandbox.world.initializing_seconds == 120


# -- /clock ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*NON_FINITE, "-1", "315360001", "1e12", '"60"', "false"])
def test_clock_advance_out_of_range(client, value):
    before = world_now(client)
    response = post_raw(client, "clock", f'{{"advanceSeconds": {value}}}')
    assert_refused(response, "advanceSeconds", "0 to 315360000")
    assert (world_now(client) - before).total_seconds() < 60  # no jump happened
    assert_world_renders(client)


@pytest.mark.parametrize("value", [*NON_FINITE, "0", "-1", "1000001", '"x"', "true"])
def test_clock_time_scale_out_of_range(client, sandbox, value):
    response = post_raw(client, "clock", f'{{"timeScale": {value}}}')
    assert_refused(response, "timeScale", "above 0", "1000000")
    assert sandbox.clock.speed == 1.0


def test_refused_clock_body_changes_nothing(client, sandbox):
    response = post_raw(client, "clock", '{"timeScale": 5, "advanceSeconds": NaN}')
    assert response.status_code == 400
    assert sandbox.clock.speed == 1.0


@pytest.fixture
def own_server() -> Iterator[SandboxServer]:
    # Its clock is pushed to the end of time, which would break the shared server.
    with SandboxServer() as server:
        yield server


def test_clock_advance_past_year_9999_is_400_and_keeps_the_clock(own_server):
    own_server.clock.advance(7970 * 365.25 * 86400)  # close to the year 9999
    with httpx.Client(base_url=own_server.base_url) as http:
        before = world_now(http)
        response = http.post("/_sandbox/clock", json={"advanceSeconds": 315_360_000})
        assert_refused(response, "advanceSeconds", "9999")
        assert (world_now(http) - before).total_seconds() < 60
        assert http.get("/_sandbox/state").status_code == 200


# -- /faults ---------------------------------------------------------------------------------

FAULT = '{"endpoint": "*", "kind": "status", '


@pytest.mark.parametrize(
    ("field", "value", "range_text"),
    [
        *[("probability", v, "0 to 1") for v in [*NON_FINITE, "1.5", "-0.1", '"0.5"']],
        *[("count", v, "1 to 1000000") for v in [*NON_FINITE, "0", "1000001", "1.5", "true"]],
        *[("latencyMs", v, "0 to 120000") for v in [*NON_FINITE, "-1", "120001"]],
        *[("retryAfter", v, "0 to 86400") for v in [*NON_FINITE, "-1", "86401", "2.5"]],
        *[("status", v, "400 to 599") for v in [*NON_FINITE, "99", "600", "200", "503.5"]],
    ],
)
def test_fault_numbers_out_of_range(client, field, value, range_text):
    response = post_raw(client, "faults", f'{FAULT}"{field}": {value}}}')
    assert_refused(response, field, range_text)
    assert client.get("/_sandbox/faults").json()["faults"] == []
    assert_world_renders(client)


def test_fault_number_bounds_are_inclusive(client):
    spec = {"endpoint": "*", "kind": "status", "count": 1_000_000, "retryAfter": 86400}
    assert client.post("/_sandbox/faults", json={**spec, "status": 599}).status_code == 200
    latency = {"endpoint": "*", "kind": "latency", "latencyMs": 120_000, "probability": 0}
    assert client.post("/_sandbox/faults", json=latency).status_code == 200
    assert client.delete("/_sandbox/faults").json() == {"cleared": 2}


# -- /rate-limit -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*NON_FINITE, "0", "1000001", "1.5", "true", '"10"'])
def test_rate_limit_out_of_range(client, value):
    response = post_raw(client, "rate-limit", f'{{"perMinute": {value}}}')
    assert_refused(response, "perMinute", "1 to 1000000")
    assert client.get("/_sandbox/rate-limit").json() == {"perMinute": 200}


def test_rate_limit_upper_bound_is_inclusive(client):
    response = client.post("/_sandbox/rate-limit", json={"perMinute": 1_000_000})
    assert response.json() == {"perMinute": 1_000_000}


# -- /account --------------------------------------------------------------------------------

COUNTERS = ["emailsUsed", "campaignsUsed", "maxCampaignAudienceSize"]
QUOTAS = ["emailsQuota", "campaignsQuota"]


@pytest.mark.parametrize(
    ("field", "value", "range_text"),
    [
        *[
            (f, v, "0 to 1000000000000")
            for f in COUNTERS
            for v in [*NON_FINITE, "-1", "1000000000001", "1.5"]
        ],
        *[
            (f, v, "-1 to 1000000000000")
            for f in QUOTAS
            for v in [*NON_FINITE, "-2", "1000000000001", "2.5"]
        ],
    ],
)
def test_account_numbers_out_of_range(client, site, field, value, range_text):
    before = site.get("/email-marketing/v1/account-details").json()
    response = post_raw(client, "account", f'{{"{field}": {value}}}')
    assert_refused(response, field, range_text)
    assert site.get("/email-marketing/v1/account-details").json() == before


def test_account_number_bounds_are_inclusive(client, site):
    body = {
        "emailsUsed": 10**12,
        "campaignsUsed": 0,
        "maxCampaignAudienceSize": 10**12,
        "emailsQuota": -1,
        "campaignsQuota": 10**12,
    }
    response = client.post("/_sandbox/account", json=body)
    assert response.status_code == 200, response.text
    details = site.get("/email-marketing/v1/account-details").json()["accountDetails"]
    assert details["package"]["monthlyQuotaAllocation"] == {"campaigns": 10**12, "emails": -1}
    assert details["quotaPeriod"]["quotaUsage"]["emails"] == 10**12


# -- anything unexpected ---------------------------------------------------------------------


def test_unexpected_error_in_a_control_route_is_a_json_500(client, monkeypatch, caplog):
    from tui.sandbox import snapshot

    def broken(world):
        raise RuntimeError("state view exploded")

    monkeypatch.setattr(snapshot, "state", broken)
    response = client.get("/_sandbox/state")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "message": "unexpected sandbox error: RuntimeError: state view exploded"
    }
    assert "state view exploded" in caplog.text  # logged with its traceback, not swallowed
    assert client.get("/_sandbox/clock").status_code == 200
