"""UDP ports that each stand for one resolver across a network: every question is held back
for the latency, then passed to one real resolver (unbound on loopback), and its answer is sent
straight back. Runs in its own process (``start``), so its work is not charged to the sweep
being measured. Loopback has no latency and ``tc netem`` needs root, hence this.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
from multiprocessing.connection import Connection


class _Upstream(asyncio.DatagramProtocol):
    """One front port's socket towards the resolver; answers go back by message ID."""

    def __init__(self) -> None:
        self.front: asyncio.DatagramTransport | None = None
        self.waiting: dict[bytes, tuple[str, int]] = {}

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        client = self.waiting.pop(data[:2], None)
        if client is not None and self.front is not None:
            self.front.sendto(data, client)


class _Front(asyncio.DatagramProtocol):
    def __init__(
        self, upstream: asyncio.DatagramTransport, back: _Upstream, delay: float, target: tuple
    ) -> None:
        self.upstream, self.back, self.delay, self.target = upstream, back, delay, target
        self.loop = asyncio.get_running_loop()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) < 12:
            return
        self.back.waiting[data[:2]] = addr
        self.loop.call_later(self.delay, self.upstream.sendto, data, self.target)


async def _serve(targets: list[int], delay: float, ready: Connection) -> None:
    loop = asyncio.get_running_loop()
    ports = []
    for port in targets:
        target = ("127.0.0.1", port)
        back = _Upstream()
        upstream, _ = await loop.create_datagram_endpoint(
            lambda back=back: back, local_addr=("127.0.0.1", 0), family=socket.AF_INET
        )
        front, _ = await loop.create_datagram_endpoint(
            lambda u=upstream, b=back, t=target: _Front(u, b, delay, t),
            local_addr=("127.0.0.1", 0),
            family=socket.AF_INET,
        )
        back.front = front
        ports.append(front.get_extra_info("sockname")[1])
    ready.send(ports)
    await asyncio.Event().wait()  # until the parent terminates this process


def _run(targets: list[int], delay: float, ready: Connection) -> None:
    asyncio.run(_serve(targets, delay, ready))


class Proxies:
    """The processes holding the front ports; ``terminate`` and ``join`` stop them all."""

    def __init__(self, processes: list[multiprocessing.Process]) -> None:
        self.processes = processes

    def terminate(self) -> None:
        for process in self.processes:
            process.terminate()

    def join(self) -> None:
        for process in self.processes:
            process.join()


def start_each(delay: float, targets: list[int], processes: int = 1) -> tuple[Proxies, list]:
    """One front port before each of the (loopback) ``targets``, in that order, spread over
    ``processes`` processes (so that the proxy is not what limits a big sweep); the caller
    terminates them."""
    started, ports = [], []
    shares = [targets[i::processes] for i in range(processes)]
    for share in shares:
        if not share:
            continue
        parent, child = multiprocessing.Pipe()
        process = multiprocessing.Process(target=_run, args=(share, delay, child), daemon=True)
        process.start()
        started.append((process, parent))
    fronts = [parent.recv() for _, parent in started]
    # back in the targets' order: share i held targets i, i + processes, ...
    for index in range(len(targets)):
        ports.append(fronts[index % len(fronts)][index // len(fronts)])
    return Proxies([p for p, _ in started]), ports


def start(count: int, delay: float, resolver_port: int, processes: int = 1) -> tuple[Proxies, list]:
    """``count`` front ports before the resolver at ``resolver_port``; the caller terminates
    the processes."""
    return start_each(delay, [resolver_port] * count, processes)
