"""What the sender screens share: the app's client, clock and sandbox link, the record of the
verification codes sent in this session, and the words for errors and times.

The screens reach the app through these accessors instead of importing ``tui.app`` (which
imports the screens): the app passes its client, clock and sandbox link in its constructor.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tui.clock import SYSTEM_CLOCK, Clock
from tui.flow.polling import resend_wait
from tui.time_words import ago as ago  # re-exported for the screens, until they import it
from tui.time_words import duration as duration
from tui.time_words import short_date as short_date
from tui.wix.errors import (
    RateLimited,
    ServerError,
    WixError,
    WixProtocolError,
    WixTransportError,
)

if TYPE_CHECKING:
    # Not imported at run time: httpx and the DNS stack stay out of the first frame.
    from tui.demo import SandboxLink
    from tui.wix.client import WixClient

LOAD_RETRY_FIRST = 5.0
LOAD_RETRY_CAP = 300.0


def client_of(app: Any) -> WixClient | None:
    """The signed-in site's client, or None when signed out."""
    return getattr(app, "client", None)


def clock_of(app: Any) -> Clock:
    clock = getattr(app, "clock", None)
    return clock if isinstance(clock, Clock) else SYSTEM_CLOCK


def sandbox_of(app: Any) -> SandboxLink | None:
    """The demo's sandbox link (None outside demo mode)."""
    return getattr(app, "sandbox", None)


# --- verification codes sent in this session -------------------------------------------------


@dataclass
class SentCodes:
    """When a code was last sent to each sender email (by id), and until when Wix refuses more.

    Kept per app rather than per screen: closing the code screen and opening it again (or
    going through the guided fix) must not reset the resend cooldown."""

    sent: dict[str, datetime] = field(default_factory=dict)
    refused_until: dict[str, datetime] = field(default_factory=dict)

    def last_sent(self, sender_email_id: str) -> datetime | None:
        return self.sent.get(sender_email_id)

    def record(self, sender_email_id: str, when: datetime) -> None:
        self.sent[sender_email_id] = when

    def refuse_until(self, sender_email_id: str, when: datetime) -> None:
        self.refused_until[sender_email_id] = when

    def wait(self, sender_email_id: str, now: datetime) -> timedelta:
        """How long until another code may be sent (zero: now)."""
        cooldown = resend_wait(self.last_sent(sender_email_id), now)
        refused = self.refused_until.get(sender_email_id)
        limit = refused - now if refused is not None else timedelta(0)
        return max(cooldown, limit, timedelta(0))


_SENT_CODES: weakref.WeakKeyDictionary[Any, SentCodes] = weakref.WeakKeyDictionary()


def sent_codes(app: Any) -> SentCodes:
    """The app's record of sent codes (one per app, so tests never share one)."""
    codes = _SENT_CODES.get(app)
    if codes is None:
        codes = _SENT_CODES[app] = SentCodes()
    return codes


# --- words ----------------------------------------------------------------------------------


def is_transient(error: WixError) -> bool:
    """Worth trying again by itself later: the network, Wix's side, or the rate limit."""
    return isinstance(error, WixTransportError | ServerError | RateLimited | WixProtocolError)


def load_delay(attempt: int, error: WixError | None = None) -> float:
    """Seconds before reading again after failed read number ``attempt`` (1-based)."""
    delay = min(LOAD_RETRY_CAP, LOAD_RETRY_FIRST * 2 ** max(0, attempt - 1))
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int | float) and retry_after > delay:
        delay = min(LOAD_RETRY_CAP, float(retry_after))
    return delay


def short_reason(error: WixError) -> str:
    """A few words for the status line ("network down", "Wix error 503")."""
    if isinstance(error, WixTransportError):
        return "Wix cannot be reached"
    if isinstance(error, RateLimited):
        return "too many requests"
    if error.status is not None:
        return f"Wix answered HTTP {error.status}"
    return "Wix's answer was unreadable"


def write_failure(error: WixError, what: str) -> str:
    """What happened to a write (create, delete, send...), and what to do next.

    The client never retries writes: when the request may have reached Wix, only a fresh
    look at the list can tell whether it happened."""
    if isinstance(error, WixTransportError):
        if error.sent:
            return (
                f"The network failed after the request left, so Wix may or may not have "
                f"{what}. The list is read again to find out; check it before trying again."
            )
        return f"The network failed before the request left: nothing was {what}. Try again."
    return error.user_message()


def bug_text(error: BaseException | None) -> str:
    """A worker failed with something unexpected (a bug): said plainly, never a traceback."""
    what = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
    return f"Something went wrong ({what}). It is in the log file; try again."


def clock_time(when: datetime) -> str:
    """Wall-clock time in the user's zone, e.g. ``14:03:12``."""
    return when.astimezone().strftime("%H:%M:%S")
