"""The sending domains pane: the site's sending domains with status badges (``widgets.records``),
the selected one's DNS records (copy, export), the live propagation grid (``widgets.grid``),
and authentication (``screens.authenticate``).

One real-time timer ticks once a second and reads the app's clock, so the demo's fast clock
and a test's jump forward count at once. It polls an INITIALIZING domain when due, even while
the pane is hidden (the news then reaches the user wherever they are); and only while the pane
is on the current screen (no modal on top) it starts a due propagation sweep
(``widgets.grid``) and redraws the countdowns. Nothing is swept while the pane is hidden.

The DNS engine (dnspython, httpx) comes from ``services.engine`` at the first sweep, so it stays
out of the app's first frame.

The layout follows the pane's height. Tall enough (e.g. 120x36), everything is shown: the
domain table, the records, the grid, the ETA, the diagnoses, the authenticate lines. Shorter
(80x24, what users have over SSH) the pane is *compact*: one line names the domain (d picks
another when there are several) beside the grid's status, and v switches between the records
view (to copy them to the DNS host) and the grid view (the grid with the authoritative rows and
at least four resolver rows, the ETA, the first diagnosis with its fix, and the authenticate
line, in that order, without scrolling). The grid view wins by itself once the records show up
at the DNS servers (or a diagnosis says where they went), unless the user chose a view for
that domain. Down, PageDown and End on the last row of a table go on to what is below it.

Longer than the 400 lines we aim for: the layout switching and the focus rules that go with
it belong together; the next split would move the compact/full layout into its own widget.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widget import Widget

from tui import exporting
from tui.demo import MISTAKES, SandboxError
from tui.flow.domains import expected_records
from tui.propagation.model import NO_SIGNAL, Report, Role, Status
from tui.screens.authenticate import AuthPanel
from tui.screens.choice import ChoiceScreen
from tui.screens.guided_fix import open_guided_fix
from tui.services import Session
from tui.store.paths import export_directory
from tui.time_words import duration
from tui.widgets.fields import Note
from tui.widgets.grid import (
    LeavesAtEdges,
    Line,
    PropagationGrid,
    PropagationWatch,
    StatusNote,
    more_notes,
)
from tui.widgets.jobs import job
from tui.widgets.pane import DnsChecked, DomainShown, Pane
from tui.widgets.records import (
    Copied,
    DomainList,
    DomainTable,
    RecordsTable,
    badge,
    records_of,
)
from tui.wix.errors import SenderDetailsDoNotExist
from tui.wix.models import DomainStatus, SendingDomain

W = TypeVar("W", bound=Widget)

HELP = (
    "The site's sending domains: Wix makes one for the custom domain of each sender (addresses "
    "on gmail.com and other public mailboxes never get one). While a domain is INITIALIZING "
    "Wix is making its DNS records; this pane looks again by itself and tells you when they "
    "are ready.\n\n"
    "Add the CNAME records at your DNS host. c copies the cell under the cursor: a host or a "
    "value, as a DNS host's form asks for them (on the type column, the whole record). C copies "
    "every record as zone lines, e exports them to a file (BIND, CSV or JSON) in your downloads "
    "folder (else documents, else the app's data folder; an older export is never "
    "replaced). If your DNS host adds the domain to the Host field itself, type only the part "
    "before your domain.\n\n"
    "At 80x24 the pane shows one view at a time: v switches between the records and the "
    "grid (the grid comes by itself once the records show up at your DNS servers), and d "
    "picks another domain when there are several.\n\n"
    "The grid shows where each record is visible: the zone's own (authoritative) servers "
    "first, then resolvers. Each cell is a glyph and a word. A countdown is a cached 'does not "
    "exist' (or an old answer) that clears by itself; '\u2013 unasked' means public resolvers are "
    "not asked until your DNS servers serve the record. r checks now and s pauses; checks "
    "repeat every [ui] refresh_interval seconds of the config. Under the grid: when every "
    "record will be visible, and what to fix. Enter on a cell shows its evidence: the question, "
    "the server, the answer with its TTLs, when it was asked and what it means.\n\n"
    "t authenticates. Wix advises waiting 1 hour after adding the records (m marks them added "
    "if the grid cannot see them yet) and 4 hours after a failed attempt: the countdown shows "
    "when, and trying earlier asks first. u authenticates by itself once every cell is ok and "
    "the schedule allows. R reads the domains again."
)
DEMO_NOTE = (
    "Demo: h publishes the records at the sandbox DNS host (correctly, or with a common "
    "mistake to see its diagnosis); x removes them again."
)


RECORDS, GRID = "records", "grid"
COMPACT_BELOW = 26  # rows of the pane: below, one view at a time (80x24 leaves it 15 to 18)
RECORDS_TITLE = "DNS records (c copies the cell, C all, e exports; v shows the grid)"


def published(report: Report) -> bool:
    """Whether the records have shown up: an authoritative server answers something for one
    of them, or a diagnosis says where they went (a doubled suffix, a proxy...)."""
    if report.diagnoses:
        return True
    authoritative = {r.key for r in report.resolvers if r.role is Role.AUTHORITATIVE}
    return any(
        c.queried
        and c.resolver in authoritative
        and c.status is not Status.NOT_PUBLISHED
        and c.status not in NO_SIGNAL
        for c in report.cells.values()
    )


class DomainsPane(Pane):
    TITLE = "Domains"
    HELP = HELP
    BINDINGS = [
        # Most needed first: the footer shows the first ones that fit (at 80 columns, in the
        # demo: g when offered, h, t, v, c); the rest are in F1 and the palette.
        Binding("g", "guided_fix", "Guided fix", id="domains-guided-fix"),
        Binding(
            "h",
            "demo_publish",
            "Publish",
            id="demo-publish",
            tooltip="Demo: publish the records at the sandbox DNS host",
        ),
        Binding("t", "auth_try", "Authenticate", id="auth-try"),
        Binding("v", "domains_view", "Records/grid", id="domains-view"),
        Binding("c", "records_copy", "Copy cell", id="records-copy"),
        Binding("e", "records_export", "Export", id="records-export"),
        Binding("d", "domains_pick", "Pick domain", id="domains-pick", show=False),
        Binding("r", "grid_refresh", "Check now", id="grid-refresh"),
        Binding("s", "grid_toggle", "Pause/resume", id="grid-toggle"),
        Binding("C,shift+c", "records_copy_all", "Copy all", id="records-copy-all", show=False),
        Binding("m", "auth_mark_added", "Mark added", id="auth-mark-added", show=False),
        Binding("u", "auth_auto", "Auto-authenticate", id="auth-auto", show=False),
        Binding("R,shift+r", "domains_refresh", "Reload domains", id="domains-refresh", show=False),
        Binding(
            "x",
            "demo_unpublish",
            "Unpublish",
            id="demo-unpublish",
            show=False,
            tooltip="Demo: take the records off the sandbox DNS host",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = RECORDS  # in the compact layout: RECORDS or GRID
        self._chosen: set[str] = set()  # domains whose view the user chose (v): never switched
        self._domain: SendingDomain | None = None
        self._unwatchable: list[str] = []  # Wix records whose names DNS cannot carry, and why
        self._needs_details: SenderDetailsDoNotExist | None = None
        self._guided_shown = False
        # show_domain's domain until the list shows it, and whether to authenticate it then.
        self._wanted: str | None = None
        self._wanted_auth = False
        self._found: dict[str, Widget] = {}  # selector -> the child (see _child)

    def compose(self) -> ComposeResult:
        status = StatusNote("", id="grid-status", classes="quiet")
        with VerticalScroll(id="domains-body"):
            yield DomainList(id="domain-list")
            with Horizontal(id="domain-bar"):
                yield Note("", id="domain-summary")
                yield status
            yield Line("", id="unwatched", classes="problem")
            with Vertical(id="records-view"):
                yield Note(RECORDS_TITLE, id="records-title", classes="section")
                yield RecordsTable(id="records-table")
                yield Line("", id="export-note", classes="hint")
            with Vertical(id="grid-view"):
                yield Note("Propagation (r checks now, s pauses)", classes="section")
                yield PropagationWatch(id="propagation", status=status)
            yield AuthPanel(id="auth")
            yield Line("", id="more-notes")
            yield Line("", id="demo-note", classes="hint")

    def on_mount(self) -> None:
        if self.services.sandbox is not None:
            self.query_one("#demo-note", Line).show(DEMO_NOTE)
        self._layout()
        self.set_interval(1.0, self._tick)
        self.follow_session(self._session_changed)
        self.focus_inside()  # chosen (2) before its children were there

    def focus_target(self) -> Widget | None:
        if not self.compact and len(self._list.domains) > 1:
            return self.query_one(DomainTable)
        if self.view == GRID and (self.compact or self._watch.grid.row_count):
            return self._watch.grid  # (an empty grid takes the focus too: its keys work)
        return self.query_one(RecordsTable)

    # --- the layout: compact (one view at a time) or everything -----------------------------

    @property
    def compact(self) -> bool:
        return self.has_class("-compact")

    def on_resize(self, event: events.Resize) -> None:
        self._layout()

    def _layout(self) -> None:
        compact = 0 < self.size.height < COMPACT_BELOW
        self.set_class(compact, "-compact")
        self.set_class(len(self._list.domains) < 2, "-one-domain")
        self.set_class(self.view == GRID, "-view-grid")
        self.set_class(self.view == RECORDS, "-view-records")
        self._watch.brief = compact
        grids = self._watch.query(PropagationGrid)
        if not grids:
            # Still mounting its children (a resize arrives first): lay out again once they
            # are there. Quitting mid-mount ends here too, instead of a NoMatches crash.
            if self.is_attached:
                self.call_after_refresh(self._layout)
            return
        grid = grids.first()
        if grid.compact != compact:
            grid.compact = compact
            grid.fit()
        self._show_summary()

    def _set_view(self, view: str, *, focus: bool = True) -> None:
        moved = view != self.view
        self.view = view
        self._layout()
        self.call_after_refresh(self._refocus_if_lost)
        if focus and (moved or not self.compact):
            target = self._watch.grid if view == GRID else self.query_one(RecordsTable)
            if target.row_count or view == RECORDS or self.compact:
                target.focus()
            target.scroll_visible(animate=False)

    @property
    def _list(self) -> DomainList:
        return self._child("#domain-list", DomainList)

    @property
    def _watch(self) -> PropagationWatch:
        return self._child("#propagation", PropagationWatch)

    def _child(self, selector: str, kind: type[W]) -> W:
        """A child, looked up once (the pane composes them once): the tick, once a second,
        would otherwise walk the pane's widgets for each of the several it touches. Raises
        NoMatches before compose, as query_one does."""
        found = self._found.get(selector)
        if found is None or not found.is_attached:
            found = self.query_one(selector, kind)
            self._found[selector] = found
        return found  # type: ignore[return-value]

    def _composed_child(self, selector: str, kind: type[W]) -> W | None:
        """As _child; None before compose has run."""
        try:
            return self._child(selector, kind)
        except NoMatches:
            return None

    # --- the session and the selected domain ----------------------------------------------

    def _session_changed(self, session: Session | None) -> None:
        self._needs_details, self._guided_shown = None, False
        self._wanted, self._wanted_auth = None, False
        self.refresh_bindings()
        self._select(None)
        self._list.reset(signed_in=session is not None)

    def reload(self) -> None:
        """Read the domains again (e.g. after sender details were made elsewhere)."""
        if self.session is not None:
            self._list.reload()

    def on_domain_list_selected(self, message: DomainList.Selected) -> None:
        self.set_class(len(self._list.domains) < 2, "-one-domain")
        if self._needs_details is not None:
            self._needs_details = None  # the domains loaded: the sender details exist now
            self.refresh_bindings()
        self._select(message.domain)
        self._go_to_wanted()

    def show_domain(self, name: str, *, authenticate: bool = False) -> None:
        """Show the domain ``name`` (the Doctor's fixes); with ``authenticate``, then start its
        Authenticate flow (t), which asks first when the retry schedule says wait. Before the
        domains are loaded, it is shown once they are, but never authenticated by itself:
        the user would not know the attempt came from a key pressed minutes ago."""
        name = name.strip().lower().rstrip(".")
        if not self._list.loaded:
            self._wanted, self._wanted_auth = name, False
            if authenticate:
                self.app.notify(
                    f"The sending domains are still loading: {name} shows once they are; "
                    "press t there to authenticate it.",
                    markup=False,
                )
            return
        self._wanted, self._wanted_auth = name, authenticate
        self._go_to_wanted()

    def _go_to_wanted(self) -> None:
        name = self._wanted
        if name is None or not self._list.loaded:
            return
        if name not in self._list.domains:
            self._wanted, self._wanted_auth = None, False
            self.app.notify(
                f"{name} is not one of this site's sending domains any more (R reads them again).",
                markup=False,
            )
            return
        if self._list.selected != name:
            self._list.pick(name)  # its Selected message comes back here
            return
        if self._domain is None or self._domain.domain.lower() != name:
            return  # selected: the pane hears of it in a moment
        authenticate = self._wanted_auth
        self._wanted, self._wanted_auth = None, False
        if authenticate:
            self.action_auth_try()

    def _select(self, domain: SendingDomain | None) -> None:
        changed = (domain.domain if domain else None) != (
            self._domain.domain if self._domain else None
        )
        self._domain = domain
        if changed:
            self.query_one("#more-notes", Note).show("")
            self.view = RECORDS  # until its records show up, or the user chooses
            if domain is not None and self.services.state.domain(domain.domain).marked_added:
                self.view = GRID
            self._layout()
            self.call_after_refresh(self._refocus_if_lost)
        self.query_one(RecordsTable).show(domain)
        records, self._unwatchable = expected_records(domain) if domain is not None else ([], [])
        if domain is not None and records:
            state = self.services.state.domain(domain.domain)
            self._watch.added = state.marked_added is not None
            self._watch.follow(domain.domain, records)
        else:
            self._watch.unfollow()
        self.query_one(AuthPanel).show(domain)
        self._show_summary()
        self.post_message(DomainShown(domain.domain if domain is not None else None))

    def _show_summary(self) -> None:
        domain, text = self._domain, ""
        if domain is not None:
            text = domain.domain
            count = len(self._list.domains)
            if count > 1:
                names = sorted(self._list.domains)
                place = names.index(domain.domain) + 1 if domain.domain in names else 1
                text += f" ({place} of {count}{', d picks' if self.compact else ''})"
            text += f": {badge(domain)}"
            if not self.compact:
                text += f" · {len(domain.dns_records)} records"
            if domain.incomplete_records:
                text += f" ({len(domain.incomplete_records)} incomplete: R reads them again)"
            if domain.status is DomainStatus.INITIALIZING:
                text += ". Wix is making its DNS records (usually 1-5 minutes)"
                left = self._list.poll_in()
                text += f"; next look in {duration(left)}" if left is not None else ""
        unwatched = "\n".join(f"✗ not watched: {problem}" for problem in self._unwatchable)
        note = self._composed_child("#domain-summary", Note)  # none before compose
        if note is not None:
            note.show(text)
            self._child("#unwatched", Note).show(unwatched)

    # --- the clock ------------------------------------------------------------------------

    def _visible(self) -> bool:
        return self.on_screen and self.screen is self.app.screen

    def _tick(self) -> None:
        self._list.tick()
        if self._visible():
            self._watch.tick()
            self._child("#auth", AuthPanel).tick()
            self._show_summary()
            self._refocus_if_lost()

    def _refocus_if_lost(self) -> None:
        """A view switch can hide the focused table (Textual then focuses nothing, or keeps a
        widget nobody sees), and the pane's keys would go nowhere: put the focus back."""
        if not self.is_attached or not self._visible():
            return
        focused = self.screen.focused
        if focused is None or (self in focused.ancestors and not focused.region):
            if focused is not None:
                focused.blur()
            self.focus_inside()
        # The last attempt's line takes no row while there is none (80x24 counts every row).
        last = self._composed_child("#auth-last", Note)
        if last is not None:
            last.set_class(not str(last.content), "-empty")

    def on_show(self) -> None:
        # Back on the pane: sender details may have been made meanwhile (or the guided fix is
        # due), so look again; and put the keys to work at once (focus inside the pane).
        self.reload()
        self.focus_inside()
        self.call_after_refresh(self._tick)

    # --- messages from the children -------------------------------------------------------

    def on_dns_checked(self, message: DnsChecked) -> None:
        if self._domain is not None and message.domain == self._domain.domain:
            self.query_one(AuthPanel).swept(message.report)
            self.query_one("#more-notes", Note).show(more_notes(message.report))
            chosen = message.domain in self._chosen
            if self.view != GRID and not chosen and published(message.report):
                # The grid wins the space once the records show up (or a diagnosis says where
                # they went); v brings the records back.
                self._set_view(GRID, focus=self._owns_focus())

    def _owns_focus(self) -> bool:
        focused = self.screen.focused if self.is_attached else None
        return focused is None or self in focused.ancestors

    def on_leaves_at_edges_edge(self, message: LeavesAtEdges.Edge) -> None:
        """Down/PageDown/End past a table's last row (or Up past its first): go on."""
        message.stop()
        records, grid = self.query_one(RecordsTable), self._watch.grid
        body = self.query_one("#domains-body", VerticalScroll)
        if message.down and message.table is records and grid.row_count:
            if self.compact and self.view != GRID and self._domain is not None:
                self._chosen.add(self._domain.domain)
            self._set_view(GRID)
        elif not message.down and message.table is grid:
            if self.compact and self._domain is not None:
                self._chosen.add(self._domain.domain)
            self._set_view(RECORDS)
        elif message.down and isinstance(message.table, DomainTable):
            records.focus()
        elif not message.down and message.table is records and not self.compact:
            table = self.query_one(DomainTable)
            if table.row_count > 1:
                table.focus()
            body.scroll_home(animate=False)
        elif message.down:
            body.scroll_end(animate=False)  # what is below: the ETA, diagnoses, authenticate

    def on_auth_panel_authenticated(self, message: AuthPanel.Authenticated) -> None:
        self._list.changed(message.domain)

    def on_auth_panel_uncertain(self, message: AuthPanel.Uncertain) -> None:
        self._list.message(f"Reading {message.domain.domain}'s status again…")
        self._list.reload()

    def on_auth_panel_needs_sender_details(self, message: AuthPanel.NeedsSenderDetails) -> None:
        self._offer_guided_fix(message.error)

    def on_domain_list_needs_sender_details(self, message: DomainList.NeedsSenderDetails) -> None:
        self._offer_guided_fix(message.error)

    def _offer_guided_fix(self, error: SenderDetailsDoNotExist) -> None:
        self._needs_details = error
        self._list.message(f"{error.user_message()} Press g for the guided fix.")
        self.refresh_bindings()
        if self._visible() and not self._guided_shown:
            self._guided_shown = True  # once by itself; g brings it back
            self.action_guided_fix()

    # --- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action.startswith("demo_"):
            return self.services.sandbox is not None
        if action == "guided_fix":
            return self._needs_details is not None
        return True

    def action_domains_view(self) -> None:
        """Records or grid: one view at a time in the compact layout; else the focus moves."""
        view = RECORDS if self.view == GRID else GRID
        if self._domain is not None:
            self._chosen.add(self._domain.domain)
        self._set_view(view)

    def action_domains_pick(self) -> None:
        domains = self._list.domains
        if len(domains) < 2:
            self.app.notify("There is only one sending domain.", markup=False)
            return
        options = [(name, f"{name}: {badge(domains[name])}") for name in sorted(domains)]

        def chosen(name: str | None) -> None:
            if name and name in self._list.domains:
                self._list.pick(name)

        self.app.push_screen(ChoiceScreen("Show the sending domain", "", options), chosen)

    def action_domains_refresh(self) -> None:
        if self.session is None:
            self.app.notify("Sign in first.", markup=False)
            return
        self._list.message("Loading the sending domains…")
        self.reload()

    def action_records_copy(self) -> None:
        self._copy(self.query_one(RecordsTable).selected())

    def action_records_copy_all(self) -> None:
        self._copy(self.query_one(RecordsTable).everything())

    def _copy(self, copied: Copied | None) -> None:
        if copied is None:
            self.app.notify("No DNS records to copy yet.", markup=False)
            return
        if not copied.text:
            self.app.notify(copied.what, severity="warning", markup=False)
            return
        # OSC 52 only: over SSH it is the one clipboard that reaches the user's machine.
        self.app.copy_to_clipboard(copied.text)
        self.app.notify(f"Copied {copied.what}:\n{copied.text.rstrip()}", markup=False)

    def action_records_export(self) -> None:
        domain = self._domain
        if domain is None or not domain.dns_records:
            self.app.notify("No DNS records to export yet.", markup=False)
            return
        options = [(fmt.value, exporting.DESCRIPTION[fmt]) for fmt in exporting.Format]

        def chosen(value: str | None) -> None:
            if value:
                self._export(exporting.Format(value), domain.domain, records_of(domain))

        where = export_directory(self.services.paths, create=False)
        body = f"{len(domain.dns_records)} records of {domain.domain}, into {where}."
        if domain.incomplete_records:
            body += (
                f" {len(domain.incomplete_records)} of them came incomplete from Wix: they are "
                "left out, with a line saying why (R reads the domain again)."
            )
        self.app.push_screen(ChoiceScreen("Export the DNS records as", body, options), chosen)

    @job(
        "records-export",
        "Exporting the DNS records",
        "Nothing may have been written; press e to try again, or C to copy them.",
        thread=True,
        exclusive=False,
    )
    def _export(self, fmt: exporting.Format, domain: str, records: list[exporting.Record]) -> None:
        paths = self.services.paths
        fallback = paths.exports_dir or paths.data_dir / "exports"
        try:
            directory = export_directory(paths)
            path = exporting.export(fmt, domain, records, directory=directory, fallback=fallback)
        except OSError as exc:
            text, error = (
                f"The records could not be written: {exporting.reason(exc)}. Free some space "
                "or fix the folder's permissions, or copy the records with C instead.",
                True,
            )
        else:
            written = len(exporting.publishable(records))
            text, error = f"Exported {written} records of {domain} to {path}", False
            if path.name != exporting.file_name(domain, fmt):
                text += f" ({exporting.file_name(domain, fmt)} was there already: kept)"
            if written < len(records):
                text += (
                    f" ({len(records) - written} incomplete, left out with a line saying why; "
                    "R reads the domain again)"
                )
        self.app.call_from_thread(self._exported, text, error)

    def _exported(self, text: str, error: bool) -> None:
        self.query_one("#export-note", Line).show(text)
        self.app.notify(text, severity="error" if error else "information", markup=False)

    def action_grid_refresh(self) -> None:
        said = self._watch.refresh_now()
        if not self._watch.sweeping:
            self.app.notify(said, markup=False)

    def action_grid_toggle(self) -> None:
        paused = self._watch.toggle()
        self.app.notify(
            "Propagation checks paused (s resumes)." if paused else "Propagation checks resumed.",
            markup=False,
        )

    def action_auth_try(self) -> None:
        self.query_one(AuthPanel).try_now()

    def action_auth_mark_added(self) -> None:
        if self.query_one(AuthPanel).mark_added():
            self._watch.added = True  # missing records now mean "added at the wrong host"
            if self._domain is not None and self._domain.domain not in self._chosen:
                self._set_view(GRID)

    def action_auth_auto(self) -> None:
        on = self.query_one(AuthPanel).toggle_auto()
        self.app.notify(f"Automatic authentication {'on' if on else 'off'}.", markup=False)

    def action_guided_fix(self) -> None:
        def done(fixed: bool) -> None:
            if fixed:
                self.reload()

        open_guided_fix(self.app, done)

    # --- demo only: the sandbox's DNS host ------------------------------------------------

    def action_demo_publish(self) -> None:
        domain = self._domain
        if domain is None or not domain.dns_records:
            self.app.notify("Select a domain with DNS records first.", markup=False)
            return

        def chosen(mistake: str | None) -> None:
            if mistake is not None:
                self._sandbox_dns(domain.domain, mistake, publish=True)

        self.app.push_screen(
            ChoiceScreen(
                f"Publish {domain.domain}'s records at the sandbox DNS host",
                "As you would at your DNS host. The mistakes show what the grid diagnoses.",
                list(MISTAKES.items()),
            ),
            chosen,
        )

    def action_demo_unpublish(self) -> None:
        domain = self._domain
        if domain is not None:
            self._sandbox_dns(domain.domain, "", publish=False)

    @job(
        "demo-dns",
        "Changing the records at the sandbox DNS host",
        "Press h to try again.",
        exclusive=False,
    )
    async def _sandbox_dns(self, domain: str, mistake: str, *, publish: bool) -> None:
        sandbox = self.services.sandbox
        if sandbox is None:
            return
        try:
            await (sandbox.publish(domain, mistake) if publish else sandbox.unpublish(domain))
        except SandboxError as exc:
            self.app.notify(f"The sandbox DNS host refused: {exc}", severity="error", markup=False)
            return
        how = MISTAKES.get(mistake, mistake)
        self.app.notify(
            f"Published {domain}'s records at the sandbox DNS host {how}."
            if publish
            else f"Removed {domain}'s records from the sandbox DNS host.",
            markup=False,
        )
        self._watch.refresh_now()


# The classes with remappable bindings, for the app's list of known binding ids
# (``known_binding_ids`` in tui/app.py checks the config's [keymap] against it).
KEYMAP_OWNERS: tuple[type[object], ...] = (DomainsPane, ChoiceScreen)
