"""How much the WixClient adds on top of a bare httpx call, against the sandbox on loopback.

Both sides make the same GET (one sender email) over the same kind of connection; the baseline
is measured in the same run, so the printed ratio means something on a noisy machine where the
absolute times do not.

    .venv/bin/python benchmarks/bench_client_overhead.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from tui.sandbox import SandboxServer
from tui.wix import ApiKeyAuth
from tui.wix.client import WixClient


async def _bare(base_url: str, headers: dict[str, str], path: str, calls: int) -> float:
    async with httpx.AsyncClient() as http:
        started = time.perf_counter()
        for _ in range(calls):
            response = await http.get(base_url + path, headers=headers)
            response.raise_for_status()
            response.json()
        return time.perf_counter() - started


async def _client(wix: WixClient, email_id: str, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await wix.get_sender_email(email_id)
    return time.perf_counter() - started


async def main(calls: int, rounds: int) -> None:
    with SandboxServer(scenario="fresh", port=0) as server:
        server_rate_limit_off(server)
        creds = server.credentials[0]
        headers = {"Authorization": creds.api_key, "wix-site-id": creds.site_id}
        async with WixClient(
            ApiKeyAuth(creds.api_key, creds.site_id), base_url=server.base_url
        ) as wix:
            email = await wix.create_sender_email("bench@bakery.example")
            path = f"/sender-emails/v1/sender-emails/{email.id}"
            ratios = []
            for _ in range(rounds):
                bare = await _bare(server.base_url, headers, path, calls)
                ours = await _client(wix, email.id, calls)
                ratios.append(ours / bare)
    median = statistics.median(ratios)
    print(f"client/bare-httpx time ratio over {rounds} rounds of {calls} GETs: {median:.2f}x")
    print("(1.00x = no overhead; the baseline is a bare httpx GET + json() in the same run)")


def server_rate_limit_off(server: SandboxServer) -> None:
    httpx.post(f"{server.base_url}/_sandbox/rate-limit", json={"perMinute": 1_000_000})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    asyncio.run(main(options.calls, options.rounds))
