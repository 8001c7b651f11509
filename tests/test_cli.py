"""The installed ``wix-sending`` command, run as a user would: --version, --help, bad input,
and the README's curl walk-through against ``wix-sending sandbox`` from start to AUTHENTICATED.
"""

from __future__ import annotations

import json
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
            self.site()  # the sandbox starts after the app's first frame, as the app does
            seen["faults"] = httpx.get(f"{seen['base_url']}/_sandbox/faults").json()

    def fake_demo_app(paths, link, site, **kwargs):
        seen["base_url"] = link.base_url
        seen["notices"] = kwargs["notices"]
        app = NoApp()
        app.site = site
        return app

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
    assert "No sender details on this site use an address on this domain" in result.stdout
    assert "create sender details" in result.stdout


def test_readme_points_only_at_what_users_have() -> None:
    """Users get the repository, not the team's shared notes beside it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"(\.\./)?shared/(reference|DESIGN)", readme)


# --- the sandbox banner's login, with the real app ---------------------------------------------


def _banner(process: subprocess.Popen[str]) -> list[str]:
    """The rest of the banner (the fixture read its first line)."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Ctrl-C stops the sandbox"):
            return lines
    raise AssertionError("the banner never ended:\n" + "\n".join(lines))


def _block(lines: list[str], title: str) -> str:
    """The shell command under ``title``: its indented lines, continuations joined."""
    start = next(i for i, line in enumerate(lines) if line.startswith(title)) + 1
    while not lines[start].startswith("  "):  # the title's own further lines
        start += 1
    block = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        block.append(line.strip())
    return "\n".join(block)


def _keyring_env(tmp_path: Path) -> dict[str, str]:
    from tests.store.file_keyring import ENV as KEYRING_FILE_ENV
    from tests.store.test_concurrency import environment

    return environment(
        tmp_path / "home",
        PYTHON_KEYRING_BACKEND="tests.store.file_keyring.FileKeyring",
        **{KEYRING_FILE_ENV: str(tmp_path / "keyring.json")},
    )


def _typed_at_a_terminal(argv: list[str], env: dict[str, str], answer: str) -> tuple[int, str]:
    """Run ``argv`` on a pseudo-terminal (its controlling terminal), type ``answer`` at its
    hidden prompt, and return its exit code and what it printed."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: a new session whose controlling terminal is the pty
        try:
            os.execve(argv[0], argv, env)  # noqa: S606 - the command itself, no shell
        finally:
            os._exit(127)
    seen = b""
    answered = False
    try:
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if not answered and b"API key" in seen:
                os.write(fd, answer.encode() + b"\r")
                answered = True
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_the_banner_says_how_to_log_in_with_the_real_app(sandbox_process, tmp_path: Path) -> None:
    """Follow the sandbox's banner: its login commands, copied as they are, log the real app in
    to the sandbox; then the profile (what `wix-sending` opens) points at the sandbox."""
    process, base_url = sandbox_process
    lines = _banner(process)
    key = next(line.split()[-1] for line in lines if line.startswith("  Authorization"))
    site_id = next(line.split()[-1] for line in lines if line.startswith("  wix-site-id"))
    interactive = _block(lines, "Log in to it with the real app")
    assert interactive.splitlines()[-1] == "wix-sending"  # then open the app
    assert key not in interactive  # asked for at the prompt, not in the command
    login = interactive.splitlines()[:-1]
    assert f"--wix-base-url {base_url} \\" in login and f"--site-id {site_id}" in login
    in_script = _block(lines, "Or in a script")
    assert f"'{key}'" in in_script and "--api-key-stdin" in in_script

    # The script's way: with no terminal at all.
    env = _keyring_env(tmp_path)
    env["PATH"] = f"{COMMAND.parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + in_script],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        start_new_session=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Logged in: profile sandbox" in result.stdout and key not in result.stdout

    # The interactive way, typed at a terminal as the banner says (after a logout).
    assert (
        subprocess.run(
            [str(COMMAND), "logout", "--profile", "sandbox"],
            env=env,
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    argv = [str(COMMAND), *" ".join(line.rstrip("\\") for line in login).split()[1:]]
    code, shown = _typed_at_a_terminal(argv, env, key)
    assert code == 0, shown
    assert "Logged in: profile sandbox" in shown and key not in shown

    # What `wix-sending` opens: the last used profile, on the sandbox's API.
    listed = json.loads(
        subprocess.run(
            [str(COMMAND), "profiles", "--json"], env=env, capture_output=True, check=True
        ).stdout
    )
    [row] = listed["profiles"]
    assert (row["name"], row["current"], row["apiUrl"]) == ("sandbox", True, base_url)
    found = json.loads(
        subprocess.run(
            [str(COMMAND), "paths", "--json"], env=env, capture_output=True, check=True
        ).stdout
    )
    assert (found["wixBaseUrl"], found["wixBaseUrlFrom"]) == (base_url, "profile sandbox")
