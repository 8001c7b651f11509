"""Words about time for the screens (to be replaced by tui.time_words)."""

from __future__ import annotations

from datetime import datetime


def duration(seconds: float) -> str:
    """``48 s``, ``3 min 5 s``, ``2 h 10 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def ago(when: datetime, now: datetime) -> str:
    seconds = (now - when).total_seconds()
    return "just now" if seconds < 1 else f"{duration(seconds)} ago"


def clock_time(when: datetime) -> str:
    """Wall-clock time in the user's zone, e.g. ``14:03:12``."""
    return when.astimezone().strftime("%H:%M:%S")


def short_date(when: datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else "—"
