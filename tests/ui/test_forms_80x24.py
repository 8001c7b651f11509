"""The login form and About at 80x24, the size users have over SSH: everything on screen
without scrolling, a storage choice readable without colour, a default chosen, the focus on
the first field, and human names (never a module path) for every store and backend."""

from __future__ import annotations

import re

import keyring.backends.fail
import pytest
from textual.containers import VerticalScroll
from textual.widgets import Button, RadioButton

from tests.ui.conftest import make_app, settle, stores_with
from tui.sandbox import SandboxServer
from tui.screens.about import AboutScreen
from tui.screens.login import LoginScreen
from tui.store.credentials import SecretStores
from tui.store.keyring_store import FRIENDLY_NAMES, KeyringStore, friendly_name
from tui.store.paths import Paths
from tui.widgets.fields import MarkedRadioButton

SIZE = (80, 24)


def screen_text(app) -> str:
    """What the terminal shows, as plain text, one line per row."""
    strips = app.screen._compositor.render_strips()  # no public way to read the screen
    return "\n".join(strip.text for strip in strips)


def on_screen(app, widget) -> bool:
    """The whole widget inside the terminal (not below the fold)."""
    region = widget.region
    return region.height > 0 and region.bottom <= app.size.height - 1  # the footer's row


def marker(button: RadioButton) -> str:
    return str(button.render()).strip()[0]


async def test_login_form_fits_80x24_with_the_keyring(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer
) -> None:
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        # The focus starts on the first field.
        assert app.focused is screen.query_one("#name")
        # The OS keyring works: it is the default, and says which one, by its human name.
        keyring_button = screen.query_one("#storage-keyring", RadioButton)
        assert keyring_button.value
        assert "(in memory, nothing written)" in str(keyring_button.label)
        form = screen.query_one("#login-form", VerticalScroll)
        assert form.max_scroll_y == 0
        for widget in ("#name", "#site", "#key", "#storage", "#submit"):
            assert on_screen(app, screen.query_one(widget)), widget


async def test_login_form_fits_80x24_without_a_keyring(
    paths: Paths, headless_stores: SecretStores, sandbox: SandboxServer
) -> None:
    """The SSH case: no keyring, so the encrypted file is chosen and its two passphrase
    fields show too; still no scrolling, and the buttons are on screen."""
    app = make_app(paths, headless_stores, sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        assert app.focused is screen.query_one("#name")
        assert screen.query_one("#storage-encrypted-file", RadioButton).value
        assert screen.query_one("#vault-fields").display
        form = screen.query_one("#login-form", VerticalScroll)
        assert form.max_scroll_y == 0
        for widget in ("#passphrase", "#confirm", "#submit"):
            assert on_screen(app, screen.query_one(widget)), widget
        text = screen_text(app)
        assert "fail.Keyring" not in text and "keyring.backends" not in text
        assert "OS keyring (none on this machine)" in text


async def test_the_storage_choice_shows_without_colour(
    monkeypatch: pytest.MonkeyPatch,
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox: SandboxServer,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # read when the app is built
    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        buttons = {b.id: b for b in screen.query(MarkedRadioButton)}
        assert set(buttons) == {"storage-keyring", "storage-encrypted-file", "storage-session"}
        assert [marker(b) for b in buttons.values()] == ["◉", "○", "○"]
        assert "◉ OS keyring" in screen_text(app)
        # Choosing another one moves the marker: by keys, as a user does.
        screen.query_one("#storage").focus()
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert buttons["storage-session"].value
        assert [marker(b) for b in buttons.values()] == ["○", "○", "◉"]
        assert "◉ This session only" in screen_text(app)


async def test_a_prefilled_profile_starts_at_the_key(
    paths: Paths, keyring_stores: SecretStores, sandbox: SandboxServer
) -> None:
    from tui.store.profiles import Profile, Storage

    app = make_app(paths, keyring_stores, sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        profile = Profile("acme", "0b5f0c0e-1d3e-4b7a-9a6f-2f3a4b5c6d7e", storage=Storage.SESSION)
        screen.prefill(profile, "The key of profile acme is missing: enter it again.")
        await settle(pilot)
        assert app.focused is screen.query_one("#key")
        assert screen.query_one("#storage-session", RadioButton).value
        assert screen.query_one("#submit", Button).region.bottom <= SIZE[1] - 1


def test_every_backend_has_a_human_name() -> None:
    for backend_id, name in FRIENDLY_NAMES.items():
        # No dotted module path, whole or in part ("fail.Keyring").
        assert not re.search(r"\w\.\w", name.replace("e.g.", "")), backend_id
    assert friendly_name(keyring.backends.fail.Keyring()) == "none found"

    class Plugin:  # a backend this app does not know
        pass

    assert friendly_name(Plugin()) == "another keyring backend"
    status = KeyringStore(backend=keyring.backends.fail.Keyring()).status()
    assert status.backend == "none found"
    assert status.backend_id == "keyring.backends.fail.Keyring"  # for logs and --json only


async def test_about_shows_its_paths_whole_at_80x24(
    paths: Paths, sandbox: SandboxServer, tmp_path
) -> None:
    # A long home: every path is longer than the value column at 80 columns.
    deep = tmp_path / ("a-rather-long-folder-name-" * 3) / "home"
    long_paths = Paths(deep / "config", deep / "data", deep / "state", deep / "logs")
    stores = stores_with(long_paths, keyring.backends.fail.Keyring())
    app = make_app(long_paths, stores, sandbox)
    # 80 columns (what cuts a path is the width); tall enough that no scrollbar takes a column
    # and every row is read at once.
    async with app.run_test(size=(80, 50)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"about")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AboutScreen)
        assert app.screen.query_one("#about-body", VerticalScroll).max_scroll_y == 0
        lines = screen_text(app).splitlines()
        text = "".join(line.strip() for line in lines)
        assert "…" not in "\n".join(lines)
        for path in (long_paths.profiles_file, long_paths.state_file, long_paths.secrets_file):
            assert str(path) in text, path
        assert "fail.Keyring" not in text and "none found (unavailable)" in text
