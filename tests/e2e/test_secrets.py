"""The key stays where the user put it: not on the screen, not in the app's command line, not in
the environment or command line of any process it starts, not in any file of its own."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.tmux import Terminal, have_tmux

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")

MARKER = "IST.e2e-marker-key-7d1f0c3b9a"
SITE = "9ff1b430-510e-4272-a868-1a47ca3c86d7"


def descendants(pid: int) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    children = [int(child) for child in found]
    return children + [grand for child in children for grand in descendants(child)]


def test_a_key_from_the_environment_goes_nowhere_else(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # The key is the user's (in the environment they set); Wix is out of reach here, so the
    # app runs with it and says it cannot connect.
    term = Terminal(
        env={"WIX_API_KEY": MARKER, "WIX_SITE_ID": SITE, "WIX_SENDING_HOME": str(home)},
    )
    try:
        term.wait_for("WIX_SITE_ID from the environment")
        pid = term.pid()
        assert MARKER not in term.screen()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        assert MARKER.encode() not in cmdline
        for child in descendants(pid):
            for part in ("cmdline", "environ"):
                try:
                    data = Path(f"/proc/{child}/{part}").read_bytes()
                except OSError:
                    continue  # it ended meanwhile
                assert MARKER.encode() not in data, f"{part} of child {child}"
        term.keys("q")
    finally:
        term.kill()
    for path in home.rglob("*"):
        if path.is_file():
            assert MARKER.encode() not in path.read_bytes(), path
            assert path.stat().st_mode & 0o077 == 0, path  # 0600
        else:
            assert path.stat().st_mode & 0o077 == 0, path  # 0700
