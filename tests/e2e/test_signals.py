"""A signal from outside ends the app the normal way: the terminal is given back (no alternate
screen, no mouse reporting), the demo's temporary home is removed, and the shell prompt returns.

The app runs under a shell in tmux, as a user starts it; the signal goes to the app's process
only (a kill, a service manager; SIGHUP as when the SSH link drops but the pane survives)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.test_shell import process_gone
from tests.e2e.tmux import COMMAND, Terminal, have_tmux

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")


def app_pid(shell_pid: int) -> int:
    """The wix-sending process the shell started."""
    for _ in range(100):
        found = subprocess.run(
            ["pgrep", "-P", str(shell_pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        if found:
            return int(found[0])
        time.sleep(0.1)
    raise AssertionError("the shell started no process")


def gone(pid: int, seconds: float) -> bool:
    return process_gone(pid, seconds)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_gives_the_terminal_back_and_cleans_up(number: int, tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    term = Terminal(
        program="bash --norc --noprofile",
        env={"TMPDIR": str(temporary), "WIX_SENDING_HOME": str(tmp_path)},
    )
    try:
        term.keys("PS1='prompt$ '", "Enter")
        term.wait_for("prompt$")
        term.keys(f"{COMMAND} demo", "Enter")
        term.wait_for("SANDBOX")
        assert term.flags("alternate_on")["alternate_on"] == "1"
        assert any(temporary.iterdir())  # the demo's throwaway home
        pid = app_pid(term.pid())
        os.kill(pid, number)
        assert gone(pid, 10), term.screen()
        screen = term.wait_for("prompt$")
        assert "Traceback" not in screen
        flags = term.flags("alternate_on", "mouse_any_flag", "mouse_standard_flag")
        assert flags == {"alternate_on": "0", "mouse_any_flag": "0", "mouse_standard_flag": "0"}
        assert list(temporary.iterdir()) == []
    finally:
        term.kill()


def test_without_a_terminal_the_app_says_so(tmp_path: Path) -> None:
    for args in ([], ["demo"]):
        result = subprocess.run(
            [str(COMMAND), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "WIX_SENDING_HOME": str(tmp_path)},
            check=False,
        )
        assert result.returncode == 2
        assert "needs a terminal" in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""  # nothing drawn into the pipe


def test_a_resize_storm_leaves_the_app_working(tmp_path: Path) -> None:
    term = Terminal("demo", env={"WIX_SENDING_HOME": str(tmp_path)})
    try:
        term.wait_for("Sender emails")
        for width, height in [(40, 12), (200, 60), (80, 24), (20, 5), (132, 43)] * 10:
            subprocess.run(
                ["tmux", "resize-window", "-t", term.name, "-x", str(width), "-y", str(height)],
                check=True,
            )
        subprocess.run(
            ["tmux", "resize-window", "-t", term.name, "-x", "80", "-y", "24"], check=True
        )
        term.keys("2")  # and it still answers the keyboard, at the design size
        screen = term.wait_for("DNS records")
        assert "Traceback" not in screen
        term.keys("q")
        deadline = time.monotonic() + 10
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not term.alive(), term.screen()
    finally:
        term.kill()
