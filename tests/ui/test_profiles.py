"""Switching profiles (key and palette) and logging out."""

from __future__ import annotations

from textual.widgets import Input

from tests.conftest import site
from tests.ui.conftest import make_app, messages, save_profile, settle, status_text
from tui.sandbox import SandboxServer
from tui.screens.confirm import ConfirmScreen
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen
from tui.screens.profiles import ProfilesScreen
from tui.store import profiles as profile_store
from tui.store.credentials import SecretStores
from tui.store.keyring_store import MemoryKeyring
from tui.store.paths import Paths
from tui.store.profiles import Profile, Profiles


async def test_switch_profile(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
) -> None:
    creds = site(sandbox)
    beta_site = "c993128b-26be-41cd-9fcd-904abe23462f"
    memory_keyring.set_password("wix-sending", "acme", creds.api_key)
    memory_keyring.set_password("wix-sending", "beta", "IST.beta-key-0000000000")
    profiles = Profiles(
        {"acme": Profile("acme", creds.site_id), "beta": Profile("beta", beta_site)}, "acme"
    )
    profile_store.save(paths.profiles_file, profiles)
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        assert app.credentials is not None and app.credentials.profile == "acme"
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProfilesScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.credentials is not None and app.credentials.profile == "beta"
        assert f"profile beta · site {beta_site[:8]}…" in status_text(app)
        assert "beta" in app.sub_title
    assert profile_store.load(paths.profiles_file).last_used == "beta"


async def test_switch_profile_from_the_command_palette(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
) -> None:
    creds = site(sandbox)
    memory_keyring.set_password("wix-sending", "acme", creds.api_key)
    save_profile(paths, Profile("acme", creds.site_id))
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"switch")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProfilesScreen)


async def test_logout_deletes_the_key_and_the_profile(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
) -> None:
    creds = site(sandbox)
    memory_keyring.set_password("wix-sending", "acme", creds.api_key)
    save_profile(paths, Profile("acme", creds.site_id))
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(110, 50)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # declining keeps everything
        await settle(pilot)
        assert memory_keyring.get_password("wix-sending", "acme") == creds.api_key
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.credentials is None
        assert "Logged out of acme" in messages(app)
    assert memory_keyring.get_password("wix-sending", "acme") is None
    assert profile_store.load(paths.profiles_file).profiles == {}


async def test_add_profile_can_be_cancelled_with_escape(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
) -> None:
    creds = site(sandbox)
    memory_keyring.set_password("wix-sending", "acme", creds.api_key)
    save_profile(paths, Profile("acme", creds.site_id))
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(110, 50)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#name", Input).value == "default"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.credentials is not None and app.credentials.profile == "acme"


async def test_another_profile_can_be_picked_from_the_login_form(
    paths: Paths,
    keyring_stores: SecretStores,
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
) -> None:
    # acme's key is gone from the keyring; beta's is there.
    memory_keyring.set_password("wix-sending", "beta", "IST.beta-key-0000000000")
    profiles = Profiles(
        {
            "acme": Profile("acme", site(sandbox).site_id),
            "beta": Profile("beta", "c993128b-26be-41cd-9fcd-904abe23462f"),
        },
        "acme",
    )
    profile_store.save(paths.profiles_file, profiles)
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=(110, 50)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ProfilesScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 1
        assert app.credentials is not None and app.credentials.profile == "beta"
