"""Command-line option types, and the options of the sandbox server, shared by ``wix-sending``
(``tui/cli.py``) and ``python -m tui.sandbox`` (``tui/sandbox/run.py``).

Standard library only: the CLI imports it for ``--help`` (which must answer at once), and the
sandbox may import it (it may not import the CLI: the sandbox stays independent of the app).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

DEFAULT_SANDBOX_PORT = 8765
MAX_INITIALIZING_SECONDS = 31_536_000  # a year
SCENARIO_HELP = (
    "fresh, midway, agency, dns-lab, hostile, single-sender or healthy (default %(default)s)"
)
# The sandbox's scenarios (tui/sandbox/scenarios.py, SCENARIOS; a test keeps them in step):
# named here so that the demo checks its --scenario without loading the sandbox.
SCENARIO_NAMES = ("fresh", "midway", "agency", "dns-lab", "hostile", "single-sender", "healthy")
# Named fault presets of the sandbox (their faults: tui/sandbox/faults.py, FAULT_PRESETS).
FAULT_PRESET_NAMES = ("flaky",)


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is outside 0-65535")
    return value


def host(text: str) -> str:
    """An address to bind. An empty one would bind every interface (and expose the sandbox):
    that must be asked for by name (0.0.0.0 or ::), never by accident."""
    address = text.strip()
    if not address:
        raise argparse.ArgumentTypeError(
            "give the address to listen on, e.g. 127.0.0.1 (an empty one would listen on "
            "every interface; say 0.0.0.0 if that is really what you want)"
        )
    return address


def finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def bounded(low: float, high: float) -> Callable[[str], float]:
    def check(text: str) -> float:
        value = finite(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} must be from {low:g} to {high:g}")
        return value

    return check


def initializing_seconds(text: str) -> float:
    value = finite(text)
    if not 0 <= value <= MAX_INITIALIZING_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text!r} must be from 0 to {MAX_INITIALIZING_SECONDS} (a year) seconds"
        )
    return value


time_scale = bounded(1e-3, 1e6)


def add_scenario(parser: argparse.ArgumentParser, default: str = "fresh") -> None:
    parser.add_argument("--scenario", default=default, metavar="NAME", help=SCENARIO_HELP)


def add_fault_preset(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--faults",
        choices=FAULT_PRESET_NAMES,
        default=None,
        metavar="PRESET",
        help="make the simulated Wix misbehave: 'flaky' fails a share of reads (503, dropped "
        "connections, now and then a 20 s stall) and answers a write now and then with "
        "malformed JSON after doing it (default: no faults)",
    )


def add_sandbox_options(parser: argparse.ArgumentParser) -> None:
    """``--host --port --scenario --time-scale --initializing-seconds``."""
    parser.add_argument(
        "--host",
        type=host,
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; anything else exposes the sandbox)",
    )
    parser.add_argument(
        "--port",
        type=port,
        default=DEFAULT_SANDBOX_PORT,
        help="port to listen on (0 picks a free one)",
    )
    add_scenario(parser)
    parser.add_argument(
        "--time-scale",
        type=time_scale,
        default=1.0,
        metavar="X",
        help="world seconds per real second (60 = an hour in a minute)",
    )
    parser.add_argument(
        "--initializing-seconds",
        type=initializing_seconds,
        default=120.0,
        metavar="S",
        help="world seconds a new sending domain stays INITIALIZING (default 120)",
    )
