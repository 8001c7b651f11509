"""One injectable clock for everything that waits, schedules or shows a time.

The sandbox runs its world faster than real time (an hour in a minute for the demo) and tests
freeze time, so nothing in the package calls ``time.time()``/``asyncio.sleep()`` for a duration
that means something to the user. It asks a :class:`Clock` instead.

Clock seconds are *world* seconds: with ``speed=60`` a ``sleep(60)`` takes one real second and
``now()`` moves a minute for every real second.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """What the rest of the package needs from time."""

    @property
    def speed(self) -> float:
        """World seconds per real second (1.0 for the real world)."""
        ...

    def now(self) -> datetime:
        """The current wall time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (only differences mean anything)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of clock time."""
        ...


class SystemClock:
    """The real clock."""

    speed = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


@dataclass(frozen=True, slots=True)
class _Anchor:
    real_monotonic: float
    world_monotonic: float
    world_wall: datetime
    speed: float


class ScaledClock:
    """A clock that runs ``speed`` times faster than real time and can jump forward.

    Thread-safe: the sandbox server reads it on its own thread while a test or the demo changes
    the speed from another. Reads take one immutable snapshot, so they never see a half-update.
    """

    def __init__(self, speed: float = 1.0, *, start: datetime | None = None) -> None:
        _check_speed(speed)
        self._lock = threading.Lock()
        self._anchor = _Anchor(
            real_monotonic=time.monotonic(),
            world_monotonic=0.0,
            world_wall=start or datetime.now(UTC),
            speed=float(speed),
        )

    @property
    def speed(self) -> float:
        return self._anchor.speed

    def _world_elapsed(self, anchor: _Anchor) -> float:
        return (time.monotonic() - anchor.real_monotonic) * anchor.speed

    def now(self) -> datetime:
        anchor = self._anchor
        return anchor.world_wall + timedelta(seconds=self._world_elapsed(anchor))

    def monotonic(self) -> float:
        anchor = self._anchor
        return anchor.world_monotonic + self._world_elapsed(anchor)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    def set_speed(self, speed: float) -> None:
        """Change the speed from now on; time already elapsed is kept."""
        _check_speed(speed)
        self._reanchor(advance=0.0, speed=float(speed))

    def advance(self, seconds: float) -> None:
        """Jump forward ``seconds`` of world time (never backwards)."""
        if seconds < 0:
            raise ValueError("a clock can only be moved forward")
        self._reanchor(advance=float(seconds), speed=None)

    def _reanchor(self, *, advance: float, speed: float | None) -> None:
        with self._lock:
            old = self._anchor
            real_now = time.monotonic()
            elapsed = (real_now - old.real_monotonic) * old.speed + advance
            self._anchor = _Anchor(
                real_monotonic=real_now,
                world_monotonic=old.world_monotonic + elapsed,
                world_wall=old.world_wall + timedelta(seconds=elapsed),
                speed=old.speed if speed is None else speed,
            )

    def __repr__(self) -> str:
        return f"ScaledClock(speed={self.speed:g})"


class ManualClock:
    """A frozen clock for tests: time moves only when told to.

    ``sleep`` moves the clock forward by the slept amount and yields once to the event loop, so
    code that backs off or polls runs instantly and deterministically. ``sleeps`` records every
    requested sleep for assertions.
    """

    speed = 1.0

    def __init__(self, start: datetime | None = None) -> None:
        self._wall = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._monotonic = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self._wall

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock can only be moved forward")
        self._wall += timedelta(seconds=seconds)
        self._monotonic += seconds

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.sleeps.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"ManualClock(now={self._wall.isoformat()})"


def _check_speed(speed: float) -> None:
    if not (speed > 0) or speed == float("inf"):
        raise ValueError(f"clock speed must be a positive number, got {speed!r}")


SYSTEM_CLOCK = SystemClock()
