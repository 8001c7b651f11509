"""Every duration and time of day the app shows, in one voice.

Sentences read ``duration()`` ("Trying again in 3 min 5 s"); table cells, where every column
counts, read ``compact()`` or ``coarse()``. Plain Python that imports only the standard library
and :mod:`tui.clock`, so the DNS engine, the Wix client, the CLI and the screens can all use it.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a type here: tui.clock loads asyncio, which a report need not pay for
    from tui.clock import Clock

NO_DATE = "—"
WORLD = " world time"


def duration(seconds: float) -> str:
    """For sentences: ``0 s``, ``48 s``, ``3 min 5 s``, ``3 min``, ``2 h 10 min``, ``2 h``.

    Rounded to whole seconds; a negative duration (a deadline just passed) reads ``0 s``.
    Seconds are dropped from hours: nobody waits for them."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def compact(seconds: float) -> str:
    """For tight columns: ``9s``, ``12m05s``, ``1h15m`` (whole seconds, truncated)."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def coarse(seconds: float) -> str:
    """For grid cells: whole minutes rounded up (``12m``, ``2h05m``) until the last two, then
    :func:`compact`. A DataTable repaints all its cells when any one changes, so per-second
    countdowns in many cells would redraw the grid every second; the line under the grid gives
    the highlighted cell to the second."""
    if seconds < 120:
        return compact(seconds)
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def ago(when: datetime, now: datetime) -> str:
    """``just now`` (under a second), ``12 s ago``, ``3 min 5 s ago``."""
    seconds = (now - when).total_seconds()
    return "just now" if seconds < 1 else f"{duration(seconds)} ago"


def until(when: datetime, now: datetime) -> str:
    """``in 42 min``, ``in 12 s``; ``now`` once :func:`duration` would say ``0 s``."""
    seconds = round((when - now).total_seconds())
    return "now" if seconds <= 0 else f"in {duration(seconds)}"


def clock_time(
    when: datetime, now: datetime | None = None, *, seconds: bool = False, world: bool = False
) -> str:
    """The local time of day: ``14:32`` (``14:32:05`` with ``seconds``).

    With ``now``, the day too when ``when`` falls on another local day (``Mon 02 Mar 14:32``):
    a fast clock, or a wait of hours, easily crosses midnight. ``world`` labels a time read off
    the sandbox's fast clock (see :func:`is_world`), which is not what the wall clock says."""
    local = when.astimezone()
    shown = "%H:%M:%S" if seconds else "%H:%M"
    if now is not None and local.date() != now.astimezone().date():
        shown = "%a %d %b " + shown
    return local.strftime(shown) + (WORLD if world else "")


def is_world(clock: Clock) -> bool:
    """Whether ``clock`` runs at another speed than real time (the sandbox's world clock):
    times read off it must then be labelled world time."""
    return clock.speed != 1


def short_date(when: datetime | None) -> str:
    """``2026-03-02 09:00`` in local time; ``—`` when there is no date."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else NO_DATE
