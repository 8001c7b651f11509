"""Notices that never cover work: the app's policy for every ``notify()``.

Every ``self.notify(...)`` / ``self.app.notify(...)`` in the package goes through
:class:`NoticesApp`, which the app mixes in:

- Every notice is kept in the app's :class:`NoticeLog` (the messages panel, ``f3``, shows them
  all with their full text and when they came; id ``show-messages``).
- On the home screen a notice is a toast, one at a time (a new one replaces the last), shown for
  a few seconds by severity (:data:`SEVERITY_SECONDS`; a caller's longer timeout is cut to
  that), at most :data:`MAX_TOAST_LINES` lines of text and never taller than a third of the
  screen. A longer text becomes one line that ends in "… f3 full text".
- While any other screen is on top (a modal, the login form, the command palette) no toast is
  shown: Textual puts toasts bottom right, where dialogs keep their buttons. The notice goes to
  the screen's own :class:`NoticeLine` if it composes one (the code screen does), else to a
  one-line strip over the top row of that screen, for the same few seconds.
- ``ctrl+n`` (id ``dismiss-notices``) takes every toast and notice line away at once.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from tui.time_words import clock_time, is_world

if TYPE_CHECKING:
    from tui.clock import Clock

SEVERITY_SECONDS: dict[str, float] = {"information": 4.0, "warning": 6.0, "error": 8.0}
MAX_TOAST_LINES = 3  # lines of text in a toast (its title is one more)
TOAST_WIDTH = 60  # Textual's Toast: width 60, max-width 50% of the screen
TOAST_CHROME = 3  # its left border and one column of padding each side (see app.tcss)
LOG_SIZE = 200  # notices kept for the messages panel

DISMISS_ID = "dismiss-notices"
MESSAGES_ID = "show-messages"
GLYPHS = {"information": "● note", "warning": "⚠ warning", "error": "✗ error"}

# Priority: Textual does not hand a modal's keys on to the app's own bindings, and these two
# must work over every dialog (no widget of ours uses either key).
NOTICE_BINDINGS: list[BindingType] = [
    Binding(
        "ctrl+n", "dismiss_notices", "Dismiss notices", id=DISMISS_ID, show=False, priority=True
    ),
    Binding("f3", "show_messages", "Messages", id=MESSAGES_ID, show=False, priority=True),
]


@dataclass(frozen=True)
class Notice:
    """One notice as it was raised: the full text, whatever the toast showed of it."""

    message: str
    title: str
    severity: str
    at: datetime  # on the app's clock
    world: bool = False  # ``at`` is the sandbox's world time, not the wall clock's

    @property
    def when(self) -> str:
        return clock_time(self.at, seconds=True, world=self.world)

    @property
    def heading(self) -> str:
        """``09:00:05 · ⚠ warning · Title`` (glyph and word: never colour alone)."""
        parts = [self.when, GLYPHS.get(self.severity, self.severity)]
        if self.title:
            parts.append(self.title)
        return " · ".join(parts)


class NoticeLog:
    """The notices of this run, oldest first (the last :data:`LOG_SIZE`)."""

    def __init__(self) -> None:
        self._notices: list[Notice] = []

    def add(self, notice: Notice) -> None:
        self._notices.append(notice)
        del self._notices[:-LOG_SIZE]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._notices))

    def __len__(self) -> int:
        return len(self._notices)

    @property
    def latest(self) -> Notice | None:
        return self._notices[-1] if self._notices else None


def seconds_for(severity: str, asked: float | None = None) -> float:
    """How long a notice stays: its severity's few seconds, or less if the caller asked so."""
    allowed = SEVERITY_SECONDS.get(severity, SEVERITY_SECONDS["information"])
    return allowed if asked is None or asked <= 0 else min(asked, allowed)


def toast_text_width(screen_width: int) -> int:
    """Columns of text in a toast on a screen ``screen_width`` wide."""
    # The rack keeps a column for its scrollbar; a toast takes half of the rest.
    return max(10, min(TOAST_WIDTH, (screen_width - 1) // 2) - TOAST_CHROME)


def wrapped(text: str, width: int) -> list[str]:
    """``text`` wrapped as a toast shows it (its own line breaks kept)."""
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, width) or [""])
    return lines


def one_line(text: str, width: int, hint: str) -> str:
    """The start of ``text`` in ``width`` columns, ending in ``… <hint>`` when cut."""
    first = " ".join(text.split())
    if len(first) <= width:
        return first
    room = max(1, width - len(hint) - 2)
    return f"{first[:room].rstrip()}… {hint}"


def toast_body(message: str, *, title: str, size: tuple[int, int], hint: str) -> str:
    """What the toast says: the message if it fits in :data:`MAX_TOAST_LINES` lines and a
    third of the screen's height (with the title), else its first line with ``hint``."""
    width, height = size
    columns = toast_text_width(width)
    rows = min(MAX_TOAST_LINES, height // 3 - (1 if title else 0))
    lines = wrapped(message, columns)
    if len(lines) <= max(1, rows):
        return message
    return one_line(message, columns, hint)


class NoticeLine(Static):
    """One line in a screen that says its latest notice, instead of a toast over it.

    A screen composes one where a notice may be read without covering anything (the code
    screen does); screens without one get a :class:`NoticeStrip` over their top row."""

    DEFAULT_CSS = """
    NoticeLine {
        height: 1;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        display: none;
    }
    NoticeLine.-shown { display: block; }
    NoticeLine.-warning { color: $text-warning; }
    NoticeLine.-error { color: $text-error; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", markup=False, id=id, classes=classes)
        self.notice: Notice | None = None
        self._timer: Timer | None = None

    def say(self, notice: Notice, seconds: float, hint: str) -> None:
        self.notice = notice
        head = GLYPHS.get(notice.severity, notice.severity)
        if notice.title:
            head = f"{head}: {notice.title}"
        width = self.size.width or self.screen.size.width
        self.update(one_line(f"{head} — {notice.message}", max(20, width), hint))
        self.set_classes({"-shown", f"-{notice.severity}", *self._own_classes()})
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(seconds, self.clear)

    def _own_classes(self) -> Iterable[str]:
        return [c for c in self.classes if not c.startswith("-")]

    def clear(self) -> None:
        self.notice = None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.update("")
        self.set_classes(set(self._own_classes()))

    @property
    def text(self) -> str:
        """What is shown ("" when nothing is)."""
        return str(self.content) if self.notice is not None else ""


class NoticeStrip(NoticeLine):
    """A :class:`NoticeLine` over the top row of a screen that has none of its own (the top
    row of a dialog's screen is the dimmed screen under it, or the dialog's top border: never
    a button). Laid over, not into, the screen's layout: nothing moves when it comes."""

    DEFAULT_CSS = """
    NoticeStrip {
        position: absolute;
        offset: 0 0;
        width: 100%;
        padding: 0 1;
        background: $panel;
    }
    """


class NoticesApp(App[None]):
    """The notice policy of the module docstring, as the app's ``notify``."""

    # Its keys are NOTICE_BINDINGS, which the app lists in its own BINDINGS (where the keymap
    # check looks for ids).

    def __init__(self) -> None:
        super().__init__()
        self.notice_log = NoticeLog()

    def notice_clock(self) -> Clock | None:
        """The clock notices are timed by (the app's, when it has services)."""
        services = getattr(self, "services", None)
        return getattr(services, "clock", None)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a thread worker: Textual's notify is thread-safe, ours follows
            self.call_from_thread(
                self.notify,
                message,
                title=title,
                severity=severity,
                timeout=timeout,
                markup=markup,
            )
            return
        clock = self.notice_clock()
        if clock is not None:
            notice = Notice(message, title, severity, clock.now(), world=is_world(clock))
        else:
            from datetime import UTC

            notice = Notice(message, title, severity, datetime.now(UTC))
        self.notice_log.add(notice)
        seconds = seconds_for(severity, timeout)
        hint = f"{self.notice_key(MESSAGES_ID, 'f3')} full text"
        screen = self._notice_screen()
        if screen is not None:
            self.clear_notifications()
            self._notice_line(screen).say(notice, seconds, hint)
            return
        body = toast_body(message, title=title, size=self.size, hint=hint)
        self.clear_notifications()  # one toast at a time: the log keeps the others
        super().notify(body, title=title, severity=severity, timeout=seconds, markup=False)

    def _notice_screen(self) -> Screen[object] | None:
        """The screen on top when it is not the app's first (toasts go only there)."""
        try:
            stack = self.screen_stack
        except Exception:  # no screen yet (before the first one is mounted)
            return None
        return stack[-1] if len(stack) > 1 else None

    def _notice_line(self, screen: Screen[object]) -> NoticeLine:
        try:
            return screen.query(NoticeLine).first()
        except NoMatches:
            strip = NoticeStrip(classes="notice-strip")
            screen.mount(strip)
            return strip

    def notice_key(self, binding_id: str, default: str) -> str:
        """The key that runs ``binding_id`` now (the keymap may have moved it)."""
        try:
            bindings = self.screen.active_bindings.values()
        except Exception:
            return default
        for active in bindings:
            if active.binding.id == binding_id:
                return self.get_key_display(active.binding)
        return default

    def push_screen(self, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        # Textual moves the toasts onto the screen that comes on top: over a dialog, where
        # its buttons are. They are in the log; the new screen starts clean.
        self.clear_notifications()
        return super().push_screen(*args, **kwargs)

    def action_dismiss_notices(self) -> None:
        self.clear_notifications()
        for screen in self.screen_stack:
            for line in screen.query(NoticeLine):
                line.clear()

    def action_show_messages(self) -> None:
        from tui.screens.messages import MessagesScreen

        if isinstance(self.screen, MessagesScreen):
            self.screen.dismiss()
            return
        self.push_screen(MessagesScreen(list(self.notice_log)))


__all__ = [
    "DISMISS_ID",
    "MAX_TOAST_LINES",
    "MESSAGES_ID",
    "NOTICE_BINDINGS",
    "SEVERITY_SECONDS",
    "Notice",
    "NoticeLine",
    "NoticeLog",
    "NoticeStrip",
    "NoticesApp",
    "seconds_for",
    "toast_body",
    "toast_text_width",
]
