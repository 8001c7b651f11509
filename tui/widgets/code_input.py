"""The verification-code field: letters and digits only, at most 10, typed or pasted.

Textual's ``restrict`` refuses a whole paste when one character does not fit, and codes are
often copied as "829 900" or with a trailing newline: a paste is cleaned first, then inserted.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from tui.flow.checks import CODE_MAX_LENGTH, clean_code


class CodeInput(Input):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            placeholder="e.g. 123456",
            restrict=r"[A-Za-z0-9]*",
            max_length=CODE_MAX_LENGTH,
        )

    def on_paste(self, event: events.Paste) -> None:
        # Runs before Input's own (private) handler: a subclass's handlers come first;
        # prevent_default skips that one.
        event.prevent_default()
        event.stop()
        text = clean_code(event.text)
        if not text:
            return
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)
