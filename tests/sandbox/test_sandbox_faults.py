"""Injected faults: every kind, its phase, counts, probabilities, and the control API."""

from __future__ import annotations

import json
import logging
import threading
import time

import httpx
import pytest

EMAILS = "/sender-emails/v1/sender-emails"


def add_fault(client, **spec) -> dict:
    response = client.post("/_sandbox/faults", json=spec)
    assert response.status_code == 200, response.text
    return response.json()["fault"]


def create_body(address: str) -> dict:
    return {"senderEmail": {"emailAddress": address}}


def test_status_fault_answers_without_processing(site, client):
    add_fault(client, endpoint="sender-emails.create", kind="status", status=503)
    response = site.post(EMAILS, json=create_body("a1@sunrise.example"))
    assert response.status_code == 503
    assert response.json() == {"message": "", "details": {}}
    assert site.get(EMAILS).json()["senderEmails"] == []  # nothing was created
    # count defaults to 1: the next request goes through.
    assert site.post(EMAILS, json=create_body("a1@sunrise.example")).status_code == 200


def test_status_429_fault_carries_retry_after_and_envelope(site, client):
    add_fault(client, endpoint="*", kind="status", status=429, retryAfter=2)
    response = site.get(EMAILS)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    error = response.json()["details"]["applicationError"]
    assert error["code"] == "RESOURCE_EXHAUSTED"  # the family Wix names (fact sheet §5.5)


def test_drop_after_applies_the_write_then_kills_the_connection(site, client):
    add_fault(client, endpoint="sender-emails.create", kind="drop")
    with pytest.raises(httpx.RemoteProtocolError):
        site.post(EMAILS, json=create_body("dropped@sunrise.example"))
    # The request was processed: a retry of the create now conflicts.
    listed = site.get(EMAILS).json()["senderEmails"]
    assert [e["emailAddress"] for e in listed] == ["dropped@sunrise.example"]
    assert site.post(EMAILS, json=create_body("dropped@sunrise.example")).status_code == 409


def test_drop_before_does_not_process(site, client):
    add_fault(client, endpoint="sender-emails.create", kind="drop", phase="before")
    with pytest.raises(httpx.TransportError):
        site.post(EMAILS, json=create_body("never@sunrise.example"))
    assert site.get(EMAILS).json()["senderEmails"] == []


def test_drop_is_not_logged_as_an_application_error(site, client, caplog, monkeypatch):
    # Deterministic: wait until the server thread has *finished* logging the dropped request's
    # exception (the record passed the logger's filters and its handlers, caplog included), so
    # the assertion below cannot pass merely because the record had not arrived yet.
    logger = logging.getLogger("uvicorn.error")
    handled = threading.Event()
    original_handle = logger.handle

    def handle_then_signal(record: logging.LogRecord) -> None:
        original_handle(record)
        if record.getMessage().startswith("Exception in ASGI application"):
            handled.set()

    monkeypatch.setattr(logger, "handle", handle_then_signal)
    add_fault(client, endpoint="sender-emails.list", kind="drop")
    with caplog.at_level(logging.DEBUG, logger="uvicorn.error"):
        with pytest.raises(httpx.HTTPError):
            site.get(EMAILS)
        assert handled.wait(timeout=10), "the server never logged the dropped request"
    assert "Exception in ASGI application" not in caplog.text


async def test_drop_gives_an_async_client_a_transport_error(sandbox):
    creds = sandbox.credentials[0]
    headers = {"Authorization": creds.api_key, "wix-site-id": creds.site_id}
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers) as http:
        await http.post(
            "/_sandbox/faults", json={"endpoint": "account-details.get", "kind": "drop"}
        )
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/email-marketing/v1/account-details")
        ok = await http.get("/email-marketing/v1/account-details")
        assert ok.status_code == 200


def test_drop_noise_filter_only_hides_deliberate_drops():
    from tui.sandbox.faults import DeliberateConnectionDrop
    from tui.sandbox.server import _DropNoiseFilter

    def record(error: BaseException) -> logging.LogRecord:
        exc_info = (type(error), error, None)
        message = "Exception in ASGI application"
        return logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, message, None, exc_info
        )

    noise_filter = _DropNoiseFilter()
    assert noise_filter.filter(record(DeliberateConnectionDrop("x"))) is False
    assert noise_filter.filter(record(RuntimeError("real bug"))) is True


def test_malformed_processes_and_returns_truncated_json(site, client):
    add_fault(client, endpoint="sender-emails.create", kind="malformed")
    response = site.post(EMAILS, json=create_body("half@sunrise.example"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert len(site.get(EMAILS).json()["senderEmails"]) == 1


def test_html_gateway_page_without_processing(site, client):
    add_fault(client, endpoint="sender-emails.create", kind="html")
    response = site.post(EMAILS, json=create_body("html@sunrise.example"))
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text
    assert site.get(EMAILS).json()["senderEmails"] == []


def test_html_after_processing_can_answer_200(site, client):
    # A proxy's page with a success status, in front of a write that did happen.
    add_fault(client, endpoint="sender-emails.create", kind="html", status=200, phase="after")
    response = site.post(EMAILS, json=create_body("portal@sunrise.example"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text
    assert len(site.get(EMAILS).json()["senderEmails"]) == 1


def test_stall_processes_then_holds_the_answer(site, client, sandbox):
    sandbox.clock.set_speed(1000)  # real milliseconds, like latency
    add_fault(client, endpoint="sender-emails.create", kind="stall", latencyMs=300)
    started = time.perf_counter()
    response = site.post(EMAILS, json=create_body("slow@sunrise.example"))
    assert time.perf_counter() - started >= 0.3
    assert response.status_code == 200
    assert response.json()["senderEmail"]["emailAddress"] == "slow@sunrise.example"


def test_stall_outlasts_a_read_timeout_after_the_write_happened(site, client):
    add_fault(client, endpoint="sender-emails.create", kind="stall", latencyMs=2000)
    with pytest.raises(httpx.ReadTimeout):
        site.post(EMAILS, json=create_body("late@sunrise.example"), timeout=0.2)
    # Processed before the stall: the client gave up on a write that is done.
    assert [e["emailAddress"] for e in site.get(EMAILS).json()["senderEmails"]] == [
        "late@sunrise.example"
    ]


def test_body_answers_any_json_without_processing(site, client):
    hostile = {"senderEmail": {"id": "x", "emailAddress": "a\x1b]52;c;aGk=\x07@b.example"}}
    add_fault(client, endpoint="sender-emails.create", kind="body", body=hostile)
    response = site.post(EMAILS, json=create_body("body@sunrise.example"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == hostile
    assert site.get(EMAILS).json()["senderEmails"] == []


def test_body_after_processing_replaces_the_answer(site, client):
    add_fault(client, endpoint="sender-emails.create", kind="body", body=[1, 2], phase="after")
    response = site.post(EMAILS, json=create_body("after@sunrise.example"))
    assert response.json() == [1, 2]
    assert len(site.get(EMAILS).json()["senderEmails"]) == 1


def test_body_can_echo_the_callers_authorization(site, client):
    echo = {"message": 'bad key "{{authorization}}"', "details": {}}
    add_fault(client, endpoint="account-details.get", kind="body", status=400, body=echo)
    response = site.get("/email-marketing/v1/account-details")
    assert response.status_code == 400
    assert response.json()["message"] == f'bad key "{site.creds.api_key}"'


@pytest.mark.parametrize(
    "spec",
    [
        {"endpoint": "*", "kind": "body"},  # what to answer is missing
        {"endpoint": "*", "kind": "status", "body": {}},  # body only for kind body
        {"endpoint": "*", "kind": "body", "body": {}, "status": 199},
        {"endpoint": "*", "kind": "html", "status": 600},
        {"endpoint": "*", "kind": "body", "body": "x" * 1_000_001},
    ],
)
def test_bad_body_and_html_specs_are_400(client, spec):
    response = client.post("/_sandbox/faults", json=spec)
    assert response.status_code == 400, response.text
    assert response.json()["message"]
    assert client.get("/_sandbox/faults").json()["faults"] == []


def test_empty_processes_and_returns_empty_200(site, client):
    add_fault(client, endpoint="sender-emails.create", kind="empty")
    response = site.post(EMAILS, json=create_body("empty@sunrise.example"))
    assert response.status_code == 200
    assert response.content == b""
    assert len(site.get(EMAILS).json()["senderEmails"]) == 1


def test_latency_is_real_time_and_then_processes(site, client, sandbox):
    sandbox.clock.set_speed(1000)  # world speed must not shorten injected network latency
    add_fault(client, endpoint="sender-emails.list", kind="latency", latencyMs=250)
    started = time.perf_counter()
    response = site.get(EMAILS)
    assert time.perf_counter() - started >= 0.25
    assert response.status_code == 200


def test_latency_stacks_with_another_fault(site, client):
    add_fault(client, endpoint="*", kind="latency", latencyMs=100)
    add_fault(client, endpoint="*", kind="status", status=500)
    started = time.perf_counter()
    response = site.get(EMAILS)
    assert time.perf_counter() - started >= 0.1
    assert response.status_code == 500


def test_count_and_listing(site, client):
    fault = add_fault(client, endpoint="sender-emails.list", kind="status", status=500, count=2)
    assert fault["remaining"] == 2
    listed = client.get("/_sandbox/faults").json()
    assert [f["id"] for f in listed["faults"]] == [fault["id"]]
    assert "sender-emails.list" in listed["routeNames"]
    assert site.get(EMAILS).status_code == 500
    assert client.get("/_sandbox/faults").json()["faults"][0]["remaining"] == 1
    assert site.get(EMAILS).status_code == 500
    assert site.get(EMAILS).status_code == 200
    assert client.get("/_sandbox/faults").json()["faults"] == []


def test_other_routes_are_unaffected(site, client):
    add_fault(client, endpoint="sender-details.list", kind="status", status=500, count=5)
    assert site.get(EMAILS).status_code == 200


def test_probability(site, client):
    add_fault(client, endpoint="sender-emails.list", kind="status", status=503, probability=0.0)
    assert all(site.get(EMAILS).status_code == 200 for _ in range(10))
    client.delete("/_sandbox/faults")
    add_fault(client, endpoint="sender-emails.list", kind="status", status=503, probability=0.5)
    statuses = [site.get(EMAILS).status_code for _ in range(40)]
    assert 0 < statuses.count(503) < 40
    # Probability without count stays until cleared.
    assert client.delete("/_sandbox/faults").json() == {"cleared": 1}
    assert site.get(EMAILS).status_code == 200


def test_faults_apply_to_oauth_too_but_never_to_control_routes(client, sandbox):
    add_fault(client, endpoint="*", kind="status", status=500, count=100)
    assert client.get("/_sandbox/state").status_code == 200
    assert client.post("/oauth2/token", json={}).status_code == 500


@pytest.mark.parametrize(
    "spec",
    [
        {"endpoint": "nope", "kind": "status"},
        {"endpoint": "*", "kind": "explode"},
        {"endpoint": "*", "kind": "status", "status": 200},
        {"endpoint": "*", "kind": "drop", "phase": "during"},
        {"endpoint": "*", "kind": "status", "probability": 1.5},
        {"endpoint": "*", "kind": "status", "count": 0},
        {"endpoint": "*", "kind": "latency", "latencyMs": -1},
        {"endpoint": "*", "kind": "status", "colour": "red"},
    ],
)
def test_bad_fault_specs_are_400_with_a_message(client, spec):
    response = client.post("/_sandbox/faults", json=spec)
    assert response.status_code == 400
    assert response.json()["message"]


def test_reset_clears_faults(client, sandbox):
    add_fault(client, endpoint="*", kind="status", status=500, count=10)
    client.post("/_sandbox/reset", json={})
    assert client.get("/_sandbox/faults").json()["faults"] == []


# -- presets -----------------------------------------------------------------------------------


def test_preset_names_are_the_ones_the_cli_offers():
    from tui.options import FAULT_PRESET_NAMES
    from tui.sandbox.faults import FAULT_PRESETS

    assert set(FAULT_PRESETS) == set(FAULT_PRESET_NAMES)


def test_flaky_fails_a_share_of_reads_and_answers_some_writes_malformed():
    from collections import Counter

    from tui.sandbox.routes import WIX_ROUTES
    from tui.sandbox.world import World

    world = World("fresh", fault_preset="flaky")
    reads = [r.name for r in WIX_ROUTES if r.method == "GET"] + ["sending-domains.query"]
    writes = [r.name for r in WIX_ROUTES if r.name not in reads and r.name != "oauth.token"]
    draws = 4000
    seen: Counter[str] = Counter()
    for i in range(draws):
        firing = world.faults.draw(reads[i % len(reads)])
        if firing.latency_seconds:
            seen["stall"] += 1
        if firing.action is not None:
            seen[f"{firing.action.kind}-{firing.action.status}"] += 1
    # Roughly the documented shares (10 % 503, 4 % drops, 2 % 20-second stalls).
    assert 0.07 * draws < seen["status-503"] < 0.13 * draws
    assert 0.02 * draws < seen["drop-503"] < 0.06 * draws  # a drop's status is unused
    assert 0.01 * draws < seen["stall"] < 0.03 * draws
    malformed = sum(
        world.faults.draw(writes[i % len(writes)]).action is not None for i in range(draws)
    )
    assert 0.05 * draws < malformed < 0.11 * draws
    assert world.faults.draw("oauth.token").action is None


def test_flaky_replays_the_same_way_and_survives_a_reset():
    from tui.sandbox.world import World

    def sequence(world: World) -> list[str | None]:
        return [
            getattr(world.faults.draw("sender-emails.list").action, "kind", None)
            for _ in range(300)
        ]

    first, second = World("fresh", fault_preset="flaky"), World("fresh", fault_preset="flaky")
    assert sequence(first) == sequence(second)  # seeded
    installed = len(first.faults.list())
    first.faults.clear()
    assert first.faults.list() == []
    first.reset("midway")
    assert len(first.faults.list()) == installed
    assert World("fresh").faults.list() == []  # no preset, no faults


def test_unknown_preset_is_refused():
    from tui.sandbox import SandboxServer

    with pytest.raises(ValueError, match=r"unknown fault preset 'chaos'.*flaky"):
        SandboxServer(faults="chaos", dns=False)


def test_a_server_started_flaky_lists_its_preset():
    from tui.sandbox import SandboxServer

    with SandboxServer(faults="flaky", dns=False) as server:
        listed = httpx.get(f"{server.base_url}/_sandbox/faults").json()
    assert listed["preset"] == "flaky"
    kinds = {(f["endpoint"], f["kind"]) for f in listed["faults"]}
    assert ("sender-emails.send-verification-code", "malformed") in kinds
    assert ("account-details.get", "status") in kinds
    assert all(f["probability"] < 1 and f["remaining"] is None for f in listed["faults"])
