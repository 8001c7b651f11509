"""What the app benchmarks' measured processes share: the app wired as ``wix-sending demo``
wires it, but against a sandbox running in another process (its work is not the app's), and
the hand-back of a result to the parent. Imported by bench_tui_idle.py and bench_tui_lag.py,
which run as scripts from this directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def demo_app(spec: dict, scenario: str, app_class: type) -> Any:
    """``app_class`` (a ``WixSendingApp`` with a probe) built by ``tui.launch.demo_app``, as
    ``wix-sending demo`` builds it: a throwaway home from ``spec["home"]``, the scenario's demo
    credentials (never printed), the default config, and the grid's rows
    (``spec["authoritative"]``, ``spec["resolvers"]``) on the sandbox at ``spec["base_url"]``,
    which runs in the parent."""
    import logging

    from tui.clock import SYSTEM_CLOCK
    from tui.demo import SandboxLink
    from tui.launch import demo_app as build
    from tui.launch import demo_paths
    from tui.propagation import Role, ServerAddress
    from tui.propagation.resolvers import resolver_from_address
    from tui.sandbox.scenarios import SCENARIOS
    from tui.store.logs import setup_logging

    paths = demo_paths(Path(spec["home"]))
    try:
        setup_logging(paths)  # as the demo does: the app's log file, never the terminal
    except OSError:
        logging.getLogger().addHandler(logging.NullHandler())
    link = SandboxLink(
        base_url=spec["base_url"],
        time_scale=1.0,
        authoritative=[ServerAddress(h, p) for h, p in spec["authoritative"]],
        resolvers=[
            resolver_from_address(ServerAddress(h, p), Role.PUBLIC, name=name)
            for name, h, p in spec["resolvers"]
        ],
    )
    site = SCENARIOS[scenario].credentials()[0]
    # The sandbox runs at real speed in the parent: the system clock is the same clock.
    return build(paths, link, site, clock=SYSTEM_CLOCK, scenario=scenario, app_class=app_class)


async def until(condition, what: str, timeout: float, poll: float = 0.05) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await asyncio.sleep(poll)


async def report_to_parent(spec: dict, measure) -> None:
    """Run ``measure()``; its result (or its error) goes where the parent reads it."""
    try:
        result = await measure()
    except Exception as exc:
        result = {"error": repr(exc)}
    write(Path(spec["out"]), result)


def write(path: Path, result: dict) -> None:
    path.write_text(json.dumps(result), encoding="utf-8")
