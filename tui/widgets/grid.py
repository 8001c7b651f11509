"""The live propagation grid: rows are resolvers (the zone's authoritative servers first),
columns are records, and each cell says where a record is visible and why not yet.

The shape is fixed by keys (resolver key x record name), built from the first report; later
reports only ``update_cell`` the cells whose view changed (``Cell.same_view``), so the cursor
stays put and a sweep that changed nothing repaints nothing. Countdowns (cached negatives,
stale answers) are redrawn once a second, only where their text changed.

:class:`PropagationWatch` adds what drives the grid (``Prober.sweep`` in a worker: input is
never blocked) and what explains it ("checked 12 s ago", the highlighted cell, the ETA, the
diagnoses). It never sweeps by itself: the pane calls :meth:`PropagationWatch.tick` once a
second while on screen, and a sweep starts only once the previous one has ended and
``refresh_interval`` seconds have passed since: seconds of the app's clock, but never fewer
than real seconds (see :func:`pace`), so that "next check in 29 s" counts down one a second
in the demo's fast world too, as the ``watch`` command's does. The countdown line is its own
note, redrawn alone: the grid repaints nothing for it.

The grid is a :class:`~tui.widgets.row_grid.RowGrid`, not a ``DataTable``: a changed cell
repaints its own row only (a DataTable sends every cell back through Rich). Enter on a cell
opens its evidence (``screens.cell_evidence``). Down, PageDown and End on the last row (and Up
on the first) leave the grid, as :class:`LeavesAtEdges` tables do: a table must never trap the
keys that the user expects to reach what is below it.

Longer than the 400 lines we aim for: the grid and the watch that drives it share the cell
words and the countdown; the next split would move :class:`PropagationWatch` to its own module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable
from textual.worker import Worker

from tui.propagation import labels
from tui.propagation.labels import (
    GLYPH,
    WORD,
    CellView,
    cell_view,
    column_headers,
    ordered,
    type_summary,
    unanswered_words,
)
from tui.propagation.model import TIME_BOUND, Cell, ExpectedRecord, Report, Resolver, Role
from tui.time_words import ago, duration, is_world
from tui.widgets.fields import Note
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, close_at_exit, declare, job, run_job
from tui.widgets.pane import DnsChecked
from tui.widgets.row_grid import RowGrid

if TYPE_CHECKING:
    # Only a type here: the engine (dnspython, httpx) is built at the first sweep.
    from tui.clock import Clock
    from tui.propagation.sweep import Prober

CLOSE_PROBER = declare(
    "PropagationWatch.close_prober",
    "propagation-close",
    "Closing the DNS sockets of the previous check",
    "Nothing to do: the next check opens new ones.",
)

LABEL_KEY = "resolver"
CELL_WIDTH = 9  # "\u2013 unasked", "⧗ 59m59s": five records fit in 80 columns
UNASKED = labels.UNASKED.text
UNASKED_NOTE = (
    f"{UNASKED}: public resolvers are asked only once every authoritative server serves a "
    "record; asking sooner makes them cache 'does not exist' for the zone's negative TTL."
)


def as_text(view: CellView) -> Text:
    """A cell's view as rich text: its style is already a rich style name."""
    return Text(view.text, style=view.style)


def cell_text(cell: Cell | None, now: datetime) -> Text:
    """The grid's cell: the narrow presentation (short words, countdowns in minutes)."""
    return as_text(cell_view(cell, now, narrow=True))


PUBLIC_ROWS_SHOWN = 4  # a compact grid shows at least this many resolver rows, then scrolls


def pace(clock: Clock) -> float:
    """World seconds per real second for the check schedule: the clock's speed when it runs
    fast (the demo's 60x world), else 1. Checks are spaced by ``refresh_interval`` seconds of
    the app's clock but never by fewer real seconds, so the demo does not ask its DNS servers
    twice a second and the countdown before the next check is one a user can read."""
    return max(1.0, clock.speed)


class EdgeLeaving:
    """Down, PageDown or End on a table's last row, and Up or PageUp on its first, say so
    (:class:`LeavesAtEdges.Edge`) instead of doing nothing, so the pane can move on to what is
    below (or above): nobody is trapped in a table. Mixed into a DataTable
    (:class:`LeavesAtEdges`) and into the propagation grid (a :class:`RowGrid`): both have
    ``row_count``, ``cursor_coordinate`` and the cursor actions this falls back to."""

    def _end_stays_inside(self) -> bool:
        """End moves to the last column first (cell cursors), and leaves from there."""
        return False

    def _leave_or(self, down: bool, action: str) -> None:
        table: Any = self
        row = table.cursor_coordinate.row
        if not table.row_count or (row >= table.row_count - 1 if down else row <= 0):
            table.post_message(LeavesAtEdges.Edge(table, down))
        else:
            getattr(super(), f"action_{action}")()

    def action_cursor_down(self) -> None:
        self._leave_or(True, "cursor_down")

    def action_page_down(self) -> None:
        self._leave_or(True, "page_down")

    def action_scroll_bottom(self) -> None:
        self._leave_or(True, "scroll_bottom")

    def action_cursor_up(self) -> None:
        self._leave_or(False, "cursor_up")

    def action_page_up(self) -> None:
        self._leave_or(False, "page_up")

    def action_scroll_end(self) -> None:
        if self._end_stays_inside():
            getattr(super(), "action_scroll_end")()  # noqa: B009 - the next class's action
        else:
            self._leave_or(True, "scroll_end")


class LeavesAtEdges(EdgeLeaving, DataTable[Text]):
    """A DataTable inside a longer pane that leaves at its edges (:class:`EdgeLeaving`)."""

    class Edge(Message):
        def __init__(self, table: Widget, down: bool) -> None:
            super().__init__()
            self.table, self.down = table, down

    def _end_stays_inside(self) -> bool:
        return self.cursor_type == "cell" and self.cursor_coordinate.column < len(self.columns) - 1


def row_label(resolver: Resolver) -> Text:
    label, bold = labels.row_label(resolver)
    return Text(label, style="bold" if bold else "")


def label_width(rows: Sequence[Resolver]) -> int:
    return max((len(row_label(r)) for r in rows), default=8)


class PropagationGrid(EdgeLeaving, RowGrid):
    """The grid itself: a :class:`RowGrid` (each row repainted only when one of its cells
    changed), which leaves at its edges as :class:`LeavesAtEdges` tables do."""

    DEFAULT_CSS = "PropagationGrid { height: auto; scrollbar-size-vertical: 1; }"

    class Chosen(Message):
        """Enter on a cell: show its evidence."""

        def __init__(self, resolver: Resolver, cell: Cell, report: Report) -> None:
            super().__init__()
            self.resolver, self.cell, self.report = resolver, cell, report

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.compact = False  # at most the header, the non-public rows and PUBLIC_ROWS_SHOWN
        self.shape: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self.report: Report | None = None
        self._texts: dict[tuple[str, str], str] = {}  # (record, resolver) -> text shown
        self.cell_updates = 0  # update_cell calls: only changed cells cost one

    def reset(self) -> None:
        self.clear()
        self.shape, self.report, self._texts = None, None, {}

    def _build(self, report: Report, rows: list[Resolver], now: datetime) -> None:
        self._texts = {}
        columns: list[tuple[str, str | Text, int]] = [("resolver", LABEL_KEY, label_width(rows))]
        for record, header in zip(report.records, column_headers(report), strict=True):
            columns.append((record.name, header, CELL_WIDTH))
        lines = []
        for resolver in rows:
            texts = [row_label(resolver)]
            for record in report.records:
                text = cell_text(report.cells.get((record.name, resolver.key)), now)
                self._texts[(record.name, resolver.key)] = text.plain
                texts.append(text)
            lines.append((resolver.key, texts))
        self.set_table(columns, lines)
        self.fit()

    def _end_stays_inside(self) -> bool:
        return self.cursor_coordinate.column < len(self.column_keys) - 1

    def fit(self) -> None:
        """Compact: the header, every authoritative (and local) row and PUBLIC_ROWS_SHOWN
        resolver rows; the rest scrolls inside the table (the cursor takes it along)."""
        limit = None
        if self.compact and self.report is not None:
            public = sum(r.role is Role.PUBLIC for r in self.report.resolvers)
            others = len(self.report.resolvers) - public
            limit = 1 + others + min(public, PUBLIC_ROWS_SHOWN)
        self.styles.max_height = limit

    def action_select_cursor(self) -> None:
        found = self.highlighted()
        if found is not None and self.report is not None:
            self.post_message(self.Chosen(found[0], found[1], self.report))

    def show_report(self, report: Report, now: datetime) -> int:
        """Show ``report``; how many cells changed. Only those are updated, unless the set of
        rows or columns changed (new authoritative servers found), which rebuilds the table."""
        rows = ordered(report.resolvers)
        shape = (tuple(r.key for r in rows), tuple(r.name for r in report.records))
        old, self.report = self.report, report
        if shape != self.shape or old is None:
            self.shape = shape
            self._build(report, rows, now)
            return len(self._texts)
        changed = 0
        with self.app.batch_update():
            for key, cell in report.cells.items():
                if not cell.same_view(old.cells.get(key)):
                    changed += self._set(key, cell_text(cell, now))
            changed += self.tick(now)  # countdowns re-anchored on the new answers' TTLs
        return changed

    def tick(self, now: datetime) -> int:
        """Redraw the countdowns that changed; how many cells were updated."""
        if self.report is None:
            return 0
        changed = 0
        for key, cell in self.report.cells.items():
            if cell.queried and cell.status in TIME_BOUND and cell.eta is not None:
                changed += self._set(key, cell_text(cell, now))
        return changed

    def _set(self, key: tuple[str, str], text: Text) -> int:
        if self._texts.get(key) == text.plain:
            return 0
        record, resolver = key
        self._texts[key] = text.plain
        self.update_cell(resolver, record, text)
        self.cell_updates += 1
        return 1

    def highlighted(self) -> tuple[Resolver, Cell] | None:
        """The resolver and cell under the cursor (None on the label column)."""
        if self.report is None or self.shape is None or not self.row_count:
            return None
        row, column = self.cursor_coordinate
        rows, columns = self.shape
        if column < 1 or row >= len(rows) or column - 1 >= len(columns):
            return None
        resolver = next(r for r in self.report.resolvers if r.key == rows[row])
        cell = self.report.cells.get((columns[column - 1], resolver.key))
        return (resolver, cell) if cell is not None else None


class Line(Note):
    """A note that takes no row while it has nothing to say (an empty Static still takes one).
    A class, not ``display``: a stylesheet may still hide the line when it has text."""

    DEFAULT_CSS = "Line.-empty { display: none; }"

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(text, id=id, classes=classes)
        self.set_class(not text, "-empty")

    def show(self, text: str) -> None:
        super().show(text)
        self.set_class(not text, "-empty")


class StatusNote(Note):
    """The line above the grid, redrawn once a second; its width follows its text (it sits
    beside the domain's name), so a change of length takes a layout pass, and only that."""

    def show(self, text: str) -> None:
        if text == self._shown:
            return
        old = self._shown
        self.update(text, layout=old is None or len(old) != len(text))


def first_diagnosis(report: Report) -> str:
    """The line under the ETA: the first diagnosis with its fix, and how many more follow (the
    pane shows those below the authenticate line, with the warnings)."""
    if not report.diagnoses:
        return ""
    first = report.diagnoses[0]
    line = f"• [{first.code}] {first.sentence}"
    more = len(report.diagnoses) - 1 + len(report.warnings)
    return line + (f" (+{more} more below)" if more else "")


def more_notes(report: Report) -> str:
    """The diagnoses after the first, and the warnings."""
    lines = [f"• [{d.code}] {d.sentence}" for d in report.diagnoses[1:]]
    return "\n".join(lines + [f"! {w}" for w in report.warnings])


def describe(resolver: Resolver, cell: Cell, now: datetime) -> str:
    """One line on the highlighted cell: who, which record, what it says, and until when."""
    word = f"{GLYPH[cell.status]} {WORD[cell.status]}" if cell.queried else UNASKED
    parts = [f"{resolver.name} · {cell.record}: {word}"]
    if cell.detail:
        parts.append(cell.detail)
    if summary := type_summary(cell):
        parts.append(summary)
    if cell.answer:
        parts.append("answer " + ", ".join(cell.answer))
    if cell.status in TIME_BOUND and cell.eta is not None:
        left = duration((cell.eta - now).total_seconds())
        clears = f"clears in at most {left}" if cell.at_most else f"clears in {left}"
        parts.append(clears + (f" ({cell.bound})" if cell.bound else ""))
    return " — ".join(parts)


class PropagationWatch(UsesServices, RunsJobs, Vertical):
    """The grid and what drives and explains it (see the module docstring)."""

    DEFAULT_CSS = """
    PropagationWatch { height: auto; }
    PropagationWatch #eta { text-style: bold; }
    PropagationWatch .quiet { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, status: StatusNote | None = None) -> None:
        """``status``: where the line above the grid goes ("checked 12 s ago · next check in
        29 s"), when the pane shows it elsewhere (beside the domain's name)."""
        super().__init__(id=id)
        self._status = status or StatusNote("", id="grid-status", classes="quiet")
        self._own_status = status is None
        self.domain = ""
        self.records: list[ExpectedRecord] = []
        self.added = False  # the user marked the records added (sharper diagnoses)
        self.paused = False
        self.due: float | None = None  # app clock monotonic time of the next sweep
        self.problem = ""
        self.brief = False  # compact layout: the countdown alone says how fresh the grid is
        self.sweeps = 0
        self._generation = 0
        self._worker: Worker[None] | None = None
        self._again = False  # "check now" came during a sweep: another one right after
        self._prober: Prober | None = None  # made at the first sweep (services.engine)
        self._resolvers: list[Resolver] = []

    def compose(self) -> ComposeResult:
        if self._own_status:
            yield self._status
        yield PropagationGrid(id="grid")
        yield Line("", id="cell-detail", classes="quiet")
        yield Line("", id="unasked", classes="quiet")
        yield Line("", id="eta")
        yield Line("", id="diagnoses")

    @property
    def grid(self) -> PropagationGrid:
        return self.query_one(PropagationGrid)

    @property
    def sweeping(self) -> bool:
        return self._worker is not None and self._worker.is_running

    # --- what to watch --------------------------------------------------------------------

    def follow(self, domain: str, records: Sequence[ExpectedRecord]) -> None:
        """Watch these records (the first sweep starts at the next tick); the same domain and
        records again changes nothing. (Not ``watch``: that is Textual's, for reactives.)"""
        if domain == self.domain and list(records) == self.records:
            return
        self._generation, self._again = self._generation + 1, False
        if self._worker is not None:
            self._worker.cancel()
        self._close_prober()  # its zone cache belongs to the old records
        self.domain, self.records = domain, list(records)
        self.due = self.services.clock.monotonic() if records else None
        self.problem = ""
        self.grid.reset()
        for note in ("#cell-detail", "#unasked", "#eta", "#diagnoses"):
            self._put(note, "")
        self._show_status()

    def unfollow(self) -> None:
        self.follow("", [])

    # --- keys -----------------------------------------------------------------------------

    def toggle(self) -> bool:
        """Pause or resume; whether it is paused now."""
        self.paused = not self.paused
        self._show_status()
        return self.paused

    def refresh_now(self) -> str:
        """Sweep now (unless one is running); what happened, in words."""
        if not self.records:
            return "There are no records to check yet."
        if self.sweeping:
            self._again = True  # its answers may predate what the user just changed
            return "A check is running; another starts as soon as it ends."
        self._start()
        return f"Checking {self.domain}'s records now."

    # --- the clock ------------------------------------------------------------------------

    def _put(self, selector: str, text: str) -> None:
        # Notes are redrawn once a second: Note.show skips what did not change.
        for note in self.query(selector).results(Note):  # none before compose has run
            note.show(text)

    def tick(self) -> None:
        """Once a second while on screen: start a due sweep, redraw countdowns and the age."""
        due = self.due is not None and self.services.clock.monotonic() >= self.due
        if due and self.records and not self.paused and not self.sweeping:
            self._start()
        self.grid.tick(self.services.clock.now())
        self._show_status()
        self._show_detail()

    def _show_status(self) -> None:
        now, report, parts = self.services.clock.now(), self.grid.report, []
        if not self.records:
            parts.append("No records to watch.")
        elif report is None:
            parts.append("Checking the records…" if self.sweeping else "Not checked yet.")
        else:
            counting = self.due is not None and not (self.paused or self.sweeping)
            if not (self.brief and counting and not self.problem):
                parts.append(f"checked {ago(report.checked_at, now)}")
            if unanswered := unanswered_words(report):
                parts.append(unanswered)
        if self.records:
            if self.paused:
                parts.append("⏸ paused (s resumes)")
            elif self.sweeping:
                parts.append("checking now")
            elif self.due is not None:
                clock = self.services.clock
                left = max(0.0, self.due - clock.monotonic()) / pace(clock)
                parts.append(f"next check in {duration(left)}")
        if self.problem:
            parts.append(f"⚠ {self.problem}")
        if self._status.is_mounted:
            self._status.show(" · ".join(parts))

    @property
    def status_text(self) -> str:
        return str(self._status.content)

    def _show_detail(self) -> None:
        found = self.grid.highlighted()
        text = describe(found[0], found[1], self.services.clock.now()) if found else ""
        self._put("#cell-detail", text)

    def on_row_grid_cell_highlighted(self, event: RowGrid.CellHighlighted) -> None:
        event.stop()
        self._show_detail()

    def on_propagation_grid_chosen(self, message: PropagationGrid.Chosen) -> None:
        message.stop()
        # Imported here: the modal's module is needed only when a cell is opened.
        from tui.screens.cell_evidence import CellEvidence, evidence

        clock = self.services.clock
        now, world = clock.now(), is_world(clock)
        text = evidence(message.resolver, message.cell, message.report, now, world)
        title = f"{message.cell.record} at {message.resolver.name}"
        self.app.push_screen(CellEvidence(title, text))

    # --- sweeping -------------------------------------------------------------------------

    def _start(self) -> None:
        self._worker = self._sweep(self._generation, self.domain, list(self.records), self.added)
        self._show_status()

    @job(
        "propagation-sweep",
        "Checking the DNS records",
        "Automatic checks are paused; press r to check again.",
    )
    async def _sweep(
        self, generation: int, domain: str, records: list[ExpectedRecord], added: bool
    ) -> None:
        if self._prober is None:
            engine = self.services.engine
            self._prober, self._resolvers = engine.prober()
            if engine.problem:
                self.app.notify(engine.problem, severity="warning", timeout=15, markup=False)
                engine.problem = ""  # said once
        try:
            report = await self._prober.sweep(records, self._resolvers, added=added)
        except OSError as exc:
            # The engine turns every DNS answer (or its absence) into a cell; what is left is
            # this machine failing to open a socket at all. Anything else is a bug, and goes
            # the one error path instead of looking like the network.
            if generation == self._generation:
                self.problem = f"the check could not run ({exc.strerror or exc}); trying again"
                self._ended()
            return
        if generation != self._generation:
            return  # the user moved on to another domain meanwhile
        self.problem = ""
        self.sweeps += 1
        self.grid.show_report(report, self.services.clock.now())
        unasked = any(not c.queried for c in report.cells.values())
        self._put("#unasked", UNASKED_NOTE if unasked else "")
        self._put("#eta", report.eta.sentence)
        self._put("#diagnoses", first_diagnosis(report))
        self._ended()
        self.post_message(DnsChecked(domain, report))

    def recover(self, failed: Job, error: BaseException) -> str | None:
        if failed.group == "propagation-sweep":
            # A bug would fail the same way every 30 s: no automatic checks until r.
            self._worker, self._again, self.due = None, False, None
            self.problem = "✗ the check failed (a bug, in the log file); r checks again"
            self._show_status()
        return None

    def _ended(self) -> None:
        # The next sweep is counted from the end of this one: sweeps never overlap, and a slow
        # network spaces them out by itself.
        clock = self.services.clock
        interval = self.services.config.refresh_interval * pace(clock)
        self.due = clock.monotonic() + (0.0 if self._again else interval)
        self._worker, self._again = None, False
        self._show_status()
        self._show_detail()

    # --- cleaning up ----------------------------------------------------------------------

    def _close_prober(self) -> None:
        prober, self._prober = self._prober, None
        if prober is not None:
            run_job(self, prober.aclose(), CLOSE_PROBER)

    async def on_unmount(self) -> None:
        self._generation += 1
        prober, self._prober = self._prober, None
        if prober is not None:
            await close_at_exit("Closing the DNS sockets", prober.aclose())
