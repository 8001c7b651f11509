"""The installed command in a real terminal (tmux, 80x24): the demo opens signed in to the
sandbox, the panes and help answer the keyboard, and the app leaves when its terminal does."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.e2e.tmux import Terminal, have_tmux

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")


def process_gone(pid: int, timeout: float) -> bool:
    """Whether ``pid`` ends within ``timeout``: gone, or a zombie (it has exited; with its
    terminal gone, its parent may be an init that reaps late)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if zombie(pid):
            return True
        time.sleep(0.1)
    return False


def zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] == "Z"


def test_demo_opens_signed_in_and_answers_the_keyboard() -> None:
    term = Terminal("demo")
    try:
        # The first frame says "signing in" (the sandbox starts after it), then who is in.
        screen = term.wait_for("profile demo (fresh)")
        assert "SANDBOX 60x" in screen
        assert "Next: Add the address you want to send from: press a in Senders." in screen
        term.keys("2")  # possibly before the panes exist: it must not be lost
        term.wait_for("DNS records (c copies")
        term.keys("F1")
        term.wait_for("Help: Domains")
        term.keys("Escape")
        time.sleep(0.5)  # an Escape followed at once by a key reads as Alt+key
        term.keys("1")
        term.wait_for("Sender emails")
        term.keys("q")
        deadline = time.monotonic() + 10
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not term.alive(), term.screen()
    finally:
        term.kill()


def test_losing_the_terminal_ends_the_app_within_seconds() -> None:
    term = Terminal("demo")
    try:
        term.wait_for("SANDBOX")
        pid = term.pid()
    finally:
        term.kill()  # the terminal goes away: the process gets SIGHUP
    assert process_gone(pid, 5)
