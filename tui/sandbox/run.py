"""Serving the sandbox in the foreground: ``wix-sending sandbox`` and ``python -m tui.sandbox``.

The sandbox's own entry point. It never imports the app's CLI (``tui.cli``): that sits above
every layer and reaches the app, the client and the DNS engine, which the sandbox must stay
independent of (DESIGN.md). ``wix-sending sandbox`` (``tui.commands.sandbox``) calls
:func:`run_sandbox` here; :func:`main` parses the same options for ``python -m tui.sandbox``
(tests/sandbox/test_sandbox_main.py keeps the two parsers in step).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui.options import add_sandbox_options
from tui.sandbox.banner import banner
from tui.sandbox.scenarios import SCENARIOS
from tui.sandbox.server import SandboxServer

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def run_sandbox(
    *,
    host: str,
    port: int,
    scenario: str,
    time_scale: float,
    initializing_seconds: float,
) -> int:
    """Serve the sandbox in the foreground until Ctrl-C (SIGINT) or SIGTERM."""
    if scenario not in SCENARIOS:
        names = ", ".join(sorted(SCENARIOS))
        error(f"unknown scenario {scenario!r}; choose one of: {names}")
        return EXIT_USAGE
    try:
        server = _server(host, port, scenario, time_scale, initializing_seconds)
    except OSError as exc:
        error(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}. "
            "Pick another port with --port (0 picks a free one)."
        )
        return EXIT_FAILURE
    server.serve_forever(ready=lambda s: print(banner(s), flush=True))
    print("Sandbox stopped.", flush=True)
    return EXIT_OK


def _server(
    host: str, port: int, scenario: str, time_scale: float, initializing_seconds: float
) -> SandboxServer:
    return SandboxServer(
        scenario=scenario,
        host=host,
        port=port,
        time_scale=time_scale,
        initializing_seconds=initializing_seconds,
    )


def error(message: str) -> None:
    print(f"wix-sending: {message}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """The options of ``wix-sending sandbox``, with the same defaults and checks."""
    parser = argparse.ArgumentParser(
        prog="python -m tui.sandbox",
        description=(
            "Serve the simulated Wix API in the foreground and print its base URL and demo "
            "credentials (the same as 'wix-sending sandbox'). Ctrl-C stops it."
        ),
    )
    add_sandbox_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run_sandbox(
            host=args.host,
            port=args.port,
            scenario=args.scenario,
            time_scale=args.time_scale,
            initializing_seconds=args.initializing_seconds,
        )
    except KeyboardInterrupt:
        return 130
