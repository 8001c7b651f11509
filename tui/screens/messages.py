"""The messages panel (f3, id ``show-messages``): every notice of this run, newest first, with
its full text and when it came.

Toasts are short and one line when the text is long (``tui/widgets/notices.py``); this is where
the whole text is read. Times are on the app's clock, labelled world time in the demo."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer

from tui.widgets.fields import Note
from tui.widgets.notices import Notice

EMPTY = "No messages yet."


class MessagesScreen(ModalScreen[None]):
    CSS_PATH = "messages.tcss"
    AUTO_FOCUS = "#messages-list"
    BINDINGS = [Binding("escape", "close", "Close", id="close-messages")]

    def __init__(self, notices: Sequence[Notice]) -> None:
        super().__init__(id="messages")
        self.notices = list(notices)

    def compose(self) -> ComposeResult:
        count = len(self.notices)
        title = f"Messages ({count}, newest first)" if count else "Messages"
        with Vertical(id="messages-box", classes="modal-box"):
            yield Note(title, classes="title")
            with VerticalScroll(id="messages-list", can_focus=True):
                if not self.notices:
                    yield Note(EMPTY, classes="hint")
                for notice in reversed(self.notices):
                    yield Note(notice.heading, classes=f"message-heading -{notice.severity}")
                    yield Note(notice.message, classes="message-text")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
