"""The site's sending domains (found, loaded, polled, with status badges) and the DNS records
table of the selected one (host, type, value), with what copy puts on the clipboard.

Domains are found by querying the custom domains of the site's sender details and verified
sender emails (an unfiltered query is an error by design). One still INITIALIZING is polled
with backoff (``flow.polling``: 10 s, 20 s, 40 s... of the app's clock) until Wix has made its
records, and the user is told, wherever they are in the app.

Copy works on the cell under the cursor, because a DNS host's form has one field per part:
``c`` on a host copies the host, on a value the value, and on the type column the whole record
as a zone line; ``C`` copies every record. The clipboard is the terminal's, through OSC 52
(``App.copy_to_clipboard``): the only one that reaches the user's machine over SSH. No local
clipboard tool is ever tried, and a toast echoes what was copied, since some terminals ignore
OSC 52 silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable

from tui.exporting import Record, publishable, zone_line, zone_type
from tui.flow.domains import custom_domains
from tui.flow.polling import initializing_delay
from tui.flow.retry import read_retry
from tui.time_words import duration
from tui.widgets.fields import Note
from tui.widgets.grid import LeavesAtEdges
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, job
from tui.widgets.pane import ONLINE, Connection, JourneyData
from tui.wix.errors import SenderDetailsDoNotExist, WixError
from tui.wix.models import DomainStatus, SendingDomain

COLUMNS = (("host", "host"), ("type", "type"), ("value", "value"))
BADGE = {
    DomainStatus.INITIALIZING: "⧗ initializing",
    DomainStatus.NOT_AUTHENTICATED: "✗ not authenticated",
    DomainStatus.AUTHENTICATED: "✓ authenticated",
}
NO_DOMAINS = (
    "No sending domain yet. Wix makes one once sender details exist for an address on your own "
    "domain: start in the Senders pane (1)."
)
NEVER = float("inf")  # a poll is out: its answer schedules the next one


def badge(domain: SendingDomain) -> str:
    """Glyph and word, never colour alone; an unknown status keeps Wix's raw value."""
    return BADGE.get(domain.status, f"? {domain.status_label}")


class DomainTable(LeavesAtEdges):
    """One row per sending domain, keyed by its name; updated in place when only statuses
    change, so the cursor stays on the user's row."""

    DEFAULT_CSS = "DomainTable { height: auto; max-height: 7; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")

    def on_mount(self) -> None:
        for label in ("domain", "status", "records"):
            self.add_column(label, key=label)

    def show(self, domains: dict[str, SendingDomain], selected: str | None) -> None:
        names = sorted(domains)
        cells = {n: (Text(badge(d)), Text(str(len(d.dns_records)))) for n, d in domains.items()}
        if [str(key.value) for key in self.rows] != names:
            self.clear()
            for name in names:
                self.add_row(Text(name), *cells[name], key=name)
        else:
            for name in names:
                self.update_cell(name, "status", cells[name][0], update_width=True)
                self.update_cell(name, "records", cells[name][1], update_width=True)
        if selected in domains:
            self.move_cursor(row=names.index(selected))


class Fetched(Message):
    """A load (``complete``: all of the site's domains) or a poll of some of them ended."""

    def __init__(
        self, generation: int, domains: list[SendingDomain] | None, error: WixError | None
    ) -> None:
        super().__init__()
        self.generation, self.domains, self.error = generation, domains, error
        self.complete = True


class DomainList(UsesServices, RunsJobs, Vertical):
    """The domain table with its message line; says which domain is selected."""

    DEFAULT_CSS = """
    DomainList { height: auto; }
    DomainList #domains-message { color: $text-warning; }
    """

    class Selected(Message):
        def __init__(self, domain: SendingDomain | None) -> None:
            super().__init__()
            self.domain = domain

    class NeedsSenderDetails(Message):
        def __init__(self, error: SenderDetailsDoNotExist) -> None:
            super().__init__()
            self.error = error

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.domains: dict[str, SendingDomain] = {}
        self.selected: str | None = None
        self.loaded = False
        self.poll_due: float | None = None  # the next INITIALIZING poll (app clock)
        self._generation = 0
        self._load_due: float | None = None  # a retry after a network error (app clock)
        self._load_attempt = 0
        self._poll_attempt = 0

    def compose(self) -> ComposeResult:
        yield Note("Not signed in.", id="domains-message")
        yield DomainTable(id="domains-table")

    def reset(self, signed_in: bool) -> None:
        """A new session: forget everything, and load if signed in."""
        self._generation += 1
        self.domains, self.selected, self.loaded = {}, None, False
        self._load_due = self.poll_due = None
        self._load_attempt = self._poll_attempt = 0
        self.query_one(DomainTable).clear()
        self.message("Loading the sending domains…" if signed_in else "Not signed in.")
        if signed_in:
            self.reload()

    def reload(self) -> None:
        self._load(self._generation)

    def changed(self, domain: SendingDomain) -> None:
        """Wix answered with this domain (e.g. authenticated). Goes through the queue so the
        messages that follow are this widget's own: Textual stops a message from bubbling
        past the widget whose handler posted it, and the pane must pass them on."""
        message = Fetched(self._generation, [domain], None)
        message.complete = False
        self.post_message(message)

    def message(self, text: str) -> None:
        note = self.query_one("#domains-message", Note)
        note.update(text)
        note.display = bool(text)

    @property
    def current(self) -> SendingDomain | None:
        return self.domains.get(self.selected) if self.selected else None

    # --- asking Wix -----------------------------------------------------------------------

    @job("domains-load", "Reading the sending domains", "Press R to read them again.")
    async def _load(self, generation: int) -> None:
        client = self.client
        if client is None:
            return
        try:
            details = await client.list_sender_details()
            emails = await client.list_sender_emails()
            names = custom_domains(details, emails)
            found = await client.query_sending_domains(domains=names) if names else []
        except WixError as exc:
            self.post_message(Fetched(generation, None, exc))
            return
        self.post_message(Fetched(generation, found, None))

    @job(
        "domains-poll",
        "Looking whether Wix has made the DNS records",
        "Press R to look again.",
    )
    async def _poll(self, generation: int, names: list[str]) -> None:
        client = self.client
        if client is None:
            return
        try:
            message = Fetched(generation, await client.query_sending_domains(domains=names), None)
        except WixError as exc:
            message = Fetched(generation, None, exc)
        message.complete = False
        self.post_message(message)

    def on_fetched(self, message: Fetched) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # for a session that is over
        if message.error is not None:
            self._failed(message.error, complete=message.complete)
            return
        self.post_message(Connection(ONLINE))
        if message.complete:
            self.loaded, self._load_due, self._load_attempt = True, None, 0
        self.apply(message.domains or [], complete=message.complete)

    def _failed(self, error: WixError, *, complete: bool) -> None:
        if isinstance(error, SenderDetailsDoNotExist):
            self.post_message(self.NeedsSenderDetails(error))
            return
        attempt = self._load_attempt + 1 if complete else max(1, self._poll_attempt)
        retry = read_retry(error, attempt)
        if complete and not retry.again:
            self.message(f"{error.user_message()} Press R to try again.")  # no retry by itself
            self.post_message(Connection(f"⚠ {retry.reason}; press R to retry"))
            return
        if complete:
            self._load_attempt = attempt
            self._load_due = self.services.clock.monotonic() + retry.delay
            self.message(f"{error.user_message()} Trying again in {duration(retry.delay)}.")
            wait = retry.delay
        else:
            # A failed INITIALIZING poll: the next poll comes on the polling schedule, never
            # sooner than the read-retry rule says.
            self.poll_due = None
            self._schedule_poll(at_least=retry.delay if retry.again else 0.0)
            wait = max(0.0, (self.poll_due or 0.0) - self.services.clock.monotonic())
        self.post_message(Connection(f"⚠ {retry.reason}; retrying in {duration(wait)}"))

    def recover(self, failed: Job, error: BaseException) -> str | None:
        # A bug is not retried by itself: it would fail the same way.
        if failed.group == "domains-poll":
            self.poll_due = None
        self.message(f"✗ {failed.what} failed (a bug, in the log file). {failed.then}")
        return None

    # --- what Wix said --------------------------------------------------------------------

    def apply(self, found: list[SendingDomain], *, complete: bool) -> None:
        """New or changed domains (``complete``: the whole list, else only these changed)."""
        fresh = {d.domain.lower(): d for d in found}
        for name, domain in fresh.items():
            old = self.domains.get(name)
            if old is not None and old.status is DomainStatus.INITIALIZING and domain.dns_records:
                self.app.notify(
                    f"Wix made the DNS records for {name}: {len(domain.dns_records)} CNAME "
                    "records to add at your DNS host (Domains pane, 2).",
                    title="DNS records ready",
                    timeout=15,
                    markup=False,
                )
        self.domains = fresh if complete else {**self.domains, **fresh}
        if self.selected not in self.domains:
            names = sorted(self.domains)
            ready = [n for n in names if self.domains[n].status is DomainStatus.NOT_AUTHENTICATED]
            self.selected = (ready or names or [None])[0]
        self.query_one(DomainTable).show(self.domains, self.selected)
        self.message("" if self.domains else NO_DOMAINS)
        if self.poll_due == NEVER:
            self.poll_due = None
        self._schedule_poll()
        self.post_message(self.Selected(self.current))
        self.post_message(JourneyData(domains=list(self.domains.values())))

    def _schedule_poll(self, at_least: float = 0.0) -> None:
        waiting = any(d.status is DomainStatus.INITIALIZING for d in self.domains.values())
        if not waiting:
            self.poll_due, self._poll_attempt = None, 0
        elif self.poll_due is None:
            self._poll_attempt += 1
            delay = max(at_least, initializing_delay(self._poll_attempt))
            self.poll_due = self.services.clock.monotonic() + delay

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        key = event.row_key.value
        if key is not None and key != self.selected and key in self.domains:
            self.selected = str(key)
            self.post_message(self.Selected(self.current))

    def pick(self, name: str) -> None:
        """Show ``name`` (the compact layout's d), as moving the table's cursor there does."""
        if name not in self.domains or name == self.selected:
            return
        self.selected = name
        self.query_one(DomainTable).show(self.domains, name)
        self.post_message(self.Selected(self.current))

    def tick(self) -> None:
        """Once a second (hidden or not): a due retry or INITIALIZING poll."""
        now = self.services.clock.monotonic()
        if self._load_due is not None and now >= self._load_due:
            self._load_due = None
            self.reload()
        if self.poll_due is not None and now >= self.poll_due:
            waiting = [n for n, d in self.domains.items() if d.status is DomainStatus.INITIALIZING]
            self.poll_due = NEVER
            self._poll(self._generation, waiting)

    def poll_in(self) -> float | None:
        """Seconds of the app's clock until the next INITIALIZING poll (None: none planned)."""
        if self.poll_due is None or self.poll_due == NEVER:
            return None
        return max(0.0, self.poll_due - self.services.clock.monotonic())


# --- the records ----------------------------------------------------------------------------


def records_of(domain: SendingDomain) -> list[Record]:
    return [
        Record(r.host_name.strip(), r.type, r.value.strip(), incomplete=r.incomplete)
        for r in domain.dns_records
    ]


INCOMPLETE_HOST = "⚠ incomplete: no host name from Wix yet"
INCOMPLETE_VALUE = "⚠ incomplete: no value from Wix yet; R reads the domain again"


def _cells(record: Record) -> tuple[Text, Text, Text]:
    """A row's cells: an incomplete record says so, glyph and word, where its part is missing
    (and how to read it again), rather than showing an empty cell."""
    host = record.host or INCOMPLETE_HOST
    value = record.value or INCOMPLETE_VALUE
    if record.incomplete and record.value and not record.host:
        value = f"{record.value} (R reads the domain again)"
    return Text(host), Text(zone_type(record.type)), Text(value)


@dataclass(frozen=True, slots=True)
class Copied:
    text: str  # what goes on the clipboard ("": nothing, and ``what`` says why)
    what: str  # what it is, in words, for the toast


class RecordsTable(LeavesAtEdges):
    """Rows in Wix's order; every string from Wix is a ``Text``, never markup."""

    DEFAULT_CSS = "RecordsTable { height: auto; max-height: 8; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self.domain = ""
        self.records: list[Record] = []

    def on_mount(self) -> None:
        for label, key in COLUMNS:
            self.add_column(label, key=key)

    def show(self, domain: SendingDomain | None) -> None:
        """The records of ``domain`` (none while it is INITIALIZING, or for no domain)."""
        records = records_of(domain) if domain is not None else []
        name = domain.domain if domain is not None else ""
        if name == self.domain and records == self.records:
            return  # keep the cursor where the user left it
        self.domain, self.records = name, records
        self.clear()
        for index, record in enumerate(records):
            self.add_row(*_cells(record), key=str(index))

    def selected(self) -> Copied | None:
        """What ``c`` copies: the cell under the cursor (the whole record on the type column)."""
        if not self.records:
            return None
        row, column = self.cursor_coordinate
        row = min(max(row, 0), len(self.records) - 1)
        record, number = self.records[row], f"record {row + 1} of {len(self.records)}"
        if record.incomplete:
            return Copied("", f"Nothing copied: {number} is incomplete ({record.skipped_because}).")
        key = COLUMNS[min(max(column, 0), len(COLUMNS) - 1)][1]
        if key == "host":
            return Copied(record.host, f"the host of {number}")
        if key == "value":
            return Copied(record.value, f"the value of {number}")
        return Copied(zone_line(record), f"{number} as a zone line")

    def everything(self) -> Copied | None:
        """What ``C`` copies: every record as zone lines."""
        if not self.records:
            return None
        text = "".join(zone_line(r) + "\n" for r in self.records)
        complete = len(publishable(self.records))
        if complete == len(self.records):
            return Copied(text, f"all {len(self.records)} records of {self.domain}")
        left_out = len(self.records) - complete
        return Copied(
            text,
            f"the {complete} complete records of {self.domain} ({left_out} incomplete, left out "
            "with a comment saying why)",
        )
