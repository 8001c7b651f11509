"""How often to look again: a domain in INITIALIZING (minutes, usually), and the cooldown
between verification codes (so nobody spams the inbox)."""

from __future__ import annotations

from datetime import datetime, timedelta

INITIALIZING_FIRST = 10.0
INITIALIZING_CAP = 300.0
RESEND_COOLDOWN = timedelta(seconds=60)


def initializing_delay(attempt: int) -> float:
    """Seconds before poll number ``attempt`` (1-based): 10, 20, 40, ... capped at 5 min."""
    return min(INITIALIZING_CAP, INITIALIZING_FIRST * 2 ** max(0, attempt - 1))


def resend_wait(last_sent: datetime | None, now: datetime) -> timedelta:
    """How long until another code may be sent (zero when it may be sent now)."""
    if last_sent is None:
        return timedelta(0)
    return max(timedelta(0), last_sent + RESEND_COOLDOWN - now)
