"""The footer of the main screen: the pane's keys on the left, most important first, and on the
right, always visible, the keys that work everywhere (F1 help, q quit) and the command palette.

Textual's Footer lists every shown key in the order it finds them and lets the row run off the
right edge, under the palette key: at 80 columns it cut its own F1 ("f1 H▏^p palette") and never
showed q. Here the right-hand block is laid out first, and the pane's keys fill what is left, in
their declared order, each whole or not at all. The keys left out are in F1 and the palette.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tui.screens.keymap import LiveKey, live_keys

if TYPE_CHECKING:
    from textual.screen import Screen

PALETTE_ID = "command-palette"


def key_width(key: LiveKey) -> int:
    """The cells a key takes in the footer: Textual 8.2.8's FooterKey pads the key with one
    space each side and the description with one after (its DEFAULT_CSS, non-compact)."""
    return len(key.keys[0]) + 2 + len(key.description) + 1


def fit(keys: list[LiveKey], room: int) -> list[LiveKey]:
    """The first keys that fit in ``room`` cells, in order: the first that does not fit ends
    the row, so a less important key never shows while a more important one is left out."""
    shown: list[LiveKey] = []
    for key in keys:
        room -= key_width(key)
        if room < 0:
            break
        shown.append(key)
    return shown


class KeysFooter(Footer):
    DEFAULT_CSS = """
    KeysFooter #footer-always {
        dock: right;
        width: auto;
        height: 1;
        border-left: vkey $foreground 20%;
        background: $footer-background;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, show_command_palette=False)
        self._composed_width = 0
        self._composed_keys: tuple[LiveKey, ...] | None = None

    def _key(self, key: LiveKey) -> FooterKey:
        return FooterKey(
            key.key,
            key.keys[0],
            key.description,
            key.action,
            disabled=not key.enabled,
            tooltip=key.tooltip,
        ).data_bind(compact=Footer.compact)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self.size.width or self.app.size.width
        self._composed_width = width
        keys = live_keys(self.screen)
        self._composed_keys = tuple(keys)
        always = [k for k in keys if k.app_wide and k.show]
        always += [k for k in keys if k.id == PALETTE_ID]
        pane = [k for k in keys if not k.app_wide and k.show]
        room = width - 1 - sum(key_width(k) for k in always)  # 1: the separator
        for key in fit(pane, room):
            yield self._key(key)
        with HorizontalGroup(id="footer-always"):
            for key in always:
                yield self._key(key)

    def bindings_changed(self, screen: Screen[object]) -> None:
        # Textual recomposes the footer (new widgets, a layout pass of the whole screen) each
        # time a pane asks for its bindings to be checked again, as a hidden pane does after
        # every DNS check: only when the keys shown would differ.
        if (
            self._bindings_ready
            and self.is_attached
            and screen is self.screen
            and self._composed_keys == tuple(live_keys(screen))
        ):
            return
        super().bindings_changed(screen)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)
