"""Verification codes sent in this session, and when another may be sent.

A second verification email is harm, not a retry: the user then holds two codes, and only the
newest works. So a code may be sent again only after a cooldown (one a minute at most), and
never while Wix says it refuses more (its resend limit). A send that may have reached Wix counts
as sent.

Kept for the app's life rather than per screen: closing the code screen and opening it again (or
going through the guided fix) must not reset the cooldown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tui.flow.polling import resend_wait


@dataclass
class SentCodes:
    """When a code was last sent to each sender email (by id), and until when Wix refuses
    more."""

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
