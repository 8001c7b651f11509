"""Idle CPU of the app while the Domains pane's propagation grid watches, vs a bare Textual app.

The app (``tui.app.WixSendingApp``, wired as ``wix-sending demo`` wires it, but on the real
clock) runs headless in a fresh process, signed in to the sandbox's "midway" site (one
NOT_AUTHENTICATED domain with 5 CNAME records, published at the sandbox DNS host). It presses 2
(the Domains pane), waits for the grid's first sweep to end, then counts its own CPU time
(every thread: ``time.process_time``) over ``--duration`` seconds of wall time while the watch
keeps sweeping at the config's default ``refresh_interval`` (30 s). The default duration is
one interval, so the window holds one sweep, as every interval does. Two states of the DNS:

- all ok: every resolver has the records; once a second only the status line changes
  ("checked 12 s ago").
- countdowns: two resolvers still cache "does not exist" from a lookup made before the records
  were published (the midway scenario's story), so 10 cells count down once a second.

The baseline, measured in the same run: a bare Textual app (Header, Label, Footer) idling
for as long, in a fresh process (alongside the first app run: both are near idle, on separate
cores). The sandbox (Wix API and DNS servers) runs in a process of its own, as the real Wix and
the real resolvers are other machines: its CPU is reported on a line of its own, not counted
in the app's. Target: the app at most 1 % of one core.

Each process runs in a real pseudo-terminal (``os.openpty``, 120x50, TERM=xterm-256color),
not headless: Textual's Linux driver writes every frame to it, as over SSH, and the parent
reads the master side, counting the bytes and the reads (bursts) that arrive in the window.

    .venv/bin/python benchmarks/bench_tui_idle.py [--duration 30] [--runs 1] [--resolvers 15]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import multiprocessing
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

import httpx
from tui_bench import demo_app, report_to_parent, until

SCENARIO = "midway"
DOMAIN = "harbor-ceramics.example"
EARLY_RESOLVERS = ("isp-1", "isp-2")  # looked the records up before they were published
EARLY_AGO_SECONDS = 20 * 60
TARGET_PERCENT = 1.0
SIZE = (120, 50)  # room for the whole grid: what is off screen is not drawn
DEFAULT_RESOLVERS = 15  # the default watch: this machine's resolver + the 14 built-in public
SETTLE_SECONDS = 2.0  # after the first sweep: its repaint and the start-up work are done
START_TIMEOUT_SECONDS = 60.0
DUMP = os.environ.get("BENCH_TUI_IDLE_DUMP", "")  # a path: the window's terminal output there
PROFILE = os.environ.get("BENCH_TUI_IDLE_PROFILE", "")  # a path: cProfile of the app's window


# --- the children (each a fresh process: ``python bench_tui_idle.py --child KIND SPEC``) ---


async def _window(seconds: float, before=None, after=None) -> dict:
    """CPU time of this process (all threads) over ``seconds`` of wall time."""
    import asyncio
    import resource
    import threading
    import time

    start = before() if before else {}
    usage, cpu, wall = resource.getrusage(resource.RUSAGE_SELF), time.process_time(), time.time()
    await asyncio.sleep(seconds)
    wall, cpu = time.time() - wall, time.process_time() - cpu
    end = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "from": time.time() - wall,
        "to": time.time(),
        "wall": wall,
        "cpu": cpu,
        "user": end.ru_utime - usage.ru_utime,
        "system": end.ru_stime - usage.ru_stime,
        "threads": sorted(t.name for t in threading.enumerate()),
    }
    if after:
        result.update(after(start))
    return result


async def _until(condition, what: str) -> None:
    await until(condition, what, START_TIMEOUT_SECONDS, poll=0.05)


def _child_bare(spec: dict) -> None:
    import asyncio

    from textual.app import App
    from textual.widgets import Footer, Header, Label

    class Bare(App[None]):
        def compose(self):
            yield Header()
            yield Label("hello")
            yield Footer()

        def on_mount(self) -> None:
            self.run_worker(self._measure(), exit_on_error=False)

        async def _measure(self) -> None:
            async def measure() -> dict:
                await asyncio.sleep(spec["settle"])
                return await _window(spec["duration"])

            await report_to_parent(spec, measure)
            self.exit()

    Bare().run()


def _child_app(spec: dict) -> None:
    import asyncio

    from tui.app import WixSendingApp

    class Watching(WixSendingApp):
        # Textual calls on_mount of every class in the MRO: no super() call here.
        def on_mount(self) -> None:
            self.run_worker(self._measure(), group="bench", exit_on_error=False)

        async def _measure(self) -> None:
            await report_to_parent(spec, self._measured)
            self.exit()

        async def _measured(self) -> dict:
            await _until(lambda: bool(self.query("#propagation")), "the panes")
            await asyncio.sleep(0.5)  # after the tabs' own start-up activation
            self.simulate_key("2")  # the Domains pane, as a user chooses it
            watch = self.query_one("#propagation")
            await _until(lambda: watch.sweeps >= 1 and not watch.sweeping, "the first sweep")
            await asyncio.sleep(spec["settle"])

            def before() -> dict:
                return {"sweeps": watch.sweeps, "cells": watch.grid.cell_updates}

            def after(start: dict) -> dict:
                report = watch.grid.report
                return {
                    "sweeps": watch.sweeps - start["sweeps"],
                    "cell_updates": watch.grid.cell_updates - start["cells"],
                    "watching": bool(watch.records) and watch.due is not None,
                    "paused": watch.paused,
                    "problem": watch.problem,
                    "grid": [len(report.resolvers), len(report.records)],
                    "asked": sum(1 for c in report.cells.values() if c.queried),
                    "interval": self.services.config.refresh_interval,
                }

            if not PROFILE:
                return await _window(spec["duration"], before, after)
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            try:
                return await _window(spec["duration"], before, after)
            finally:
                profiler.disable()
                profiler.dump_stats(PROFILE)

    demo_app(spec, SCENARIO, Watching).run()


# --- the parent ---------------------------------------------------------------------------


def _serve(resolvers: int, ready) -> None:  # runs in the sandbox's own process
    from tui.sandbox import SandboxServer

    server = SandboxServer(scenario=SCENARIO, port=0, dns_resolver_count=resolvers)
    server.serve_forever(ready=lambda s: ready.send(s.base_url))


class Child:
    """One measured process; ``result()`` waits for it."""

    def __init__(self, kind: str, spec: dict, root: str) -> None:
        home = tempfile.mkdtemp(prefix=f"{kind}-", dir=root)  # a fresh home for each
        env = {**os.environ, "WIX_SENDING_HOME": home}
        for name in ("WIX_API_KEY", "WIX_SITE_ID", "TEXTUAL_LOG"):
            env.pop(name, None)
        self.kind = kind
        self.out = Path(home) / f"{kind}.json"
        self.out.unlink(missing_ok=True)
        spec = {**spec, "out": str(self.out), "home": home}
        env.update(TERM="xterm-256color", COLORTERM="truecolor", LINES="", COLUMNS="")
        env.pop("LINES"), env.pop("COLUMNS")
        master, slave = os.openpty()
        columns, lines = SIZE
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.master = master
        self.reads: list[tuple[float, int]] = []  # (when, bytes) of each read of the master
        self.tail = b""  # the terminal's last output, for a failure's message
        self.chunks: list[tuple[float, bytes]] = []  # with $BENCH_TUI_IDLE_DUMP: what came
        self.reader = threading.Thread(target=self._read, name=f"pty-{kind}", daemon=True)
        self.reader.start()
        # Textual's Linux driver draws on stderr: all three are the terminal.
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--child", kind, json.dumps(spec)],
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.timeout = spec["duration"] + spec["settle"] + 2 * START_TIMEOUT_SECONDS

    def _read(self) -> None:
        """Drain the terminal's master side (a terminal that is not read would block the app's
        writes), noting when and how much arrived."""
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the child's side closed
                break
            if not data:
                break
            self.reads.append((time.time(), len(data)))
            if DUMP:
                self.chunks.append((time.time(), data))
            self.tail = (self.tail + data)[-4000:]
            if b"\x1b[6n" in data:  # a cursor position query: answer as a terminal does
                with contextlib.suppress(OSError):
                    os.write(self.master, b"\x1b[1;1R")

    def result(self) -> dict:
        code = self.process.wait(timeout=self.timeout)
        stderr = self.tail.decode(errors="replace")[-2000:]
        if code or not self.out.exists():
            raise SystemExit(f"the {self.kind} process failed ({code}):\n{stderr}")
        result = json.loads(self.out.read_text(encoding="utf-8"))
        if "error" in result:
            raise SystemExit(f"the {self.kind} process failed: {result['error']}\n{stderr}")
        self.reader.join(timeout=5)
        with contextlib.suppress(OSError):
            os.close(self.master)
        inside = [n for when, n in list(self.reads) if result["from"] <= when <= result["to"]]
        result["terminal_bytes"], result["terminal_reads"] = sum(inside), len(inside)
        result["terminal_total"] = sum(n for _, n in self.reads)
        if DUMP:  # what the terminal got in the window, one line per read, to see what redraws
            with open(f"{DUMP}.{self.kind}", "a", encoding="utf-8") as dump:
                for when, data in self.chunks:
                    if result["from"] <= when <= result["to"]:
                        dump.write(f"{when - result['from']:7.3f} {data!r}\n")
        return result


class CpuSampler:
    """The CPU time of a process (``/proc/PID/stat``), sampled every 0.5 s on a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.samples = pid, []
        self._stop = threading.Event()
        self._tick = os.sysconf("SC_CLK_TCK")
        threading.Thread(target=self._run, name="cpu-sampler", daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                return
            self.samples.append((time.time(), (int(fields[11]) + int(fields[12])) / self._tick))

    def stop(self) -> None:
        self._stop.set()

    def percent(self, start: float, end: float) -> float:
        inside = [(t, cpu) for t, cpu in self.samples if start <= t <= end]
        if len(inside) < 2:
            return float("nan")
        (t0, c0), (t1, c1) = inside[0], inside[-1]
        return 100 * (c1 - c0) / (t1 - t0)


def _set_dns(base_url: str, countdowns: bool) -> None:
    """All ok (every cache emptied), or two resolvers caching "does not exist" from a lookup
    made before the records were published (as the midway scenario starts)."""
    with httpx.Client(base_url=f"{base_url}/_sandbox/dns", timeout=10) as http:
        removed = http.post("/unpublish", json={"domain": DOMAIN})
        removed.raise_for_status()
        http.post("/resolvers/flush", json={}).raise_for_status()
        for name in EARLY_RESOLVERS if countdowns else ():
            for host in removed.json()["unpublished"]:
                lookup = {"name": name, "qname": host, "agoSeconds": EARLY_AGO_SECONDS}
                http.post("/resolvers/lookup", json=lookup).raise_for_status()
        http.post("/publish", json={"domain": DOMAIN}).raise_for_status()


def _percent(result: dict) -> float:
    return 100 * result["cpu"] / result["wall"]


def _line(name: str, results: list[dict]) -> str:
    runs = ", ".join(
        f"{_percent(r):.2f} % ({r['cpu']:.3f} s CPU in {r['wall']:.1f} s: user "
        f"{r['user']:.2f}, sys {r['system']:.2f}; terminal {r['terminal_bytes']} bytes in "
        f"{r['terminal_reads']} reads; {r['terminal_total']} in all)"
        for r in results
    )
    return f"  {name}: {runs}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured per run")
    parser.add_argument("--runs", type=int, default=1, help="runs of each state")
    parser.add_argument(
        "--resolvers", type=int, default=DEFAULT_RESOLVERS, help="public resolvers watched"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        kind, spec = options.child
        (_child_app if kind == "app" else _child_bare)(json.loads(spec))
        return

    parent, child = multiprocessing.Pipe()
    sandbox = multiprocessing.Process(target=_serve, args=(options.resolvers, child), daemon=True)
    sandbox.start()
    sampler = CpuSampler(sandbox.pid)
    states = {"all ok": False, "countdowns": True}
    ours: dict[str, list[dict]] = {state: [] for state in states}
    bare: list[dict] = []
    try:
        base_url = parent.recv()
        info = httpx.get(f"{base_url}/_sandbox/dns").json()
        spec = {
            "duration": options.duration,
            "settle": SETTLE_SECONDS,
            "base_url": base_url,
            "authoritative": [(s["host"], s["port"]) for s in info["servers"]],
            "resolvers": [(r["name"], r["host"], r["port"]) for r in info["resolvers"]],
        }
        with tempfile.TemporaryDirectory(prefix="bench-tui-idle-") as home:
            for _ in range(options.runs):
                for i, (state, countdowns) in enumerate(states.items()):
                    _set_dns(base_url, countdowns)
                    app = Child("app", spec, home)
                    baseline = Child("bare", spec, home) if i == 0 else None
                    ours[state].append(app.result())
                    if baseline is not None:
                        bare.append(baseline.result())
    finally:
        sampler.stop()
        sandbox.terminate()
        sandbox.join()

    b = statistics.median(_percent(r) for r in bare)
    last = ours["all ok"][-1]
    rows, columns = last["grid"]
    print(
        f"idle CPU over {options.duration:g} s x {options.runs} run(s); the grid watches "
        f"{rows} servers x {columns} records, sweeping every {last['interval']:g} s "
        "(the default refresh_interval)"
    )
    print(_line("bare Textual", bare))
    for state, results in ours.items():
        for result in results:
            if result["paused"] or not result["watching"] or result["problem"]:
                raise SystemExit(f"the grid was not watching ({state}): the measure is void")
        o = statistics.median(_percent(r) for r in results)
        print(
            _line(f"wix-sending, {state}", results) + "; sweeps in the window "
            f"{', '.join(str(r['sweeps']) for r in results)}, cells asked "
            f"{', '.join(str(r['asked']) for r in results)}, cell updates "
            f"{', '.join(str(r['cell_updates']) for r in results)}"
        )
        served = [sampler.percent(r["from"], r["to"]) for r in results]
        print(
            f"  the sandbox's process meanwhile (the demo's in-process sandbox, not counted "
            f"above): {', '.join(f'{p:.2f} %' for p in served)} of a core"
        )
        ratio = f"{o / b:.0f}x" if b > 0 else "bare below the clock's resolution"
        verdict = "met" if o <= TARGET_PERCENT else "NOT met"
        print(
            f"wix-sending ({state}) {o:.2f} % of a core, bare Textual {b:.3f} % -> {ratio}; "
            f"target <= {TARGET_PERCENT:g} % {verdict}"
        )
    print(f"  threads in the app: {', '.join(last['threads'])}")


if __name__ == "__main__":
    main()
