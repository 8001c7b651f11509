"""Notifications (tui/notify.py): the terminal's bytes (BEL, OSC 9, OSC 777) with hostile text
made inert; a webhook against a real HTTP server on loopback; a command reading the event on
stdin with nothing of it (nor a secret) in its arguments or environment; every failure reported
as one sentence, never raised; what counts as new."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tui.flow.findings import Evidence, Finding, Severity
from tui.notify import (
    BEL,
    AppEvents,
    Event,
    Notice,
    Notifier,
    ProblemTracker,
    Settings,
    SweepAnnouncer,
    clean,
    command_environment,
    origin,
    post_webhook,
    problem_notice,
    run_command,
    terminal_sequence,
)
from tui.propagation.model import Diagnosis
from tui.store.config import NOTIFY_EVENTS, NotifyConfig

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOSTILE = "evil\x1b]52;c;cHduZWQ=\x07.example\x9d0;title\x9c\u202eeman\n2nd line\x00"


def finding(code: str, severity: Severity = Severity.WARNING, domain: str = "a.example") -> Finding:
    return Finding(code, severity, f"title of {code}", f"fix {code}", domain=domain)


def notice(text: str = "the records are visible") -> Notice:
    return Notice(Event.ALL_VISIBLE, text, AT, domain="a.example", source="watch")


# --- the terminal ------------------------------------------------------------------------------


def test_bell_and_desktop_sequences() -> None:
    both = terminal_sequence(notice(), Settings(bell=True, desktop=True))
    assert both == (
        "\x1b]9;wix-sending: records visible: the records are visible\x07"
        "\x1b]777;notify;wix-sending: records visible;the records are visible\x07"
        "\x07"
    )
    assert terminal_sequence(notice(), Settings(bell=True)) == BEL
    assert terminal_sequence(notice(), Settings(webhook="https://h.example/x")) == ""


def test_hostile_text_cannot_end_or_start_a_sequence() -> None:
    sequence = terminal_sequence(notice(HOSTILE), Settings(desktop=True))
    # Exactly the sequences we wrote: two ESCs (one per OSC), two BELs (their terminators),
    # no C1 control (0x9d starts an OSC on some terminals, 0x9c ends one), no bidi override.
    assert sequence.count("\x1b") == 2 and sequence.count(BEL) == 2
    assert not any(0x80 <= ord(c) <= 0x9F for c in sequence)
    assert "\u202e" not in sequence and "\n" not in sequence and "\x00" not in sequence
    assert "evil]52;c;cHduZWQ=.example0;titleeman 2nd line" in sequence
    # OSC 777's fields are ;-separated: the title has none to split on.
    title = sequence.split("\x1b]777;notify;", 1)[1].split(";", 1)[0]
    assert title == "wix-sending: records visible"


def test_osc9_text_never_starts_with_a_digit() -> None:
    # ConEmu / Windows Terminal read "ESC ] 9 ; 4 ; ..." as a progress bar, not a notification.
    sequence = terminal_sequence(notice("4;3;50"), Settings(desktop=True))
    assert sequence.startswith("\x1b]9;wix-sending")


def test_clean_flattens_and_cuts() -> None:
    assert clean("a\tb\r\nc\x1b[31md") == "a b c[31md"
    assert len(clean("x" * 1000)) == 200 and clean("x" * 1000).endswith("…")


def test_ring_writes_only_what_is_on_and_wanted() -> None:
    written: list[str] = []
    notifier = Notifier(Settings(bell=True), write=written.append)
    notifier.ring(notice())
    assert written == [BEL]
    muted = Notifier(
        Settings(bell=True, events=frozenset({Event.NEW_PROBLEM})), write=written.append
    )
    muted.ring(notice())
    assert written == [BEL]  # ALL_VISIBLE is not one of its events
    Notifier(Settings(bell=True), write=None).ring(notice())  # no terminal: nothing, no error

    def gone(_: str) -> None:
        raise OSError(5, "Input/output error")

    Notifier(Settings(bell=True), write=gone).ring(notice())  # the terminal went away


# --- settings ----------------------------------------------------------------------------------


def test_settings_from_config_and_flags() -> None:
    assert {e.value for e in Event} == set(NOTIFY_EVENTS)
    assert not Settings.from_config(NotifyConfig()).on  # everything off by default
    config = NotifyConfig(bell=True, webhook="https://a.example/x", events=("new_problem",))
    settings = Settings.from_config(config)
    assert settings.bell and settings.webhook and settings.events == {Event.NEW_PROBLEM}
    assert settings.with_flags() == settings  # no flag: the config as it is
    flagged = settings.with_flags(desktop=True, webhook="https://b.example/y")
    assert flagged.bell and flagged.desktop and flagged.webhook == "https://b.example/y"
    assert flagged.events == frozenset(Event)  # a flag asks for every event


# --- the webhook -------------------------------------------------------------------------------


@dataclass
class Hook:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    status: int = 204
    delay: float = 0.0


@pytest.fixture
def hook() -> Iterator[Hook]:
    """A real HTTP server on loopback that keeps what is POSTed to it."""
    state = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length)
            if state.delay:
                threading.Event().wait(state.delay)
            state.received.append(json.loads(body))
            state.headers.append(dict(self.headers))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T0/SECRET-TOKEN"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


async def test_webhook_receives_the_event_as_json(hook: Hook) -> None:
    new = [finding("records_removed", Severity.ERROR), finding("dmarc_missing")]
    event = problem_notice(new, AT, source="doctor", site="site-1")
    failures = await Notifier(Settings(webhook=hook.url)).announce(event)
    assert failures == []
    [body] = hook.received
    assert hook.headers[0]["Content-Type"] == "application/json"
    assert body["event"] == "new_problem" and body["source"] == "wix-sending"
    assert body["command"] == "doctor" and body["site"] == "site-1"
    assert body["domain"] == "a.example" and body["at"] == AT.isoformat()
    assert body["text"] == (
        "wix-sending: new problem: error: a.example: title of records_removed (and 1 more)"
    )
    assert [f["code"] for f in body["findings"]] == ["records_removed", "dmarc_missing"]


async def test_webhook_failures_are_reported_without_the_token(hook: Hook) -> None:
    hook.status = 500
    failure = await post_webhook(hook.url, {"x": 1}, 2.0)
    host = origin(hook.url)
    assert failure == f"the webhook at {host} answered HTTP 500"
    hook.status, hook.delay = 204, 1.5
    failure = await post_webhook(hook.url, {"x": 1}, 0.3)
    assert failure == f"the webhook at {host} did not answer within 0.3 s"
    closed = f"http://127.0.0.1:{_closed_port()}/hooks/SECRET-TOKEN"
    failure = await post_webhook(closed, {"x": 1}, 2.0)
    assert failure.startswith(f"the webhook at {origin(closed)} could not be reached (")
    for text in (failure, host):
        assert "SECRET-TOKEN" not in text and "/hooks" not in text


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the command -------------------------------------------------------------------------------

RECORDER = """
import json, os, sys
data = sys.stdin.read()
with open(sys.argv[1], "w") as out:
    json.dump({"stdin": json.loads(data), "argv": sys.argv,
               "env": {k: v for k, v in os.environ.items() if k.startswith("WIX")}}, out)
"""


async def test_the_command_reads_the_event_on_stdin_and_holds_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    out = tmp_path / "out.json"
    monkeypatch.setenv("WIX_API_KEY", "IST.secret-key-value")
    monkeypatch.setenv("WIX_SENDING_PASSPHRASE", "a secret passphrase")
    monkeypatch.setenv("WIX_SITE_ID", "site-1")
    command = f"{sys.executable} {script} '{out}'"
    hostile = problem_notice([finding("x", domain=HOSTILE)], AT, source="doctor")
    failures = await Notifier(Settings(command=command)).announce(hostile)
    assert failures == []
    seen = json.loads(out.read_text())
    assert seen["argv"] == [str(script), str(out)]  # only what the user wrote
    assert seen["stdin"]["event"] == "new_problem"
    assert seen["stdin"]["findings"][0]["domain"] == HOSTILE  # the data, whole, in the JSON
    assert seen["env"]["WIX_SENDING_EVENT"] == "new_problem"
    assert "WIX_API_KEY" not in seen["env"] and "WIX_SENDING_PASSPHRASE" not in seen["env"]
    assert seen["env"]["WIX_SITE_ID"] == "site-1"  # not a secret
    assert "IST.secret-key-value" not in json.dumps(seen)


def test_command_environment_drops_the_secrets() -> None:
    env = command_environment(
        Event.AUTHENTICATED, {"WIX_API_KEY": "k", "WIX_SENDING_PASSPHRASE": "p", "HOME": "/h"}
    )
    assert env == {"HOME": "/h", "WIX_SENDING_EVENT": "authenticated"}


async def test_command_failures_are_reported(tmp_path: Path) -> None:
    python = sys.executable
    failing = f"{python} -c \"import sys; print('boom\\x1b[31m', file=sys.stderr); sys.exit(3)\""
    failure = await run_command(failing, {}, 5.0, Event.ALL_VISIBLE)
    assert failure == f"the notify command {python} exited with 3: boom[31m"
    slow = f'{python} -c "import time; time.sleep(30)"'
    failure = await run_command(slow, {}, 0.5, Event.ALL_VISIBLE)
    assert failure == f"the notify command {python} did not finish within 0.5 s (stopped)"
    missing = str(tmp_path / "no-such-command")
    failure = await run_command(missing, {}, 5.0, Event.ALL_VISIBLE)
    assert failure == f"the notify command {missing} was not found"
    # Through the notifier: reported, never raised, and the other channel still delivered.
    written: list[str] = []
    notifier = Notifier(Settings(bell=True, command=missing), write=written.append)
    assert await notifier.announce(notice()) == [f"the notify command {missing} was not found"]
    assert written == [BEL]


# --- what is new -------------------------------------------------------------------------------


def test_problems_are_new_by_code_and_domain() -> None:
    tracker = ProblemTracker()
    first = [finding("a"), finding("info", Severity.INFO), finding("b", domain="")]
    assert [f.code for f in tracker.update(first)] == ["a", "b"]  # no previous check
    assert tracker.update(first) == []
    moved = [finding("a", domain="b.example"), finding("b", domain="")]
    assert [(f.code, f.domain) for f in tracker.update(moved)] == [("a", "b.example")]
    baseline = ProblemTracker(baseline=True)
    assert baseline.update(first) == []
    assert [f.code for f in baseline.update([*first, finding("c")])] == ["c"]


def test_a_check_that_could_not_run_does_not_reset_what_is_known() -> None:
    tracker = ProblemTracker(baseline=True)
    known = [finding("a"), finding("b")]
    tracker.update(known)
    down = Finding("api_unreachable", Severity.ERROR, "down", "fix", blocks_checks=True)
    assert tracker.update([down]) == [down]  # said once
    assert tracker.update([down]) == []
    assert tracker.update(known) == []  # Wix is back: nothing new to say
    assert tracker.update([down]) == [down]  # down again: said again


def test_the_app_announces_transitions_only() -> None:
    events = AppEvents()
    assert events.dns_checked("a.example", True, AT) is None  # first seen: already visible
    assert events.dns_checked("b.example", False, AT) is None
    visible = events.dns_checked("b.example", True, AT)
    assert visible is not None and visible.event is Event.ALL_VISIBLE
    assert visible.domain == "b.example"
    events.dns_checked("b.example", False, AT)
    assert events.dns_checked("b.example", True, AT) is None  # once per domain per run

    assert (
        events.statuses({"a.example": "AUTHENTICATED", "b.example": "NOT_AUTHENTICATED"}, AT) == []
    )
    [authenticated] = events.statuses({"b.example": "AUTHENTICATED"}, AT)
    assert authenticated.event is Event.AUTHENTICATED and authenticated.domain == "b.example"
    assert events.statuses({"b.example": "AUTHENTICATED"}, AT) == []

    assert events.doctor_checked([finding("a")], AT) is None  # on screen already
    new = events.doctor_checked([finding("a"), finding("z", Severity.ERROR)], AT)
    assert new is not None and [f.code for f in new.findings] == ["z"]


@dataclass
class FakeReport:
    diagnoses: tuple[Diagnosis, ...]
    all_ok: bool = False
    checked_at: datetime = AT


async def test_watch_announces_new_diagnoses_and_all_visible_once() -> None:
    written: list[str] = []
    announcer = SweepAnnouncer(Notifier(Settings(desktop=True), write=written.append))
    early = Diagnosis("queried_too_early", "2 resolvers cached it. Wait.", zone="a.example")
    wrong = Diagnosis("wrong_target", "The target is wrong: fix it.", zone="a.example")
    await announcer.sweep(FakeReport((early,)))  # type: ignore[arg-type]
    assert written == []  # the first sweep's diagnoses are on screen as it starts
    await announcer.sweep(FakeReport((early, wrong)))  # type: ignore[arg-type]
    assert len(written) == 1 and "error: a.example: The target is wrong" in written[0]
    await announcer.sweep(FakeReport((), all_ok=True))  # type: ignore[arg-type]
    assert len(written) == 2 and "records visible" in written[1]
    await announcer.sweep(FakeReport((), all_ok=True))  # type: ignore[arg-type]
    assert len(written) == 2


def test_notice_json_carries_the_findings_evidence() -> None:
    found = Finding(
        "records_removed",
        Severity.ERROR,
        "t",
        "f",
        domain="a.example",
        evidence=(Evidence("gone", "isp-1", AT),),
    )
    body = problem_notice([found], AT).to_json()
    assert body["findings"][0]["evidence"] == [
        {"seen": "gone", "where": "isp-1", "when": AT.isoformat()}
    ]
