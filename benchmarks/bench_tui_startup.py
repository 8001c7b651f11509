"""Startup to the first frame, and memory, of the wix-sending app vs a bare Textual app.

Four kinds of fresh process (imports included, as a user starts them), each headless at 80x24:

- bare: a Textual app of Header + DataTable + Footer, the baseline, measured in the same run;
- profile: ``wix-sending`` with a stored profile (its key in the OS keyring, the last used
  profile): the app as ``tui.launch.run_app`` builds it. This VM has no OS keyring, so the
  keyring's backend is a stand-in that answers at once (the ``keyring`` package is still
  imported, as for real: after the first frame, on the thread that reads the key);
- environment: ``wix-sending`` with WIX_API_KEY and WIX_SITE_ID set (no keyring);
- demo: ``wix-sending demo`` (the in-process sandbox and its DNS servers), built as
  ``tui.launch.run_demo`` builds it.

Each process notes the wall clock at its first frame (``call_after_refresh`` from its first
``on_mount``: the screen has been composed, laid out and rendered once) and its peak RSS then;
the parent took the wall clock just before starting it, so the time is process start to first
frame. The app processes then wait until they are signed in (the panes mounted: the client,
the keyring read, the sandbox) and note that too, which is not part of the ratio. Runs are
interleaved (bare, profile, demo, bare, ...) so drift hits all alike; printed: the median and
the spread (min-max) of the runs, and each app's ratio to the bare app of the same run.

    .venv/bin/python benchmarks/bench_tui_startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.3
SIZE = "(80, 24)"

# What every child does at its first frame and at exit: one JSON line on stdout.
PROBE = """
import json, resource, sys, time

def _rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

class Probe:
    first = None
    def first_frame(self):
        self.first = {"first_frame": time.time(), "rss_first": _rss()}
    def done(self, **more):
        print(json.dumps({**self.first, "done": time.time(), "rss_peak": _rss(), **more}))
        sys.stdout.flush()

PROBE = Probe()
"""

BARE = (
    PROBE
    + f"""
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.first)

    def first(self):
        PROBE.first_frame()
        self.exit()

Bare().run(headless=True, size={SIZE})
PROBE.done()
"""
)

# The app's subclass: exits once signed in with the panes mounted (or after 30 s).
APP_CLASS = """
from tui.app import WixSendingApp

class FirstFrame(WixSendingApp):
    # Textual calls on_mount of every class in the MRO: no super() call here.
    def on_mount(self):
        self.call_after_refresh(self._first)

    def _first(self):
        PROBE.first_frame()
        self._since = time.monotonic()
        self.set_interval(0.01, self._signed_in)

    def _signed_in(self):
        # The panes mounted and their tabs started (quitting while the Domains pane still
        # mounts its children trips Textual: see the README's note on this benchmark).
        if self.session is not None and self.home._panes_ready and self._since is not None:
            self._since = None
            signed_in = time.time()
            self.call_after_refresh(lambda: self.exit(result=signed_in))
        elif self._since is not None and time.monotonic() - self._since > 30:
            self.exit(result=None)
"""

PROFILE = (
    PROBE
    + APP_CLASS
    + f"""
from tui.launch import build_app
from tui.services import build_services
from tui.store import config as config_store
from tui.store.credentials import SecretStores
from tui.store.keyring_store import KeyringStore
from tui.store.paths import app_paths

class InstantKeyring:
    # Stands in for the OS keyring (none on this VM): the key at once.
    priority = 5
    def get_password(self, service, account):
        return "IST.benchmark-key-not-a-real-one"

paths = app_paths()
loaded = config_store.load(paths.config_file)
app = build_app(
    paths,
    stores=SecretStores(paths, keyring=KeyringStore(backend=InstantKeyring())),
    config=loaded.config,
    notices=[loaded.problem],
    app_class=FirstFrame,
)
signed_in = app.run(headless=True, size={SIZE})
PROBE.done(signed_in=signed_in)
"""
)

DEMO = (
    PROBE
    + APP_CLASS
    + f"""
import tempfile
from pathlib import Path
from tui.demo import DemoSandbox
from tui.launch import demo_app, demo_paths

sandbox = DemoSandbox("fresh", 60.0)
with tempfile.TemporaryDirectory(prefix="bench-demo-") as home:
    try:
        app = demo_app(
            demo_paths(Path(home)), sandbox.link, sandbox.start, clock=sandbox.clock,
            scenario="fresh", app_class=FirstFrame,
        )
        signed_in = app.run(headless=True, size={SIZE})
    finally:
        sandbox.stop()
PROBE.done(signed_in=signed_in)
"""
)

# As run_app builds it, with WIX_API_KEY and WIX_SITE_ID set (see _env): no keyring at all.
ENVIRONMENT = (
    PROBE
    + APP_CLASS
    + f"""
from tui.launch import build_app
from tui.store import config as config_store
from tui.store.paths import app_paths

paths = app_paths()
loaded = config_store.load(paths.config_file)
app = build_app(paths, config=loaded.config, notices=[loaded.problem], app_class=FirstFrame)
signed_in = app.run(headless=True, size={SIZE})
PROBE.done(signed_in=signed_in)
"""
)

KINDS = {"bare": BARE, "profile": PROFILE, "environment": ENVIRONMENT, "demo": DEMO}
LABELS = {
    "profile": "wix-sending, stored profile",
    "environment": "wix-sending, WIX_API_KEY + WIX_SITE_ID",
    "demo": "wix-sending demo",
}


def stored_profile(home: str) -> None:
    """A profiles file with one profile, its key in the OS keyring, last used."""
    code = (
        "from tui.store import profiles as p\n"
        "from tui.store.paths import app_paths\n"
        "profile = p.Profile('acme', '3f2d9a1c-0b4e-4c57-9d1a-6e8f2b7c5a90')\n"
        "p.update(app_paths().profiles_file, lambda now: __import__('dataclasses').replace("
        "p.with_profile(now, profile), last_used='acme'))\n"
    )
    subprocess.run([sys.executable, "-c", code], env=_env(home), check=True)


def _env(home: str, kind: str = "") -> dict[str, str]:
    env = {**os.environ, "WIX_SENDING_HOME": home}
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    for name in ("WIX_API_KEY", "WIX_SITE_ID", "WIX_BASE_URL", "TEXTUAL_LOG"):
        env.pop(name, None)
    if kind == "environment":
        env["WIX_API_KEY"] = "IST.benchmark-key-not-a-real-one"
        env["WIX_SITE_ID"] = "3f2d9a1c-0b4e-4c57-9d1a-6e8f2b7c5a90"
    return env


def measure(kind: str, home: str) -> dict:
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", KINDS[kind]],
        env=_env(home, kind),
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"the {kind} process failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if kind != "bare" and not result.get("signed_in"):
        raise SystemExit(f"the {kind} process never signed in:\n{done.stderr[-3000:]}")
    result["first"] = result["first_frame"] - started
    if result.get("signed_in"):
        result["signed"] = result["signed_in"] - started
    return result


def _spread(values: list[float]) -> str:
    median = statistics.median(values)
    return f"median {median:.3f} s (min {min(values):.3f}, max {max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    results: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as home:
        stored_profile(home)
        for kind in KINDS:  # warm the disk cache and the .pyc files
            measure(kind, home)
        for _ in range(options.runs):
            for kind in KINDS:
                results[kind].append(measure(kind, home))
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    bare = results["bare"]
    print(f"startup to the first frame, {options.runs} runs each, 80x24 headless; load {load}")
    print(f"  bare Textual (Header + DataTable + Footer): {_spread([r['first'] for r in bare])}")
    b = statistics.median(r["first"] for r in bare)
    b_rss = statistics.median(r["rss_first"] for r in bare)
    for kind, label in LABELS.items():
        runs = results[kind]
        # Each run against the bare app of the same round, then the median of those ratios.
        ratios = [r["first"] / base["first"] for r, base in zip(runs, bare, strict=True)]
        o = statistics.median(r["first"] for r in runs)
        rss = statistics.median(r["rss_first"] for r in runs)
        peak = statistics.median(r["rss_peak"] for r in runs)
        verdict = "met" if statistics.median(ratios) <= TARGET_RATIO else "NOT met"
        print(f"  {label}: {_spread([r['first'] for r in runs])}")
        print(
            f"    -> {o / b:.2f}x the bare app (per-run ratios: median "
            f"{statistics.median(ratios):.2f}, {min(ratios):.2f}-{max(ratios):.2f}); "
            f"target <= {TARGET_RATIO}x {verdict}"
        )
        print(
            f"    peak RSS at the first frame {rss / 1024:.1f} MiB vs {b_rss / 1024:.1f} MiB -> "
            f"{rss / b_rss:.2f}x; once signed in {peak / 1024:.1f} MiB; signed in (panes "
            f"mounted) at {_spread([r['signed'] for r in runs])}"
        )


if __name__ == "__main__":
    main()
