"""The app's notifications (tui/widgets/announce.py): the panes' messages bubble up to the app,
which announces what changed per the config's [notify]: the desktop notification and the bell
written to the terminal, the webhook POSTed (a real HTTP server on loopback), a failure said in
one line; nothing at all when [notify] is off."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support import SandboxControl
from tests.ui.conftest import messages, settle, signed_in_app
from tui.flow.findings import Finding, Severity
from tui.propagation.model import (
    Cell,
    Endpoint,
    Eta,
    ExpectedRecord,
    Report,
    Resolver,
    Role,
    Status,
    ZoneInfo,
)
from tui.sandbox import SandboxServer
from tui.screens.senders import SendersPane
from tui.store.config import Config, NotifyConfig
from tui.store.credentials import SecretStores
from tui.store.paths import Paths
from tui.widgets.pane import DnsChecked, DoctorChecked, JourneyData
from tui.wix.models import DomainStatus, SendingDomain

SIZE = (100, 30)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DOMAIN = "other.example"


def report(ok: bool) -> Report:
    record = ExpectedRecord(f"s1._domainkey.{DOMAIN}", "s1.esp.example")
    isp = Resolver("isp", "isp", "x", Role.PUBLIC, (Endpoint("127.0.0.2"),))
    status = Status.OK if ok else Status.NOT_PUBLISHED
    return Report(
        checked_at=NOW,
        records=(record,),
        resolvers=(isp,),
        cells={(record.name, "isp"): Cell(record.name, "isp", status)},
        zones={record.name: ZoneInfo(DOMAIN)},
        diagnoses=(),
        eta=Eta(None, "", "Now." if ok else "Not yet.", ready=ok),
    )


def domain(status: DomainStatus) -> SendingDomain:
    return SendingDomain("d1", DOMAIN, status, status.value)


@pytest.fixture
def hook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


async def until(pilot: Pilot[Any], what: Callable[[], object], limit: float = 10.0) -> None:
    for _ in range(int(limit / 0.05)):
        if what():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"still not true after {limit} s")


async def ready(pilot: Pilot[Any]) -> SendersPane:
    app = pilot.app
    await until(pilot, lambda: app.home.query(SendersPane))  # type: ignore[attr-defined]
    await settle(pilot)
    return app.home.query_one(SendersPane)  # type: ignore[attr-defined]


async def test_the_app_announces_what_changed(
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox_server: SandboxServer,
    control: SandboxControl,
    hook: tuple[str, list[dict[str, Any]]],
) -> None:
    control.reset("midway")
    url, received = hook
    config = Config(notify=NotifyConfig(bell=True, desktop=True, webhook=url))
    app = signed_in_app(paths, keyring_stores, sandbox_server, config=config)
    written: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        pane = await ready(pilot)
        found = app._announcer()
        assert found is not None
        found[0].write = written.append  # headless: no terminal; see what would be written
        app._write_to_terminal("\x07")  # and that writing to a headless one is harmless

        # A pane's messages bubble up to the app: first sightings are only known...
        pane.post_message(DnsChecked(DOMAIN, report(ok=False)))
        pane.post_message(JourneyData(domains=[domain(DomainStatus.NOT_AUTHENTICATED)]))
        pane.post_message(DoctorChecked([Finding("a", Severity.WARNING, "A", "fix a")]))
        await settle(pilot)
        assert written == [] and received == []

        # ... then each change is announced.
        pane.post_message(DnsChecked(DOMAIN, report(ok=True)))
        pane.post_message(JourneyData(domains=[domain(DomainStatus.AUTHENTICATED)]))
        new = Finding("records_removed", Severity.ERROR, "The records are gone", "fix", DOMAIN)
        pane.post_message(DoctorChecked([Finding("a", Severity.WARNING, "A", "fix a"), new]))
        await until(pilot, lambda: len(received) == 3)
        assert [e["event"] for e in received] == ["all_visible", "authenticated", "new_problem"]
        assert all(e["command"] == "app" for e in received)
        assert received[0]["site"] == sandbox_server.credentials[0].site_id
        assert [f["code"] for f in received[2]["findings"]] == ["records_removed"]
        assert len(written) == 3
        assert written[0] == (
            f"\x1b]9;wix-sending: records visible: {DOMAIN}'s records are visible at every "
            f"resolver that answered\x07\x1b]777;notify;wix-sending: records visible;{DOMAIN}'s "
            "records are visible at every resolver that answered\x07\x07"
        )
        assert "domain authenticated" in written[1] and "new problem" in written[2]


async def test_a_failed_webhook_is_said_in_one_line(
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox_server: SandboxServer,
    control: SandboxControl,
) -> None:
    control.reset("midway")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    config = Config(notify=NotifyConfig(webhook=f"http://127.0.0.1:{closed}/hook/TOKEN"))
    app = signed_in_app(paths, keyring_stores, sandbox_server, config=config)
    async with app.run_test(size=SIZE) as pilot:
        pane = await ready(pilot)
        pane.post_message(DnsChecked(DOMAIN, report(ok=False)))
        pane.post_message(DnsChecked(DOMAIN, report(ok=True)))
        line = "The notification was not sent: the webhook at http://127.0.0.1:"
        await until(pilot, lambda: line in messages(app))
        said = next(m for m in messages(app).splitlines() if line in m)
        assert "could not be reached" in said and "TOKEN" not in said
        assert "Traceback" not in app.export_screenshot()


async def test_nothing_is_announced_when_notify_is_off(
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox_server: SandboxServer,
    control: SandboxControl,
) -> None:
    control.reset("midway")
    app = signed_in_app(paths, keyring_stores, sandbox_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await ready(pilot)
        pane.post_message(DnsChecked(DOMAIN, report(ok=False)))
        pane.post_message(DnsChecked(DOMAIN, report(ok=True)))
        await settle(pilot)
        assert app._announcer() is None
        assert "notification" not in messages(app).lower()
