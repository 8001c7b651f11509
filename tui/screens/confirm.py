"""A yes/no question. The safe answer has the focus, so a stray Enter does nothing harmful."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer

from tui.widgets.fields import Note


class ConfirmScreen(ModalScreen[bool]):
    # Focused as the screen is composed: a focus() in on_mount lands a moment later, and
    # keys typed at once (a paste, a fast typist) would go to the first field instead.
    AUTO_FOCUS = "#no"
    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, title: str, body: str, confirm: str) -> None:
        super().__init__(id="confirm")
        self._title = title
        self._body = body
        self._confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-box"):
            yield Note(self._title, classes="title")
            yield Note(self._body, id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._confirm} (y)", id="yes", variant="error")
                yield Button("Keep it (n)", id="no")
        yield Footer()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
