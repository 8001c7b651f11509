"""The sanitiser at the edge where network text enters: controls and reordering characters
become visible escapes, the rest is untouched, long values are cut."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.sanitize import MAX_LENGTH, is_visible, visible


def test_terminal_sequences_become_visible_text() -> None:
    osc52 = "Shop\x1b]52;c;aGVsbG8=\x07"  # would write the user's clipboard
    assert visible(osc52) == "Shop\\x1b]52;c;aGVsbG8=\\x07"
    assert visible("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert visible("a\x9bb") == "a\\x9bb"  # a C1 CSI
    assert visible("line\nbreak\ttab") == "line\\x0abreak\\x09tab"


def test_reordering_characters_are_shown() -> None:
    assert visible("moc.elpmaxe\u202e") == "moc.elpmaxe\\u202e"
    assert visible("a\u200bb\u2066c\ufeff") == "a\\u200bb\\u2066c\\ufeff"


def test_ordinary_text_is_untouched() -> None:
    for text in ("Sunrise Bakery", "Café Zoë", "[bold]not markup[/bold]", "日本語", "✓ ok"):
        assert visible(text) == text and is_visible(text)


def test_long_values_are_cut_with_a_count() -> None:
    shown = visible("x" * 10_000)
    assert shown.startswith("x" * MAX_LENGTH) and shown.endswith("… (9000 more characters)")
    assert visible("abc", limit=2) == "ab… (1 more characters)"


@settings(max_examples=1000, deadline=None)
@given(st.text())
def test_nothing_unsafe_survives(text: str) -> None:
    shown = visible(text, limit=len(text) + 1)
    assert is_visible(shown)
    assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown
