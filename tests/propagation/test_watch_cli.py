"""``wix-sending watch`` as installed, against the sandbox DNS world: JSON shape, exit codes,
usage errors that query nothing, and --domain taking the records from the Wix sandbox."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from tests.propagation.test_engine_on_sandbox import records_of
from tui.clock import SYSTEM_CLOCK
from tui.commands.watch import render
from tui.propagation import (
    Cell,
    Endpoint,
    Eta,
    ExpectedRecord,
    Report,
    Resolver,
    Role,
    Status,
    Unanswered,
    ZoneInfo,
)
from tui.sandbox import SandboxServer

COMMAND = Path(sys.executable).with_name("wix-sending")


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxServer]:
    server = SandboxServer(scenario="dns-lab", port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def servers(world: SandboxServer, *names: str) -> list[str]:
    flags = []
    for host, port in world.dns.authoritative:
        flags += ["--authoritative", f"{host}:{port}"]
    for info in world.dns.resolvers:
        if not names or info.name in names:
            flags += ["--resolver", f"{info.host}:{info.port}"]
    return flags


def watch(*args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COMMAND), "watch", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "WIX_SENDING_CONFIG": "/nonexistent/config.toml", **(env or {})},
    )


def specs(world: SandboxServer, domain: str) -> list[str]:
    return [f"{r.name}={r.target}" for r in records_of(world, domain)]


def test_once_json_reports_statuses_diagnoses_and_eta(world: SandboxServer) -> None:
    httpx.post(f"{world.base_url}/_sandbox/reset", json={"scenario": "dns-lab"})
    result = watch(
        *specs(world, "queried-early.example"),
        *servers(world, "isp-1", "isp-2", "isp-3", "dead"),
        "--once",
        "--json",
        "--timeout",
        "0.4",
    )
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["schemaVersion"] == 1
    assert document["ready"] is False
    statuses = {c["status"] for c in document["cells"]}
    assert {"ok", "cached_negative", "unreachable"} <= statuses
    negative = next(c for c in document["cells"] if c["status"] == "cached_negative")
    assert negative["remainingSeconds"] > 0 and negative["eta"] and negative["bound"]
    assert "queried_too_early" in {d["code"] for d in document["diagnoses"]}
    assert "bound:" in document["eta"]["sentence"]
    roles = [r["role"] for r in document["resolvers"]]
    assert roles[:2] == ["authoritative", "authoritative"]


def test_exit_zero_when_everything_is_visible(world: SandboxServer) -> None:
    httpx.post(f"{world.base_url}/_sandbox/reset", json={"scenario": "dns-lab"})
    result = watch(
        *specs(world, "dnssec-broken.example"),
        *servers(world, "isp-1", "isp-2"),
        "--once",
        "--timeout",
        "0.4",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All records are visible" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "not HOST=TARGET"),
        (["a b.example=c.example"], "contains spaces"),
        (["x" * 300 + ".example=c.example"], "at most 253"),
        (["a.example=c.example", "--resolver", "dns.google"], "not an IP address"),
        (["a.example=c.example", "--authoritative", "1.2.3.4:0"], "invalid port"),
        ([], "give records as HOST=TARGET"),
        (["a.example=b.example", "a.example=c.example"], "more than once"),
    ],
)
def test_usage_errors_exit_2_and_query_nothing(args: list[str], message: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(0.3)
        address = f"127.0.0.1:{listener.getsockname()[1]}"
        result = watch(*args, "--once", "--resolver", address, "--authoritative", address)
        assert result.returncode == 2
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
        with pytest.raises(TimeoutError):
            listener.recvfrom(512)  # not one DNS question was sent


def test_idn_is_shown_both_ways(world: SandboxServer) -> None:
    result = watch(
        "s1._domainkey.bücher.example=t.example",
        *servers(world, "isp-1"),
        "--once",
        "--json",
        "--timeout",
        "0.4",
    )
    document = json.loads(result.stdout)
    record = document["records"][0]
    assert record["name"] == "s1._domainkey.xn--bcher-kva.example"
    assert "bücher" in record["displayName"]


def test_domain_from_the_wix_sandbox(world: SandboxServer) -> None:
    httpx.post(f"{world.base_url}/_sandbox/reset", json={"scenario": "dns-lab"})
    creds = world.credentials[0]
    env = {"WIX_API_KEY": creds.api_key, "WIX_SITE_ID": creds.site_id}
    result = watch(
        "--domain",
        "stale-target.example",
        "--wix-base-url",
        world.base_url,
        *servers(world, "isp-1"),
        "--once",
        "--json",
        "--timeout",
        "0.4",
        env=env,
    )
    assert result.returncode in (0, 1), result.stderr
    names = {r["name"] for r in json.loads(result.stdout)["records"]}
    assert names == {r.name for r in records_of(world, "stale-target.example")}
    missing = watch("--domain", "stale-target.example", "--once", env={"WIX_API_KEY": ""})
    assert missing.returncode == 2 and "WIX_API_KEY" in missing.stderr


def test_the_listener_does_hear_a_valid_watch() -> None:
    # The positive control for the test above: with valid input, questions do arrive.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(5)
        address = f"127.0.0.1:{listener.getsockname()[1]}"
        process = subprocess.Popen(
            [
                str(COMMAND),
                "watch",
                "a.example=b.example",
                "--once",
                "--timeout",
                "0.3",
                "--resolver",
                address,
                "--authoritative",
                address,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            data, _ = listener.recvfrom(512)
        finally:
            process.wait(timeout=30)
    assert len(data) > 12


def test_the_table_reads_like_the_grid() -> None:
    """``watch`` draws cells with the grid's presentation (tui.propagation.labels): the same
    glyphs and colours, full words and countdowns to the second; a footer in sentences."""
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    record = ExpectedRecord("s1._domainkey.example.com", "s1.esp.example")
    rows = (
        Resolver("isp", "isp", "x", Role.PUBLIC, (Endpoint("127.0.0.2"),)),
        Resolver("ns1", "ns1.host.example", "x", Role.AUTHORITATIVE, (Endpoint("127.0.0.1"),)),
        Resolver("dead", "dead", "x", Role.PUBLIC, (Endpoint("127.0.0.3"),)),
    )
    cells = {
        (record.name, "ns1"): Cell(record.name, "ns1", Status.OK),
        (record.name, "isp"): Cell(
            record.name, "isp", Status.STALE, eta=now + timedelta(seconds=725)
        ),
        (record.name, "dead"): Cell(record.name, "dead", Status.UNREACHABLE),
    }
    report = Report(
        checked_at=now - timedelta(seconds=12),
        records=(record,),
        resolvers=rows,
        cells=cells,
        zones={record.name: ZoneInfo("example.com")},
        diagnoses=(),
        eta=Eta(None, "", "Not yet.", ready=False),
    )
    view = render(report, now, due=SYSTEM_CLOCK.monotonic() + 29.4)
    table = view.renderables[0]
    labels, column = (list(c.cells) for c in table.columns)
    assert [(t.plain, str(t.style)) for t in labels] == [
        ("auth ns1.host.example", "bold"),
        ("isp", ""),
        ("dead", ""),
    ]
    assert [(t.plain, str(t.style)) for t in column] == [
        ("✓ ok", "green"),
        ("↻ 12m05s", "yellow"),
        ("· no answer", "dim"),
    ]
    console = Console(width=100, record=True)
    console.print(view)
    assert "checked 12 s ago; next check in 29 s · Ctrl-C to stop" in console.export_text()


def test_a_huge_resolvers_config_makes_a_short_warning(
    world: SandboxServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    unknown = ", ".join(f'"r{i}"' for i in range(50_000))  # ~450 KB, under the size cap
    config.write_text(f"[resolvers]\nremove = [{unknown}]\n")
    httpx.post(f"{world.base_url}/_sandbox/reset", json={"scenario": "dns-lab"})
    result = watch(
        *specs(world, "dnssec-broken.example"),
        *servers(world, "isp-1"),
        "--once",
        "--timeout",
        "0.4",
        env={"WIX_SENDING_CONFIG": str(config)},
    )
    warning = next(line for line in result.stderr.splitlines() if "built-in resolvers" in line)
    assert "unknown resolvers" in warning and len(warning) <= 800


async def test_domain_records_dns_cannot_carry_are_reported_and_the_rest_watched(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--domain``: Wix's names go through the checks of HOST=TARGET; a bad one is named on
    stderr with its reason, and the others are still watched."""
    from tui.commands import wix_records
    from tui.wix.models import DnsRecord, DomainStatus, SendingDomain

    sent = SendingDomain(
        "d",
        "bakery.example",
        DomainStatus.NOT_AUTHENTICATED,
        "NOT_AUTHENTICATED",
        dns_records=(
            DnsRecord("s1..bakery.example", "s1.dkim.wix.example"),
            DnsRecord("s2._domainkey.bakery.example", "s2.dkim.wix.example"),
        ),
    )

    class FakeWix:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        async def __aenter__(self) -> FakeWix:
            return self

        async def __aexit__(self, *exc: object) -> None:
            return None

        async def find_sending_domain(self, domain: str) -> SendingDomain:
            return sent

    monkeypatch.setattr(wix_records, "WixClient", FakeWix)
    monkeypatch.setenv("WIX_API_KEY", "key")
    monkeypatch.setenv("WIX_SITE_ID", "c993128b-26be-41cd-9fcd-904abe23462f")
    found = await wix_records.records_for_domain("bakery.example", None)
    assert found == [ExpectedRecord("s2._domainkey.bakery.example", "s2.dkim.wix.example")]
    err = capsys.readouterr().err
    assert "warning: Wix's record for 's1..bakery.example'" in err and "empty label" in err
    sent = SendingDomain(
        "d",
        "bakery.example",
        DomainStatus.NOT_AUTHENTICATED,
        "NOT_AUTHENTICATED",
        dns_records=(DnsRecord("s1..bakery.example", "s1.dkim.wix.example"),),
    )
    nothing = await wix_records.records_for_domain("bakery.example", None)
    assert nothing == "none of the records Wix gave for bakery.example can be watched"


def test_the_table_counts_unanswered_questions() -> None:
    """Questions nobody answered are said under the table (and never as a cell's verdict)."""
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    record = ExpectedRecord("s1._domainkey.example.com", "s1.esp.example")
    ns1 = Resolver("ns1", "ns1.host.example", "x", Role.AUTHORITATIVE, (Endpoint("127.0.0.1"),))
    report = Report(
        checked_at=now,
        records=(record,),
        resolvers=(ns1,),
        cells={(record.name, "ns1"): Cell(record.name, "ns1", Status.UNREACHABLE)},
        zones={record.name: ZoneInfo("example.com")},
        diagnoses=(),
        eta=Eta(None, "", "Not yet.", ready=False),
        unanswered=(
            Unanswered("127.0.0.1", True, (f"{record.name} CNAME", "example.com SOA")),
            Unanswered("127.0.0.9", False, ("localhost A",)),
        ),
    )
    console = Console(width=200, record=True)
    console.print(render(report, now, live=False))
    assert (
        "3 questions unanswered (2 by authoritative servers) this check: a dead server, lost "
        "packets or rate limiting; counted, not taken as answers" in console.export_text()
    )
