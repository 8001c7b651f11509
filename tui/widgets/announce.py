"""The app's notifications ("a word when it's done"), per the config's ``[notify]`` table.

The panes already say what they learn (``tui/widgets/pane.py``): a grid's check
(:class:`DnsChecked`), the domains and their statuses (:class:`JourneyData`), a Doctor check
(:class:`DoctorChecked`). Those messages bubble up to the app, where :class:`AnnouncesApp` hears
them and, through :class:`tui.notify.AppEvents`, announces what changed: a domain's records
all visible, a domain turned AUTHENTICATED, a new problem. The bell and the desktop notification
are written to the terminal at once; the webhook and the command run as a job, their failures
said in one line each.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from textual.app import App

from tui.widgets.jobs import declare, run_job
from tui.widgets.pane import DnsChecked, DoctorChecked, JourneyData

if TYPE_CHECKING:
    # tui.notify (and the Doctor's flow it reads) loads with the first event, not at start.
    from tui.notify import AppEvents, Notice, Notifier
    from tui.services import Services, Session

log = logging.getLogger("tui.announce")

REACH_OUT = declare(
    "AnnouncesApp._reach_out",
    "announce",
    "Sending a notification (webhook or command)",
    "Nothing else is affected: the next event is announced as usual.",
)


class AnnouncesApp(App[None]):
    """Hears the panes' messages and announces what changed (mixed into the app)."""

    # Set by the app's constructor (WixSendingApp) and its sign-in (SignInApp):
    services: Services
    session: Session | None

    _announcing: tuple[Notifier, AppEvents] | None = None
    _reaching: asyncio.Lock | None = None

    def _announcer(self) -> tuple[Notifier, AppEvents] | None:
        """The notifier and what it has seen; None while nothing is configured (the config is
        read once, at start: it does not change while the app runs)."""
        if self._announcing is None:
            from tui.notify import AppEvents, Notifier, Settings

            settings = Settings.from_config(self.services.config.notify)
            self._announcing = (Notifier(settings, write=self._write_to_terminal), AppEvents())
        notifier, events = self._announcing
        return (notifier, events) if notifier.settings.on else None

    def _write_to_terminal(self, sequence: str) -> None:
        """BEL and the desktop notification's OSC sequences, through Textual's driver: on its
        writer thread, so they never land in the middle of a frame. This is how Textual's own
        ``App.bell()`` and ``copy_to_clipboard()`` (OSC 52) write; ``_driver`` is private (Textual
        8.2.8): re-check on upgrades. Headless (tests, screenshots): nothing to write to."""
        driver = self._driver
        if self.is_headless or driver is None:
            return
        driver.write(sequence)

    def _site(self) -> str:
        return self.session.credentials.site_id if self.session is not None else ""

    def _announce(self, notice: Notice | None) -> None:
        if notice is None or self._announcing is None:
            return
        notifier, _ = self._announcing
        notifier.ring(notice)
        if notifier.wants(notice) and notifier.settings.reaches_out:
            run_job(self, self._reach_out(notifier, notice), REACH_OUT)

    async def _reach_out(self, notifier: Notifier, notice: Notice) -> None:
        # One delivery at a time, in the order the events happened: a webhook's receiver (or
        # a command appending to a log) sees "records visible" before "authenticated".
        if self._reaching is None:
            self._reaching = asyncio.Lock()
        async with self._reaching:
            failures = await notifier.reach_out(notice)
        for failure in failures:
            self.notify(
                f"The notification was not sent: {failure}.",
                title="Notify",
                severity="warning",
                markup=False,
            )

    # --- the panes' messages (they go on to the handlers of the app's own class) --------------

    def on_dns_checked(self, message: DnsChecked) -> None:
        if (found := self._announcer()) is None:
            return
        at = self.services.clock.now()
        all_ok = message.report.all_ok
        self._announce(found[1].dns_checked(message.domain, all_ok, at, self._site()))

    def on_journey_data(self, message: JourneyData) -> None:
        if message.domains is None or (found := self._announcer()) is None:
            return
        statuses = {d.domain.lower(): d.status_raw or d.status.value for d in message.domains}
        for notice in found[1].statuses(statuses, self.services.clock.now(), self._site()):
            self._announce(notice)

    def on_doctor_checked(self, message: DoctorChecked) -> None:
        if (found := self._announcer()) is None:
            return
        at = self.services.clock.now()
        self._announce(found[1].doctor_checked(message.findings, at, self._site()))
