"""How a cell reads on a screen, shared by the TUI grid and the ``watch`` table: always a glyph
*and* a word, never colour alone (DESIGN.md).

Plain Python: a :class:`CellView` carries a style *name* (``"green"``, ``"dim"``) that each
renderer turns into its own text (a ``rich.text.Text`` for both today), so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tui.propagation.model import (
    NO_SIGNAL,
    TIME_BOUND,
    Cell,
    ExpectedRecord,
    Report,
    Resolver,
    Role,
    Status,
)
from tui.time_words import coarse, compact

GLYPH: dict[Status, str] = {
    Status.OK: "✓",
    Status.NOT_PUBLISHED: "✗",
    Status.CACHED_NEGATIVE: "⧗",
    Status.STALE: "↻",
    Status.WRONG_TARGET: "≠",
    Status.PROXIED: "☁",
    Status.FLATTENED: "▭",
    Status.DNSSEC_BOGUS: "⚠",
    Status.SERVFAIL: "!",
    Status.REFUSED: "⊘",
    Status.UNREACHABLE: "·",
    Status.CANT_REACH_ZONE: "↯",
    Status.STALE_SERVED: "↺",
}

WORD: dict[Status, str] = {
    Status.OK: "ok",
    Status.NOT_PUBLISHED: "missing",
    Status.CACHED_NEGATIVE: "cached-no",
    Status.STALE: "stale",
    Status.WRONG_TARGET: "wrong",
    Status.PROXIED: "proxied",
    Status.FLATTENED: "flattened",
    Status.DNSSEC_BOGUS: "dnssec",
    Status.SERVFAIL: "servfail",
    Status.REFUSED: "refused",
    Status.UNREACHABLE: "no answer",
    Status.CANT_REACH_ZONE: "can't reach",
    Status.STALE_SERVED: "stale-served",
}

# The narrow words where the full ones are longer than a grid cell (the line under the grid
# shows the highlighted cell in full).
SHORT: dict[Status, str] = {
    Status.UNREACHABLE: "timeout",
    Status.FLATTENED: "flat",
    Status.SERVFAIL: "failed",
    Status.CANT_REACH_ZONE: "no path",
    Status.STALE_SERVED: "expired",
}

# Colour only ever adds to the glyph and the word: green is visible, yellow clears by itself
# (when a clock runs out; a stale-served answer at the resolver's next refresh), dim says
# nothing about propagation; anything else needs a look (red).
STYLE: dict[Status, str] = (
    {Status.OK: "green", Status.STALE_SERVED: "yellow"}
    | dict.fromkeys(TIME_BOUND, "yellow")
    | dict.fromkeys(NO_SIGNAL, "dim")
)
OTHER_STYLE = "red"

NARROW_WORD = 7  # a grid cell is 9 columns: the glyph, a space, then this many characters
LABEL_WIDTH = 24  # at most; "auth 127.0.0.1:45258" (20) keeps its port
ROLE_ORDER = {Role.AUTHORITATIVE: 0, Role.LOCAL: 1, Role.PUBLIC: 2}


@dataclass(frozen=True, slots=True)
class CellView:
    glyph: str
    word: str
    style: str  # a style name both renderers understand (rich's), "" for none

    @property
    def text(self) -> str:
        """``✓ ok``; empty for :data:`EMPTY`."""
        return " ".join(part for part in (self.glyph, self.word) if part)


# An en dash: "not applicable yet" (public resolvers are not asked before every authoritative
# server serves the record, so they do not cache "does not exist").
UNASKED = CellView("\u2013", "unasked", "dim")
EMPTY = CellView("", "", "")  # no cell at all (a resolver added after the record)


def cell_view(cell: Cell | None, now: datetime, *, narrow: bool) -> CellView:
    """``narrow``: the grid's short words and minute countdowns (a 9-column cell redrawn once
    a minute); else the full words and countdowns to the second, as the ``watch`` table."""
    if cell is None:
        return EMPTY
    if not cell.queried:
        return UNASKED
    word = SHORT.get(cell.status, WORD[cell.status]) if narrow else WORD[cell.status]
    if cell.status in TIME_BOUND and cell.eta is not None:
        left = (cell.eta - now).total_seconds()
        # "≤": the time is only an upper bound (the answer did not say exactly).
        word = ("≤" if cell.at_most else "") + (coarse(left) if narrow else compact(left))
        if cell.rdtype != "CNAME":
            # A negative for another question type (TXT: what DKIM verifiers ask) says which;
            # the grid's 9 columns keep its first letter when the whole type does not fit.
            whole = f"{cell.rdtype} {word}"
            word = whole if not narrow or len(whole) <= NARROW_WORD else cell.rdtype[0] + word
    elif cell.rdtype != "CNAME" and not narrow:
        word = f"{cell.rdtype} {word}"
    return CellView(GLYPH[cell.status], word, STYLE.get(cell.status, OTHER_STYLE))


def ordered(resolvers: Iterable[Resolver]) -> list[Resolver]:
    """Rows in reading order: the zone's authoritative servers (the truth) first, then the
    local resolvers, then the public ones; the given order within each."""
    return sorted(resolvers, key=lambda r: ROLE_ORDER.get(r.role, len(ROLE_ORDER)))


def row_label(resolver: Resolver, width: int = LABEL_WIDTH) -> tuple[str, bool]:
    """A row's label, at most ``width`` characters, and whether it is bold (authoritative
    rows are: they are the truth the other rows are measured against)."""
    authoritative = resolver.role is Role.AUTHORITATIVE
    label = ("auth " if authoritative else "") + resolver.name
    if len(label) > width:
        label = label[: width - 1] + "…"
    return label, authoritative


def column_headers(report: Report) -> list[str]:
    """Short, still unique column headers: the first label (s1, sg) when those are unique,
    else the name without its zone, else the full name. A record whose zone is unknown keeps
    its full name."""

    def relative(record: ExpectedRecord) -> str:
        zone = report.zones.get(record.name)
        apex = zone.apex if zone else ""
        name = record.name
        return name[: -len(apex) - 1] if apex and name.endswith("." + apex) else name

    for shorten in (lambda r: relative(r).split(".")[0], relative):
        names = [shorten(r) for r in report.records]
        if len(set(names)) == len(names):
            return names
    return [r.name for r in report.records]


def unanswered_words(report: Report) -> str:
    """The sweep's unanswered questions in a few words, for the status line under the grid and
    the ``watch`` table; "" when every question got an answer. A timeout is counted here and
    never read as a verdict (rate limiting drops questions too)."""
    count = report.unanswered_count
    if not count:
        return ""
    words = f"{count} question{'s' if count != 1 else ''} unanswered"
    authoritative = report.unanswered_authoritative
    if authoritative:
        words += f" ({authoritative} by authoritative servers)"
    return words


def type_summary(cell: Cell) -> str:
    """``CNAME ✓ ok, TXT ⧗ cached-no``: each question type's verdict when the types asked
    disagree; "" otherwise (the cell's own word says it all)."""
    if len({t.status for t in cell.types}) < 2:
        return ""
    return ", ".join(f"{t.rdtype} {GLYPH[t.status]} {WORD[t.status]}" for t in cell.types)
