"""Every word about time the app shows (tui/time_words.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tui import time_words as words
from tui.clock import ManualClock, ScaledClock, SystemClock


@pytest.fixture(autouse=True)
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC+05:30 (a POSIX rule, so no tz database is needed): a half-hour
    offset shows that times are converted, and moves the local midnight to 18:30 UTC."""
    monkeypatch.setenv("TZ", "XST-05:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


NOW = datetime(2026, 3, 2, 3, 30, tzinfo=UTC)  # Monday 2 March, 09:00 local


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (0.4, "0 s"),
        (-12, "0 s"),
        (48, "48 s"),
        (59.6, "1 min"),
        (60, "1 min"),
        (185, "3 min 5 s"),
        (180, "3 min"),
        (3599, "59 min 59 s"),
        (3600, "1 h"),
        (7800, "2 h 10 min"),
        (7200, "2 h"),
        (7259, "2 h"),  # seconds are dropped from hours
        (90000, "25 h"),
    ],
)
def test_duration_reads_as_a_sentence(seconds: float, text: str) -> None:
    assert words.duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (-5, "0s"),
        (9, "9s"),
        (9.9, "9s"),  # truncated: a countdown never shows time that is already gone
        (60, "1m00s"),
        (725, "12m05s"),
        (3600, "1h00m"),
        (4521, "1h15m"),
    ],
)
def test_compact_fits_a_column(seconds: float, text: str) -> None:
    assert words.compact(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (59, "59s"),
        (119, "1m59s"),  # the last two minutes count the seconds
        (120, "2m"),
        (121, "3m"),  # whole minutes, rounded up: never sooner than the truth
        (725, "13m"),
        (3600, "1h00m"),
        (7500, "2h05m"),
        (7441, "2h05m"),
    ],
)
def test_coarse_changes_once_a_minute_until_the_last_two(seconds: float, text: str) -> None:
    assert words.coarse(seconds) == text


def test_ago() -> None:
    assert words.ago(NOW, NOW) == "just now"
    assert words.ago(NOW - timedelta(seconds=0.9), NOW) == "just now"
    assert words.ago(NOW + timedelta(seconds=30), NOW) == "just now"  # a clock skew
    assert words.ago(NOW - timedelta(seconds=12), NOW) == "12 s ago"
    assert words.ago(NOW - timedelta(seconds=185), NOW) == "3 min 5 s ago"


def test_until() -> None:
    assert words.until(NOW, NOW) == "now"
    assert words.until(NOW - timedelta(minutes=5), NOW) == "now"
    assert words.until(NOW + timedelta(seconds=0.4), NOW) == "now"
    assert words.until(NOW + timedelta(seconds=12), NOW) == "in 12 s"
    assert words.until(NOW + timedelta(minutes=42), NOW) == "in 42 min"
    assert words.until(NOW + timedelta(hours=2, minutes=10), NOW) == "in 2 h 10 min"


def test_clock_time_is_local() -> None:
    when = datetime(2026, 3, 2, 9, 2, 5, tzinfo=UTC)
    assert words.clock_time(when) == "14:32"
    assert words.clock_time(when, seconds=True) == "14:32:05"
    assert words.clock_time(when, NOW) == "14:32"  # the same local day: no date


def test_clock_time_names_the_day_when_it_is_another_local_day() -> None:
    # 18:29 UTC is still Monday (23:59 local); 18:30 UTC is Tuesday 00:00 local, although
    # it is the same UTC day as NOW.
    monday = datetime(2026, 3, 2, 18, 29, tzinfo=UTC)
    tuesday = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
    assert words.clock_time(monday, NOW) == "23:59"
    assert words.clock_time(tuesday, NOW) == "Tue 03 Mar 00:00"
    assert words.clock_time(tuesday, NOW, seconds=True) == "Tue 03 Mar 00:00:00"
    yesterday = NOW - timedelta(hours=10)  # Sunday 23:00 local
    assert words.clock_time(yesterday, NOW) == "Sun 01 Mar 23:00"


def test_clock_time_labels_world_time() -> None:
    when = datetime(2026, 3, 2, 9, 2, 5, tzinfo=UTC)
    assert words.clock_time(when, world=True) == "14:32 world time"
    tuesday = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
    assert words.clock_time(tuesday, NOW, world=True) == "Tue 03 Mar 00:00 world time"


def test_is_world() -> None:
    assert not words.is_world(SystemClock())
    assert not words.is_world(ManualClock())
    assert not words.is_world(ScaledClock(1.0))
    assert words.is_world(ScaledClock(60.0))
    assert words.is_world(ScaledClock(0.5))


def test_short_date() -> None:
    assert words.short_date(datetime(2026, 3, 2, 3, 30, tzinfo=UTC)) == "2026-03-02 09:00"
    assert words.short_date(datetime(2026, 3, 2, 20, 0, tzinfo=UTC)) == "2026-03-03 01:30"
    assert words.short_date(None) == "—"


def test_world_time_is_labelled_with_its_real_equivalent() -> None:
    # The demo's clock runs 60x: 58 world seconds are under one real second.
    assert words.ago(NOW - timedelta(seconds=58), NOW, speed=60) == (
        "58 s ago in world time, under 1 s real"
    )
    assert words.ago(NOW - timedelta(seconds=185), NOW, speed=60) == (
        "3 min 5 s ago in world time, ≈3 s real"
    )
    assert words.ago(NOW - timedelta(seconds=0.5), NOW, speed=60) == "just now"
    assert words.span(120, speed=60) == "2 min world time (≈2 s real)"
    assert words.span(120) == "2 min"
    assert words.until(NOW + timedelta(hours=1), NOW, speed=60) == (
        "in 1 h world time (≈1 min real)"
    )
    assert words.until(NOW + timedelta(hours=1), NOW) == "in 1 h"


def test_world_speed_is_one_for_real_clocks() -> None:
    from tui.clock import SYSTEM_CLOCK, ScaledClock

    assert words.world_speed(SYSTEM_CLOCK) == 1
    assert words.world_speed(ScaledClock(60)) == 60


def test_until_by_minutes_counts_whole_minutes_until_the_last_two() -> None:
    from datetime import UTC, datetime, timedelta

    from tui.time_words import until_by_minutes

    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert until_by_minutes(now + timedelta(minutes=59, seconds=57), now) == "in 1 h"
    assert until_by_minutes(now + timedelta(minutes=59, seconds=1), now) == "in 1 h"
    assert until_by_minutes(now + timedelta(hours=3, minutes=59, seconds=30), now) == "in 4 h"
    assert until_by_minutes(now + timedelta(seconds=121), now) == "in 3 min"
    assert until_by_minutes(now + timedelta(seconds=119), now) == "in 1 min 59 s"
    assert until_by_minutes(now, now) == "now"
