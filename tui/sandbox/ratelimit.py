"""Per-site request rate limit over a rolling minute of world time.

Wix documents 200 requests per minute per app instance, answered with 429 (fact sheet §5.5);
the application code is ``RESOURCE_EXHAUSTED``, the family Wix's Errors article names (§5.5).
Retry-After is not documented for Wix [UNCONFIRMED]; the sandbox sends one (integer world
seconds until the oldest counted request leaves the window) so clients can be tested honouring
it. Refused requests are not counted.
"""

from __future__ import annotations

import math
from collections import deque

from tui.sandbox.errors import SandboxError

DEFAULT_PER_MINUTE = 200
RATE_LIMIT_CODE = "RESOURCE_EXHAUSTED"
WINDOW_SECONDS = 60.0


class RateLimiter:
    """Not locked: the world's lock covers it."""

    def __init__(self, per_minute: int = DEFAULT_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}

    def hit(self, site_id: str, now: float) -> None:
        """Count one request for ``site_id`` at world-monotonic ``now``, or raise 429."""
        seen = self._seen.setdefault(site_id, deque())
        while seen and seen[0] <= now - WINDOW_SECONDS:
            seen.popleft()
        if len(seen) >= self.per_minute:
            retry_after = max(1, math.ceil(seen[0] + WINDOW_SECONDS - now))
            raise SandboxError(
                429,
                RATE_LIMIT_CODE,
                f"more than {self.per_minute} requests per minute for this site",
                data={"retryAfterSeconds": retry_after},
                headers={"Retry-After": str(retry_after)},
            )
        seen.append(now)

    def reset(self, per_minute: int | None = None) -> None:
        self._seen.clear()
        if per_minute is not None:
            self.per_minute = per_minute

    def used(self, site_id: str, now: float) -> int:
        seen = self._seen.get(site_id, deque())
        return sum(1 for t in seen if t > now - WINDOW_SECONDS)
