"""The app's handle on ``state.json``: loaded once, changed in memory, saved atomically on a
worker thread so the event loop never waits on fsync."""

from __future__ import annotations

import threading
from pathlib import Path

from tui.clock import Clock
from tui.store import state as state_file
from tui.store.state import DomainState, State


class StateStore:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self._lock = threading.Lock()
        self._state: State | None = None
        self.notice = ""

    @property
    def state(self) -> State:
        if self._state is None:
            loaded = state_file.load(self.path, self.clock.now())
            self._state, self.notice = loaded.state, loaded.notice
        return self._state

    def domain(self, name: str) -> DomainState:
        return self.state.domain(name)

    def save(self) -> None:
        """Write now (call from a thread worker); concurrent saves queue up, never interleave."""
        with self._lock:
            state_file.save(self.path, self.state)
