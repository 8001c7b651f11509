"""The demo paints first and starts its sandbox after: keys pressed meanwhile still count, and
quitting before the sandbox is up ends cleanly."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import TabbedContent

from tests.ui.conftest import settle, status_text
from tui.demo import SandboxLink
from tui.launch import demo_app
from tui.sandbox import SandboxServer
from tui.store.credentials import SecretStores
from tui.store.paths import Paths


def slow_start(server: SandboxServer, go: threading.Event):
    """As DemoSandbox.start, but it waits for ``go``: the sandbox is "still starting"."""

    def start():
        assert go.wait(30)
        return server.credentials[0]

    return start


async def test_a_key_pressed_while_the_sandbox_starts_is_not_lost(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer
) -> None:
    go = threading.Event()
    app = demo_app(
        paths,
        SandboxLink.from_server(sandbox),
        slow_start(sandbox, go),
        clock=sandbox.clock,
        scenario="test",
        stores=headless_stores,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "signing in" in status_text(app)
        assert app.session is None
        await pilot.press("2")  # Domains, before anyone is signed in
        await pilot.press("f1")  # and help, which works signed out too
        await pilot.press("escape")
        go.set()
        await settle(pilot)
        for _ in range(50):
            if app.query(TabbedContent) and app.query_one(TabbedContent).active == "domains":
                break
            await pilot.pause(0.05)
        assert app.session is not None
        assert app.query_one(TabbedContent).active == "domains"
        assert "signing in" not in status_text(app)


async def test_quitting_before_the_sandbox_is_up(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer
) -> None:
    go = threading.Event()
    app = demo_app(
        paths,
        SandboxLink.from_server(sandbox),
        slow_start(sandbox, go),
        clock=sandbox.clock,
        scenario="test",
        stores=headless_stores,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        go.set()
    assert app.session is None


@pytest.mark.parametrize("key", ["f1", "i"])
async def test_a_screen_open_when_the_sign_in_ends_gets_the_panes_after_it(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer, key: str
) -> None:
    """F1 (a dialog) or About (a screen of its own) opened while signing in, still open when
    it ends: the panes mount under it, and the tabs are there once it closes."""
    go = threading.Event()
    app = demo_app(
        paths,
        SandboxLink.from_server(sandbox),
        slow_start(sandbox, go),
        clock=sandbox.clock,
        scenario="test",
        stores=headless_stores,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(key)
        go.set()
        for _ in range(50):
            if app.session is not None:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert app.session is not None
        await pilot.press("escape")
        for _ in range(50):
            if app.query(TabbedContent):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "senders"
