"""The one status line at the top of the main screen: profile · site · the SANDBOX badge with
its clock speed and world time · the connection. Glyph and word, never colour alone.

It is the only place that says who is signed in on the main screen (no header, no "Signed in"
line repeating it): 80x24 has no rows to spare. The whole site ID, where the key came from and
the key masked are in F1 and About. When the line is too long for the terminal, the least
needed part goes first (world time, then the site), never the connection or the profile.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget

from tui.clock import Clock
from tui.store.credentials import Credentials
from tui.time_words import clock_time, is_world

SITE_SHOWN = 8  # characters of the site ID: enough to tell sites apart at a glance
PROFILE_SHOWN = 24
SEPARATOR = " · "
TICK_SECONDS = 1.0  # at 60x a world minute passes every real second
READY = "● ready"
SIGNING_IN = "… signing in"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Part:
    text: str
    keep: int  # the lower, the longer it stays when the line is short of room
    style: str = ""


def status_parts(
    credentials: Credentials | None, connection: str, clock: Clock | None
) -> list[Part]:
    """What the line says, in order. ``clock``: the demo's (sandbox) clock, None for real use."""
    parts: list[Part] = []
    if credentials is None:
        parts.append(Part("not signed in", 1))
    else:
        parts.append(Part(f"profile {_short(credentials.profile, PROFILE_SHOWN)}", 1))
        parts.append(Part(f"site {_short(credentials.site_id, SITE_SHOWN + 1)}", 3))
    if clock is not None:
        badge = "SANDBOX" if clock.speed == 1 else f"SANDBOX {clock.speed:g}x"
        parts.append(Part(badge, 2, "reverse bold"))
        # The sandbox's clock: at 60x it is not the time on the wall, and says so.
        now = clock_time(clock.now())
        parts.append(Part(f"world {now}" if is_world(clock) else now, 4))
    parts.append(Part(connection, 0))
    return parts


def fit_parts(parts: list[Part], width: int) -> list[Part]:
    """Drop the least needed parts (highest ``keep``) until the line fits ``width`` cells."""
    kept = list(parts)
    while len(kept) > 1 and _length(kept) > width:
        kept.remove(max(kept, key=lambda part: part.keep))
    return kept


def _length(parts: list[Part]) -> int:
    return sum(len(part.text) for part in parts) + len(SEPARATOR) * (len(parts) - 1)


class StatusLine(Widget):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.credentials: Credentials | None = None
        self.connection = READY
        self.clock: Clock | None = None
        self._ticking: Timer | None = None
        self._painted = ""

    def show(self, credentials: Credentials | None) -> None:
        """Who is signed in (None: nobody)."""
        self.credentials = credentials
        self.refresh()

    def show_connection(self, text: str) -> None:
        """How the last API call went: "● online", "⚠ Wix cannot be reached; retrying…"."""
        self.connection = text
        self.refresh()

    def watch_clock(self, clock: Clock | None) -> None:
        """Show the SANDBOX badge and the world time of ``clock`` (the demo's); None: the real
        world, no badge and no clock (the terminal's own is better)."""
        if clock is self.clock:
            return
        self.clock = clock
        if self._ticking is not None:
            self._ticking.stop()
            self._ticking = None
        if clock is not None:
            self._ticking = self.set_interval(TICK_SECONDS, self._tick)
        self.refresh()

    def _tick(self) -> None:
        # Repainted only when the minute changed: one line, once a world minute.
        if self.text != self._painted:
            self.refresh()

    @property
    def text(self) -> str:
        """The line as plain text, as wide as the widget allows."""
        return self._plain(self._fitted())

    def _fitted(self) -> list[Part]:
        parts = status_parts(self.credentials, self.connection, self.clock)
        width = self.content_region.width
        return fit_parts(parts, width) if width > 0 else parts

    @staticmethod
    def _plain(parts: list[Part]) -> str:
        return SEPARATOR.join(part.text for part in parts)

    def render(self) -> Content:
        parts = self._fitted()
        self._painted = self._plain(parts)
        pieces: list[Content | tuple[str, str] | str] = []
        for index, part in enumerate(parts):
            if index:
                pieces.append(SEPARATOR)
            pieces.append((part.text, part.style) if part.style else part.text)
        return Content.assemble(*pieces)
