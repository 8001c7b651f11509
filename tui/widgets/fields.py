"""Small pieces of forms: plain-text notes, the inline error line under a field, and the masked
input for secrets.

Notes render their text literally (``markup=False``): the messages quote what the user typed,
or what Wix answered, and neither may be read as Textual markup.
"""

from __future__ import annotations

import rich.repr
from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Input, RadioButton, Static

from tui.secret import MASK


class Note(Static):
    """A line of plain text (never markup)."""

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(text, markup=False, id=id, classes=classes)
        self._shown: str | None = text

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        self._shown = content if isinstance(content, str) else None
        super().update(content, layout=layout)

    def show(self, text: str) -> None:
        """Change the text, repainting only when it changed. A layout pass (of the whole
        screen) only when the height may change: lines redrawn once a second ("checked 12 s
        ago") would otherwise cost a full layout every second while the grid watches."""
        if text == self._shown:
            return
        width = self.content_region.width
        old = self._shown
        same_height = old is not None and width > 0 and _lines(old, width) == _lines(text, width)
        self.update(text, layout=not same_height)


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` takes at ``width``, wrapped as Textual wraps a Static's."""
    return len(Content(text).wrap(width)) if text else 0


class ErrorLine(Note):
    """The inline error under one field; hidden while there is nothing to say."""

    DEFAULT_CSS = """
    ErrorLine {
        color: $text-error;
        height: auto;
        display: none;
    }
    ErrorLine.-shown {
        display: block;
    }
    """

    def show(self, message: str) -> None:
        # A glyph and a word, not colour alone (NO_COLOR, screen readers).
        self.update(f"✗ {message}")
        self.add_class("-shown")

    def clear(self) -> None:
        self.update("")
        self.remove_class("-shown")

    @property
    def message(self) -> str:
        """What is shown (empty when hidden); for tests and screen readers alike."""
        return str(self.content) if self.has_class("-shown") else ""


class _MaskedValue:
    """Mixin for Input's messages: the value stays out of every repr."""

    input: Input

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(input={self.input!r}, value={MASK!r})"

    def __rich_repr__(self) -> rich.repr.Result:
        yield "input", self.input
        yield "value", MASK


class SecretInput(Input):
    """A masked ``Input`` for keys and passphrases.

    Textual's own debug log (``TEXTUAL_LOG``, ``textual run --dev``) writes the repr of every
    message it dispatches, and ``Input.Changed``/``Submitted``/``Blurred`` carry the whole value
    (one line per key press, each with the key so far). These subclasses keep the value out of
    their repr; handlers for the ``Input`` messages still receive them. Key and paste *events*
    are logged by Textual before any widget sees them: the app warns when that log is on."""

    def __init__(self, *, id: str | None = None, placeholder: str = "", compact: bool = False):
        super().__init__(id=id, placeholder=placeholder, password=True, compact=compact)

    class Changed(_MaskedValue, Input.Changed):
        pass

    class Submitted(_MaskedValue, Input.Submitted):
        pass

    class Blurred(_MaskedValue, Input.Blurred):
        pass


class MarkedRadioButton(RadioButton):
    """A radio button whose choice shows in its glyph, not only in its colour: ◉ chosen,
    ○ not (NO_COLOR, monochrome terminals and screen readers see the difference)."""

    BUTTON_LEFT = ""
    BUTTON_RIGHT = ""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # Textual reads the glyph from this name
        return "◉" if self.value else "○"
