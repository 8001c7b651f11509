"""Serving: background thread lifecycle, foreground Ctrl-C, pluggable DNS check, boundaries."""

from __future__ import annotations

import ast
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from tui.sandbox import DnsCheck, DnsCheckResult, SandboxServer, World

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_DIR = ROOT / "tui" / "sandbox"


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_start_stop_leaves_no_thread_or_port():
    server = SandboxServer(scenario="agency", time_scale=60)
    port = server.port  # bound at construction: known before serving
    assert port and server.base_url == f"http://127.0.0.1:{port}"
    server.start()
    thread = server._thread
    assert server.clock.speed == 60
    assert [c.name for c in server.credentials] == ["Northwind Studio", "Maple Dental"]
    assert httpx.get(f"{server.base_url}/_sandbox/").status_code == 200
    with pytest.raises(RuntimeError):
        server.start()
    server.stop()
    server.stop()  # idempotent
    assert thread is not None and not thread.is_alive()
    assert not port_is_open(port)


def test_busy_port_fails_at_construction_and_close_releases_it():
    first = SandboxServer()
    try:
        with pytest.raises(OSError):
            SandboxServer(port=first.port)
    finally:
        first.close()
    again = SandboxServer(port=first.port)  # the port was released
    again.close()


def test_can_serve_again_after_stop():
    server = SandboxServer()
    port = server.port
    for _ in range(2):
        server.start()
        assert httpx.get(f"{server.base_url}/_sandbox/clock").status_code == 200
        server.stop()
    assert server.port == port
    assert not port_is_open(port)


def test_context_manager_and_keep_alive_reuse():
    with SandboxServer() as server, httpx.Client(base_url=server.base_url) as client:
        creds = server.credentials[0]
        headers = {"Authorization": creds.api_key, "wix-site-id": creds.site_id}
        started = time.perf_counter()
        for _ in range(50):
            assert client.get("/sender-emails/v1/sender-emails", headers=headers).is_success
        # Guards against Nagle/delayed-ACK stalls (~40 ms per response without TCP_NODELAY).
        assert time.perf_counter() - started < 1.0
        thread = server._thread
    assert thread is not None and not thread.is_alive()


class RecordingDnsCheck:
    def __init__(self, passed: bool) -> None:
        self.passed = passed
        self.calls: list[tuple[str, list[tuple[str, str]]]] = []

    async def check(self, domain: str, records: Sequence[tuple[str, str]]) -> DnsCheckResult:
        self.calls.append((domain, list(records)))
        missing = () if self.passed else (records[0][0],)
        return DnsCheckResult(self.passed, missing, "checked by a test double")


@pytest.mark.parametrize("passed", [True, False])
def test_a_custom_dns_check_decides_authentication(passed):
    dns = RecordingDnsCheck(passed)
    assert isinstance(dns, DnsCheck)
    with SandboxServer(scenario="midway", dns_check=dns) as server:
        creds = server.credentials[0]
        headers = {"Authorization": creds.api_key, "wix-site-id": creds.site_id}
        with httpx.Client(base_url=server.base_url, headers=headers) as client:
            query = {"query": {"filter": {"domain": "harbor-ceramics.example"}}}
            base = "/sending-domains/v1/sending-domains"
            (domain,) = client.post(f"{base}/query", json=query).json()["sendingDomains"]
            response = client.post(f"{base}/{domain['id']}/authenticate", json={})
    assert dns.calls == [
        ("harbor-ceramics.example", [(r["hostName"], r["value"]) for r in domain["dnsRecords"]])
    ]
    if passed:
        assert response.status_code == 200
    else:
        assert response.status_code == 428
        assert "checked by a test double" in response.json()["message"]


class BrokenDnsCheck:
    async def check(self, domain: str, records: Sequence[tuple[str, str]]) -> DnsCheckResult:
        raise RuntimeError("resolver exploded")


def test_an_unexpected_error_is_an_empty_500_envelope(caplog):
    with SandboxServer(scenario="midway", dns_check=BrokenDnsCheck()) as server:
        creds = server.credentials[0]
        headers = {"Authorization": creds.api_key, "wix-site-id": creds.site_id}
        with httpx.Client(base_url=server.base_url, headers=headers) as client:
            query = {"query": {"filter": {"domain": "harbor-ceramics.example"}}}
            base = "/sending-domains/v1/sending-domains"
            (domain,) = client.post(f"{base}/query", json=query).json()["sendingDomains"]
            response = client.post(f"{base}/{domain['id']}/authenticate")
    assert response.status_code == 500
    assert response.json() == {"message": "", "details": {}}
    assert "resolver exploded" in caplog.text


def test_world_can_be_used_directly_without_http():
    world = World("fresh", initializing_seconds=60)
    site_id = world.credentials[0].site_id
    created = world.create_sender_email(site_id, {"emailAddress": "a.b@sunrise.example"})
    world.send_verification_code(site_id, created["senderEmail"]["id"])
    assert world.latest_code("a.b@sunrise.example")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_forever_stops_cleanly_on_signals(sig):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.sandbox", "--scenario", "midway", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert "serving at http://127.0.0.1:" in banner
        base_url = banner.rsplit(" ", 1)[1].strip()
        assert httpx.get(f"{base_url}/_sandbox/").json()["scenario"]["name"] == "midway"
        process.send_signal(sig)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped" in out


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_sandbox_never_imports_the_client_dns_code_or_textual():
    modules = sorted(SANDBOX_DIR.rglob("*.py"))  # the dns/ subpackage included
    assert len(modules) > 5
    for module in modules:
        for name in _imports(module):
            for forbidden in ("tui.wix", "tui.propagation", "textual"):
                assert name != forbidden and not name.startswith(forbidden + "."), (
                    f"{module.name} imports {name}"
                )


def test_sandbox_time_comes_from_the_world_clock():
    for module in sorted(SANDBOX_DIR.rglob("*.py")):
        source = module.read_text()
        for call in ("time.time(", "datetime.now(", "datetime.utcnow(", "date.today("):
            assert call not in source, f"{module.name} reads the system clock via {call}"
