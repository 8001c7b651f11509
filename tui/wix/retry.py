"""When a failed call is tried again, and how long to wait first.

Reads (GET and Query) are idempotent: they are retried on 429, 5xx, failed connections, timeouts
and dropped connections, with exponential backoff and full jitter, honouring Retry-After, and
bounded both by a number of attempts and by total time.

Reads are also asked again when the answer could not be read (not JSON, empty, an HTML page,
the wrong shape): a proxy or a cut connection garbled it, and asking again changes nothing.

Writes (create, send code, verify, authenticate, delete, ...) are retried only when the
connection failed before the request was sent. Anything else might already have taken effect
(an unreadable answer came *from* Wix, so the request reached it), and a second verification
email because of a retry is exactly what we must never do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tui.wix.errors import (
    RateLimited,
    ServerError,
    WixError,
    WixProtocolError,
    WixTransportError,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_total: float = 30.0
    """Seconds from the first attempt after which no new attempt starts."""
    max_retry_after: float = 60.0
    """A Retry-After longer than this is not waited out; the error goes to the caller."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_total < 0:
            raise ValueError("retry delays must not be negative")

    def should_retry(self, error: WixError, *, idempotent: bool) -> bool:
        """Whether ``error`` may be retried at all (ignoring attempts and time left)."""
        if isinstance(error, WixTransportError):
            return idempotent or not error.sent
        if not idempotent:
            return False
        if isinstance(error, WixProtocolError):
            return True
        if not isinstance(error, RateLimited | ServerError):
            return False
        return error.retry_after is None or error.retry_after <= self.max_retry_after

    def delay(self, error: WixError, retry_number: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry_number`` (1 for the first retry).

        Full jitter (uniform between 0 and the exponential cap) spreads clients out after an
        outage; a Retry-After from the server (on a 429 or a 503) is a floor, never shortened by
        the jitter.
        """
        cap = min(self.max_delay, self.base_delay * (2 ** min(retry_number - 1, 30)))
        jittered = rng.uniform(0.0, cap)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return max(min(retry_after, self.max_retry_after), jittered)
        return jittered


NO_RETRY = RetryPolicy(max_attempts=1)
