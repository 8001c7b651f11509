"""Fixtures for the snapshot tests: a frozen world (clock, time zone, cursor, environment) and
sandboxes on that frozen clock. See ``screenshots/stills.py`` for why each is needed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.snapshots.support import (
    Variant,
    frozen_sandbox,
    sandbox_server_names,
    steady_cursor,
    utc,
)
from tui.sandbox import SandboxServer

# Variables that would change what the app draws: the user's own must not leak in.
ENVIRONMENT = (
    "NO_COLOR",
    "WIX_API_KEY",
    "WIX_SITE_ID",
    "WIX_SENDING_CONFIG",
)


VARIANTS = [
    pytest.param(Variant((80, 24)), id="80x24"),
    pytest.param(Variant((120, 36)), id="120x36"),
    pytest.param(Variant((80, 24), no_color=True), id="80x24-no-color"),
]


@pytest.fixture(autouse=True)
def frozen_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A temporary home, none of the user's variables, UTC, and a cursor that does not blink."""
    monkeypatch.setenv("WIX_SENDING_HOME", str(tmp_path / "home"))
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    with utc(), steady_cursor():
        yield


@pytest.fixture(params=VARIANTS)
def variant(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Variant:
    """Each screen at 80x24, at 120x36 and with NO_COLOR at 80x24. Textual reads NO_COLOR when
    the App is constructed, so the tests build their app after this fixture ran."""
    chosen: Variant = request.param
    if chosen.no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    return chosen


@pytest.fixture
def sandbox() -> Iterator[Callable[[str], SandboxServer]]:
    """Start a frozen-clock sandbox for a scenario (stopped after the test)."""
    with contextlib.ExitStack() as stack:

        def start(scenario: str) -> SandboxServer:
            server = frozen_sandbox(scenario)
            stack.callback(server.stop)
            stack.enter_context(sandbox_server_names(server))
            return server

        yield start
