"""Serving the sandbox in the foreground: ``wix-sending sandbox`` and ``python -m tui.sandbox``.

The sandbox's own entry point. It never imports the app's CLI (``tui.cli``): that sits above
every layer and reaches the app, the client and the DNS engine, which the sandbox must stay
independent of (DESIGN.md). ``wix-sending sandbox`` (``tui.commands.sandbox``) calls
:func:`run_sandbox` here; :func:`main` parses the same options for ``python -m tui.sandbox``
(tests/sandbox/test_sandbox_main.py keeps the two parsers in step).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence

from tui.sandbox.banner import banner
from tui.sandbox.scenarios import SCENARIOS
from tui.sandbox.server import SandboxServer

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

DEFAULT_PORT = 8765
MAX_INITIALIZING_SECONDS = 31_536_000  # a year


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
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; anything else exposes the sandbox)",
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="port to listen on (0 picks a free one)"
    )
    parser.add_argument(
        "--scenario",
        default="fresh",
        metavar="NAME",
        help="fresh, midway, agency or dns-lab (default %(default)s)",
    )
    parser.add_argument(
        "--time-scale",
        type=_bounded(1e-3, 1e6),
        default=1.0,
        metavar="X",
        help="world seconds per real second (60 = an hour in a minute)",
    )
    parser.add_argument(
        "--initializing-seconds",
        type=_initializing_seconds,
        default=120.0,
        metavar="S",
        help="world seconds a new sending domain stays INITIALIZING (default 120)",
    )
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


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is outside 0-65535")
    return port


def _bounded(low: float, high: float) -> Callable[[str], float]:
    def check(text: str) -> float:
        value = _float(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} must be from {low:g} to {high:g}")
        return value

    return check


def _initializing_seconds(text: str) -> float:
    value = _float(text)
    if not 0 <= value <= MAX_INITIALIZING_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text!r} must be from 0 to {MAX_INITIALIZING_SECONDS} (a year) seconds"
        )
    return value


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value
