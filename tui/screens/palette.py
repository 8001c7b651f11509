"""The command palette's entries for the session: the same app actions the keys run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (title, help, app action): every entry is also a key on the home screen.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Switch profile", "Use another saved profile (another site)", "switch_profile"),
    ("Add profile (log in)", "Log in to a site with its ID and an API key", "add_profile"),
    ("Log out", "Delete the current profile and its stored key", "logout"),
    ("About", "Where the files live, the keyring in use, versions, terminal", "about"),
)


class SessionCommands(Provider):
    def _action(self, name: str) -> Callable[[], Any]:
        return lambda: self.app.run_action(name)

    async def discover(self) -> Hits:
        for title, help_text, action in COMMANDS:
            yield DiscoveryHit(title, self._action(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    self._action(action),
                    text=title,
                    help=help_text,
                )


class KeyCommands(Provider):
    """Every key of the screen that is showing, as a palette entry ("Add address  a"), so
    each action is reachable from the palette too, whichever pane adds it."""

    def _entries(self) -> list[tuple[str, str, Callable[[], Any]]]:
        screen = self.screen
        entries = []
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not active.enabled or not binding.description or binding.system:
                continue
            title = binding.description
            if title in seen:
                continue
            seen.add(title)
            node = active.node

            def run(action: str = binding.action, node: Any = node) -> Any:
                return self.app.run_action(action, node)

            shown = binding.key_display or self.app.get_key_display(binding) or key
            entries.append((title, f"key: {shown}", run))
        return entries

    async def discover(self) -> Hits:
        for title, help_text, run in self._entries():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)
