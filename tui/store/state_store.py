"""The app's handle on ``state.json``: loaded once, changed in memory, saved atomically on a
worker thread so the event loop never waits on fsync.

Two apps may be open at once, each with its own copy in memory. A save writes only what this
app changed since it read (or last wrote) the file, field by field, onto what the file holds
at that moment (:func:`tui.store.state.merge_save`, under the file's lock): the other app's
domains and times are kept. What the other app wrote is not pulled into this one's memory
while it runs (the screens hold and change these objects on the event loop; replacing values
under them from the save thread could undo a change made meanwhile); it is read at the next
start.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tui.clock import Clock
from tui.store import state as state_file
from tui.store.state import DomainState, Fields, State


class StateStore:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self._lock = threading.RLock()
        self._state: State | None = None
        self._base: dict[str, Fields] = {}  # each domain as read or last written
        self.notice = ""  # what loading the file found wrong ("" when all was well)

    def load(self) -> str:
        """Read the file now, if not done yet (blocking: from a thread at start); the notice
        the user should see about it, or ""."""
        with self._lock:
            if self._state is None:
                loaded = state_file.load(self.path, self.clock.now())
                self._state, self.notice = loaded.state, loaded.notice
                self._base = {name: d.to_json() for name, d in loaded.state.domains.items()}
            return self.notice

    @property
    def state(self) -> State:
        if self._state is None:
            self.load()
        assert self._state is not None
        return self._state

    def domain(self, name: str) -> DomainState:
        return self.state.domain(name)

    def save(self) -> str:
        """Write this app's changes (call from a thread worker); concurrent saves queue up,
        never interleave. Returns a notice for the user ("" when all went well); raises
        OSError (a StoreError says why) when nothing could be saved."""
        with self._lock:
            mine = {name: d.to_json() for name, d in list(self.state.domains.items())}
            _, notice = state_file.merge_save(self.path, mine, self._base, self.clock.now())
            # What was written is now the base: a later save sends only later changes.
            self._base = {**self._base, **mine}
            return notice
