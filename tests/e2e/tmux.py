"""Driving the installed ``wix-sending`` in a real terminal: tmux with send-keys and
capture-pane, as a user at an 80x24 SSH session would see it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

COMMAND = Path(sys.executable).with_name("wix-sending")


def have_tmux() -> bool:
    return shutil.which("tmux") is not None


class Terminal:
    def __init__(
        self,
        *args: str,
        width: int = 80,
        height: int = 24,
        env: dict | None = None,
        program: str | None = None,
    ):
        """Runs ``wix-sending *args``, or ``program`` (a shell, say) instead."""
        self.name = f"wix-e2e-{uuid.uuid4().hex[:8]}"
        environment = [f"-e{k}={v}" for k, v in (env or {}).items()]
        command = program or " ".join([str(COMMAND), *args])
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                *environment,
                command,
            ],
            check=True,
        )

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "capture-pane", "-t", self.name, "-p"],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def wait_for_any(self, *texts: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if any(text in screen for text in texts):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"none of {texts!r} appeared; the screen was:\n{screen}")

    def alive(self) -> bool:
        result = subprocess.run(
            ["tmux", "has-session", "-t", self.name], capture_output=True, check=False
        )
        return result.returncode == 0

    def pid(self) -> int:
        result = subprocess.run(
            ["tmux", "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(result.stdout.split()[0])

    def flags(self, *names: str) -> dict[str, str]:
        """tmux's view of the pane's terminal modes, e.g. ``alternate_on``, ``mouse_any_flag``."""
        result = subprocess.run(
            [
                "tmux",
                "display-message",
                "-p",
                "-t",
                self.name,
                " ".join(f"#{{{n}}}" for n in names),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return dict(zip(names, result.stdout.split(), strict=True))

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True, check=False)
