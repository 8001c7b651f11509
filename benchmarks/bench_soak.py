"""Soak: many propagation sweeps in one process, as a ``watch`` or the app left open for days
does; memory and open sockets must stay flat.

One :class:`Prober` sweeps every record of the sandbox's ``dns-lab`` world (every mistake and
every resolver behaviour: cached negatives, stale and wrong targets, anycast, DNSSEC-bogus,
SERVFAIL, REFUSED and a dead resolver that costs a timeout each sweep) N times back to back.
Every 100 sweeps it prints this process's resident memory (VmRSS from /proc/self/status), its
open file descriptors (/proc/self/fd), the number of live Python objects, and the median sweep
time of those 100; at the end, a verdict comparing the last figures to those after the
warm-up (sweep 100) as ratios. The sandbox runs in its own process, so only the engine's
memory is measured. Linux only (/proc).

    .venv/bin/python benchmarks/bench_soak.py [--sweeps 1000] [--timeout 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import statistics
import time
from multiprocessing.connection import Connection

import httpx

from tui.propagation import ExpectedRecord, Resolver, Role, ServerAddress
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.sweep import Prober
from tui.sandbox import SandboxServer

EVERY = 100  # sweeps between two measurements; the first one is the baseline (warm-up done)
RSS_NOISE = 1.05  # more than 5 % over the baseline is growth, not noise (allocator, caches)


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS in /proc/self/status (this benchmark needs Linux)")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _serve(ready: Connection) -> None:  # runs in the child process
    server = SandboxServer(scenario="dns-lab", port=0)
    server.serve_forever(ready=lambda s: ready.send(s.base_url))


def _world(base_url: str) -> tuple[list[ExpectedRecord], list[Resolver], list[ServerAddress]]:
    state = httpx.get(f"{base_url}/_sandbox/state").json()
    records = {
        r["hostName"]: ExpectedRecord(r["hostName"], r["value"])
        for site in state["sites"]
        for domain in site["sendingDomains"]
        for r in domain.get("dnsRecords") or ()
    }
    info = httpx.get(f"{base_url}/_sandbox/dns").json()
    authoritative = [ServerAddress(s["host"], s["port"]) for s in info["servers"]]
    resolvers = [
        resolver_from_address(ServerAddress(r["host"], r["port"]), Role.PUBLIC, name=r["name"])
        for r in info["resolvers"]
    ]
    return list(records.values()), resolvers, authoritative


async def soak(base_url: str, sweeps: int, timeout: float) -> None:
    records, resolvers, authoritative = _world(base_url)
    print(
        f"{sweeps} sweeps of {len(records)} records x {len(resolvers)} resolvers "
        f"(+{len(authoritative)} authoritative), timeout {timeout:g} s",
        flush=True,
    )
    prober = Prober(authoritative=authoritative, timeout=timeout)
    baseline: tuple[int, int, int] | None = None
    last: tuple[int, int, int] | None = None
    times: list[float] = []
    cells = 0
    try:
        for number in range(1, sweeps + 1):
            started = time.perf_counter()
            report = await prober.sweep(records, resolvers, force=True)
            times.append(time.perf_counter() - started)
            cells = len(report.cells)
            del report
            if number % EVERY:
                continue
            # Collected first, so what is measured is what is kept, not what awaits collection.
            gc.collect()
            figures = (rss_kib(), open_fds(), len(gc.get_objects()))
            baseline = baseline or figures
            last = figures
            rss, fds, objects = figures
            print(
                f"sweep {number:>5}: RSS {rss / 1024:6.1f} MiB ({rss / baseline[0]:.3f}x), "
                f"{fds} fds ({fds / baseline[1]:.2f}x), {objects} objects "
                f"({objects / baseline[2]:.3f}x), median sweep {statistics.median(times):.3f} s "
                f"({cells} cells)",
                flush=True,
            )
            times.clear()
    finally:
        await prober.aclose()
    if baseline is None or last is None or last is baseline:
        print(f"verdict: fewer than {2 * EVERY} sweeps, nothing to compare", flush=True)
        return
    rss_ratio, fds_ratio = last[0] / baseline[0], last[1] / baseline[1]
    grew = rss_ratio > RSS_NOISE or last[1] > baseline[1]
    print(
        f"verdict: after {sweeps} sweeps vs sweep {EVERY}: RSS {rss_ratio:.3f}x "
        f"({(last[0] - baseline[0]) / 1024:+.1f} MiB), fds {fds_ratio:.2f}x "
        f"({baseline[1]} -> {last[1]}), objects {last[2] / baseline[2]:.3f}x: "
        + ("GROWTH beyond noise" if grew else "no growth beyond noise, no leaked sockets"),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweeps", type=int, default=1000)
    parser.add_argument(
        "--timeout", type=float, default=0.3, help="per question; the dead resolver costs it"
    )
    options = parser.parse_args()
    if options.sweeps < 1:
        parser.error("--sweeps must be at least 1")
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
    process.start()
    try:
        base_url = parent.recv()
        asyncio.run(soak(base_url, options.sweeps, options.timeout))
    finally:
        process.terminate()
        process.join()


if __name__ == "__main__":
    main()
