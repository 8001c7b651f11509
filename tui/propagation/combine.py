"""One cell from several verdicts at one resolver: the question types asked of one record (a
DKIM selector is asked CNAME and TXT), and the samples of an anycast row. ``classify`` judges
one answer; this module decides what the row shows when there are several.
"""

from __future__ import annotations

from dataclasses import replace

from tui.propagation.model import SEVERITY, Cell, Status, TypeCheck


def type_check(cell: Cell) -> TypeCheck:
    return TypeCheck(
        rdtype=cell.rdtype,
        status=cell.status,
        remaining=cell.remaining,
        eta=cell.eta,
        at_most=cell.at_most,
        bound=cell.bound,
        detail=cell.detail,
    )


def combine(cells: list[Cell]) -> Cell:
    """One cell from the answers to several question types at one resolver (CNAME first):
    ok only when every type is; else the worst type decides, and the detail says which.
    Among equally bad types the later countdown decides (the cell clears when both have)."""
    first = cells[0]
    if len(cells) == 1 or not first.queried:
        return first
    first = _fetched_for_another_type(first, cells[1:])
    cells = [first, *cells[1:]]
    deciding = max(cells, key=lambda c: (SEVERITY[c.status], c.remaining or 0.0))
    types = tuple(type_check(c) for c in cells)
    if deciding is first:
        return replace(first, types=types)
    detail = f"{deciding.rdtype}: {deciding.detail}"
    if first.status is Status.OK:
        detail += f" (the {first.rdtype} itself is visible)"
    return replace(deciding, target=first.target or deciding.target, detail=detail, types=types)


def _fetched_for_another_type(first: Cell, others: list[Cell]) -> Cell:
    """A cached 'no CNAME' while the TXT question, asked in the same sweep, came back through
    the right CNAME: the resolver has just fetched the record to answer us. BIND keeps one cache
    per name, and the fetched CNAME replaces its negative at once (tests/realdns); unbound keeps
    an answer per question and serves the negative until it runs out. Which one this resolver
    is cannot be told from outside, so the countdown is only an upper bound."""
    if first.status is not Status.CACHED_NEGATIVE or first.rdtype != "CNAME":
        return first
    # A TXT cell is OK only when its answer came through the CNAME to the expected target.
    if not any(c.status is Status.OK and c.target for c in others):
        return first
    return replace(
        first,
        at_most=True,
        reason=first.reason or "fetched",
        bound=f"{first.bound}; at most that, as our TXT question just made this resolver "
        "fetch the CNAME: a resolver that caches per name (BIND) answers it from now on, one "
        "that caches per question (unbound) once its negative runs out",
    )


def worst(cells: list[Cell]) -> Cell:
    """Of several samples of one anycast row, the one a lookup may still get."""
    ranked = max(cells, key=lambda c: (SEVERITY[c.status], c.remaining or 0.0))
    ok = sum(1 for c in cells if c.status is Status.OK)
    if (ranked.samples, ranked.samples_ok) == (len(cells), ok):
        return ranked  # (a copy costs more than the verdict: thousands a sweep)
    return replace(ranked, samples=len(cells), samples_ok=ok)
