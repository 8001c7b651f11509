"""Appearance of the login form's storage choice and of About, at 80x24 (and the other
variants): the storage choice as ◉/○, and About's paths whole (folded, never cut with "…").

About is shown with fixed facts (a home under /home/ana, fixed versions, no keyring), so the
picture does not depend on the machine or the temporary directory the test runs in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keyring.backends.fail
import pytest
from textual.pilot import Pilot

from tests.snapshots.support import Variant, demo_app, settle, wait_for
from tui.sandbox import SandboxServer
from tui.screens import about
from tui.screens.about import AboutFacts, AboutScreen
from tui.store.credentials import SecretStores
from tui.store.keyring_store import KeyringStore
from tui.store.paths import Paths

Snap = Callable[..., bool]
Sandbox = Callable[[str], SandboxServer]

# Long enough that every path is wider than About's value column at 80 columns.
HOME = Path("/home/ana-maria-rodrigues-de-oliveira")
FIXED_PATHS = Paths(
    HOME / ".config/wix-sending",
    HOME / ".local/share/wix-sending",
    HOME / ".local/state/wix-sending",
    HOME / ".local/state/wix-sending/log",
)


@pytest.fixture
def fixed_facts(monkeypatch: pytest.MonkeyPatch) -> AboutFacts:
    monkeypatch.setattr(about, "__version__", "0.0.0")
    monkeypatch.setattr(about, "_package_version", lambda name: "8.0.0")
    monkeypatch.setattr(about.platform, "python_version", lambda: "3.11.0")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
    stores = SecretStores(FIXED_PATHS, KeyringStore(backend=keyring.backends.fail.Keyring()))
    return AboutFacts(
        stores,
        FIXED_PATHS.config_file,
        None,
        api="https://www.wixapis.com (Wix's own API)",
    )


def test_about(
    snap_compare: Snap,
    variant: Variant,
    tmp_path: Path,
    sandbox: Sandbox,
    fixed_facts: AboutFacts,
) -> None:
    app = demo_app(tmp_path, sandbox("fresh"))

    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        app.push_screen(AboutScreen(fixed_facts))
        await wait_for(pilot, lambda: isinstance(app.screen, AboutScreen))
        screen = app.screen
        assert isinstance(screen, AboutScreen)
        await wait_for(pilot, lambda: screen.keyring is not None)
        await settle(pilot)
        app.clear_notifications()
        await settle(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)
