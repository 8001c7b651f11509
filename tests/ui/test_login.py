"""The login screen, driven by keys, against the sandbox over real loopback HTTP."""

from __future__ import annotations

import stat
import threading
import tomllib
from pathlib import Path

import pytest
import textual.constants
from textual.widgets import RadioButton

from tests.conftest import site
from tests.ui.conftest import (
    PASSPHRASE,
    assert_not_in_files,
    assert_not_on_screen,
    error_of,
    make_app,
    messages,
    note_text,
    paste_into,
    settle,
    status_text,
    stores_with,
    type_into,
)
from tui.launch import run_app
from tui.sandbox import SandboxServer
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen
from tui.services import default_client_factory
from tui.store.credentials import Credentials, SecretStores
from tui.store.endpoint import Endpoint
from tui.store.keyring_store import MemoryKeyring
from tui.store.paths import Paths
from tui.store.vault import Vault
from tui.wix import NO_RETRY, ApiKeyAuth
from tui.wix.client import WixClient


async def log_in(pilot, site_id: str, key: str, storage: str, name: str | None = None) -> None:
    """Fill the form the way a user does and press Enter in the last field."""
    await settle(pilot)  # the keyring probe has answered
    if name is not None:
        await paste_into(pilot, "#name", name)
    await paste_into(pilot, "#site", site_id)
    await paste_into(pilot, "#key", key)
    button = pilot.app.screen.query_one(f"#storage-{storage}", RadioButton)
    if not button.value:
        button.value = True
        await pilot.pause()
    if storage == "encrypted-file":
        await paste_into(pilot, "#passphrase", PASSPHRASE)
        await paste_into(pilot, "#confirm", PASSPHRASE)
    await pilot.press("enter")
    await settle(pilot)


def saved_profiles(paths: Paths) -> dict:
    if not paths.profiles_file.exists():
        return {}
    return tomllib.loads(paths.profiles_file.read_text())


async def test_keyring_login_saves_profile_and_key(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    creds = site(sandbox)
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        # Keyring works: it is offered, and chosen by default.
        assert app.screen.query_one("#storage-keyring", RadioButton).value
        await log_in(pilot, creds.site_id, creds.api_key, "keyring", name="acme")
        assert isinstance(app.screen, HomeScreen)
        assert app.credentials is not None and app.credentials.profile == "acme"
        status = status_text(app)
        assert "profile acme" in status and f"site {creds.site_id[:8]}…" in status
        # The whole site ID, where the key came from and the key masked: in F1.
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        who = note_text(pilot, "#help-who")
        assert "profile acme" in who and creds.site_id in who and "OS keyring" in who
        assert app.credentials.secret.masked() in who
        await pilot.press("escape")
        assert_not_on_screen(app, creds.api_key)
    assert memory_keyring.get_password("wix-sending", "acme") == creds.api_key
    saved = saved_profiles(paths)
    assert saved["last_used"] == "acme"
    # The app was pointed at the sandbox: the profile keeps the API its key was checked with.
    assert saved["profiles"]["acme"] == {
        "site_id": creds.site_id,
        "auth": "api_key",
        "storage": "keyring",
        "base_url": sandbox.base_url,
    }
    assert_not_in_files(tmp_path, creds.api_key)


async def test_encrypted_file_login_when_there_is_no_keyring(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer, tmp_path: Path
) -> None:
    creds = site(sandbox)
    app = make_app(paths, headless_stores, sandbox)
    async with app.run_test(size=(100, 60)) as pilot:
        await log_in(pilot, creds.site_id, creds.api_key, "encrypted-file")
        assert isinstance(app.screen, HomeScreen), error_of(pilot, "form")
        assert app.credentials is not None and "encrypted file" in app.credentials.source
    secrets = paths.secrets_file
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert stat.S_IMODE(secrets.parent.stat().st_mode) == 0o700
    assert creds.api_key.encode() not in secrets.read_bytes()
    assert saved_profiles(paths)["profiles"]["default"]["storage"] == "encrypted-file"
    assert_not_in_files(tmp_path, creds.api_key)
    # The file really holds the key, behind the passphrase.
    vault = Vault(secrets)
    vault.unlock(PASSPHRASE)
    stored = vault.get("default")
    assert stored is not None and stored.reveal() == creds.api_key


async def test_session_only_login_writes_nothing(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer, tmp_path: Path
) -> None:
    creds = site(sandbox)
    app = make_app(paths, headless_stores, sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await log_in(pilot, creds.site_id, creds.api_key, "session")
        assert isinstance(app.screen, HomeScreen)
        assert app.credentials is not None and "this session only" in app.credentials.source
    assert not paths.profiles_file.exists()
    assert not paths.secrets_file.exists()
    assert_not_in_files(tmp_path, creds.api_key)


async def test_fallbacks_are_offered_when_there_is_no_keyring(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer
) -> None:
    app = make_app(paths, headless_stores, sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        keyring_button = screen.query_one("#storage-keyring", RadioButton)
        assert keyring_button.disabled and not keyring_button.value
        assert "none on this machine" in str(keyring_button.label)
        assert "No OS keyring here (usual over SSH)" in note_text(pilot, "#keyring-hint")
        for fallback in ("encrypted-file", "session"):
            assert not screen.query_one(f"#storage-{fallback}", RadioButton).disabled
        # The best store left is chosen for the user: the encrypted file, whose passphrase
        # submitting then asks for (never "this session only" behind the user's back).
        assert screen.query_one("#storage-encrypted-file", RadioButton).value
        assert not screen.query_one("#storage-session", RadioButton).value
        assert screen.query_one("#vault-fields").display
        await paste_into(pilot, "#site", site(sandbox).site_id)
        await paste_into(pilot, "#key", "IST.some-key-0123456789")
        await pilot.press("enter")
        await settle(pilot)
        assert error_of(pilot, "storage") == ""
        assert "Choose a passphrase" in error_of(pilot, "passphrase")
        assert isinstance(app.screen, LoginScreen)
    assert not paths.profiles_file.exists()


async def test_wrong_key_gets_the_401_message_and_nothing_is_saved(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    wrong = "IST.not-a-real-key-4711-abcdefghijkl"
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(100, 60)) as pilot:
        await log_in(pilot, site(sandbox).site_id, wrong, "keyring")
        assert isinstance(app.screen, LoginScreen)
        message = error_of(pilot, "form")
        # A key Wix does not know is 401 (fact sheet §5.1): advice about the key itself.
        assert "HTTP 401" in message and "The key was not accepted" in message
        assert "API Keys Manager" in message
        assert "Nothing was saved" in message
        assert app.credentials is None
        assert_not_on_screen(app, wrong)
    assert memory_keyring.get_password("wix-sending", "default") is None
    assert not paths.profiles_file.exists()
    assert_not_in_files(tmp_path, wrong)


@pytest.mark.parametrize(
    ("name", "site_id", "key", "field", "words"),
    [
        ("default", "GOOD", "   ", "key", "The API key is empty"),
        ("default", "not-a-guid", "KEY", "site", "is not a Wix site ID"),
        ("acme/evil", "GOOD", "KEY", "name", "cannot be a profile name"),
    ],
    ids=["whitespace-key", "site-not-a-guid", "name-with-slash"],
)
async def test_bad_input_is_reported_inline_and_nothing_is_saved(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
    name: str,
    site_id: str,
    key: str,
    field: str,
    words: str,
) -> None:
    creds = site(sandbox)
    calls: list[Credentials] = []

    def counting_factory(credentials: Credentials) -> WixClient:
        calls.append(credentials)
        return default_client_factory(sandbox.base_url)(credentials)

    site_id = creds.site_id if site_id == "GOOD" else site_id
    key = creds.api_key if key == "KEY" else key
    app = make_app(paths, keyring_stores, sandbox, client_factory=counting_factory)
    async with app.run_test(size=(100, 60)) as pilot:
        await log_in(pilot, site_id, key, "keyring", name=name)
        assert isinstance(app.screen, LoginScreen)
        assert words in error_of(pilot, field)
        others = {"name", "site", "key", "storage", "form"} - {field}
        assert all(error_of(pilot, other) == "" for other in others)
        assert app.screen.focused is app.screen.query_one(f"#{field}")
    assert calls == []  # not even the API check ran
    assert memory_keyring._items == {}
    assert not paths.profiles_file.exists()


async def test_network_failure_says_so(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer
) -> None:
    def unreachable(credentials: Credentials) -> WixClient:
        # Port 9 on loopback (discard) is closed here; no retries keep the test fast.
        auth = ApiKeyAuth(credentials.secret, credentials.site_id)
        return WixClient(auth, base_url="http://127.0.0.1:9", retry=NO_RETRY)

    creds = site(sandbox)
    app = make_app(paths, keyring_stores, sandbox, client_factory=unreachable)
    async with app.run_test(size=(100, 60)) as pilot:
        await log_in(pilot, creds.site_id, creds.api_key, "keyring")
        assert isinstance(app.screen, LoginScreen)
        assert "The network failed" in error_of(pilot, "form")
    assert not paths.profiles_file.exists()


async def test_new_encrypted_file_needs_the_same_passphrase_twice(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer
) -> None:
    creds = site(sandbox)
    app = make_app(paths, headless_stores, sandbox)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await paste_into(pilot, "#site", creds.site_id)
        await paste_into(pilot, "#key", creds.api_key)
        app.screen.query_one("#storage-encrypted-file", RadioButton).value = True
        await pilot.pause()
        await paste_into(pilot, "#passphrase", "short")
        await paste_into(pilot, "#confirm", "shorter")
        await pilot.press("enter")
        await settle(pilot)
        assert "differ" in error_of(pilot, "confirm")
        # Same twice, but too short: the vault's own words.
        await paste_into(pilot, "#confirm", "short")
        await pilot.press("enter")
        await settle(pilot)
        assert "at least 8 characters" in error_of(pilot, "passphrase")
        assert isinstance(app.screen, LoginScreen)
    assert not paths.secrets_file.exists()
    assert not paths.profiles_file.exists()


class AcceptingClient:
    """Stands in for WixClient where the test is about the UI, not the API."""

    async def list_sender_emails_page(self, **kwargs: object) -> None:
        return None

    async def aclose(self) -> None:
        return None


async def test_typed_key_stays_out_of_textuals_debug_log(
    paths: Paths,
    headless_stores: SecretStores,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Textual writes every self.log call and every dispatched message to TEXTUAL_LOG.
    textual_log = tmp_path / "textual.log"
    monkeypatch.setattr(textual.constants, "LOG_FILE", str(textual_log))
    key = "IST.typed-key-4711"
    app = make_app(paths, headless_stores, sandbox, client_factory=lambda c: AcceptingClient())
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        await paste_into(pilot, "#site", site(sandbox).site_id)
        await type_into(pilot, "#key", key)
        app.screen.query_one("#storage-session", RadioButton).value = True
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("debug log is on" in n.message for n in app.notice_log)
        assert_not_on_screen(app, key)
    assert textual_log.stat().st_size > 0
    assert key not in textual_log.read_text()
    assert_not_in_files(tmp_path, key)


async def test_tab_walks_the_form_in_order(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer
) -> None:
    app = make_app(paths, headless_stores, sandbox)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        app.screen.query_one("#storage-encrypted-file", RadioButton).value = True
        app.screen.query_one("#name").focus()
        await pilot.pause()
        order = []
        for _ in range(7):
            order.append(app.screen.focused.id if app.screen.focused else None)
            await pilot.press("tab")
        assert order == ["name", "site", "key", "storage", "passphrase", "confirm", "submit"]


class SlowKeyring(MemoryKeyring):
    """A Secret Service that answers only when the test lets it (no timing assumptions)."""

    def __init__(self) -> None:
        super().__init__()
        self.answer = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.answer.wait(timeout=30)  # a D-Bus round trip to a slow Secret Service
        return super().get_password(service, username)


async def test_the_form_paints_while_the_keyring_is_probed(
    paths: Paths, sandbox: SandboxServer
) -> None:
    keyring = SlowKeyring()
    app = make_app(paths, stores_with(paths, keyring), sandbox)
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        button = app.screen.query_one("#storage-keyring", RadioButton)
        assert button.disabled and "checking" in str(button.label)
        keyring.answer.set()
        await settle(pilot)
        assert not button.disabled and button.value


async def test_login_on_a_read_only_folder_says_so_and_keeps_no_key(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.store.disk import make_read_only, restore

    paths.config_dir.mkdir(parents=True)
    make_read_only(paths.config_dir, monkeypatch)
    creds = site(sandbox)
    app = make_app(paths, keyring_stores, sandbox)
    try:
        async with app.run_test(size=(100, 60)) as pilot:
            await log_in(pilot, creds.site_id, creds.api_key, "keyring", name="acme")
            assert isinstance(app.screen, LoginScreen)
            message = error_of(pilot, "form")
            assert f"{paths.config_dir} is read-only" in message
            assert "WIX_SENDING_HOME" in message and "Nothing was saved" in message
            assert app.credentials is None
    finally:
        restore(paths.config_dir)
    assert memory_keyring._items == {}  # no key without a profile
    assert not paths.profiles_file.exists()


async def test_login_over_a_damaged_profiles_file_keeps_it_and_says_so(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer
) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.profiles_file.write_text("[profiles.acme\nsite_id = ")  # a torn hand edit
    creds = site(sandbox)
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(100, 60)) as pilot:
        await log_in(pilot, creds.site_id, creds.api_key, "keyring", name="acme")
        assert isinstance(app.screen, HomeScreen)
        kept = list(paths.config_dir.glob("profiles.toml.corrupt-*"))
        assert len(kept) == 1 and kept[0].name in messages(app)
    assert kept[0].read_text() == "[profiles.acme\nsite_id = "
    assert "acme" in saved_profiles(paths)["profiles"]


def test_run_app_refuses_a_plain_http_base_url(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_app(paths, given=Endpoint("http://wix.example.com", "--wix-base-url")) == 2
    assert "Refusing" in capsys.readouterr().err
