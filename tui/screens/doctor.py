"""The Doctor pane (3): the check-up of the signed-in site, its findings, and each one's fix one
key away.

The check-up (``tui.checkup.gather``, then ``tui.flow.doctor.examine``) reads the sender details
and emails, the account and every sending domain, and sweeps each domain's records at the
zone's own DNS servers and the resolvers, and asks what receivers see for each authenticated
From domain (DMARC, SPF, DKIM). It only reads: nothing at Wix changes, so running it every few
minutes is harmless.

It runs when the pane is first shown, then every :data:`CHECK_INTERVAL` seconds while the pane
is on screen (a one-second timer reads the app's clock; never fewer real seconds, as the grid's
checks, so the demo's fast world does not run one every five seconds), and ``r`` runs it now.
Not the config's ``[ui] refresh_interval``: that is the grid's 30 s, too often for a check-up
that reads every domain from Wix.
One at a time (an exclusive worker); none while the pane is hidden or a dialog is on top. The
DNS engine comes from ``services.engine`` for each check-up and is closed after it.

At the top, one line: the headline (the worst finding, or that all is well) and when it was
checked and will be again. Below, the findings grouped by domain (``widgets.findings``), the
highlighted one's evidence and fix, and a line naming the key that runs the fix (Enter or f):
check again, show the domain in the Domains pane, authenticate it there (the Domains pane's own
flow, which asks first when the retry schedule says wait), the guided fix, the Senders pane,
copy a text, or log in again. After each check-up the pane posts ``DoctorChecked`` (the app
announces new problems from it), and a ``DnsChecked`` per domain it swept (so "Next:" knows
whether the records are visible, as after a sweep of the Domains grid).

Longer than the 400 lines we aim for, with its help text: the schedule, the check-up and the
fixes share the pane's state. The next split would move the fixes (``run_fix``) and the
first-seen bookkeeping into their own module.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.worker import Worker

from tui.checkup import DnsSetup, gather
from tui.flow.doctor import examine, headline
from tui.flow.domains import records_served
from tui.flow.findings import ActionKind, Finding, SiteFacts
from tui.screens.guided_fix import open_guided_fix
from tui.screens.journey_keys import journey_keys
from tui.services import Session
from tui.time_words import WORLD, clock_time, is_world
from tui.widgets.fields import Note
from tui.widgets.findings import (
    FindingList,
    evidence,
    fix,
    heading,
    key_hint,
    same,
    what_was_checked,
)
from tui.widgets.grid import pace
from tui.widgets.jobs import Job, close_at_exit, job
from tui.widgets.pane import DnsChecked, DoctorChecked, Pane, ShowPane
from tui.widgets.state_save import save_state

CHECK_INTERVAL = 300.0  # seconds between check-ups while the pane is on screen (5 min)
# Rows the list leaves to the rest: the top line, the blank row, the key line, and at least
# this much of the highlighted finding's detail (its title, the fix, what was seen).
DETAIL_ROWS = 8
RESERVED_ROWS = 3 + DETAIL_ROWS
MORE = re.compile(r"(.*)( \(\+\d+ more\))", re.DOTALL)  # flow.findings.headline's count
NOTHING: list[Finding] = []  # what the list shows before the first check-up (never changed)
KEYS = {"doctor-fix": "f", "doctor-check": "r"}  # binding id -> key, unless remapped

HELP = (
    "The doctor checks the whole site and says what is wrong, worst first: the sender details "
    "and emails, the email marketing account (suspended? out of quota?), each sending domain "
    "(still initializing, not authenticated, records not visible yet, records removed after "
    "authentication) and what DNS servers answer for its records. It only reads: nothing at "
    "Wix is changed.\n\n"
    "It runs when you open this pane and again every 5 minutes while the pane is showing; r "
    "runs it now. The line at the top says the worst problem and when the site was checked.\n\n"
    "Findings are grouped by domain (site-wide ones first). Each has a glyph and a word: "
    "✗ error (mail fails or the setup cannot go on), ▲ warning (it fails at some receivers, or "
    "waits on something), ○ info (worth knowing). Up and Down pick one; below the list are what "
    "was seen (where and when) and the fix. Enter (or f) runs the fix: it checks again, opens "
    "the domain in the Domains pane, authenticates it there (asking first when the retry "
    "schedule says wait), opens the guided fix for sender details, shows the Senders pane, "
    "copies a record or an address, or opens the login form. Tab moves to the details to "
    "scroll them."
)
ABOUT_CHECKUP = (
    "The check-up reads the sender details and emails, the account and every sending domain, "
    "and asks DNS servers for each domain's records. It only reads: nothing at Wix is changed."
)


class DoctorPane(Pane):
    TITLE = "Doctor"
    HELP = HELP
    BINDINGS = [
        Binding(
            "f",
            "doctor_fix",
            "Fix",
            id="doctor-fix",
            tooltip="Run the highlighted finding's fix (Enter does the same)",
        ),
        Binding("r", "doctor_check", "Check now", id="doctor-check", tooltip="Check again now"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.findings: list[Finding] = []
        self.facts: SiteFacts | None = None
        self.checked_at: datetime | None = None  # the app clock's time of the last check-up
        self.checks = 0  # check-ups finished (for tests and the screenshots)
        self.due: float | None = None  # app clock monotonic time of the next check-up
        self.problem = ""  # the last check-up failed: what the pane says about it
        self._generation = 0
        self._worker: Worker[None] | None = None
        self._again = False  # r during a check-up: another one right after it
        self._listed: list[Finding] | None = None  # what the list shows
        self._detailed: Finding | None = None  # whose detail is shown
        self._key_names: dict[str, str] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="doctor-top"):
            yield Note("", id="doctor-headline")
            yield Note("", id="doctor-more")
            yield Note("", id="doctor-when")
        yield Note("", id="doctor-problem")
        yield FindingList(id="doctor-findings")
        with VerticalScroll(id="doctor-detail"):
            yield Note("", id="doctor-summary")
            yield Note("", id="finding-title")
            yield Note("", id="finding-fix")
            yield Note("", id="finding-evidence")
        yield Note("", id="doctor-keys")

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self.follow_session(self._session_changed)

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        """The list takes what it needs, but leaves the detail enough rows: at 80x24 a typical
        set of findings and the highlighted one's fix are on screen together; a longer list
        scrolls in its own box, and a taller terminal shows more of both."""
        reserved = RESERVED_ROWS + (1 if self.problem else 0)
        height = self.size.height
        if not height:
            return
        listed = self.query_one(FindingList)
        rows = max(3, height - reserved)
        # A cut list does not end on a domain's heading without its first finding.
        if rows < listed.option_count and listed.get_option_at_index(rows - 1).disabled:
            rows -= 1
        listed.styles.max_height = rows

    def focus_target(self) -> Widget | None:
        # The list while there are findings; else the detail, so r works there too.
        if self.has_class("-found"):
            return self.query_one(FindingList)
        return self.query_one("#doctor-detail", VerticalScroll)

    @property
    def checking(self) -> bool:
        return self._worker is not None and self._worker.is_running

    # --- the session and the schedule -----------------------------------------------------

    def _session_changed(self, session: Session | None) -> None:
        self._generation += 1
        if self._worker is not None:
            self._worker.cancel()
        self._worker, self._again = None, False
        self.findings, self.facts, self.checked_at, self.problem = [], None, None, ""
        self.due = self.services.clock.monotonic() if session is not None else None
        self._redraw()

    def _visible(self) -> bool:
        return self.on_screen and self.screen is self.app.screen

    def _tick(self) -> None:
        """Once a second: a due check-up starts, but only while the pane is on screen."""
        if self.due is None or self.session is None or self.checking or not self._visible():
            return
        if self.services.clock.monotonic() >= self.due:
            self._start()

    def on_show(self) -> None:
        self.focus_inside()
        self.call_after_refresh(self._tick)

    def _interval(self) -> float:
        """Seconds of the app's clock between check-ups: never fewer real seconds."""
        return CHECK_INTERVAL * pace(self.services.clock)

    def _next_at(self) -> datetime | None:
        if self.due is None:
            return None
        clock = self.services.clock
        return clock.now() + timedelta(seconds=max(0.0, self.due - clock.monotonic()))

    # --- the check-up ---------------------------------------------------------------------

    def _start(self) -> None:
        self.due = None
        self._worker = self._check_up(self._generation)
        self._redraw()

    @job(
        "doctor-checkup",
        "The check-up of the site",
        "It runs again at the next scheduled check; press r to run it now.",
    )
    async def _check_up(self, generation: int) -> None:
        client = self.client
        if client is None:
            return
        services = self.services
        clock = services.clock
        history = {name: replace(d) for name, d in services.state.state.domains.items()}
        prober, resolvers = services.engine.prober()
        if services.engine.problem:
            self.app.notify(services.engine.problem, severity="warning", markup=False)
            services.engine.problem = ""  # said once
        try:
            facts = await gather(
                client,
                DnsSetup(prober, resolvers),
                now=clock.now,
                history=history,
                world=is_world(clock),
            )
        finally:
            await close_at_exit("Closing the DNS sockets of the check-up", prober.aclose())
        if generation != self._generation:
            return  # another site's, or nobody's, by now
        facts = self._note_first_seen(facts)
        findings = examine(facts)
        self.facts, self.findings = facts, findings
        self.checked_at, self.problem = facts.now, ""
        self.checks += 1
        self._ended()
        # Each sweep is a propagation check like the grid's: "Next:" hears of it too.
        for domain in facts.domains:
            if domain.report is not None:
                self.post_message(DnsChecked(domain.name, domain.report))
        self.post_message(DoctorChecked(findings))

    def _note_first_seen(self, facts: SiteFacts) -> SiteFacts:
        """As the Domains grid does after a sweep: the first time every record is served by
        the zone's own servers starts the 1-hour wait before Authenticate (``flow.schedule``).
        Noted (and saved) here too, so the findings judge with it and the grid agrees."""
        noted = False
        domains = []
        for found in facts.domains:
            if found.report is not None and records_served(found.report):
                state = self.services.state.domain(found.name)
                if state.records_first_seen is None:
                    state.records_first_seen, noted = found.report.checked_at, True
                    found = replace(found, history=replace(state))
            domains.append(found)
        if not noted:
            return facts
        self._save_state()
        return replace(facts, domains=tuple(domains))

    @job(
        "doctor-state-save",
        "Saving when the records were first seen on the DNS servers",
        "It is kept in memory and saved again at the next change.",
        thread=True,
        exclusive=False,
    )
    def _save_state(self) -> None:
        """Write state.json on a thread (fsync must not stall the screen)."""
        save_state(self, "when the records were first seen")

    def _ended(self) -> None:
        # The next one counts from the end of this one: they never overlap.
        now = self.services.clock.monotonic()
        self.due = now if self._again else now + self._interval()
        self._worker, self._again = None, False
        self._redraw()

    def recover(self, failed: Job, error: BaseException) -> str | None:
        if failed.group != "doctor-checkup":
            return None
        self._again = False  # a bug fails the same way: not again at once, at the next check
        self._ended()
        then = self._next_at()
        when = f"at {self._time(then)}" if then is not None else "later"
        self.problem = (
            f"✗ The last check-up failed (a bug; the details are in the log file). It runs "
            f"again {when}; r runs it now."
        )
        self._redraw()
        return f"It runs again {when}; press r to run it now."

    # --- what the pane shows --------------------------------------------------------------

    def _time(self, when: datetime) -> str:
        return clock_time(when, self.services.clock.now())

    def _keys(self) -> dict[str, str]:
        """The pane's keys as the user has them (the config does not change while running)."""
        if self._key_names is None:
            self._key_names = journey_keys(self.app, self.services.config.keymap, KEYS)
        return self._key_names

    def _redraw(self) -> None:
        if not self.is_mounted:
            return
        signed_in = self.session is not None
        checked = self.checked_at is not None
        healthy = checked and not self.findings
        listing = checked and bool(self.findings)
        if listing != self.has_class("-found"):
            self.set_class(listing, "-found")
            self._refocus()
            self.refresh_bindings()  # f: dimmed while there is nothing to fix
        # "(+3 more)" stays in view when a long title is cut at 80 columns.
        said, more = self._headline(signed_in), ""
        if counted := MORE.fullmatch(said):
            said, more = counted.group(1), counted.group(2)
        self.query_one("#doctor-headline", Note).show(said)
        self.query_one("#doctor-more", Note).show(more)
        self.query_one("#doctor-when", Note).show(self._when())
        problem = self.query_one("#doctor-problem", Note)
        problem.show(self.problem)
        if problem.display != bool(self.problem):
            problem.display = bool(self.problem)
            self._fit()
        summary = ""
        if not signed_in:
            summary = "Sign in to check a site."
        elif healthy and self.facts is not None:
            summary = what_was_checked(self.facts)
        elif not checked:
            summary = ABOUT_CHECKUP
        self.query_one("#doctor-summary", Note).show(summary)
        listed = self.findings if checked else NOTHING
        if listed is not self._listed:
            self._listed = listed
            self.query_one(FindingList).show(listed)  # its Moved message redraws the detail
            self._fit()
        else:
            self._show_detail(self.query_one(FindingList).current)

    def _refocus(self) -> None:
        """The list appeared or went: the focus follows, if it was in the pane."""
        focused = self.screen.focused if self.is_attached else None
        if focused is not None and self in focused.ancestors:
            target = self.focus_target()
            if target is not None and target is not focused:
                target.focus()

    def _headline(self, signed_in: bool) -> str:
        if not signed_in:
            return "Not signed in."
        if self.checked_at is None:
            return "⧗ Checking the site…" if self.checking else "Not checked yet."
        if not self.findings:
            return "✓ No problem found."
        worst = max(self.findings, key=lambda f: f.severity)
        return f"{worst.severity.glyph} {headline(self.findings)}"

    def _when(self) -> str:
        if self.session is None:
            return ""
        world = WORLD if is_world(self.services.clock) else ""  # said once, after the times
        if self.checked_at is None:
            return ""  # the headline says it is checking
        checked = f"checked {self._time(self.checked_at)}"
        if self.checking:
            return f"{checked}{world} · ⧗ checking…"
        then = self._next_at()
        return f"{checked} · next {self._time(then)}{world}" if then else f"{checked}{world}"

    def _show_detail(self, finding: Finding | None) -> None:
        clock = self.services.clock
        now = clock.now()
        shown = finding is not None
        self.query_one("#finding-title", Note).show(heading(finding) if shown else "")
        seen = evidence(finding, now, world=is_world(clock)) if finding is not None else ""
        evidence_note = self.query_one("#finding-evidence", Note)
        evidence_note.show(seen)
        evidence_note.display = bool(seen)
        self.query_one("#finding-fix", Note).show(fix(finding) if finding is not None else "")
        fix_keys = f"Enter/{self._keys()['doctor-fix']}"
        self.query_one("#doctor-keys", Note).show(key_hint(finding, fix_keys))
        moved = finding is None or self._detailed is None or not same(finding, self._detailed)
        self._detailed = finding
        if moved:
            self.query_one("#doctor-detail", VerticalScroll).scroll_home(animate=False)

    def on_finding_list_moved(self, message: FindingList.Moved) -> None:
        message.stop()
        self._show_detail(message.finding)

    def on_finding_list_chosen(self, message: FindingList.Chosen) -> None:
        message.stop()
        self.run_fix(message.finding)

    # --- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "doctor_fix" and not self.has_class("-found"):
            return None  # shown dimmed: nothing to fix (yet)
        return True

    def action_doctor_check(self) -> None:
        if self.session is None:
            self.app.notify("Sign in first: there is no site to check.", markup=False)
            return
        if self.checking:
            self._again = True
            self.app.notify(
                "A check-up is running; another starts as soon as it ends.", markup=False
            )
            return
        self.problem = ""
        self._start()

    def action_doctor_fix(self) -> None:
        finding = self.query_one(FindingList).current
        if finding is None:
            found = self.checked_at is not None
            said = "Nothing to fix: no problem was found." if found else "Not checked yet."
            self.app.notify(said, markup=False)
            return
        self.run_fix(finding)

    def run_fix(self, finding: Finding) -> None:
        """Run the finding's one-key fix (``Finding.action``)."""
        action = finding.action
        if action is None:
            self.app.notify(f"No one-key fix: {finding.fix}", markup=False)
            return
        domain = action.domain or finding.domain
        kind = action.kind
        if kind is ActionKind.RECHECK:
            self.action_doctor_check()
        elif kind is ActionKind.SHOW_DOMAIN:
            self.post_message(ShowPane("domains", domain=domain))
        elif kind is ActionKind.AUTHENTICATE:
            self.post_message(ShowPane("domains", domain=domain, authenticate=True))
        elif kind is ActionKind.GUIDED_SENDER:
            open_guided_fix(self.app, self._after_guided_fix)
        elif kind is ActionKind.SHOW_SENDERS:
            self.post_message(ShowPane("senders"))
        elif kind is ActionKind.COPY:
            # OSC 52 only: over SSH it is the one clipboard that reaches the user's machine.
            self.app.copy_to_clipboard(action.text)
            what = action.label.removeprefix("Copy ").strip() or "it"
            self.app.notify(f"Copied {what}:\n{action.text}", markup=False)
        elif kind is ActionKind.LOGIN:
            # The app's own action, as n (Add profile) runs it: the login form.
            self.call_later(self.app.run_action, "app.add_profile")

    def _after_guided_fix(self, fixed: bool) -> None:
        if fixed:
            self.action_doctor_check()
