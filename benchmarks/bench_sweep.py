"""How long one propagation sweep takes, against resolvers that each add latency: the sandbox's,
and one real unbound (NSD behind it) reached through delayed ports (delay_proxy.py), when
unbound and NSD are installed.

For each world and size (N resolvers x 5 records) it prints, as the median and the spread
(min-max) of ``--rounds`` runs, each a ratio to the per-answer latency (the physical limit is
1.0: every resolver must be asked at least once, all at the same time):

- the repeated sweep (what ``watch`` does every interval; the zone is known) and the first
  sweep of a new prober (which also finds the zone);
- the same repeated sweep with the latency on the authoritative servers too (real ones are
  across a network as well), when the world allows it;
- two floors from the same run, the baselines the sweep is compared with: the same public
  questions sent bare over the engine's own sockets (dnspython parsing each answer), and sent
  over one raw socket with nothing read but each answer's ID (no parse at all);
- the engine's CPU per 1,000 questions (this process only: the worlds run in their own
  processes, so their work is not charged to the sweep);
- with ``--sequential``, the 30-resolver sweep one question at a time, for scale.

    .venv/bin/python benchmarks/bench_sweep.py [--latency-ms 100] [--rounds 5] [--sizes 30,100,200]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import delay_proxy  # beside this file
import httpx

from tui.propagation import ExpectedRecord, Resolver, Role, ServerAddress
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.sweep import CONTROL, Prober, question_types
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


SENT = [0]  # questions sent over UDP by this process (the engine's own count of them)


def _counting() -> None:
    """Counts every question the multiplexer sends (so the CPU can be put per question)."""
    original = UdpMultiplexer.query

    async def query(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        SENT[0] += 1
        return await original(self, *args, **kwargs)

    UdpMultiplexer.query = query  # type: ignore[method-assign]


class Sweeps:
    """One prober's sweeps: the first (finding the zone too) and the median of the repeated
    ones after it, with the CPU they took per 1,000 questions."""

    def __init__(self, first: float, repeated: float, cpu_per_1000: float) -> None:
        self.first, self.repeated, self.cpu_per_1000 = first, repeated, cpu_per_1000


async def _sweep(
    authoritative: list[Address],
    resolvers: list[Address],
    records: list[ExpectedRecord],
    repeats: int,
    concurrency: int | None = None,
    expect_ok: bool = False,
) -> Sweeps:
    servers = [ServerAddress(h, p) for h, p in authoritative]
    rows: list[Resolver] = [
        resolver_from_address(ServerAddress(host, port), Role.PUBLIC) for host, port in resolvers
    ]
    options = {"concurrency": concurrency} if concurrency else {}
    prober = Prober(authoritative=servers, timeout=5.0, **options)  # type: ignore[arg-type]
    times, cpu, sent = [], 0.0, 0
    try:
        for index in range(1 + repeats):
            before, sent_before = time.process_time(), SENT[0]
            started = time.perf_counter()
            report = await prober.sweep(records, rows, force=True)
            times.append(time.perf_counter() - started)
            if index:
                cpu += time.process_time() - before
                sent += SENT[0] - sent_before
            asked = sum(1 for c in report.cells.values() if c.queried)
            assert asked == len(records) * (len(rows) + len(servers)), "every cell asked"
            # The real world is set up to be all visible, and no answer may be lost: anything
            # else is said (an engine losing answers is no faster for it).
            lost = sum(len(u.questions) for u in report.unanswered)
            if lost or (expect_ok and not report.all_ok):
                bad = sum(1 for c in report.cells.values() if c.detail != "visible")
                print(f"  (sweep {index}: {lost} answers lost, {bad} cells not visible)")
    finally:
        await prober.aclose()
    repeated = statistics.median(times[1:]) if repeats else times[0]
    return Sweeps(times[0], repeated, cpu / sent * 1000 if sent else 0.0)


def _questions(resolvers: list[Address], records: list[ExpectedRecord]) -> list[tuple]:
    """The sweep's public questions, as it sends them (DO set), with each resolver's control."""
    asked = [(r.name, t, True) for r in records for t in question_types(r)] + [(*CONTROL, False)]
    return [(name, kind, dnssec, a) for name, kind, dnssec in asked for a in resolvers]


async def _floor(resolvers: list[Address], records: list[ExpectedRecord]) -> float:
    """The same public questions sent bare (no engine: no zone discovery, no authoritative
    phase, no classification) over the same shared sockets, each answer parsed by dnspython."""
    udp = UdpMultiplexer()

    async def one(name: str, rdtype: str, dnssec: bool, address: Address) -> None:
        await udp.query(query_wire(name, rdtype, True, False, dnssec), *address, 5.0)

    try:
        started = time.perf_counter()
        done = await asyncio.gather(
            *(one(*q) for q in _questions(resolvers, records)), return_exceptions=True
        )
        if lost := sum(1 for d in done if isinstance(d, Exception)):
            print(f"  (engine-socket floor: {lost} answers lost)", flush=True)
        return time.perf_counter() - started
    finally:
        udp.close()


def _raw_floor(resolvers: list[Address], records: list[ExpectedRecord]) -> float:
    """The same questions over one plain socket (a 4 MiB receive buffer), every answer only
    counted by its sender and ID: what the servers and the network allow, with no parse."""
    questions = _questions(resolvers, records)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5.0)
    waiting = set()
    packets = []
    for index, (name, kind, dnssec, address) in enumerate(questions):
        query_id = index % 65536
        wire = query_wire(name, kind, True, False, dnssec)
        packets.append((query_id.to_bytes(2, "big") + wire[2:], address))
        waiting.add((address[1], query_id))
    try:
        started = time.perf_counter()
        for packet, address in packets:
            sock.sendto(packet, address)
        while waiting:
            data, source = sock.recvfrom(65535)
            waiting.discard((source[1], int.from_bytes(data[:2], "big")))
        return time.perf_counter() - started
    except TimeoutError:
        print(f"  (raw floor: {len(waiting)} answers lost)", flush=True)
        return time.perf_counter() - started
    finally:
        sock.close()


def _spread(values: list[float], latency: float) -> str:
    ratios = sorted(v / latency for v in values)
    return f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})"


def _measure(
    label: str,
    authoritative: list[Address],
    resolvers: list[Address],
    records: list[ExpectedRecord],
    latency_ms: float,
    rounds: int,
    *,
    slow_authoritative: list[Address] | None = None,
    sequential: bool = False,
    expect_ok: bool = False,
) -> None:
    latency = latency_ms / 1000
    runs = [
        asyncio.run(_sweep(authoritative, resolvers, records, 3, expect_ok=expect_ok))
        for _ in range(rounds)
    ]
    floors = [asyncio.run(_floor(resolvers, records)) for _ in range(rounds)]
    raws = [_raw_floor(resolvers, records) for _ in range(rounds)]
    repeated = [r.repeated for r in runs]
    line = (
        f"{label}: {len(resolvers)} resolvers x {len(records)} records, the ratio to the "
        f"{latency_ms:g} ms latency, median (min-max) of {rounds}: "
        f"repeated sweep {_spread(repeated, latency)}, "
        f"first sweep {_spread([r.first for r in runs], latency)}"
    )
    if slow_authoritative:
        slow = [
            asyncio.run(_sweep(slow_authoritative, resolvers, records, 3, expect_ok=expect_ok))
            for _ in range(rounds)
        ]
        line += (
            f"; latency on the authoritative servers too: repeated "
            f"{_spread([r.repeated for r in slow], latency)}, "
            f"first {_spread([r.first for r in slow], latency)}"
        )
    line += (
        f"; floors: engine sockets + dnspython {_spread(floors, latency)}, "
        f"raw socket {_spread(raws, latency)}; repeated sweep / raw floor "
        f"{statistics.median(repeated) / statistics.median(raws):.2f}x; "
        f"CPU {statistics.median(r.cpu_per_1000 for r in runs):.3f} s per 1,000 questions"
    )
    if sequential:
        alone = asyncio.run(_sweep(authoritative, resolvers, records, 0, concurrency=1))
        line += f"; {statistics.median(repeated) / alone.first:.3f}x the sequential baseline "
        line += f"({alone.first:.1f} s)"
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


def _against_the_sandbox(
    latency_ms: float, rounds: int, sizes: list[int], sequential: bool
) -> None:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_serve, args=(latency_ms, child), daemon=True)
    process.start()
    proxy = None
    try:
        server = World(parent.recv())
        publish = f"{server.base_url}/_sandbox/dns/publish"
        httpx.post(publish, json={"domain": "harbor-ceramics.example"}).raise_for_status()
        records = _records(server)
        ports = [p for _, p in server.authoritative]
        proxy, fronts = delay_proxy.start_each(latency_ms / 1000, ports)
        slow = [("127.0.0.1", p) for p in fronts]
        for count in sizes:
            rows = [(r.host, r.port) for r in server.resolvers[:count]]
            _measure(
                "sandbox",
                server.authoritative,
                rows,
                records,
                latency_ms,
                rounds,
                slow_authoritative=slow if count == sizes[0] else None,
                sequential=sequential and count == 30,
            )
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.join()
        process.terminate()
        process.join()


def _against_unbound(latency_ms: float, rounds: int, sizes: list[int]) -> None:
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
            # Its receive buffer raised: 200 resolvers' worth of questions reach this one
            # unbound in the same instant (each would have its own socket, across a network).
            unbound = Unbound(
                Path(root) / "unbound",
                {"bench.test": auth.port, "esp.test": auth.port},
                extra=["so-rcvbuf: 4m", "so-sndbuf: 4m"],
            )
            servers.append(unbound)
            unbound.start()
            # The sweep's questions to NSD through one more delayed port (unbound asks NSD
            # directly: it caches, and only the sweep's own round trips are measured).
            delay = latency_ms / 1000
            most = max(sizes)
            proxy, ports = delay_proxy.start_each(delay, [unbound.port] * most + [auth.port], 2)
            auth_row = [("127.0.0.1", auth.port)]
            slow = [("127.0.0.1", ports[-1])]
            for count in sizes:
                rows = [("127.0.0.1", port) for port in ports[:count]]
                _measure(
                    "unbound",
                    auth_row,
                    rows,
                    records,
                    latency_ms,
                    rounds,
                    slow_authoritative=slow if count == sizes[0] else None,
                    expect_ok=True,
                )
        finally:
            if proxy is not None:
                proxy.terminate()
                proxy.join()
            for server in reversed(servers):
                server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="30,100,200", help="resolver counts, comma-separated")
    parser.add_argument("--sequential", action="store_true", help="also one question at a time")
    parser.add_argument("--only", choices=("sandbox", "unbound"), help="one world only")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    _counting()
    if options.only != "unbound":
        _against_the_sandbox(options.latency_ms, options.rounds, sizes, options.sequential)
    if options.only != "sandbox":
        _against_unbound(options.latency_ms, options.rounds, sizes)


if __name__ == "__main__":
    main()
