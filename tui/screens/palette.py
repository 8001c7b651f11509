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
        return getattr(self.app, f"action_{name}")  # type: ignore[no-any-return]

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
