"""Startup to the first frame, and memory, of the wix-sending app vs a bare Textual app.

Each is run as a fresh process (imports included, as a user starts it) in headless mode and
exits right after its first frame is drawn; the bare app is measured in the same run, so the
printed ratios mean something on a noisy machine. Memory is each process's peak RSS.

    .venv/bin/python benchmarks/bench_tui_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Label

class Bare(App):
    def compose(self):
        yield Header()
        yield Label("hello")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.exit)

Bare().run(headless=True, size=(80, 24))
"""

OURS = """
from tui.app import WixSendingApp
from tui.launch import build_app
from tui.store.paths import app_paths

class FirstFrame(WixSendingApp):
    # Textual calls on_mount of every class in the MRO: no super() call here.
    def on_mount(self):
        self.call_after_refresh(self.exit)

build_app(app_paths(), app_class=FirstFrame).run(headless=True, size=(80, 24))
"""


def measure(code: str, home: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one fresh process running ``code``."""
    env = {**os.environ, "WIX_SENDING_HOME": home}
    env.pop("WIX_API_KEY", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        measure(OURS, home)  # warm the disk cache and .pyc files for both
        measure(BARE, home)
        ours, bare = [], []
        for _ in range(options.runs):  # interleaved, so drift hits both alike
            bare.append(measure(BARE, home)[0])
            ours.append(measure(OURS, home)[0])
        # Peak RSS per process: run each once more in a fresh child and read its own peak.
        rss = {}
        for name, code in (("bare", BARE), ("ours", OURS)):
            peak = "import resource\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
            probe = f"{code}\n{peak}"
            env = {**os.environ, "WIX_SENDING_HOME": home}
            out = subprocess.run(
                [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
            ).stdout.split()
            rss[name] = int(out[-1])
    o, b = statistics.median(ours), statistics.median(bare)
    print(f"startup to first frame: wix-sending {o:.3f} s, bare Textual {b:.3f} s -> {o / b:.2f}x")
    print(
        f"peak RSS: wix-sending {rss['ours'] / 1024:.1f} MiB, bare Textual "
        f"{rss['bare'] / 1024:.1f} MiB -> {rss['ours'] / rss['bare']:.2f}x"
    )


if __name__ == "__main__":
    main()
