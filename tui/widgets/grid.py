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
``refresh_interval`` seconds of the app's clock have passed since.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
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
from tui.propagation.model import TIME_BOUND, Cell, ExpectedRecord, Report, Resolver
from tui.time_words import ago, duration
from tui.widgets.fields import Note
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, close_at_exit, declare, job, run_job
from tui.widgets.pane import DnsChecked

if TYPE_CHECKING:
    # Only a type here: the engine (dnspython, httpx) is built at the first sweep.
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


def row_label(resolver: Resolver) -> Text:
    label, bold = labels.row_label(resolver)
    return Text(label, style="bold" if bold else "")


def label_width(rows: Sequence[Resolver]) -> int:
    return max((len(row_label(r)) for r in rows), default=8)


class PropagationGrid(DataTable[Text]):
    DEFAULT_CSS = "PropagationGrid { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", fixed_columns=1)
        self.shape: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self.report: Report | None = None
        self._texts: dict[tuple[str, str], str] = {}  # (record, resolver) -> text shown
        self.cell_updates = 0  # update_cell calls: only changed cells cost one

    def reset(self) -> None:
        self.clear(columns=True)
        self.shape, self.report, self._texts = None, None, {}

    def _build(self, report: Report, rows: list[Resolver], now: datetime) -> None:
        self.clear(columns=True)
        self._texts = {}
        self.add_column("resolver", key=LABEL_KEY, width=label_width(rows))
        for record, header in zip(report.records, column_headers(report), strict=True):
            self.add_column(header, key=record.name, width=CELL_WIDTH)
        for resolver in rows:
            texts = []
            for record in report.records:
                text = cell_text(report.cells.get((record.name, resolver.key)), now)
                self._texts[(record.name, resolver.key)] = text.plain
                texts.append(text)
            self.add_row(row_label(resolver), *texts, key=resolver.key)

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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.domain = ""
        self.records: list[ExpectedRecord] = []
        self.added = False  # the user marked the records added (sharper diagnoses)
        self.paused = False
        self.due: float | None = None  # app clock monotonic time of the next sweep
        self.problem = ""
        self.sweeps = 0
        self._generation = 0
        self._worker: Worker[None] | None = None
        self._again = False  # "check now" came during a sweep: another one right after
        self._prober: Prober | None = None  # made at the first sweep (services.engine)
        self._resolvers: list[Resolver] = []

    def compose(self) -> ComposeResult:
        yield Note("", id="grid-status", classes="quiet")
        yield PropagationGrid(id="grid")
        yield Note("", id="cell-detail", classes="quiet")
        yield Note("", id="unasked", classes="quiet")
        yield Note("", id="eta")
        yield Note("", id="diagnoses")

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
            parts.append(f"checked {ago(report.checked_at, now)}")
            if unanswered := unanswered_words(report):
                parts.append(unanswered)
        if self.records:
            if self.paused:
                parts.append("⏸ paused (s resumes)")
            elif self.sweeping:
                parts.append("checking now")
            elif self.due is not None:
                left = max(0.0, self.due - self.services.clock.monotonic())
                parts.append(f"next check in {duration(left)}")
        if self.problem:
            parts.append(f"⚠ {self.problem}")
        self._put("#grid-status", " · ".join(parts))

    def _show_detail(self) -> None:
        found = self.grid.highlighted()
        text = describe(found[0], found[1], self.services.clock.now()) if found else ""
        self._put("#cell-detail", text)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self._show_detail()

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
        lines = [f"• [{d.code}] {d.sentence}" for d in report.diagnoses]
        self._put("#diagnoses", "\n".join(lines + [f"! {w}" for w in report.warnings]))
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
        interval = self.services.config.refresh_interval
        self.due = self.services.clock.monotonic() + (0.0 if self._again else interval)
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
