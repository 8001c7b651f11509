"""What the app does at start: environment credentials, the last used profile's store, and the
passphrase of the encrypted file."""

from __future__ import annotations

import keyring.errors
import pytest
from textual.widgets import Input

from tests.conftest import site
from tests.ui.conftest import (
    PASSPHRASE,
    assert_not_on_screen,
    error_of,
    make_app,
    messages,
    note_text,
    paste_into,
    save_profile,
    settle,
    status_text,
    stores_with,
    type_into,
)
from tui.sandbox import SandboxServer
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen
from tui.screens.passphrase import PassphraseScreen
from tui.secret import Secret
from tui.store.credentials import SecretStores
from tui.store.keyring_store import MemoryKeyring
from tui.store.paths import Paths
from tui.store.profiles import Profile, Storage
from tui.store.vault import Vault


async def test_wrong_passphrase_at_start_then_the_right_one(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer
) -> None:
    creds = site(sandbox)
    vault = Vault(paths.secrets_file)
    vault.unlock(PASSPHRASE)
    vault.set("acme", Secret(creds.api_key))
    save_profile(paths, Profile("acme", creds.site_id, storage=Storage.ENCRYPTED_FILE))
    app = make_app(paths, headless_stores, sandbox)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PassphraseScreen)
        await type_into(pilot, "#passphrase", "nope-nope")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PassphraseScreen)
        assert "does not open the secrets file" in error_of(pilot, "passphrase")
        assert app.screen.query_one("#passphrase", Input).value == ""
        await paste_into(pilot, "#passphrase", PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.credentials is not None and app.credentials.profile == "acme"
        assert "profile acme" in status_text(app)


async def test_giving_up_on_the_passphrase_offers_the_login_form(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer
) -> None:
    creds = site(sandbox)
    vault = Vault(paths.secrets_file)
    vault.unlock(PASSPHRASE)
    vault.set("acme", Secret(creds.api_key))
    save_profile(paths, Profile("acme", creds.site_id, storage=Storage.ENCRYPTED_FILE))
    app = make_app(paths, headless_stores, sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#name", Input).value == "acme"
        assert app.screen.query_one("#site", Input).value == creds.site_id
        assert "stayed locked" in note_text(pilot, "#login-message")


async def test_keyring_profile_opens_at_start(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
) -> None:
    creds = site(sandbox)
    memory_keyring.set_password("wix-sending", "acme", creds.api_key)
    save_profile(paths, Profile("acme", creds.site_id))
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.credentials is not None and "OS keyring" in app.credentials.source
        assert_not_on_screen(app, creds.api_key)


async def test_missing_key_in_the_keyring_asks_for_it_again(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer
) -> None:
    save_profile(paths, Profile("acme", site(sandbox).site_id))
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#name", Input).value == "acme"
        assert "No key is stored for profile acme" in note_text(pilot, "#login-message")
        assert app.screen.focused is app.screen.query_one("#key")


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")


async def test_locked_keyring_at_start_says_how_to_unlock(
    paths: Paths, sandbox: SandboxServer
) -> None:
    save_profile(paths, Profile("acme", site(sandbox).site_id))
    app = make_app(paths, stores_with(paths, LockedKeyring()), sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        await pilot.pause()  # the form, pushed once the keyring answered, is mounted
        assert isinstance(app.screen, LoginScreen)
        message = note_text(pilot, "#login-message")
        assert "keyring is locked" in message and "gnome-keyring-daemon --unlock" in message


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer, paths: Paths) -> str:
    creds = site(sandbox)
    monkeypatch.setenv("WIX_API_KEY", creds.api_key)
    monkeypatch.setenv("WIX_SITE_ID", creds.site_id)
    return creds.api_key


async def test_environment_credentials_win_and_cannot_be_logged_out(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
    environment: str,
) -> None:
    # A saved profile exists too: the environment still takes precedence.
    memory_keyring.set_password("wix-sending", "acme", "IST.saved-key-0000000000")
    save_profile(paths, Profile("acme", site(sandbox).site_id))
    before = paths.profiles_file.read_bytes()
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.credentials is not None and app.credentials.from_environment
        assert "WIX_API_KEY/WIX_SITE_ID from the environment" in note_text(
            pilot, "#environment-note"
        )
        for key in ("l", "p", "n"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen), key  # no confirm, switcher or form
        said = messages(app)
        assert "Logging out is off" in said and "Switching profiles is off" in said
        assert "Adding a profile is off" in said and "Unset both" in said
        assert_not_on_screen(app, environment)
    assert memory_keyring.get_password("wix-sending", "acme") == "IST.saved-key-0000000000"
    assert paths.profiles_file.read_bytes() == before
    assert not paths.secrets_file.exists()


async def test_half_set_environment_is_reported(
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WIX_API_KEY", "IST.only-the-key-000000000")
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "WIX_SITE_ID is not set" in messages(app)
        assert app.environment_problem


# --- what was wrong with the app's files, said once at start ---------------------------------


async def test_a_damaged_state_file_is_moved_aside_and_said_at_start(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer
) -> None:
    paths.state_dir.mkdir(parents=True)
    paths.state_file.write_text('{"schemaVersion": 1, "domains": {"x": ')  # a torn write
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        kept = list(paths.state_dir.glob("state.json.corrupt-*"))
        assert len(kept) == 1
        said = messages(app)
        assert said.count("was damaged") == 1 and kept[0].name in said
    assert kept[0].read_text() == '{"schemaVersion": 1, "domains": {"x": '


async def test_an_unreadable_state_file_is_said_at_start_and_left_alone(
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.store.disk import make_unreadable

    paths.state_dir.mkdir(parents=True)
    paths.state_file.write_text('{"schemaVersion": 1, "domains": {}}')
    make_unreadable(paths.state_file, monkeypatch)
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        said = messages(app)
        assert "cannot be read" in said and "left as it is" in said
    assert not list(paths.state_dir.glob("state.json.corrupt-*"))


async def test_ignored_profiles_are_named_at_start(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer
) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.profiles_file.write_text('[profiles.typo]\nsite_id = "c993128b-26be-41cd"\n')
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        said = messages(app)
        assert "'typo'" in said and "not a Wix site ID" in said
        assert "kept in the file" in said


async def test_a_full_log_disk_is_said_once_in_the_app(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer
) -> None:
    import logging

    from tests.store.disk import full_log_stream
    from tui.launch import report_log_failures
    from tui.store.logs import setup_logging

    app = make_app(paths, keyring_stores, sandbox)
    handler = setup_logging(paths)
    report_log_failures(handler, app)
    try:
        with full_log_stream() as full:
            async with app.run_test(size=(100, 50)) as pilot:
                await settle(pilot)
                handler.stream = full  # type: ignore[assignment]
                for _ in range(3):
                    logging.getLogger("tui.test").warning("the disk filled up")
                await settle(pilot)
                said = messages(app)
                assert said.count("cannot be written (No space left on device)") == 1
                assert app.is_running
    finally:
        logging.getLogger().removeHandler(handler)
        handler.stream = None  # type: ignore[assignment]
        handler.close()
