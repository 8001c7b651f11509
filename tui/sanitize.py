"""Text from the network made safe to show: the one sanitiser at the edge where it enters.

Wix's JSON (from-names, addresses, domains, host names, error messages) and DNS answers are
written by someone else. Shown raw, an ESC starts a terminal sequence (colours, a new window
title, OSC 52 writing the user's clipboard), a C1 control does the same on some terminals, and
a bidi override (U+202E) makes ``moc.elpmaxe`` read as ``example.com``. Rich markup is not the
danger here (every widget shows such strings as plain text); raw control characters are.

:func:`visible` keeps every printable character and turns the rest into escapes a human can
read (``\\x1b``, ``\\u202e``), so what Wix sent is still there to see, but inert; and it caps
the length, since a 10,000-character value has no place on one screen line. Parsers call it on
every string they take from the network (``tui/wix/models.py``, ``tui/wix/errors.py``,
``tui/propagation/answers.py``); the UI and the CLI then show the result as plain text.

Standard library only, so every layer may use it.
"""

from __future__ import annotations

import re

# Characters that change what a terminal does or how text around them reads:
# C0 controls (but for none: even a newline or tab would break a one-line value), DEL, C1
# controls, and the Unicode format characters that reorder or hide text (bidi embeddings,
# overrides and isolates, the marks, and zero-width characters that can hide a difference).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
MAX_LENGTH = 1000  # characters kept of one value; the rest is counted, not shown


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str, *, limit: int = MAX_LENGTH) -> str:
    """``text`` with every control and reordering character shown as an escape, and cut to
    ``limit`` characters (with a note of how many more there were)."""
    if len(text) > limit:
        more = len(text) - limit
        text = text[:limit]
        cut = f"… ({more} more characters)"
    else:
        cut = ""
    return _UNSAFE.sub(_escape, text) + cut


def is_visible(text: str) -> bool:
    """Whether ``text`` would be shown unchanged (no unsafe character)."""
    return _UNSAFE.search(text) is None
