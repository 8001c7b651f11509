"""Fixtures for the Pilot tests: a temporary home for every file, keyrings that are in memory
or absent, and helpers to type into the app like a user does."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import keyring.backends.fail
import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from tui.app import WixSendingApp
from tui.demo import SandboxLink
from tui.launch import build_app, demo_app
from tui.sandbox import SandboxServer
from tui.services import ClientFactory
from tui.store import profiles as profile_store
from tui.store.config import Config
from tui.store.credentials import SecretStores
from tui.store.keyring_store import KeyringStore, MemoryKeyring
from tui.store.paths import Paths, app_paths
from tui.store.profiles import Profile, Profiles
from tui.widgets.fields import ErrorLine, Note
from tui.widgets.status import StatusLine

PASSPHRASE = "hunter2-ok"


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """Every file of the app under tmp_path; no stray environment credentials."""
    monkeypatch.setenv("WIX_SENDING_HOME", str(tmp_path))
    for name in ("WIX_SENDING_CONFIG", "WIX_API_KEY", "WIX_SITE_ID"):
        monkeypatch.delenv(name, raising=False)
    return app_paths()


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


def stores_with(paths: Paths, backend: object) -> SecretStores:
    return SecretStores(paths, KeyringStore(backend=backend, timeout=2.0))


@pytest.fixture
def keyring_stores(paths: Paths, memory_keyring: MemoryKeyring) -> SecretStores:
    return stores_with(paths, memory_keyring)


@pytest.fixture
def headless_stores(paths: Paths) -> SecretStores:
    """What a server over SSH has: no OS keyring at all."""
    return stores_with(paths, keyring.backends.fail.Keyring())


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    yield sandbox_server


def make_app(
    paths: Paths,
    stores: SecretStores,
    sandbox: SandboxServer,
    client_factory: ClientFactory | None = None,
) -> WixSendingApp:
    return build_app(paths, stores=stores, base_url=sandbox.base_url, client_factory=client_factory)


async def settle(pilot: Pilot[object]) -> None:
    """Until no worker runs (a worker's result can start the next one). A worker cancelled
    while waited for (an exclusive one replaced by the next, as the sign-in's second load
    replaces the first) is no failure: the loop waits for its successor."""
    for _ in range(20):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            return


async def type_into(pilot: Pilot[object], selector: str, text: str) -> None:
    """Focus a field, clear it, and type ``text`` key by key."""
    await _focus_empty(pilot, selector)
    await pilot.press(*text)


async def paste_into(pilot: Pilot[object], selector: str, text: str) -> None:
    """Focus a field, clear it, and paste ``text`` as the terminal does (bracketed paste):
    how keys and site IDs really arrive, and much faster than a key press per character."""
    await _focus_empty(pilot, selector)
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def _focus_empty(pilot: Pilot[object], selector: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.pause()


def save_profile(paths: Paths, profile: Profile) -> None:
    """profiles.toml with this one profile, last used."""
    profile_store.save(paths.profiles_file, Profiles({profile.name: profile}, profile.name))


def messages(app: WixSendingApp) -> str:
    """Every notice raised so far (toasts last seconds, and over a modal there are none: the
    app's notice log keeps each one's full text), one per line."""
    return "\n".join(n.message for n in app.notice_log)


def error_of(pilot: Pilot[object], field: str) -> str:
    return pilot.app.screen.query_one(f"#{field}-error", ErrorLine).message


def note_text(pilot: Pilot[object], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Note).content)


def status_text(app: WixSendingApp) -> str:
    """The main screen's status line (profile · site · SANDBOX · connection) as shown."""
    return app.home.query_one(StatusLine).text


def assert_not_in_files(root: Path, secret: str) -> None:
    """No file under the app's folders holds the secret in clear."""
    for path in root.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), f"{path} holds the key"


def assert_not_on_screen(app: WixSendingApp, secret: str) -> None:
    """Not in the title, the header, any notification, nor anything painted."""
    assert secret not in app.title and secret not in app.sub_title
    for notification in app._notifications:
        assert secret not in notification.message
        assert secret not in (notification.title or "")
    assert secret not in app.export_screenshot()


def signed_in_app(
    paths: Paths, stores: SecretStores, server: SandboxServer, *, config: Config | None = None
) -> WixSendingApp:
    """As ``run_demo`` builds it: signed in to the sandbox's site, on its clock and DNS."""
    return demo_app(
        paths,
        SandboxLink.from_server(server),
        server.credentials[0],
        clock=server.clock,
        scenario="test",
        stores=stores,
        config=config,
    )
