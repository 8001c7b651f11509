"""The one rule for reading again after a failed read, used by every pane.

A read that failed because of the network, Wix's side (5xx), an unreadable answer or the rate
limit is tried again by itself, with a backoff on the app's clock: 5 s, 10 s, 20 s… capped at
5 minutes, and never sooner than Wix's ``Retry-After``. Any other refusal (a missing
permission, a bad key, a 404) needs the user to change something: no retry by itself.

Writes are never retried here (the client does not retry them either): a second verification
email or a second Authenticate is harm, not a retry.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.wix.errors import (
    RateLimited,
    ServerError,
    WixApiError,
    WixError,
    WixProtocolError,
    WixTransportError,
)

FIRST_DELAY = 5.0
MAX_DELAY = 300.0


@dataclass(frozen=True)
class ReadRetry:
    """What to do after failed read number ``attempt``."""

    again: bool  # read again by itself
    delay: float  # seconds of the app's clock before that (0 when not ``again``)
    reason: str  # a few words for the status line: "Wix cannot be reached"


def is_transient(error: WixError) -> bool:
    """Worth trying again by itself later: the network, Wix's side, or the rate limit."""
    return isinstance(error, WixTransportError | ServerError | RateLimited | WixProtocolError)


def backoff(attempt: int) -> float:
    """Seconds before read number ``attempt + 1`` (``attempt`` failed, 1-based)."""
    return min(MAX_DELAY, FIRST_DELAY * 2 ** max(0, attempt - 1))


def short_reason(error: WixError) -> str:
    """A few words on why a read failed ("Wix cannot be reached", "Wix answered HTTP 503")."""
    if isinstance(error, WixTransportError):
        return "Wix cannot be reached"
    if isinstance(error, RateLimited):
        return "too many requests"
    if error.status is not None:
        return f"Wix answered HTTP {error.status}"
    return "Wix's answer was unreadable"


def read_retry(error: WixError, attempt: int) -> ReadRetry:
    """Whether and when to read again after ``error`` ended read number ``attempt``."""
    reason = short_reason(error)
    if not is_transient(error):
        return ReadRetry(False, 0.0, reason)
    delay = backoff(attempt)
    retry_after = error.retry_after if isinstance(error, WixApiError) else None
    if retry_after is not None and retry_after > delay:
        # Wix's own wait is the minimum; the cap still holds (a huge Retry-After is a bug
        # on the other side, and "r" always reads at once).
        delay = min(MAX_DELAY, float(retry_after))
    return ReadRetry(True, delay, reason)
