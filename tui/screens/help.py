"""F1: help for what is on screen: who is signed in (the whole site ID, where the key came from,
masked), the keys that work there (the pane's, then those that work everywhere, each action
once with its keys as remapped), and what the pane is for."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen

from tui.screens.keymap import LiveKey
from tui.widgets.fields import Note

KeyLines = Sequence[tuple[str, str]]  # (keys as shown, what they do)


def key_lines(keys: Sequence[LiveKey]) -> list[tuple[str, str]]:
    """One line per action: its keys ("q or ^q") and what it does; "(not now)" when the key
    is there but does nothing at the moment."""
    return [
        (" or ".join(key.keys), key.description if key.enabled else f"{key.description} (not now)")
        for key in keys
    ]


def _column(heading: str, lines: KeyLines) -> str:
    width = max((len(keys) for keys, _ in lines), default=0)
    body = "\n".join(f"{keys:<{width}}  {what}" for keys, what in lines)
    return f"{heading}\n{body}"


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close", id="close-help"),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        sections: Sequence[tuple[str, KeyLines]] = (),
        *,
        who: str = "",
        palette: str = "^p",
    ) -> None:
        """``sections``: (heading, key lines), side by side; ``who``: who is signed in;
        ``palette``: the command palette's key (it can be remapped)."""
        super().__init__()
        self._title, self._text, self._who, self._palette = title, text, who, palette
        self._sections = [(heading, lines) for heading, lines in sections if lines]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="modal-box"):
            yield Note(self._title, classes="title")
            if self._who:
                yield Note(self._who, id="help-who")
            if self._sections:
                with Horizontal(id="help-keys"):
                    for index, (heading, lines) in enumerate(self._sections):
                        yield Note(_column(heading, lines), classes=f"help-keys-{index}")
            yield Note(self._text, id="help-text")
            yield Note(
                f"Esc closes. {self._palette} opens the command palette: every action is there too."
            )
