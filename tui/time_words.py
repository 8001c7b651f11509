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
    :func:`compact`. Each changed cell costs its row a repaint, so per-second countdowns in
    many cells would redraw most of the grid every second; the line under the grid gives the
    highlighted cell to the second."""
    if seconds < 120:
        return compact(seconds)
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def real_equivalent(seconds: float, speed: float) -> str:
    """What ``seconds`` of a clock running ``speed`` times real time take on the wall clock:
    ``≈2 s real``, ``under 1 s real``."""
    real = seconds / speed
    return "under 1 s real" if real < 1 else f"≈{duration(real)} real"


def span(seconds: float, *, speed: float = 1.0) -> str:
    """A duration read off a clock: :func:`duration` for real time; on a clock running at
    another ``speed`` (the sandbox's world clock) labelled, with what it takes in real time:
    ``1 min world time (≈1 s real)``. Both halves come from the same difference, so they
    never disagree."""
    words = duration(seconds)
    if speed == 1:
        return words
    return f"{words} world time ({real_equivalent(max(0.0, seconds), speed)})"


def ago(when: datetime, now: datetime, *, speed: float = 1.0) -> str:
    """``just now`` (under a second), ``12 s ago``, ``3 min 5 s ago``.

    ``when`` and ``now`` must come from the same clock; with ``speed`` (that clock's, see
    :func:`is_world`) other than 1 the words say it is world time and how long ago that was in
    real time: ``58 s ago in world time, ≈1 s real``."""
    seconds = (now - when).total_seconds()
    if seconds < 1:
        return "just now"
    if speed == 1:
        return f"{duration(seconds)} ago"
    return f"{duration(seconds)} ago in world time, {real_equivalent(seconds, speed)}"


def until_by_minutes(when: datetime, now: datetime) -> str:
    """As :func:`until`, in whole minutes (rounded up) until the last two, then to the
    second: a line that says it, redrawn once a second, changes once a minute for most of a
    long wait (``in 60 min``, ..., ``in 2 min``, ``in 1 min 59 s``, ..., ``now``)."""
    seconds = math.ceil((when - now).total_seconds())
    if seconds <= 120:
        return until(when, now)
    return f"in {duration(math.ceil(seconds / 60) * 60)}"


def until(when: datetime, now: datetime, *, speed: float = 1.0) -> str:
    """``in 42 min``, ``in 12 s``; ``now`` once :func:`duration` would say ``0 s``. With
    ``speed`` other than 1 (a world clock), labelled as :func:`span` does."""
    seconds = round((when - now).total_seconds())
    return "now" if seconds <= 0 else f"in {span(seconds, speed=speed)}"


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


def world_speed(clock: Clock) -> float:
    """The ``speed`` to hand :func:`ago`, :func:`until` and :func:`span` for times read off
    ``clock``: 1 for real time, else the world clock's speed."""
    return clock.speed if is_world(clock) else 1.0
