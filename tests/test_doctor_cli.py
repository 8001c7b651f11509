"""``wix-sending doctor`` as installed, against the sandbox over real loopback HTTP and its DNS
world: the first line names the cause, the exit codes (0 healthy, 1 a problem, 2 not checked),
the JSON for cron, usage errors in one line, the state file read and never written, the
notifications of a single run and of ``--watch``, Ctrl-C, and the sandbox banner's and the
README's commands run as printed."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.store.test_concurrency import environment
from tui.commands import doctor as doctor_module
from tui.commands.doctor import render
from tui.flow.findings import Evidence, Finding, Severity, SiteFacts
from tui.sandbox import SandboxServer
from tui.sandbox.banner import banner

ROOT = Path(__file__).resolve().parents[1]
COMMAND = Path(sys.executable).with_name("wix-sending")
MIDWAY = "harbor-ceramics.example"
HEALTHY = "maple-books.example"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(scenario="midway", port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def reset(server: SandboxServer, scenario: str) -> None:
    response = httpx.post(f"{server.base_url}/_sandbox/reset", json={"scenario": scenario})
    assert response.status_code == 200, response.text


def dns_flags(server: SandboxServer) -> list[str]:
    flags = ["--timeout", "0.5"]
    for host, port in server.dns.authoritative:
        flags += ["--authoritative", f"{host}:{port}"]
    for r in server.dns.resolvers:
        flags += ["--resolver", f"{r.name}={r.host}:{r.port}"]
    return flags


def env_for(home: Path, server: SandboxServer | None, key: str | None = None, **extra: str):
    env = environment(home, **extra)
    if server is not None:
        creds = server.credentials[0]
        env["WIX_API_KEY"] = key or creds.api_key
        env["WIX_SITE_ID"] = creds.site_id
    return env


def doctor(
    server: SandboxServer | None,
    home: Path,
    *args: str,
    key: str | None = None,
    base_url: str | None = None,
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    """``wix-sending doctor`` as cron runs it: no terminal, a new session."""
    argv = [str(COMMAND), "doctor", *args]
    if server is not None:
        argv += ["--wix-base-url", base_url or server.base_url, *dns_flags(server)]
    return subprocess.run(
        argv,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
        env=env_for(home, server, key, **extra),
        start_new_session=True,
        check=False,
    )


def first_line(result: subprocess.CompletedProcess[str]) -> str:
    """The headline: the first line, with the lines it wrapped onto."""
    head = result.stdout.split("\n\n", 1)[0]
    assert head.splitlines()[1:] == [f"  {line.strip()}" for line in head.splitlines()[1:]]
    return " ".join(head.split())


def as_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    document = json.loads(result.stdout)
    assert document["exitCode"] == result.returncode
    return document


def plain_and_narrow(result: subprocess.CompletedProcess[str]) -> None:
    """Not a terminal: no colour, no escape at all, and every line within 80 columns."""
    assert "\x1b" not in result.stdout and "Traceback" not in result.stdout + result.stderr
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


# --- what it finds -----------------------------------------------------------------------------


def test_only_information_exits_0_and_the_first_line_says_it(
    sandbox: SandboxServer, home: Path
) -> None:
    reset(sandbox, "agency")
    result = doctor(sandbox, home, "--domain", "fresh-launch.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert first_line(result) == (
        "No problem found (note: Wix is still making the DNS records for fresh-launch.example)"
    )
    assert "fresh-launch.example\n  ○ info: " in result.stdout
    assert result.stdout.rstrip().endswith("1 info. Exit code 0.")
    plain_and_narrow(result)


def test_healthy(sandbox: SandboxServer, home: Path) -> None:
    reset(sandbox, "healthy")
    result = doctor(sandbox, home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "Healthy: no problem found."
    words = " ".join(result.stdout.split())
    assert f"1 sending domain ({HEALTHY}) at " in words and "nothing to report" in words
    plain_and_narrow(result)


def test_records_not_visible_is_a_warning_with_evidence_and_fix(
    sandbox: SandboxServer, home: Path
) -> None:
    reset(sandbox, "midway")
    result = doctor(sandbox, home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert first_line(result) == (
        f"Warning: Authenticating {MIDWAY} would fail now: its DNS servers do not serve the "
        "records yet"
    )
    lines = result.stdout.splitlines()
    block = lines.index(MIDWAY)  # the domain's block, after the headline
    assert lines[block - 1] == "" and lines[block + 1].startswith("  ▲ warning: Authenticating")
    assert any(line.startswith("    · s1._domainkey.") for line in lines), result.stdout
    assert any(line.startswith("    Fix: ") for line in lines)
    plain_and_narrow(result)


def test_a_suspended_account_is_the_first_line(sandbox: SandboxServer, home: Path) -> None:
    reset(sandbox, "midway")
    httpx.post(f"{sandbox.base_url}/_sandbox/account", json={"status": "SUSPENDED"})
    result = doctor(sandbox, home, "--json")
    assert result.returncode == 1
    document = as_json(result)
    assert document["headline"].startswith(
        "Error: The email marketing account is SUSPENDED: nothing is sent"
    )
    first = document["findings"][0]
    assert (first["code"], first["severity"], first["domain"]) == (
        "account_not_active",
        "error",
        None,
    )


def test_a_restricted_key_is_a_missing_permission(sandbox: SandboxServer, home: Path) -> None:
    reset(sandbox, "healthy")  # its restricted key may not read account details: a 403
    restricted = sandbox.credentials[0].restricted_api_key
    result = doctor(sandbox, home, "--json", key=restricted)
    assert result.returncode == 1, result.stdout + result.stderr
    document = as_json(result)
    assert [f["code"] for f in document["findings"]] == ["missing_permission"]
    assert document["headline"].startswith("Warning: The API key may not read account details")
    assert restricted not in result.stdout + result.stderr


# --- when the checks cannot run: exit 2 with one finding --------------------------------------


def test_a_wrong_key_exits_2_with_one_finding(sandbox: SandboxServer, home: Path) -> None:
    reset(sandbox, "midway")
    wrong = "IST.sandbox.not-a-key.0000000000000000000000000000000"
    result = doctor(sandbox, home, "--json", key=wrong)
    assert result.returncode == 2
    [only] = as_json(result)["findings"]
    assert only["code"] == "credentials_rejected"
    text = doctor(sandbox, home, key=wrong)
    assert text.returncode == 2
    assert first_line(text) == "Error: Wix refused the API key (401), so nothing was checked"
    assert text.stdout.rstrip().endswith("Exit code 2.")
    assert wrong not in text.stdout + text.stderr


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_api_exits_2(sandbox: SandboxServer, home: Path) -> None:
    result = doctor(sandbox, home, "--json", base_url=f"http://127.0.0.1:{closed_port()}")
    assert result.returncode == 2, result.stdout + result.stderr
    [only] = as_json(result)["findings"]
    assert only["code"] == "api_unreachable"
    assert as_json(result)["headline"] == (
        "Error: Wix's API could not be reached, so nothing was checked"
    )


def test_a_domain_not_on_the_site_exits_2(sandbox: SandboxServer, home: Path) -> None:
    reset(sandbox, "midway")
    result = doctor(sandbox, home, "--domain", "harbour-ceramics.example")
    assert result.returncode == 2, result.stdout + result.stderr
    assert first_line(result) == (
        "Error: harbour-ceramics.example is not a sending domain of this site, so it was not "
        "checked"
    )
    assert f"this site's domains are {MIDWAY}" in " ".join(result.stdout.split())
    plain_and_narrow(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the doctor needs Wix credentials: log in first"),
        (["--resolver", "dns.google"], "not an IP address"),
        (["--webhook", "ftp://hooks.example/x"], "--webhook must start with https://"),
        (["--notify-command", "alert 'unclosed"], "--notify-command cannot be split"),
        (["--profile", "nope"], "no profile 'nope'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(home: Path, args: list[str], message: str) -> None:
    result = doctor(None, home, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("wix-sending doctor: ") and message in line, line


def test_the_json_shape(sandbox: SandboxServer, home: Path) -> None:
    reset(sandbox, "midway")
    result = doctor(sandbox, home, "--json")
    document = as_json(result)
    assert set(document) == {
        "schemaVersion",
        "checkedAt",
        "site",
        "exitCode",
        "headline",
        "findings",
    }
    assert document["schemaVersion"] == 1
    assert datetime.fromisoformat(document["checkedAt"]).tzinfo is not None
    assert document["site"] == {
        "id": sandbox.credentials[0].site_id,
        "profile": None,  # the environment's credentials
        "domains": [MIDWAY],
    }
    finding = document["findings"][0]
    assert set(finding) == {"code", "severity", "domain", "title", "fix", "evidence", "action"}
    assert set(finding["evidence"][0]) == {"seen", "where", "when"}
    text = doctor(sandbox, home)
    assert document["headline"] == first_line(text)


# --- the state file: read, never written ------------------------------------------------------


def test_the_history_is_read_and_the_state_file_left_alone(
    sandbox: SandboxServer, home: Path
) -> None:
    reset(sandbox, "agency")  # cedar-lane.example: published, NOT_AUTHENTICATED
    state = home / "state" / "state.json"
    state.parent.mkdir(parents=True)
    seen = datetime(2020, 1, 1, tzinfo=UTC).isoformat()  # the records were seen long ago
    state.write_text(
        json.dumps(
            {
                "schemaVersion": 1,
                "domains": {"cedar-lane.example": {"records_first_seen": seen}},
            }
        )
    )
    before = state.read_bytes(), state.stat().st_mtime_ns
    result = doctor(sandbox, home, "--json", "--domain", "cedar-lane.example")
    codes = {f["code"] for f in as_json(result)["findings"]}
    assert "auth_ready" in codes, result.stdout  # the wait is over, by the history
    assert (state.read_bytes(), state.stat().st_mtime_ns) == before
    assert sorted(p.name for p in state.parent.iterdir()) == ["state.json"]  # no lock file
    state.write_text("{ damaged")
    result = doctor(sandbox, home, "--domain", "cedar-lane.example")
    assert result.returncode == 1
    assert "is damaged" in result.stderr and "not read" in result.stderr
    assert state.read_text() == "{ damaged"  # not moved aside: the app does that
    assert sorted(p.name for p in state.parent.iterdir()) == ["state.json"]


# --- the text: inert, wrapped, coloured only when asked --------------------------------------


def test_render_shows_network_strings_inert_and_colours_only_when_asked() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    hostile = "evil\x1b]52;c;cHduZWQ=\x07.example"
    found = Finding(
        "records_removed",
        Severity.ERROR,
        f"The records of {hostile} are gone",
        "Add them again at your DNS host; " + "then wait for them to be seen. " * 4,
        domain=hostile,
        evidence=(Evidence(f"sel1._domainkey.{hostile} not found", "isp-1", now),),
    )
    facts = SiteFacts(now=now)
    plain = render(facts, [found], site="s1", width=60)
    assert "\x1b" not in plain and "\x07" not in plain
    assert "evil\\x1b]52;c;cHduZWQ=\\x07.example" in plain
    assert all(len(line) <= 60 for line in plain.splitlines() if "\\x1b" not in line)
    assert plain.splitlines()[0].startswith("Error: The records of evil\\x1b")
    coloured = render(facts, [found], site="s1", width=60, colour=True)
    assert "\x1b[1;31m✗ error\x1b[0m" in coloured
    assert coloured.count("\x1b]") == 0  # only SGR colours, never an OSC


def test_colour_follows_the_terminal_and_no_color() -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    assert doctor_module.use_colour(Tty(), {})
    assert not doctor_module.use_colour(Tty(), {"NO_COLOR": ""})
    assert not doctor_module.use_colour(Tty(), {"TERM": "dumb"})
    assert not doctor_module.use_colour(sys.stdout if not sys.stdout.isatty() else object(), {})


# --- notifications -----------------------------------------------------------------------------


@pytest.fixture
def hook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook/TOKEN", received
    finally:
        server.shutdown()
        server.server_close()


def test_a_single_run_calls_the_webhook_only_with_a_problem(
    sandbox: SandboxServer, home: Path, hook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = hook
    reset(sandbox, "healthy")
    healthy = doctor(sandbox, home, "--webhook", url)
    assert healthy.returncode == 0 and received == []  # nothing to say: no word
    reset(sandbox, "midway")
    result = doctor(sandbox, home, "--webhook", url, "--bell", "--desktop-notify")
    assert result.returncode == 1
    assert len(received) == 1, received
    [event] = received
    assert event["event"] == "new_problem" and event["command"] == "doctor"
    assert event["findings"][0]["code"] == "records_not_visible"
    # No terminal in cron: the bell and the desktop notification are not written anywhere.
    assert "\x07" not in result.stdout + result.stderr
    failed = doctor(sandbox, home, "--webhook", f"http://127.0.0.1:{closed_port()}/hook/TOKEN")
    assert failed.returncode == 1  # a failed notification does not change the verdict
    assert len(failed.stderr.strip().splitlines()) == 1, failed.stderr
    [line] = failed.stderr.strip().splitlines()
    assert line.startswith("wix-sending doctor: notify: the webhook at http://127.0.0.1:")
    assert "TOKEN" not in line


RECORDER = """
import json, sys
with open(sys.argv[1], "a") as out:
    out.write(json.dumps({"stdin": json.loads(sys.stdin.read()), "argv": sys.argv}) + "\\n")
"""


def test_watch_announces_the_first_problems_then_only_new_ones_and_ctrl_c_exits_130(
    sandbox: SandboxServer, home: Path, tmp_path: Path
) -> None:
    reset(sandbox, "midway")
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    calls = tmp_path / "calls.jsonl"
    creds = sandbox.credentials[0]
    argv = [str(COMMAND), "doctor", "--json", "--watch", "10", "--wix-base-url", sandbox.base_url]
    argv += [*dns_flags(sandbox), "--notify-command", f"{sys.executable} {script} {calls}"]
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_for(home, sandbox),
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        assert first["exitCode"] == 1
        httpx.post(f"{sandbox.base_url}/_sandbox/account", json={"status": "SUSPENDED"})
        second = json.loads(process.stdout.readline())  # JSON Lines: one per check
        assert second["headline"].startswith("Error: The email marketing account is SUSPENDED")
        for _ in range(100):
            if calls.exists() and len(calls.read_text().splitlines()) == 2:
                break
            time.sleep(0.1)
        made = [json.loads(line) for line in calls.read_text().splitlines()]
        assert [c["stdin"]["event"] for c in made] == ["new_problem", "new_problem"]
        assert made[0]["stdin"]["findings"][0]["code"] == "records_not_visible"
        # The second announces only what is new: the account, not the records again.
        assert [f["code"] for f in made[1]["stdin"]["findings"]] == ["account_not_active"]
        assert all(c["argv"] == [str(script), str(calls)] for c in made)
        assert creds.api_key not in calls.read_text()
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=15) == 130
        assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- the commands we print, run as printed -----------------------------------------------------


def _command_block(lines: list[str], title: str) -> str:
    start = next(i for i, line in enumerate(lines) if line.startswith(title)) + 1
    while not lines[start].startswith("  "):
        start += 1
    block = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        block.append(line.strip())
    return "\n".join(block)


def test_the_banner_doctor_line_runs_as_printed(sandbox: SandboxServer, home: Path) -> None:
    reset(sandbox, "midway")
    lines = banner(sandbox).splitlines()
    title = "Ask the doctor what is wrong"
    command = _command_block(lines, title)
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    block = lines[start : start + 3 + len(command.splitlines())]
    assert all(len(line) <= 80 for line in block), block
    creds = sandbox.credentials[0]
    assert command.startswith(f"WIX_API_KEY='{creds.api_key}' \\\nWIX_SITE_ID={creds.site_id}")
    assert f"wix-sending doctor --wix-base-url {sandbox.base_url}" in command
    env = environment(home)
    env["PATH"] = f"{COMMAND.parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-c", "set -eu\n" + command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        start_new_session=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert first_line(result).startswith(f"Warning: Authenticating {MIDWAY} would fail now")


def _crontab() -> tuple[dict[str, str], str]:
    """The README's crontab block: its variables, and the command of its one entry."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Check what is wrong (`wix-sending doctor`)", 1)[1]
    block = re.search(r"```crontab\n(.*?)```", section, flags=re.S)
    assert block, "the README's doctor section has no crontab block"
    entries = [
        line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")
    ]
    variables = dict(line.split("=", 1) for line in entries if re.match(r"^[A-Z_]+=", line))
    [job] = [line for line in entries if not re.match(r"^[A-Z_]+=", line)]
    fields = job.split(None, 5)  # five time fields, then the command (run by /bin/sh)
    assert len(fields) == 6 and fields[0] == "*/30", job
    assert "%" not in fields[5]  # cron would turn it into a newline
    return variables, fields[5]


@pytest.mark.skipif(shutil.which("jq") is None, reason="the README's cron line uses jq")
def test_the_readme_cron_line_mails_when_a_record_goes(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The README's crontab entry, run by /bin/sh as cron runs it, with ``mail`` standing in
    for the real one, and ``wix-sending`` pointed at the sandbox: no mail while all is well, a
    mail whose subject is the headline when a record goes."""
    variables, command = _crontab()
    assert "wix-sending doctor --json" in command
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    mailbox = tmp_path / "mailbox"
    (bin_dir / "mail").write_text(
        f'#!/bin/sh\n{{ printf "%s\\n" "$@"; echo ---; cat; }} > "{mailbox}"\n'
    )
    # The sandbox's DNS world instead of the Internet's resolvers.
    flags = " ".join(dns_flags(sandbox))
    (bin_dir / "wix-sending").write_text(f'#!/bin/sh\nexec "{COMMAND}" "$@" {flags}\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    (tmp_path / ".config").mkdir()
    (tmp_path / ".config" / "wix-sending-passphrase").write_text("unused: the key is in env\n")
    reset(sandbox, "healthy")
    env = env_for(tmp_path / "home", sandbox, WIX_BASE_URL=sandbox.base_url, HOME=str(tmp_path))
    env["PATH"] = os.pathsep.join([str(bin_dir), variables.get("PATH", "/usr/bin:/bin")])

    def cron() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["/bin/sh", "-c", command],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=90,
            env=env,
            start_new_session=True,
            check=False,
        )

    quiet = cron()  # healthy: exit 0, no mail
    assert quiet.returncode == 0 and quiet.stdout + quiet.stderr == "", quiet
    assert not mailbox.exists()

    # A record goes: deleted at the DNS host (the resolvers' caches flushed, not waited out).
    answer = httpx.post(
        f"{sandbox.base_url}/_sandbox/break", json={"problem": "records-removed", "flush": True}
    )
    assert answer.status_code == 200, answer.text
    mailed = cron()
    assert mailed.returncode == 0 and mailed.stdout + mailed.stderr == "", mailed
    args, body = mailbox.read_text().split("---\n", 1)
    subject_flag, subject, to = args.splitlines()
    assert (subject_flag, to) == ("-s", "ops@example.com")
    document = json.loads(body)
    assert document["exitCode"] == 1
    assert [f["code"] for f in document["findings"]] == ["records_removed"]
    assert subject == f"wix-sending: {document['headline']}"
    assert subject.startswith("wix-sending: Error: ")

    # Not checked (the key refused): a mail too, its subject the headline of exit 2.
    mailbox.unlink()
    env["WIX_API_KEY"] = "IST.sandbox.revoked.000000000000000000000000000000"
    refused = cron()
    assert refused.returncode == 0, refused
    args, body = mailbox.read_text().split("---\n", 1)
    assert args.splitlines()[1] == (
        "wix-sending: Error: Wix refused the API key (401), so nothing was checked"
    )
    assert json.loads(body)["exitCode"] == 2
    # Nothing could run at all (no credentials): no JSON, stderr's one line is the subject.
    mailbox.unlink()
    del env["WIX_API_KEY"], env["WIX_SITE_ID"]
    nothing = cron()
    assert nothing.returncode == 0, nothing
    args, body = mailbox.read_text().split("---\n", 1)
    assert args.splitlines()[1].startswith(
        "wix-sending: wix-sending doctor: the doctor needs Wix credentials"
    )


# --- on a real terminal: colour, the bell and the desktop notification ------------------------


def on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run ``argv`` with stdout and stderr on a pseudo-terminal; its exit code and the raw
    bytes it wrote there."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=60), b"".join(chunks)


def test_on_a_terminal_it_rings_notifies_and_colours(sandbox: SandboxServer, home: Path) -> None:
    reset(sandbox, "midway")
    argv = [str(COMMAND), "doctor", "--wix-base-url", sandbox.base_url, *dns_flags(sandbox)]
    argv += ["--bell", "--desktop-notify"]
    env = env_for(home, sandbox, COLUMNS="80")
    env.pop("NO_COLOR", None)
    code, raw = on_a_terminal(argv, env)
    assert code == 1, raw
    text = raw.decode("utf-8")
    assert "\x1b[1;33m▲ warning\x1b[0m" in text  # colour, on a terminal
    osc9 = f"\x1b]9;wix-sending: new problem: warning: {MIDWAY}: Authenticating {MIDWAY} would"
    assert osc9 in text
    assert "\x1b]777;notify;wix-sending: new problem;warning: " in text
    assert text.count("\x07") == 3  # OSC 9's end, OSC 777's end, and the bell
    code, raw = on_a_terminal(argv, {**env, "NO_COLOR": "1"})
    assert code == 1 and b"\x1b[1;33m" not in raw and b"\x1b]9;" in raw


def test_watch_says_when_the_records_are_all_visible(
    sandbox: SandboxServer, home: Path, tmp_path: Path
) -> None:
    reset(sandbox, "healthy")
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    calls = tmp_path / "calls.jsonl"
    argv = [str(COMMAND), "watch", "--domain", HEALTHY, "--once", "--json"]
    argv += ["--wix-base-url", sandbox.base_url, *dns_flags(sandbox)]
    argv += ["--notify-command", f"{sys.executable} {script} {calls}"]
    result = subprocess.run(
        argv,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=env_for(home, sandbox),
        start_new_session=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [call] = [json.loads(line) for line in calls.read_text().splitlines()]
    assert call["stdin"]["event"] == "all_visible" and call["stdin"]["command"] == "watch"
    assert call["stdin"]["domain"] == HEALTHY
    bad = subprocess.run(
        [str(COMMAND), "watch", "a.example=b.example", "--webhook", "hooks.example.com/x"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env_for(home, None),
        check=False,
    )
    assert bad.returncode == 2
    assert (
        bad.stderr.strip() == "wix-sending watch: --webhook must start with https:// (or http://)"
    )
