"""The command palette (ctrl+p): the app's own actions, the same ones its keys run.

One entry per action that a key of the app's own (a binding with an id) runs on the screen under
the palette, with that key as the config's [keymap] left it; then the session's actions (About,
Switch profile, Log out...) where that screen has no key for them (the login form, About), so
they are reachable from anywhere. Textual's own commands and keys (themes, screenshots, the
cursor keys, "Page Left") are not listed: the palette is for the journey, not for the toolkit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.screens.keymap import live_keys

# Not listed: opening the palette from the palette.
_NOT_LISTED = frozenset({"command_palette", "app.command_palette"})


@dataclass(frozen=True)
class Entry:
    title: str
    help: str
    run: Callable[[], Any]


def _help(keys: str, tooltip: str) -> str:
    return f"key: {keys} — {tooltip}" if tooltip else f"key: {keys}"


def palette_entries(provider: Provider) -> list[Entry]:
    """What the palette offers on ``provider.screen``, in order (the pane's actions first)."""
    app = provider.app
    screen = provider.screen
    entries: list[Entry] = []
    app_actions: set[str] = set()
    for key in live_keys(screen):
        if not key.enabled or key.action in _NOT_LISTED:
            continue
        if key.action.startswith("app.") or key.node is app:
            app_actions.add(key.action.removeprefix("app."))

        def run(action: str = key.action, node: Any = key.node) -> Any:
            return app.run_action(action, node)

        entries.append(Entry(key.description, _help(" or ".join(key.keys), key.tooltip), run))
    keymap = _applied_keymap(app)
    for binding in session_bindings():
        action = binding.action.removeprefix("app.")
        if action in app_actions:
            continue
        keys = keymap.get(binding.id or "", binding.key).split(",")
        shown = " or ".join(app.get_key_display(binding.with_key(k.strip())) for k in keys)

        def run_app(action: str = binding.action) -> Any:
            return app.run_action(action)

        where = f"{shown} on the main screen"
        entries.append(Entry(binding.description, _help(where, binding.tooltip or ""), run_app))
    return entries


def _applied_keymap(app: object) -> Mapping[str, str]:
    from tui.app import WixSendingApp  # here: tui.app imports this module

    return app.applied_keymap if isinstance(app, WixSendingApp) else {}


def session_bindings() -> list[Any]:
    """The main screen's keys that act on the app (profiles, About, quit), which the palette
    offers on every screen. Imported here: the home screen's module imports the panes'."""
    from textual.binding import Binding

    from tui.screens.home import HomeScreen

    return [
        binding
        for binding in HomeScreen.BINDINGS
        if isinstance(binding, Binding) and binding.id and binding.action.startswith("app.")
    ]


class AppCommands(Provider):
    async def discover(self) -> Hits:
        for entry in palette_entries(self):
            yield DiscoveryHit(entry.title, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in palette_entries(self):
            score = matcher.match(entry.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(entry.title),
                    entry.run,
                    text=entry.title,
                    help=entry.help,
                )
