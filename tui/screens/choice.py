"""A small pick-one modal: arrows and Enter, or the option's number; Esc cancels. The Domains
pane asks with it for an export format and for the demo's publish variants."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option

from tui.widgets.fields import Note


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few options: arrows and Enter, or the option's number; Esc cancels."""

    # Focused as the screen is composed: a focus() in on_mount lands a moment later, and
    # keys typed at once (a paste, a fast typist) would go to the first field instead.
    AUTO_FOCUS = "OptionList"

    CSS_PATH = "choice.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice-cancel")]

    def __init__(self, title: str, body: str, options: list[tuple[str, str]]) -> None:
        super().__init__(id="choice")
        self._title, self._body, self._options = title, body, options

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-box", classes="modal-box"):
            yield Note(self._title, classes="title")
            if self._body:
                yield Note(self._body, id="choice-body")
            yield OptionList(
                *(
                    # A str prompt would be read as markup; Text keeps it literal.
                    Option(Text(f"{i}. {label}"))
                    for i, (_, label) in enumerate(self._options, start=1)
                ),
                id="choice-list",
            )
        yield Footer()

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            index = int(event.character) - 1
            if 0 <= index < len(self._options):
                event.stop()
                self.dismiss(self._options[index][0])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._options[event.option_index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
