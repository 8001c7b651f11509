"""Authenticate, guarded by the retry schedule (``flow.schedule``).

:class:`AuthPanel` shows, for the selected domain, whether the schedule allows an attempt and,
if not, a live countdown to when it will (the app's clock plus the remaining wait). The times
the schedule needs (records first seen on the authoritative servers, marked added by the user,
the last attempt and its result) live in ``app.state`` and are saved on a thread after every
change, so a restart remembers them. Trying before the schedule allows needs an explicit "yes".
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message

from tui.flow.domains import records_served
from tui.flow.schedule import (
    AUTHENTICATED,
    RETRY_AFTER_FAILURE,
    AuthDecision,
    Outcome,
    authenticate_decision,
    judge_attempt,
)
from tui.flow.writes import may_have_happened, write_failure
from tui.propagation.model import Report
from tui.screens.confirm import ConfirmScreen
from tui.store.state import DomainState
from tui.time_words import clock_time, is_world, until, until_by_minutes, world_speed
from tui.widgets.fields import Note
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, job
from tui.widgets.state_save import save_state
from tui.wix.errors import SenderDetailsDoNotExist, WixError
from tui.wix.models import DomainStatus, SendingDomain

if TYPE_CHECKING:  # the client module loads httpx; this screen only names its result
    from tui.wix.client import AuthAttempt

UNCERTAIN = "unknown: Wix's answer was unreadable"
READ_STATUS = "Its status is read again; check it before trying again."
FOUR_HOUR_RULE = (
    "Wix advises 4 hours between attempts (each early try can keep the next one failing), so "
    "the next one is allowed at {when}."
)
OVERRIDE = (
    "{reason}\n\nThe schedule allows the next attempt {when}. An attempt now will most likely "
    "fail, and after a failure Wix advises waiting 4 hours; an early lookup can also leave a "
    "cached 'does not exist' at Wix's own resolver."
)


class AuthPanel(UsesServices, RunsJobs, Vertical):
    """The authenticate line(s) of the Domains pane, and the attempt itself."""

    DEFAULT_CSS = """
    AuthPanel { height: auto; }
    AuthPanel #auth-line { text-style: bold; }
    AuthPanel #auth-last, AuthPanel #auth-auto { color: $text-muted; }
    """

    class Authenticated(Message):
        """An attempt came back with the domain as Wix now has it."""

        def __init__(self, domain: SendingDomain) -> None:
            super().__init__()
            self.domain = domain

    class NeedsSenderDetails(Message):
        def __init__(self, error: SenderDetailsDoNotExist) -> None:
            super().__init__()
            self.error = error

    class Uncertain(Message):
        """An attempt may have reached Wix without a readable answer: read the domain."""

        def __init__(self, domain: SendingDomain) -> None:
            super().__init__()
            self.domain = domain

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._notes: dict[str, Note] = {}  # selector -> its line (see _put)
        self.domain: SendingDomain | None = None
        self.auto = False  # authenticate by itself once every cell is ok (off by default)
        self.attempting = False
        self.last_words = ""  # Wix's answer to the last attempt, this session
        self._auto_tried = False

    def compose(self) -> ComposeResult:
        yield Note("", id="auth-line")
        yield Note("", id="auth-last")
        yield Note("", id="auth-auto")

    def _at(self, when: datetime) -> str:
        clock = self.services.clock
        return clock_time(when, clock.now(), world=is_world(clock))

    def state(self) -> DomainState | None:
        if self.domain is None:
            return None
        return self.services.state.domain(self.domain.domain)

    def decision(self) -> AuthDecision | None:
        state = self.state()
        if state is None:
            return None
        return authenticate_decision(
            now=self.services.clock.now(),
            records_first_seen=state.records_first_seen,
            marked_added=state.marked_added,
            last_attempt=state.last_auth_attempt,
            last_result=state.last_auth_result,
        )

    def show(self, domain: SendingDomain | None) -> None:
        if domain is None or self.domain is None or domain.domain != self.domain.domain:
            self.last_words, self._auto_tried = "", False
        self.domain = domain
        state = self.state()
        if (
            domain is not None
            and state is not None
            and domain.status is DomainStatus.AUTHENTICATED
            and state.last_auth_result == UNCERTAIN
        ):
            # The unreadable answer hid a success: the domain read afterwards says so.
            state.last_auth_result = AUTHENTICATED
            self.save()
        self.tick()

    # --- the lines, once a second ---------------------------------------------------------

    def tick(self) -> None:
        line, last = self._lines()
        self._put("#auth-line", line)
        self._put("#auth-last", last)
        auto = "on" if self.auto else "off"
        self._put("#auth-auto", f"Authenticate automatically once every cell is ok: {auto} (u)")

    def _put(self, selector: str, text: str) -> None:
        # Looked up once: this runs three times a second while the Domains pane shows.
        note = self._notes.get(selector)
        if note is None or not note.is_attached:
            note = next(iter(self.query(selector).results(Note)), None)
            if note is None:  # none before compose has run
                return
            self._notes[selector] = note
        note.show(text)

    def _lines(self) -> tuple[str, str]:
        domain, state = self.domain, self.state()
        if domain is None or state is None:
            return "", ""
        last = ""
        if state.last_auth_attempt is not None:
            last = f"Last attempt {self._at(state.last_auth_attempt)}: "
            last += f"{state.last_auth_result or 'unknown'}."
            if self.last_words:
                last += f" Wix said: {self.last_words}"
        if domain.status is DomainStatus.AUTHENTICATED:
            return f"✓ {domain.domain} is authenticated: email goes out from it.", last
        if domain.status is DomainStatus.INITIALIZING:
            return "Authenticate: not yet, Wix is still making the DNS records.", last
        if domain.status is not DomainStatus.NOT_AUTHENTICATED:
            return f"Authenticate: {domain.status_label}; check the Wix dashboard.", last
        if self.attempting:
            return f"⧗ Asking Wix to authenticate {domain.domain}…", last
        decision = self.decision()
        assert decision is not None
        if decision.allowed:
            return "Authenticate (t): the schedule allows an attempt now.", last
        if decision.not_before is None:
            return f"Authenticate (t): not yet. {decision.reason} (m marks them added)", last
        # The span is on the same clock as the time after it, which says "world time".
        # In whole minutes until the last two: the line is redrawn once a minute, not a second.
        left = until_by_minutes(decision.not_before, self.services.clock.now())
        when = self._at(decision.not_before)
        return f"Authenticate (t): allowed {left} (at {when}). {decision.reason}", last

    # --- actions --------------------------------------------------------------------------

    def try_now(self) -> None:
        domain, decision = self.domain, self.decision()
        if domain is None or decision is None:
            self.app.notify("Select a sending domain first.", markup=False)
            return
        if domain.status is not DomainStatus.NOT_AUTHENTICATED:
            self.app.notify(
                f"{domain.domain} is {domain.status_label}: only a NOT_AUTHENTICATED domain "
                "(with its records) can be authenticated.",
                markup=False,
            )
            return
        if self.attempting:
            self.app.notify("An attempt is running already.", markup=False)
            return
        if decision.allowed:
            self._attempt(domain)
            return
        clock = self.services.clock
        when = (
            f"at {self._at(decision.not_before)}, "
            f"{until(decision.not_before, clock.now(), speed=world_speed(clock))}"
            if decision.not_before is not None
            else "once the records are seen on your DNS servers (or marked added)"
        )

        def answered(yes: bool | None) -> None:
            if yes and self.domain is not None and not self.attempting:
                self._attempt(self.domain)

        self.app.push_screen(
            ConfirmScreen(
                f"Authenticate {domain.domain} before the schedule allows?",
                OVERRIDE.format(reason=decision.reason, when=when),
                "Try now anyway",
            ),
            answered,
        )

    def mark_added(self) -> bool:
        """Note that the user added the records (now); whether they were marked just now."""
        state = self.state()
        if state is None or self.domain is None:
            self.app.notify("Select a sending domain first.", markup=False)
            return False
        if state.marked_added is not None:
            when = self._at(state.marked_added)
            self.app.notify(f"Already marked as added at {when}.", markup=False)
            return False
        now = self.services.clock.now()
        state.marked_added = now
        self.save()
        self.app.notify(
            f"Marked {self.domain.domain}'s records as added at {self._at(now)}; the 1-hour "
            "wait before authenticating counts from the earlier of this and when they are "
            "first seen on your DNS servers.",
            markup=False,
        )
        self.tick()
        return True

    def toggle_auto(self) -> bool:
        self.auto = not self.auto
        self._auto_tried = False
        self.tick()
        return self.auto

    def swept(self, report: Report) -> None:
        """After each sweep: note when the records were first served by every authoritative
        server (the schedule's clock starts then), and authenticate automatically if asked."""
        state = self.state()
        if state is None:
            return
        if state.records_first_seen is None and records_served(report):
            state.records_first_seen = report.checked_at
            self.save()
        decision = self.decision()
        if (
            self.auto
            and not self._auto_tried
            and report.all_ok
            and self.domain is not None
            and self.domain.status is DomainStatus.NOT_AUTHENTICATED
            and decision is not None
            and decision.allowed
            and not self.attempting
        ):
            self._auto_tried = True  # once per selection: a refusal is the user's to judge
            self.app.notify(
                f"Every resolver sees {self.domain.domain}'s records and the schedule allows "
                "it: authenticating.",
                markup=False,
            )
            self._attempt(self.domain)
        self.tick()

    # --- the attempt ----------------------------------------------------------------------

    def _record(self, domain: str, when: datetime, result: str) -> None:
        state = self.services.state.domain(domain)
        state.last_auth_attempt, state.last_auth_result = when, result
        self.save()

    @job(
        "authenticate",
        "Authenticating the domain",
        "Wix may or may not have been asked: press R to read the domain's status before "
        "trying again.",
    )
    async def _attempt(self, domain: SendingDomain) -> None:
        client = self.client
        if client is None:
            return
        self.attempting = True
        self.tick()
        started = self.services.clock.now()
        try:
            attempt = await client.attempt_authentication(domain.id)
        except SenderDetailsDoNotExist as exc:
            self.post_message(self.NeedsSenderDetails(exc))
        except WixError as exc:
            if may_have_happened(exc):
                # Wix had the request: it may have looked (and even authenticated). Counted as
                # an attempt, so the 4-hour rule keeps a second one from following at once;
                # the domain's status is read again to learn what happened.
                self._record(domain.domain, started, UNCERTAIN)
                self.post_message(self.Uncertain(domain))
                self.app.notify(
                    write_failure(exc, "authenticated it", READ_STATUS),
                    title=f"{domain.domain}: authenticate",
                    severity="warning",
                    timeout=20,
                    markup=False,
                )
            else:
                # No verdict on the DNS (network, permission, rate limit): not an attempt.
                self.app.notify(exc.user_message(), severity="error", timeout=15, markup=False)
        else:
            self._judged(domain, started, attempt)
        finally:
            self.attempting = False
            if self.is_mounted:
                self.tick()

    def _judged(self, domain: SendingDomain, started: datetime, attempt: AuthAttempt) -> None:
        """Record and say what the attempt came to (``flow.schedule.judge_attempt``): only a
        DNS check counts for the 4-hour rule, never a refusal while Wix is still making the
        records; and a 200 is a success only when the domain says AUTHENTICATED."""
        found, refusal = attempt.domain, attempt.refusal
        verdict = judge_attempt(
            refused=refusal is not None,
            code=refusal.code if refusal is not None else None,
            status_after=found.status if found is not None else None,
            status_label=found.status_label if found is not None else "",
        )
        if verdict.counts:
            self._record(domain.domain, started, verdict.result)
        if found is not None:
            self.post_message(self.Authenticated(found))
        name = domain.domain
        said = refusal.user_message() if refusal is not None else ""
        self.last_words = said
        rule = FOUR_HOUR_RULE.format(when=self._at(started + RETRY_AFTER_FAILURE))
        if verdict.outcome is Outcome.AUTHENTICATED:
            self.app.notify(
                f"{name} is authenticated: email can go out from your own domain.",
                title="Authenticated",
                markup=False,
            )
        elif verdict.outcome is Outcome.NOT_READY:
            self.app.notify(
                f"{name} is not ready yet: Wix is still making its DNS records (INITIALIZING). "
                "No DNS check was made, so the 4-hour wait does not start; the domain is read "
                "again every few minutes and can be authenticated once it is NOT_AUTHENTICATED.",
                title=f"{name} not ready yet",
                severity="warning",
                timeout=20,
                markup=False,
            )
        elif verdict.outcome is Outcome.DNS_FAILED:
            if refusal is None:
                said = (
                    f"The DNS check failed: Wix answered, but {name} is still NOT_AUTHENTICATED "
                    "(Wix does not see the records yet). Check the records and how far they "
                    "have propagated."
                )
                self.last_words = said
            self.app.notify(
                f"{said}\n\n{rule}",
                title=f"{name} not authenticated",
                severity="error",
                timeout=20,
                markup=False,
            )
        else:
            status = found.status_label if found is not None else "could not be read"
            head = said or f"Wix answered, but {name}'s status is {status}."
            self.app.notify(
                f"{head} Its status afterwards: {status}; check the Wix dashboard.\n\n{rule}",
                title=f"{name} not authenticated",
                severity="warning",
                timeout=20,
                markup=False,
            )

    @job(
        "state-save",
        "Saving the authentication times",
        "They are kept in memory and saved again at the next change.",
        thread=True,
        exclusive=False,
    )
    def save(self) -> None:
        """Write state.json on a thread (fsync must not stall the screen)."""
        save_state(self, "the authentication times")

    def recover(self, failed: Job, error: BaseException) -> str | None:
        if failed.group == "authenticate":
            self.attempting = False
            self.tick()
        return None
