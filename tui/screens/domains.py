"""The sending domains pane (issue 5 fills this in)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.widgets.fields import Note
from tui.widgets.pane import Pane


class DomainsPane(Pane):
    TITLE = "Domains"
    HELP = "Sending domains, their DNS records and live propagation."

    def compose(self) -> ComposeResult:
        yield Note("Sending domains will be listed here.", id="domains-placeholder")
