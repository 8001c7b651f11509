"""The About screen, and the config's theme and keymap applied to the app."""

from __future__ import annotations

import platform
from importlib.metadata import version

import pytest

from tests.conftest import site
from tests.ui.conftest import messages, save_profile, settle
from tui import __version__
from tui.launch import build_app
from tui.sandbox import SandboxServer
from tui.screens.about import AboutScreen, about_rows
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen
from tui.store.config import Config
from tui.store.credentials import SecretStores
from tui.store.keyring_store import MemoryKeyring
from tui.store.paths import Paths
from tui.store.profiles import Profile
from tui.widgets.email_form import AddEmailForm


@pytest.fixture
def signed_in(paths: Paths, memory_keyring: MemoryKeyring, sandbox: SandboxServer) -> None:
    creds = site(sandbox)
    memory_keyring.set_password("wix-sending", "acme", creds.api_key)
    save_profile(paths, Profile("acme", creds.site_id))


async def test_about_shows_files_keyring_source_versions_and_terminal(
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox: SandboxServer,
    signed_in: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")
    app = build_app(paths=paths, stores=keyring_stores, base_url=sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AboutScreen)
        rows = dict(about_rows(screen.facts, screen.keyring))
        assert rows["Config file"] == f"{paths.config_file} (not created yet)"
        assert rows["Profiles file"] == str(paths.profiles_file)
        assert rows["State file"] == f"{paths.state_file} (not created yet)"
        assert rows["Log file"].startswith(str(paths.log_file))
        assert rows["Encrypted file"] == f"{paths.secrets_file} (not created yet)"
        assert rows["OS keyring"] == "in memory, nothing written: works"
        assert rows["Key in use"].startswith("profile acme: the OS keyring")
        assert app.credentials is not None
        assert f"(masked: {app.credentials.secret.masked()})" in rows["Key in use"]
        assert rows["Site"] == app.credentials.site_id
        assert rows["wix-sending"] == __version__
        assert rows["Textual"] == version("textual")
        assert rows["Python"] == platform.python_version()
        assert rows["TERM"] == "xterm-256color" and rows["COLORTERM"] == "truecolor"
        assert rows["SSH_CONNECTION"] == "set (over SSH)"  # the addresses are not shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_about_from_the_palette_without_a_keyring(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer
) -> None:
    app = build_app(paths=paths, stores=headless_stores, base_url=sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("ctrl+p", *"about")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AboutScreen)
        rows = dict(about_rows(screen.facts, screen.keyring))
        assert rows["OS keyring"].startswith("none found (unavailable): no OS keyring")
        assert rows["Key in use"] == "not signed in"


async def test_config_theme_and_keymap_are_applied(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer, signed_in: None
) -> None:
    config = Config(theme="nord", keymap={"about": "f9"})
    app = build_app(paths=paths, stores=keyring_stores, base_url=sandbox.base_url, config=config)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, AboutScreen)


async def test_unknown_theme_and_binding_id_are_reported(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer, signed_in: None
) -> None:
    config = Config(theme="no-such-theme", keymap={"no-such-binding": "f9"})
    app = build_app(
        paths=paths,
        stores=keyring_stores,
        base_url=sandbox.base_url,
        config=config,
        notices=["config.toml, line 3: something was wrong"],
    )
    async with app.run_test() as pilot:
        await settle(pilot)
        said = messages(app)
        assert "Unknown theme 'no-such-theme'" in said
        assert "no-such-binding" in said and "switch-profile" in said
        assert "config.toml, line 3" in said
        assert isinstance(app.screen, HomeScreen)


async def test_a_keymap_entry_that_would_share_a_key_is_left_out(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer, signed_in: None
) -> None:
    # "quit" on a would also be the Senders pane's "add": a press of a would quit the app.
    config = Config(keymap={"quit": "a", "about": "f9"})
    app = build_app(paths=paths, stores=keyring_stores, base_url=sandbox.base_url, config=config)
    async with app.run_test() as pilot:
        await settle(pilot)
        said = messages(app)
        assert "quit = 'a' would share a with senders-add in the Senders pane" in said
        assert "left out" in said
        await pilot.press("a")  # still "add an address"
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, HomeScreen)
        assert app.home.query_one(AddEmailForm).display
        await pilot.press("escape", "f9")  # the entry without a conflict is applied
        await pilot.pause()
        assert isinstance(app.screen, AboutScreen)


async def test_the_app_talks_to_the_profiles_api_and_about_says_which(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
) -> None:
    """`wix-sending` after `wix-sending login --wix-base-url <sandbox>`: no URL given at launch,
    the profile's own is used (Wix's would refuse the sandbox key), and About shows it."""
    creds = site(sandbox)
    memory_keyring.set_password("wix-sending", "sandbox", creds.api_key)
    save_profile(paths, Profile("sandbox", creds.site_id, base_url=sandbox.base_url))
    app = build_app(paths=paths, stores=keyring_stores)  # as run_app with nothing given
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None and app.session.client.base_url == sandbox.base_url
        # The session's client reaches the sandbox, which accepts the key.
        await app.session.client.list_sender_emails_page(limit=1)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, AboutScreen)
        rows = dict(about_rows(app.screen.facts, app.screen.keyring))
        assert rows["Wix API"] == f"{sandbox.base_url} (profile sandbox)"


async def test_a_base_url_given_at_launch_wins_over_the_profiles(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
) -> None:
    creds = site(sandbox)
    memory_keyring.set_password("wix-sending", "acme", creds.api_key)
    # The profile says Wix's own API; --wix-base-url (or WIX_BASE_URL) sends it to the sandbox.
    save_profile(paths, Profile("acme", creds.site_id))
    app = build_app(
        paths=paths, stores=keyring_stores, base_url=sandbox.base_url, base_url_from="WIX_BASE_URL"
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.session is not None and app.session.client.base_url == sandbox.base_url
        await pilot.press("i")
        await settle(pilot)
        rows = dict(about_rows(app.screen.facts, app.screen.keyring))  # type: ignore[attr-defined]
        assert rows["Wix API"] == f"{sandbox.base_url} (WIX_BASE_URL)"
