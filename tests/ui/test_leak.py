"""The leak test of issue 4: a scripted session with a known key (login through the form, API
calls, an injected crash), then the key must be in no file under the app's directories, in no
log line and in nothing printed, the crash output included."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from rich.console import Console
from textual.binding import Binding

from tests.conftest import site
from tests.ui.conftest import assert_not_in_files, settle
from tests.ui.test_login import log_in
from tui.app import WixSendingApp
from tui.sandbox import SandboxServer
from tui.screens.home import HomeScreen
from tui.services import build_services
from tui.store.credentials import SecretStores
from tui.store.logs import setup_logging
from tui.store.paths import Paths


class ScriptedApp(WixSendingApp):
    BINDINGS = [Binding("x", "use_the_api_then_crash", "Crash")]

    async def action_use_the_api_then_crash(self) -> None:
        assert self.credentials is not None
        async with self.services.client_factory(self.credentials) as wix:
            await wix.list_sender_emails()
            email = await wix.get_or_create_sender_email("leak@sunrise-bakery.example")
            await wix.send_verification_code(email.id)
            await wix.get_account_details()
            api_key = self.credentials.secret.reveal()  # a local the crash screen could show
            raise RuntimeError(f"injected crash while holding {len(api_key)} characters")


@pytest.mark.parametrize("storage", ["keyring", "encrypted-file", "session"])
async def test_a_whole_session_leaks_the_key_nowhere(
    paths: Paths,
    keyring_stores: SecretStores,
    headless_stores: SecretStores,
    sandbox: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    storage: str,
) -> None:
    creds = site(sandbox)
    key = creds.api_key
    handler = setup_logging(paths, level=logging.DEBUG)
    stores = keyring_stores if storage == "keyring" else headless_stores
    app = ScriptedApp(build_services(paths, stores=stores, base_url=sandbox.base_url))
    printed = io.StringIO()
    app.error_console = Console(file=printed, width=120, color_system=None)
    try:
        with pytest.raises(Exception):  # noqa: B017 - run_test re-raises the injected crash
            async with app.run_test(size=(100, 50)) as pilot:
                await settle(pilot)
                await log_in(pilot, creds.site_id, key, storage, name="leaky")
                assert isinstance(app.screen, HomeScreen)
                await pilot.press("x")
                await settle(pilot)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    crash = printed.getvalue()
    assert "injected crash" in crash and key not in crash
    logged = paths.log_file.read_text()
    assert "sender-emails" in logged  # the API calls were made, and logged
    assert key not in logged
    captured = capsys.readouterr()
    assert key not in captured.out + captured.err
    assert_not_in_files(tmp_path, key)
