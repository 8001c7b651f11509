"""The chrome around the panes at 80x24: one status line (who, the sandbox and its world time,
the connection), a footer that keeps F1, q and the palette's key, and F1 help and the command
palette that list the app's own keys once each, as remapped."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from tests.support import SandboxControl
from tests.ui.conftest import note_text, settle, signed_in_app, status_text
from tui.app import WixSendingApp
from tui.clock import ManualClock, ScaledClock
from tui.sandbox import SandboxServer
from tui.screens.help import HelpScreen
from tui.screens.senders import SendersPane
from tui.store.config import Config
from tui.store.credentials import Credentials, SecretStores
from tui.store.paths import Paths
from tui.widgets.footer import KeysFooter
from tui.widgets.status import Part, fit_parts, status_parts

SIZE = (80, 24)
# Keys and names of Textual's own bindings and commands, which must not be listed as ours.
TEXTUAL_INTERNALS = (
    "Cursor up",
    "Cursor down",
    "Page Left",
    "Page up",
    "Scroll Up",
    "Home",
    "End",
    "Focus Next",
    "Copy selected text",
    "Theme",
    "Screenshot",
    "Keys",
    "Maximize",
)


@pytest.fixture
def server(sandbox_server: SandboxServer, control: SandboxControl) -> Iterator[SandboxServer]:
    yield sandbox_server


def screen_lines(app: WixSendingApp) -> list[str]:
    """What the active screen paints, one string per row (Textual 8.2.8's compositor: private
    API, re-check on upgrades)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def wait_for(pilot: Pilot[object], condition: Callable[[], object]) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never got there")


async def main_screen_ready(pilot: Pilot[object]) -> WixSendingApp:
    app = pilot.app
    assert isinstance(app, WixSendingApp)
    await settle(pilot)
    await wait_for(pilot, lambda: app.home.query(SendersPane))
    pane = app.home.query_one(SendersPane)
    await wait_for(pilot, lambda: app.focused is pane.emails_table)
    await settle(pilot)
    return app


def footer_line(app: WixSendingApp) -> str:
    return screen_lines(app)[-1]


async def palette_entries(pilot: Pilot[object], key: str = "ctrl+p") -> list[tuple[str, str]]:
    """Open the palette with ``key`` and read its entries: (title, help)."""
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    commands = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: commands.option_count > 0)
    await pilot.pause(0.2)  # every provider has answered
    options = [commands.get_option_at_index(i) for i in range(commands.option_count)]
    return [(str(o.hit.text), str(o.hit.help)) for o in options]  # type: ignore[attr-defined]


# --- the status line ---------------------------------------------------------------------------


def credentials(profile: str = "acme") -> Credentials:
    from tui.secret import Secret

    return Credentials(
        profile=profile,
        site_id="9ff1b430-510e-4272-a868-1a47ca3c86d7",
        secret=Secret("IST.not-a-real-key-0000"),
        source="the OS keyring",
    )


def test_the_sandbox_badge_carries_the_world_time_labelled_when_it_is_not_real_time() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    fast = [p.text for p in status_parts(credentials(), "● online", ScaledClock(60, start=start))]
    assert fast[:3] == ["profile acme", "site 9ff1b430…", "SANDBOX 60x"]
    assert fast[3].startswith("world ") and fast[4] == "● online"
    real = [p.text for p in status_parts(credentials(), "● online", ManualClock(start))]
    assert real[2] == "SANDBOX" and not real[3].startswith("world")
    # Real use: no badge and no clock; nobody signed in says so.
    assert [p.text for p in status_parts(None, "● ready", None)] == ["not signed in", "● ready"]


def test_a_short_line_drops_the_world_time_then_the_site_never_who_or_the_connection() -> None:
    clock = ScaledClock(60, start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    problem = "⚠ Wix cannot be reached; retrying in 8 s"
    parts = status_parts(credentials(), problem, clock)
    full = " · ".join(p.text for p in parts)

    def shown(width: int) -> list[str]:
        return [p.text for p in fit_parts(parts, width)]

    assert shown(len(full)) == [p.text for p in parts]
    assert [t for t in shown(len(full) - 1) if t.startswith("world")] == []
    assert shown(70) == ["profile acme", "SANDBOX 60x", problem]
    assert shown(60) == ["profile acme", problem]
    assert shown(40) == [problem]  # what is wrong comes before everything else
    assert fit_parts([Part("x" * 90, 0)], 10) == [Part("x" * 90, 0)]  # never empty


async def test_the_main_screen_says_who_once_and_gives_the_rows_to_the_work(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await main_screen_ready(pilot)
        assert app.credentials is not None
        profile, site_id = app.credentials.profile, app.credentials.site_id
        lines = screen_lines(app)
        top = lines[0]
        assert f"profile {profile}" in top and f"site {site_id[:8]}…" in top
        assert "SANDBOX" in top and "● online" in top
        screen = "\n".join(lines)
        assert screen.count(f"profile {profile}") == 1
        assert screen.count(site_id[:8]) == 1
        assert app.credentials.secret.masked() not in screen  # in F1 and About
        # Status, the next step, then the tabs: the pane starts on the fifth row.
        assert lines[1].strip().startswith("Next:")
        assert "1 Senders" in lines[2] and "2 Domains" in lines[2]


async def test_the_world_time_moves_with_the_sandbox_clock(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.time_scale(60)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await main_screen_ready(pilot)
        before = status_text(app)
        assert "SANDBOX 60x" in before and " · world " in before
        control.advance(3 * 3600)
        await wait_for(pilot, lambda: status_text(app) != before)
        assert "SANDBOX 60x" in status_text(app)


# --- the footer ----------------------------------------------------------------------------------


async def test_the_footer_keeps_f1_the_palette_and_quit_at_80_columns(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await main_screen_ready(pilot)
        line = footer_line(app)
        assert line.rstrip().endswith("f1 Help  q Quit  ^p Palette"), line
        # The pane's keys first, in the journey's order, each whole.
        assert line.startswith(" a Add address  v Verify  c Create sender "), line
        footer = app.home.query_one(KeysFooter)
        for key in footer.query("FooterKey"):
            assert key.region.right <= SIZE[0]
        await pilot.press("2")
        await wait_for(pilot, lambda: app.home.query_one(TabbedContent).active == "domains")
        await settle(pilot)
        line = footer_line(app)
        assert line.startswith(" h Publish  t Authenticate  v Records/grid "), line
        assert line.rstrip().endswith("f1 Help  q Quit  ^p Palette"), line


async def test_a_wider_footer_shows_more_of_the_panes_keys(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=(120, 30)) as pilot:
        await main_screen_ready(pilot)
        line = footer_line(app)
        assert "c Create sender  d Delete  r Refresh" in line, line
        assert line.rstrip().endswith("f1 Help  q Quit  ^p Palette"), line


# --- F1 and the palette -----------------------------------------------------------------------


def columns(lines: list[str]) -> list[tuple[str, str]]:
    """A help column's lines under its heading as (keys, what they do)."""
    split = [re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in lines[1:]]
    return [(parts[0], parts[1]) for parts in split]


async def test_help_lists_the_apps_own_keys_once_and_who_is_signed_in(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await main_screen_ready(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert app.credentials is not None
        who = note_text(pilot, "#help-who")
        assert app.credentials.site_id in who and app.credentials.secret.masked() in who
        pane = note_text(pilot, ".help-keys-0").splitlines()
        everywhere = note_text(pilot, ".help-keys-1").splitlines()
        assert pane[0] == "Keys in this pane" and everywhere[0] == "Keys everywhere"
        assert [keys for keys, _ in columns(pane)] == ["a", "v", "c", "d", "r", "g"]
        listed = [what for _, what in columns(pane) + columns(everywhere)]
        assert "Quit" in listed and "About" in listed and "Log out" in listed
        assert "or ^q  Quit" in "\n".join(everywhere)  # q and ctrl+q: one action, one line
        assert len(listed) == len(set(listed)), listed
        for internal in TEXTUAL_INTERNALS:
            assert internal not in listed


async def test_the_palette_lists_the_apps_own_actions_once(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await main_screen_ready(pilot)
        entries = await palette_entries(pilot)
        titles = [title for title, _ in entries]
        assert len(titles) == len(set(titles)), titles
        assert titles[:3] == ["Add address", "Verify", "Create sender"]  # the pane's first
        for wanted in ("Switch profile", "Add profile", "Log out", "About", "Quit", "Domains"):
            assert wanted in titles
        for internal in TEXTUAL_INTERNALS:
            assert internal not in titles
        helps = dict(entries)
        assert helps["Add address"] == "key: a"
        assert helps["Quit"].startswith("key: q or ^q")
        assert len(entries) < 20


async def test_remapped_keys_show_in_the_footer_help_and_palette(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer
) -> None:
    keymap = {"senders-add": "f6", "about": "f9", "command-palette": "ctrl+o", "help": "f4"}
    app = signed_in_app(paths, keyring_stores, server, config=Config(keymap=keymap))
    async with app.run_test(size=SIZE) as pilot:
        await main_screen_ready(pilot)
        line = footer_line(app)
        assert line.startswith(" f6 Add address "), line
        assert line.rstrip().endswith("f4 Help  q Quit  ^o Palette"), line
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert ("f6", "Add address") in columns(note_text(pilot, ".help-keys-0").splitlines())
        everywhere = columns(note_text(pilot, ".help-keys-1").splitlines())
        assert ("f9", "About") in everywhere and ("^o", "Palette") in everywhere
        assert ("i", "About") not in everywhere
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.home)
        helps = dict(await palette_entries(pilot, "ctrl+o"))
        assert helps["Add address"] == "key: f6"
        assert helps["About"].startswith("key: f9")
