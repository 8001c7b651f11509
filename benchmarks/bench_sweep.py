"""How long one propagation sweep takes, against sandbox resolvers that each add latency.

Prints the wall time of a sweep of N resolvers x 5 records as a ratio to the per-answer latency
(the physical limit is 1.0: every resolver must be asked at least once, all at the same time),
as a ratio to a sequential baseline (the same sweep one question at a time, concurrency 1),
and as a ratio to the floor the servers allow (the same public questions sent bare, with no
engine around them: each record's, a DKIM selector's TXT too, and each resolver's control
question), all measured in the same run, with the engine's own concurrency cap. Then the same
for 200 resolvers, whose questions exceed that cap. The sandbox runs in its own process; on a
small machine its one Python thread answering every resolver is what limits the floor.

    .venv/bin/python benchmarks/bench_sweep.py [--latency-ms 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time

import httpx

from tui.propagation import ExpectedRecord, Resolver, Role, ServerAddress
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.sweep import CONTROL, DEFAULT_CONCURRENCY, Prober, question_types
from tui.propagation.transport import query_wire
from tui.propagation.udp import UdpMultiplexer
from tui.sandbox import SandboxServer

RECORDS = 5


def _records(server: World) -> list[ExpectedRecord]:
    state = httpx.get(f"{server.base_url}/_sandbox/state").json()
    for site in state["sites"]:
        for domain in site["sendingDomains"]:
            if domain.get("dnsRecords"):
                records = [ExpectedRecord(r["hostName"], r["value"]) for r in domain["dnsRecords"]]
                while len(records) < RECORDS:  # repeat names to reach RECORDS questions
                    records += records[: RECORDS - len(records)]
                return records[:RECORDS]
    raise SystemExit("the scenario has no sending domain with records")


async def _sweep(server: World, resolvers: int, concurrency: int, repeats: int = 0) -> float:
    """The first sweep of a new prober (which also finds the zone); with ``repeats``, the
    median of that many further sweeps of the same prober instead (what ``watch`` does every
    interval)."""
    authoritative = [ServerAddress(h, p) for h, p in server.authoritative]
    rows: list[Resolver] = [
        resolver_from_address(ServerAddress(r.host, r.port), Role.PUBLIC)
        for r in server.resolvers[:resolvers]
    ]
    prober = Prober(authoritative=authoritative, concurrency=concurrency, timeout=5.0)
    records = _records(server)
    times = []
    try:
        for _ in range(1 + repeats):
            started = time.perf_counter()
            report = await prober.sweep(records, rows, force=True)
            times.append(time.perf_counter() - started)
            asked = sum(1 for c in report.cells.values() if c.queried)
            assert asked == len(records) * (len(rows) + len(authoritative)), "every cell asked"
    finally:
        await prober.aclose()
    return statistics.median(times[1:]) if repeats else times[0]


async def _floor(server: World, resolvers: int) -> float:
    """The same public questions sent bare (no engine: no zone discovery, no authoritative
    phase, no classification) over the same shared sockets: what the servers themselves allow."""
    records = _records(server)
    udp = UdpMultiplexer()
    cap = asyncio.Semaphore(DEFAULT_CONCURRENCY)  # the sweep's own cap

    async def one(name: str, rdtype: str, host: str, port: int) -> None:
        async with cap:
            await udp.query(query_wire(name, rdtype, True, False), host, port, 5.0)

    questions = [(r.name, t) for r in records for t in question_types(r)] + [CONTROL]
    try:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                one(name, rdtype, row.host, row.port)
                for name, rdtype in questions
                for row in server.resolvers[:resolvers]
            )
        )
        return time.perf_counter() - started
    finally:
        udp.close()


def _serve(latency_ms: float, ready) -> None:  # runs in the child process
    server = SandboxServer(
        scenario="midway", port=0, dns_resolver_count=200, dns_latency_ms=latency_ms
    )
    server.serve_forever(ready=lambda s: ready.send(s.base_url))


class World:
    """The sandbox in its own process, as in real life (where the resolvers are other
    machines), so its CPU work is not charged to the sweep being measured."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        info = httpx.get(f"{base_url}/_sandbox/dns").json()
        self.authoritative = [(s["host"], s["port"]) for s in info["servers"]]
        self.resolvers = [_Row(r["host"], r["port"]) for r in info["resolvers"]]


class _Row:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    latency = options.latency_ms / 1000
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_serve, args=(options.latency_ms, child), daemon=True)
    process.start()
    try:
        server = World(parent.recv())
        publish = f"{server.base_url}/_sandbox/dns/publish"
        httpx.post(publish, json={"domain": "harbor-ceramics.example"}).raise_for_status()
        for count in (30, 200):
            firsts = [
                asyncio.run(_sweep(server, count, DEFAULT_CONCURRENCY))
                for _ in range(options.rounds)
            ]
            wall = asyncio.run(_sweep(server, count, DEFAULT_CONCURRENCY, repeats=options.rounds))
            floors = [asyncio.run(_floor(server, count)) for _ in range(options.rounds)]
            first, floor = statistics.median(firsts), statistics.median(floors)
            line = (
                f"{count} resolvers x {RECORDS} records: sweep {wall:.3f} s = "
                f"{wall / latency:.2f}x the {options.latency_ms:g} ms latency "
                f"(first sweep, finding the zone too: {first / latency:.2f}x), "
                f"{wall / floor:.2f}x the bare-questions floor ({floor:.3f} s = "
                f"{floor / latency:.2f}x the latency)"
            )
            if count == 30:
                sequential = asyncio.run(_sweep(server, count, 1))
                line += f", {wall / sequential:.3f}x the sequential baseline ({sequential:.1f} s)"
            print(line, flush=True)
    finally:
        process.terminate()
        process.join()


if __name__ == "__main__":
    main()
