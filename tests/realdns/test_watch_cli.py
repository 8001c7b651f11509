"""Issue 10, "Done when": tried as a new user would. The user asked real resolvers about the
record before publishing it; `wix-sending watch`, run as they would run it, counts down to the
second the record appears there, however many sweeps run in between."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.realdns.conftest import World
from tests.realdns.judge import (
    MEASURED,
    TOLERANCE,
    Key,
    assert_all_hold,
    judge,
    record,
    row,
    start_flips,
)
from tests.realdns.servers import (
    NEGATIVE_TTL,
    ask,
    die_with_parent,
    negative_soa,
    rcode,
    require_programs,
)

require_programs()

ROOT = Path(__file__).resolve().parents[2]
INSTALLED = Path(sys.executable).with_name("wix-sending")


def command() -> list[str]:
    """The installed command, as users run it; `python -m tui.cli` where it is not installed."""
    return [str(INSTALLED)] if INSTALLED.exists() else [sys.executable, "-m", "tui.cli"]


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_watch_counts_down_to_the_second_the_record_appears(world: World) -> None:
    zone = "cli.test"
    s1 = record("s1._domainkey.cli.test", "s1.dkim.esp.test")
    rows = [row(name, port) for name, port in world.resolvers.items()]
    for port in world.resolvers.values():
        too_early = ask(port, s1.name)
        assert rcode(too_early) == "NXDOMAIN" and negative_soa(too_early) is not None
    world.auth.publish(zone, "s1._domainkey CNAME s1.dkim.esp.test.")

    argv = [
        *command(),
        "watch",
        f"{s1.name}={s1.target}",
        "--authoritative",
        f"127.0.0.1:{world.auth.port}",
        *(f"--resolver={name}=127.0.0.1:{port}" for name, port in world.resolvers.items()),
        "--interval",
        "2",
        "--timeout",
        "1",
        "--json",
    ]
    env = {
        **os.environ,
        # This checkout's code, whichever checkout the installed command was built from.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "WIX_SENDING_CONFIG": "/nonexistent/config.toml",  # the defaults, not the user's
    }
    # Independent of the command: when each real resolver starts answering.
    flips = start_flips([s1], rows, within=NEGATIVE_TTL + 10)
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=die_with_parent,  # it polls until ready: it must not outlive a killed run
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), NEGATIVE_TTL + 30)
        flipped: dict[Key, datetime] = dict(
            zip(flips, await asyncio.gather(*flips.values()), strict=True)
        )
    finally:
        for task in flips.values():
            task.cancel()
        if process.returncode is None:
            process.kill()
            with contextlib.suppress(ProcessLookupError):
                await process.wait()
    assert process.returncode == 0, err.decode(errors="replace")
    lines: list[dict[str, Any]] = [json.loads(line) for line in out.decode().splitlines()]

    # One JSON document per sweep until ready; the last one is ready, everything ok.
    assert lines[-1]["ready"] is True and lines[-1]["eta"]["ready"] is True
    assert {c["status"] for c in lines[-1]["cells"] if c["record"] == s1.name} == {"ok"}
    names = {r["key"]: r["name"] for r in lines[0]["resolvers"]}
    verdicts = []
    for resolver in rows:
        shown = [
            (when(line["checkedAt"]), c)
            for line in lines
            for c in line["cells"]
            if c["record"] == s1.name and c["resolver"] == resolver.key
        ]
        counting = [(at, c) for at, c in shown if c["status"] == "cached_negative"]
        # Several sweeps ran while the negative was cached, each counting down from the SOA.
        assert len(counting) >= 3, [c["status"] for _, c in shown]
        lefts = [c["remainingSeconds"] for _, c in counting]
        assert lefts == sorted(lefts, reverse=True) and lefts[0] > lefts[-1], lefts
        offs = [
            judge(
                f"watch --json: {names[resolver.key]}, sweep at {at:%H:%M:%S}",
                when(c["eta"]),
                flipped[(s1.name, resolver.key)],
                keep=False,
            )
            for at, c in counting
        ]
        verdicts += offs
        MEASURED.append(
            f"watch --json (the installed command): {s1.name} at {names[resolver.key]}: "
            f"{len(offs)} sweeps counting down, ETA {min(v.off for v in offs):+.1f} to "
            f"{max(v.off for v in offs):+.1f} s from the real flip"
        )
        # No sweep after the real flip still counted down: once the resolver answers, the
        # command says so, whatever it saw before.
        flip_at = flipped[(s1.name, resolver.key)]
        assert all((at - flip_at).total_seconds() <= TOLERANCE for at, _ in counting)
        assert shown[-1][1]["status"] == "ok"
    assert_all_hold(verdicts)
