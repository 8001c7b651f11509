"""Text from the network reaches the terminal inert: the "hostile" scenario's from-names carry
OSC 52 (write the clipboard), OSC 0 (rename the window), SGR and C1 sequences, markup and a bidi
override. The raw bytes the app writes to the terminal (``tmux pipe-pane``) hold none of them;
the screen shows them as visible escapes instead."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.tmux import COMMAND, Terminal, have_tmux

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")

# What must never reach the terminal from the data (the app's own drawing uses other sequences).
RAW = [
    b"\x1b]52;c;cHduZWQ=",  # OSC 52: the clipboard
    b"\x1b]0;PWNED",  # OSC 0: the window title
    b"\x1b[5m blink",  # SGR blink, as sent
    "\x9b31m".encode(),  # a C1 CSI (UTF-8)
    "\u202e".encode(),  # RIGHT-TO-LEFT OVERRIDE
]


def test_hostile_from_names_are_shown_inert(tmp_path: Path) -> None:
    raw = tmp_path / "raw.bin"
    term = Terminal(program="bash --norc --noprofile", width=120, height=36)
    try:
        term.keys("PS1='prompt$ '", "Enter")
        term.wait_for("prompt$")
        # Every byte the pane receives from now on, as the terminal gets it.
        subprocess.run(["tmux", "pipe-pane", "-o", "-t", term.name, f"cat >> {raw}"], check=True)
        term.keys(f"{COMMAND} demo --scenario hostile", "Enter")
        screen = term.wait_for("Clipboard Shop")
        term.wait_for("Title Thief")
        screen = term.screen()
        # Seen, as text: the escapes written out, the markup as typed.
        assert "\\x1b]52;c;cHduZWQ=\\x07" in screen or "\\x1b]52;c;cH" in screen
        assert "[bold red]Not markup[/]" in screen
        assert "\\u202eelpmaxe" in screen or "\\u202e" in screen
        title = subprocess.run(
            ["tmux", "display-message", "-p", "-t", term.name, "#{pane_title}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "PWNED" not in title
        term.keys("q")
        term.wait_for("prompt$")
    finally:
        term.kill()
    written = raw.read_bytes()
    assert b"Clipboard Shop" in written  # the capture did see the app's drawing
    for sequence in RAW:
        assert sequence not in written, sequence
