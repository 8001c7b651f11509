"""How long one propagation sweep takes, against sandbox resolvers that each add latency.

Prints the wall time of a sweep of N resolvers x 5 records as a ratio to the per-answer latency
(the physical limit is 1.0: every resolver must be asked at least once, all at the same time)
and as a ratio to a sequential baseline (the same questions one at a time, concurrency 1),
measured in the same run. Then the same for 200 resolvers under the concurrency cap.

    .venv/bin/python benchmarks/bench_sweep.py [--latency-ms 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from tui.propagation import ExpectedRecord, Prober, Resolver, Role, ServerAddress
from tui.propagation.resolvers import resolver_from_address
from tui.sandbox import SandboxServer

RECORDS = 5


def _records(server: SandboxServer) -> list[ExpectedRecord]:
    state = httpx.get(f"{server.base_url}/_sandbox/state").json()
    for site in state["sites"]:
        for domain in site["sendingDomains"]:
            if domain.get("dnsRecords"):
                records = [ExpectedRecord(r["hostName"], r["value"]) for r in domain["dnsRecords"]]
                while len(records) < RECORDS:  # repeat names to reach RECORDS questions
                    records += records[: RECORDS - len(records)]
                return records[:RECORDS]
    raise SystemExit("the scenario has no sending domain with records")


async def _sweep(server: SandboxServer, resolvers: int, concurrency: int) -> float:
    authoritative = [ServerAddress(h, p) for h, p in server.dns.authoritative]
    rows: list[Resolver] = [
        resolver_from_address(ServerAddress(r.host, r.port), Role.PUBLIC)
        for r in server.dns.resolvers[:resolvers]
    ]
    prober = Prober(authoritative=authoritative, concurrency=concurrency, timeout=5.0)
    records = _records(server)
    try:
        started = time.perf_counter()
        report = await prober.sweep(records, rows, force=True)
        elapsed = time.perf_counter() - started
    finally:
        await prober.aclose()
    asked = sum(1 for c in report.cells.values() if c.queried)
    assert asked == len(records) * (len(rows) + len(authoritative)), "every cell was asked"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    latency = options.latency_ms / 1000
    with SandboxServer(
        scenario="midway", port=0, dns_resolver_count=200, dns_latency_ms=options.latency_ms
    ) as server:
        publish = f"{server.base_url}/_sandbox/dns/publish"
        httpx.post(publish, json={"domain": "harbor-ceramics.example"}).raise_for_status()
        for count in (30, 200):
            walls = [asyncio.run(_sweep(server, count, 200)) for _ in range(options.rounds)]
            wall = statistics.median(walls)
            line = (
                f"{count} resolvers x {RECORDS} records: sweep {wall:.3f} s = "
                f"{wall / latency:.2f}x the {options.latency_ms:g} ms latency"
            )
            if count == 30:
                sequential = asyncio.run(_sweep(server, count, 1))
                line += f", {wall / sequential:.3f}x the sequential baseline ({sequential:.1f} s)"
            print(line, flush=True)


if __name__ == "__main__":
    main()
