"""What the app benchmarks' measured processes share: the app wired as ``wix-sending demo``
wires it, but against a sandbox running in another process (its work is not the app's), and
the hand-back of a result to the parent. Imported by bench_tui_idle.py and bench_tui_lag.py,
which run as scripts from this directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def app_arguments(spec: dict, scenario: str) -> dict[str, Any]:
    """``WixSendingApp`` keyword arguments: a throwaway home from ``spec["home"]``, the
    scenario's demo credentials (never printed), the default config, and the grid's rows
    (``spec["authoritative"]``, ``spec["resolvers"]``) on the sandbox at ``spec["base_url"]``."""
    import logging

    from tui.demo import SandboxLink
    from tui.propagation import Role, ServerAddress
    from tui.propagation.resolvers import resolver_from_address
    from tui.sandbox.scenarios import SCENARIOS
    from tui.secret import Secret
    from tui.store.config import Config
    from tui.store.credentials import Credentials, SecretStores
    from tui.store.logs import setup_logging
    from tui.store.paths import Paths
    from tui.store.profiles import Profiles

    home = Path(spec["home"])
    paths = Paths(*(home / part for part in ("config", "data", "state", "logs")))
    try:
        setup_logging(paths)  # as the demo does: the app's log file, never the terminal
    except OSError:
        logging.getLogger().addHandler(logging.NullHandler())
    site = SCENARIOS[scenario].credentials()[0]
    credentials = Credentials(
        profile=f"bench ({scenario})",
        site_id=site.site_id,
        secret=Secret(site.api_key),
        source="the sandbox (benchmark)",
    )
    link = SandboxLink(
        base_url=spec["base_url"],
        time_scale=1.0,
        authoritative=[ServerAddress(h, p) for h, p in spec["authoritative"]],
        resolvers=[
            resolver_from_address(ServerAddress(h, p), Role.PUBLIC, name=name)
            for name, h, p in spec["resolvers"]
        ],
    )
    return {
        "paths": paths,
        "stores": SecretStores(paths),
        "base_url": spec["base_url"],
        "config": Config(),  # the defaults: refresh_interval 30 s
        "profiles": Profiles(),
        "sandbox": link,
        "initial_credentials": credentials,
    }


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
