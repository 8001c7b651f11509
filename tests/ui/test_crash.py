"""The crash output never shows a key.

Textual 8.2.8's ``App._fatal_error`` prints a traceback with ``show_locals=True``: a key in any
local of any frame would be printed after the app exits. ``WixSendingApp`` overrides it. These
tests crash the real app headless, capture everything it prints (Textual prints the crash with
``App.error_console`` once the app has shut down) and the log file, and check the key is in
none of it. The same crash through Textual's original hook *does* print the key, which shows the
capture would catch a regression (for instance an upgrade that renames the private hook).
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App
from textual.binding import Binding

from tests.conftest import site
from tests.ui.conftest import assert_not_in_files, make_app, settle
from tui.app import WixSendingApp
from tui.sandbox import SandboxServer
from tui.screens.crash import HEADLINE
from tui.services import build_services
from tui.store.credentials import SecretStores
from tui.store.logs import setup_logging
from tui.store.paths import Paths

LOCAL_KEY = "sk-local-crash-7f3a9c1e"  # only ever in a local variable: never registered
ENV_KEY = "IST.env-crash-key-5d2b8e40"  # signed in with: registered with the redactor


class CrashingApp(WixSendingApp):
    BINDINGS = [
        Binding("x", "crash_with_local", "Crash"),
        Binding("m", "crash_with_message", "Crash"),
        Binding("w", "crash_in_worker", "Crash"),
    ]

    def action_crash_with_local(self) -> None:
        api_key = LOCAL_KEY
        headers = {"Authorization": api_key}
        raise RuntimeError(f"the handler failed ({len(headers)} header)")

    def action_crash_with_message(self) -> None:
        assert self.credentials is not None
        api_key = self.credentials.secret.reveal()
        raise RuntimeError(f"Wix rejected {api_key}")

    def action_crash_in_worker(self) -> None:
        async def boom() -> None:
            api_key = LOCAL_KEY
            raise RuntimeError(f"the worker failed ({len(api_key)} chars)")

        self.run_worker(boom(), exit_on_error=True)


class TextualHookApp(CrashingApp):
    """The control: Textual's own crash output."""

    def _fatal_error(self) -> None:
        App._fatal_error(self)


async def crash(app: CrashingApp, key: str) -> str:
    """Run ``app``, press ``key``, and return everything printed after the crash."""
    printed = io.StringIO()
    app.error_console = Console(file=printed, width=120, color_system=None)
    with pytest.raises(Exception):  # noqa: B017 - run_test re-raises whatever crashed the app
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press(key)
            await settle(pilot)
    return printed.getvalue()


@pytest.fixture
def log_file(paths: Paths) -> Path:
    handler = setup_logging(paths)
    yield paths.log_file
    logging.getLogger().removeHandler(handler)
    handler.close()


@pytest.fixture
def signed_in_by_environment(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer, paths: Paths
) -> None:
    monkeypatch.setenv("WIX_API_KEY", ENV_KEY)
    monkeypatch.setenv("WIX_SITE_ID", site(sandbox).site_id)


@pytest.mark.parametrize(
    ("press", "secret", "words"),
    [
        ("x", LOCAL_KEY, "the handler failed"),
        ("m", ENV_KEY, "Wix rejected ***"),
        ("w", LOCAL_KEY, "the worker failed"),
    ],
    ids=["key-in-a-local", "key-in-the-message", "key-in-a-worker-local"],
)
async def test_crash_output_has_no_key(
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox: SandboxServer,
    signed_in_by_environment: None,
    log_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    press: str,
    secret: str,
    words: str,
) -> None:
    app = CrashingApp(build_services(paths, stores=keyring_stores, base_url=sandbox.base_url))
    printed = await crash(app, press)
    assert app.return_code == 1
    assert HEADLINE in printed and "RuntimeError" in printed and words in printed
    assert "Traceback" in printed
    assert secret not in printed
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err
    logged = log_file.read_text()
    assert "the app crashed" in logged and "RuntimeError" in logged
    assert secret not in logged
    assert_not_in_files(tmp_path, secret)


@pytest.mark.parametrize(("press", "secret"), [("x", LOCAL_KEY), ("m", ENV_KEY), ("w", LOCAL_KEY)])
async def test_textuals_own_crash_output_would_print_the_key(
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox: SandboxServer,
    signed_in_by_environment: None,
    press: str,
    secret: str,
) -> None:
    app = TextualHookApp(build_services(paths, stores=keyring_stores, base_url=sandbox.base_url))
    assert secret in await crash(app, press)


def test_the_overridden_hook_still_exists_in_textual() -> None:
    # If Textual renames its private hook, ours would silently stop being called.
    assert "_fatal_error" in vars(App) and "_handle_exception" in vars(App)
    assert WixSendingApp._fatal_error is not App._fatal_error


async def test_the_app_itself_can_crash_without_a_screen_of_ours(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer
) -> None:
    """Sanity: the hook copes when no credentials were ever loaded (login screen up)."""
    app = make_app(paths, keyring_stores, sandbox)
    printed = io.StringIO()
    app.error_console = Console(file=printed, width=120, color_system=None)
    with pytest.raises(ZeroDivisionError):
        async with app.run_test() as pilot:
            await settle(pilot)
            app.call_later(lambda: 1 / 0)
            await settle(pilot)
    assert "ZeroDivisionError" in printed.getvalue()
