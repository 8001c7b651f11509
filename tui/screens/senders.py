"""The sender emails pane (issue 5 fills this in)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.widgets.fields import Note
from tui.widgets.pane import Pane


class SendersPane(Pane):
    TITLE = "Senders"
    HELP = "Sender emails and sender details."

    def compose(self) -> ComposeResult:
        yield Note("Sender emails will be listed here.", id="senders-placeholder")
