"""How long one propagation sweep takes, against resolvers that each add latency: the sandbox's,
and one real unbound (NSD behind it) reached through delayed ports (delay_proxy.py), when
unbound and NSD are installed.

Prints the wall time of a sweep of N resolvers x 5 records as a ratio to the per-answer latency
(the physical limit is 1.0: every resolver must be asked at least once, all at the same time),
as a ratio to a sequential baseline (the same sweep one question at a time, concurrency 1),
and as a ratio to the floor the servers allow (the same public questions sent bare, with no
engine around them: each record's, a DKIM selector's TXT too, and each resolver's control
question), all measured in the same run, with the engine's own concurrency cap. Then the same
for 200 sandbox resolvers, more than one socket carries. The sandbox and the delay proxy run in
their own processes; on a small machine the sandbox's one Python thread answering every
resolver is what limits its floor.

    .venv/bin/python benchmarks/bench_sweep.py [--latency-ms 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

import delay_proxy  # beside this file
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


Address = tuple[str, int]


async def _sweep(
    authoritative: list[Address],
    resolvers: list[Address],
    records: list[ExpectedRecord],
    concurrency: int,
    repeats: int = 0,
    expect_ok: bool = False,
) -> float:
    """The first sweep of a new prober (which also finds the zone); with ``repeats``, the
    median of that many further sweeps of the same prober instead (what ``watch`` does every
    interval)."""
    servers = [ServerAddress(h, p) for h, p in authoritative]
    rows: list[Resolver] = [
        resolver_from_address(ServerAddress(host, port), Role.PUBLIC) for host, port in resolvers
    ]
    prober = Prober(authoritative=servers, concurrency=concurrency, timeout=5.0)
    times = []
    try:
        for _ in range(1 + repeats):
            started = time.perf_counter()
            report = await prober.sweep(records, rows, force=True)
            times.append(time.perf_counter() - started)
            asked = sum(1 for c in report.cells.values() if c.queried)
            assert asked == len(records) * (len(rows) + len(servers)), "every cell asked"
            # The real world is set up to be all visible: anything else is a broken setup.
            assert not expect_ok or report.all_ok, [c.detail for c in report.cells.values()]
    finally:
        await prober.aclose()
    return statistics.median(times[1:]) if repeats else times[0]


async def _floor(resolvers: list[Address], records: list[ExpectedRecord]) -> float:
    """The same public questions sent bare (no engine: no zone discovery, no authoritative
    phase, no classification) over the same shared sockets: what the servers themselves allow."""
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
                one(name, rdtype, host, port)
                for name, rdtype in questions
                for host, port in resolvers
            )
        )
        return time.perf_counter() - started
    finally:
        udp.close()


def _measure(
    label: str,
    authoritative: list[Address],
    resolvers: list[Address],
    records: list[ExpectedRecord],
    latency_ms: float,
    rounds: int,
    *,
    sequential: bool = False,
    expect_ok: bool = False,
) -> None:
    latency = latency_ms / 1000
    cap = DEFAULT_CONCURRENCY
    firsts = [
        asyncio.run(_sweep(authoritative, resolvers, records, cap, expect_ok=expect_ok))
        for _ in range(rounds)
    ]
    wall = asyncio.run(
        _sweep(authoritative, resolvers, records, cap, repeats=rounds, expect_ok=expect_ok)
    )
    floors = [asyncio.run(_floor(resolvers, records)) for _ in range(rounds)]
    first, floor = statistics.median(firsts), statistics.median(floors)
    line = (
        f"{label}: {len(resolvers)} resolvers x {len(records)} records: sweep {wall:.3f} s = "
        f"{wall / latency:.2f}x the {latency_ms:g} ms latency "
        f"(first sweep, finding the zone too: {first / latency:.2f}x), "
        f"{wall / floor:.2f}x the bare-questions floor ({floor:.3f} s = "
        f"{floor / latency:.2f}x the latency)"
    )
    if sequential:
        alone = asyncio.run(_sweep(authoritative, resolvers, records, 1))
        line += f", {wall / alone:.3f}x the sequential baseline ({alone:.1f} s)"
    print(line, flush=True)


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


def _against_the_sandbox(latency_ms: float, rounds: int) -> None:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_serve, args=(latency_ms, child), daemon=True)
    process.start()
    try:
        server = World(parent.recv())
        publish = f"{server.base_url}/_sandbox/dns/publish"
        httpx.post(publish, json={"domain": "harbor-ceramics.example"}).raise_for_status()
        records = _records(server)
        for count in (30, 200):
            rows = [(r.host, r.port) for r in server.resolvers[:count]]
            _measure(
                "sandbox",
                server.authoritative,
                rows,
                records,
                latency_ms,
                rounds,
                sequential=count == 30,
            )
    finally:
        process.terminate()
        process.join()


def _against_unbound(latency_ms: float, rounds: int) -> None:
    """NSD serving the zone, one real unbound caching in front of it, and 30 delayed ports
    before that unbound, each standing for one resolver across a network."""
    # The harness of the real-software suite (tests/realdns) starts and stops the daemons; a
    # second copy of it here would drift from the one the tests trust.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.realdns.servers import Authoritative, Unbound, Zone, missing_programs

    if missing := missing_programs():
        print(f"unbound: skipped, not installed: {', '.join(missing)}", flush=True)
        return
    labels = ("s1._domainkey", "s2._domainkey", "em", "bounce", "links")
    targets = [f"{label.split('.')[0]}.esp.test" for label in labels]
    pairs = list(zip(labels, targets, strict=True))
    zone = Zone("bench.test", records=[f"{a} CNAME {t}." for a, t in pairs])
    esp = Zone("esp.test", records=[f'{t.split(".")[0]} TXT "v=DKIM1; p=x"' for t in targets])
    records = [ExpectedRecord(f"{a}.bench.test", t) for a, t in pairs]
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as root:
        auth = Authoritative(Path(root) / "nsd", [zone, esp])
        servers = [auth]
        proxy = None
        try:
            auth.start()
            unbound = Unbound(
                Path(root) / "unbound", {"bench.test": auth.port, "esp.test": auth.port}
            )
            servers.append(unbound)
            unbound.start()
            proxy, ports = delay_proxy.start(30, latency_ms / 1000, unbound.port)
            rows = [("127.0.0.1", port) for port in ports]
            auth_row = [("127.0.0.1", auth.port)]
            _measure("unbound", auth_row, rows, records, latency_ms, rounds, expect_ok=True)
        finally:
            if proxy is not None:
                proxy.terminate()
                proxy.join()
            for server in reversed(servers):
                server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    _against_the_sandbox(options.latency_ms, options.rounds)
    _against_unbound(options.latency_ms, options.rounds)


if __name__ == "__main__":
    main()
