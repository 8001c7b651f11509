"""What the snapshot tests add to the still-picture harness (``screenshots/stills.py``, shared
with ``screenshots/generate.py``): the variants each screen is snapped in."""

from __future__ import annotations

from dataclasses import dataclass

from screenshots.stills import (
    FROZEN_AT,
    FrozenClock,
    demo_app,
    frozen_sandbox,
    sandbox_server_names,
    settle,
    steady_cursor,
    still,
    utc,
    wait_for,
)


@dataclass(frozen=True)
class Variant:
    """How a snapshot is taken: the terminal's size, and whether NO_COLOR is set."""

    size: tuple[int, int]
    no_color: bool = False


__all__ = [
    "FROZEN_AT",
    "FrozenClock",
    "Variant",
    "demo_app",
    "frozen_sandbox",
    "sandbox_server_names",
    "settle",
    "steady_cursor",
    "still",
    "utc",
    "wait_for",
]
