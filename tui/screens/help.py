"""F1: help for what is on screen: the pane's purpose and the keys that work there."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from tui.widgets.fields import Note


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close", id="close-help"),
    ]

    def __init__(self, title: str, text: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self._title, self._text, self._keys = title, text, keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="modal-box"):
            yield Note(self._title, classes="title")
            yield Note(self._text)
            if self._keys:
                width = max(len(k) for k, _ in self._keys)
                lines = "\n".join(f"{k:<{width}}  {what}" for k, what in self._keys)
                yield Note("")
                yield Note("Keys here:", classes="title")
                yield Note(lines)
            yield Note("")
            yield Note("ctrl+p opens the command palette: every action is there too. Esc closes.")
