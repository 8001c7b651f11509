"""The installed ``wix-sending`` command, run as a user would: --version, --help, bad input,
and the README's curl walk-through against ``wix-sending sandbox`` from start to AUTHENTICATED.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tui import __version__

ROOT = Path(__file__).resolve().parents[1]
COMMAND = Path(sys.executable).with_name("wix-sending")


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COMMAND), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_the_command_is_installed() -> None:
    assert COMMAND.exists(), f"{COMMAND} missing: install the project with pip install -e ."


def test_version_and_help() -> None:
    version = run("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"wix-sending {__version__}"
    help_text = run("--help")
    assert help_text.returncode == 0
    for word in ("demo", "sandbox", "--version"):
        assert word in help_text.stdout
    assert run("sandbox", "--help").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sandbox", "--port", "99999"), "outside 0-65535"),
        (("sandbox", "--port", "http"), "not a port number"),
        (("sandbox", "--time-scale", "0"), "must be from 0.001 to 1e+06"),
        (("sandbox", "--time-scale", "1e308"), "must be from 0.001 to 1e+06"),
        (("watch", "a.example=b.example", "--timeout", "99"), "must be from 0.1 to 30"),
        (("sandbox", "--time-scale", "nan"), "not a finite number"),
        (("sandbox", "--initializing-seconds", "-1"), "must be from 0 to"),
        (("sandbox", "--initializing-seconds", "1e9"), "must be from 0 to"),
        (("sandbox", "--scenario", "nope", "--port", "0"), "unknown scenario 'nope'"),
        (("sandbox", "--host", ""), "an empty one would listen on every interface"),
        (("sandbox", "--host", "  "), "an empty one would listen on every interface"),
        (("frobnicate",), "invalid choice"),
        (("demo", "--faults", "chaos"), "invalid choice: 'chaos'"),
    ],
)
def test_bad_arguments_get_a_clear_message_and_no_traceback(
    args: tuple[str, ...], message: str
) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_faults_flag_is_documented() -> None:
    result = run("demo", "--help")
    assert result.returncode == 0
    assert "--faults PRESET" in result.stdout and "flaky" in result.stdout


def test_demo_with_faults_runs_the_app_against_a_flaky_sandbox(monkeypatch) -> None:
    # The app itself needs a terminal; what is checked is what run_demo hands it: a sandbox
    # started with the preset, and a notice saying so.
    import tui.launch
    from tui.cli import main

    seen: dict[str, object] = {}

    class NoApp:
        return_code = 0
        forced_exit_cleanups: list[object] = []

        def run(self) -> None:
            seen["faults"] = httpx.get(f"{seen['base_url']}/_sandbox/faults").json()

    def fake_demo_app(paths, link, site, **kwargs):
        seen["base_url"] = link.base_url
        seen["notices"] = kwargs["notices"]
        return NoApp()

    monkeypatch.setattr(tui.launch, "demo_app", fake_demo_app)
    monkeypatch.setattr(tui.launch, "_terminal_problem", lambda: "")  # the test has none
    assert main(["demo", "--faults", "flaky", "--time-scale", "1"]) == 0
    faults = seen["faults"]
    assert isinstance(faults, dict) and faults["preset"] == "flaky" and faults["faults"]
    assert any("flaky" in notice for notice in seen["notices"])  # type: ignore[attr-defined]
    assert main(["demo", "--time-scale", "1"]) == 0  # without the flag: no faults at all
    without = seen["faults"]
    assert isinstance(without, dict) and without["preset"] is None and without["faults"] == []
    assert seen["notices"] == []


def test_busy_port_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = run("sandbox", "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def sandbox_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [str(COMMAND), "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"serving at (http://127\.0\.0\.1:\d+)$", first.strip())
        assert match, f"unexpected first line: {first!r}"
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _walkthrough_script(base_url: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Walk through the journey", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 7, "the walk-through should have its shell blocks"
    # The first block starts the sandbox; the fixture already did that, on a free port.
    script = "\n".join(textwrap.dedent(b) for b in blocks[1:])
    return "set -euo pipefail\n" + script.replace("http://127.0.0.1:8765", base_url)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_walkthrough_reaches_authenticated(sandbox_process) -> None:
    _, base_url = sandbox_process
    result = subprocess.run(
        ["bash", "-c", _walkthrough_script(base_url)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LC_ALL": "C"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"status":"INITIALIZING"' in result.stdout
    assert '"status":"NOT_AUTHENTICATED"' in result.stdout
    assert "DNS_RECORDS_NOT_FOUND" in result.stdout
    # curl prints no newline, so the answers run together: the last one is the final
    # authenticate, and it must say AUTHENTICATED.
    assert result.stdout.rstrip().rsplit('{"sendingDomain":', 1)[1].count('"AUTHENTICATED"') == 1
    state = httpx.get(f"{base_url}/_sandbox/state").json()
    domains = state["sites"][0]["sendingDomains"]
    assert [d["status"] for d in domains] == ["AUTHENTICATED"]


def test_sandbox_stops_cleanly_on_ctrl_c(sandbox_process) -> None:
    process, base_url = sandbox_process
    assert httpx.get(f"{base_url}/_sandbox/").status_code == 200
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Sandbox stopped." in out
    assert "Traceback" not in err


def test_readme_python_example_runs(sandbox_process) -> None:
    _, base_url = sandbox_process
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using the client", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert code
    result = subprocess.run(
        [sys.executable, "-c", code.group(1).replace("http://127.0.0.1:8765", base_url)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "False"
    assert "no sender details yet" in result.stdout
    assert "create sender details" in result.stdout


def test_readme_points_only_at_what_users_have() -> None:
    """Users get the repository, not the team's shared notes beside it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"(\.\./)?shared/(reference|DESIGN)", readme)
