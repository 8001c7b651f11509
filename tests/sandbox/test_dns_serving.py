"""Serving the DNS world: ports, lifecycle, no leaks, resets, concurrency, the banner."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import socket
import threading
import time

import dns.exception
import pytest

from tui.sandbox import ResolverInfo, SandboxServer
from tui.sandbox.banner import banner

from .dnswire import ask, rcode


def udp_and_tcp_free(host: str, port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            if kind == socket.SOCK_STREAM:  # a closed connection may linger in TIME_WAIT
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                return False
    return True


def open_sockets() -> int:
    """Sockets this process holds (Linux), so a leak shows whatever port it was on."""
    found = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # closed meanwhile
            found += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return found


def test_server_dns_shape():
    with SandboxServer(scenario="dns-lab") as server:
        info = server.dns
        assert len(info.authoritative) == 2
        assert all(host == "127.0.0.1" and port > 0 for host, port in info.authoritative)
        assert all(isinstance(r, ResolverInfo) for r in info.resolvers)
        assert info.verifier == ResolverInfo(
            "wix-verifier", "127.0.0.1", info.verifier.port, "normal"
        )
        assert info.parent is not None and info.parent[0] == "127.0.0.1"
        ports = [p for _, p in info.authoritative] + [r.port for r in info.resolvers]
        ports += [info.verifier.port, info.parent[1]]
        assert len(set(ports)) == len(ports) == 2 + 15 + 1 + 1


async def test_stop_closes_every_socket_and_thread_and_can_serve_again():
    gc.collect()  # sockets earlier tests dropped are closed now, not in the middle of this one
    threads_before = {t.name for t in threading.enumerate()}
    sockets_before = open_sockets()
    server = SandboxServer(scenario="dns-lab")
    info = server.dns
    ports = [p for _, p in info.authoritative] + [r.port for r in info.resolvers]
    server.start()
    assert "wix-sandbox-dns" in {t.name for t in threading.enumerate()}
    assert rcode(await ask(info.authoritative[0], "apex.example", "SOA")) == "NOERROR"
    # Leave a TCP connection open on the dead resolver: stop() must end it too.
    dead = next(r for r in info.resolvers if r.name == "dead")
    with pytest.raises(dns.exception.Timeout):
        await ask((dead.host, dead.port), "apex.example", tcp=True, timeout=0.1)
    await asyncio.sleep(0.05)  # this test's own client sockets finish closing
    server.stop()
    server.stop()  # idempotent
    assert {t.name for t in threading.enumerate()} - threads_before == set()
    assert all(udp_and_tcp_free("127.0.0.1", port) for port in ports)
    assert open_sockets() <= sockets_before
    server.start()  # the same ports again
    assert server.dns.authoritative == info.authoritative
    assert rcode(await ask(info.authoritative[0], "apex.example", "SOA")) == "NOERROR"
    server.stop()
    assert all(udp_and_tcp_free("127.0.0.1", port) for port in ports)


def test_close_releases_the_ports_of_a_server_never_started():
    server = SandboxServer()
    ports = [p for _, p in server.dns.authoritative]
    server.close()
    assert all(udp_and_tcp_free("127.0.0.1", port) for port in ports)


async def test_resets_add_and_remove_resolvers_keeping_ports_by_name(sandbox):
    before = {r.name: r.port for r in sandbox.dns.resolvers}
    sandbox.world.reset("dns-lab")
    lab = {r.name: r.port for r in sandbox.dns.resolvers}
    assert {n: lab[n] for n in before} == before
    sandbox.world.reset("fresh")
    assert {r.name: r.port for r in sandbox.dns.resolvers} == before
    gone = [port for name, port in lab.items() if name not in before]
    for _ in range(50):  # closing happens on the DNS thread
        if all(udp_and_tcp_free("127.0.0.1", p) for p in gone):
            break
        await asyncio.sleep(0.01)
    assert all(udp_and_tcp_free("127.0.0.1", p) for p in gone)


async def test_quick_successive_resets_never_leave_a_server_silent(sandbox):
    # Regression: a reset undone within a millisecond used to close a socket while the loop
    # was registering it, and a later server with the same fd number never saw its queries.
    for _ in range(5):
        for _ in range(5):
            sandbox.world.reset("dns-lab")
            sandbox.world.reset("fresh")
        sandbox.world.reset("dns-lab")
        for r in sandbox.dns.resolvers:
            if r.behaviour != "dead":
                await ask((r.host, r.port), "ns1.dns-host.example", "A", timeout=1.0)


def test_two_hundred_slow_resolvers_answer_concurrently():
    latency = 0.1
    names = [f"n{i}.dns-host.example" for i in range(4)] + ["ns1.dns-host.example"]
    with SandboxServer(dns_resolver_count=200, dns_latency_ms=latency * 1000) as server:
        resolvers = server.dns.resolvers
        assert len(resolvers) == 200

        async def sweep() -> tuple[float, list]:
            started = time.perf_counter()
            answers = await asyncio.gather(
                *(ask((r.host, r.port), n, "A", timeout=10) for r in resolvers for n in names)
            )
            return time.perf_counter() - started, answers

        result: dict[str, tuple[float, list]] = {}
        worker = threading.Thread(target=lambda: result.update(out=asyncio.run(sweep())))
        worker.start()
        worker.join(30)
        elapsed, answers = result["out"]
    assert len(answers) == 1000
    assert {rcode(a) for a in answers} == {"NXDOMAIN", "NOERROR"}
    # Sequentially this would take 1000 x 100 ms = 100 s (200 x 100 ms = 20 s if only the
    # resolvers ran in parallel). The bound is loose on purpose: it only tells "concurrent"
    # from "one resolver at a time"; benchmarks/bench_sweep.py measures the real speed.
    assert latency <= elapsed < 20 * latency * 5


def test_banner_shows_dns_addresses_and_a_watch_command():
    server = SandboxServer(scenario="midway")
    try:
        text = banner(server)
        info = server.dns
    finally:
        server.close()
    lines = text.splitlines()
    assert lines[0].startswith("Wix sandbox (midway) serving at http://127.0.0.1:")
    primary, secondary = (f"{h}:{p}" for h, p in info.authoritative)
    assert f"  authoritative  {primary} (primary), {secondary} (secondary)" in lines
    assert any(line.startswith(f"  parent         {info.parent[0]}:") for line in lines)
    assert f"isp-1 {info.resolvers[0].host}:{info.resolvers[0].port}" in text
    assert f"Wix verifier   {info.verifier.host}:{info.verifier.port}" in text
    start = lines.index("  wix-sending watch \\")
    command = " ".join(
        line.strip().rstrip("\\") for line in lines[start:] if line.startswith("    ")
    )
    assert (
        "s1._domainkey.harbor-ceramics.example=s1._domainkey.harbor-ceramics.example.s" in command
    )
    assert f"--authoritative {primary} --authoritative {secondary}" in command
    for r in info.resolvers:
        assert f"--resolver {r.name}={r.host}:{r.port}" in command
    # Only the HOST=TARGET pairs are too long for 80 columns.
    assert all(len(line) <= 80 for line in lines if "=" not in line and "-H '" not in line)


def test_banner_without_records_or_dns():
    server = SandboxServer(scenario="fresh")
    try:
        assert "No sending domain has records yet" in banner(server)
    finally:
        server.close()
    quiet = SandboxServer(scenario="fresh", dns=False)
    try:
        assert "DNS world" not in banner(quiet)
    finally:
        quiet.close()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dns_resolver_count": -1}, "dns_resolver_count"),
        ({"dns_latency_ms": -5}, "dns_latency_ms"),
    ],
)
def test_benchmark_options_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        SandboxServer(**options)
