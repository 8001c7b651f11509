"""Numbers the sandbox's levers accept: finite and in range, or a 400 naming field and range.

Python's json module parses ``NaN``, ``Infinity`` and ``-Infinity``, and a huge number only
fails later, deep in datetime arithmetic (an ``OverflowError`` 500 far from its cause, or a
world whose every JSON view fails to render). Checking each number where it comes in keeps both
out and tells the caller which field was wrong and what would have been accepted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tui.sandbox.errors import ControlError

# The upper limits of the control routes' numbers (the lower ones are per field).
MAX_INITIALIZING_SECONDS = 31_536_000  # a year
MAX_ADVANCE_SECONDS = 315_360_000  # ten years per jump
MAX_TIME_SCALE = 1_000_000
MAX_ACCOUNT_NUMBER = 10**12
MAX_PER_MINUTE = 1_000_000


def checked_number(
    name: str, value: Any, low: float, high: float, *, integer: bool = False
) -> int | float:
    """``value`` if it is a number (an ``int`` when ``integer``) from ``low`` to ``high``."""
    # bool is an int to Python but never a number in JSON terms. Only floats can be NaN or
    # infinite (and math.isfinite cannot take an int too big for a float).
    is_number = isinstance(value, int) if integer else isinstance(value, int | float)
    if (
        isinstance(value, bool)
        or not is_number
        or (isinstance(value, float) and not math.isfinite(value))
        or not low <= value <= high
    ):
        kind = "an integer" if integer else "a finite number"
        raise ControlError(400, f"{name} must be {kind} from {_show(low)} to {_show(high)}")
    return value


def optional_number(
    body: Mapping[str, Any], key: str, low: float, high: float, *, integer: bool = False
) -> int | float | None:
    """``body[key]`` checked as by :func:`checked_number`, or None when absent or null."""
    value = body.get(key)
    if value is None:
        return None
    return checked_number(key, value, low, high, integer=integer)


def _show(bound: float) -> str:
    # Whole bounds print as plain integers: "1000000", not "1e+06".
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"


# The DNS levers (world seconds). A week is past any TTL a resolver keeps (BIND caps at 7 days).
MAX_DNS_TTL = 604_800
MAX_DNS_LAG_SECONDS = 604_800
MAX_LOOKUP_AGO_SECONDS = 604_800
