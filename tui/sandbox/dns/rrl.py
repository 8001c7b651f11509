"""Response rate limiting at an authoritative server (RRL, as NSD and BIND do it).

Above ``rate`` answers a second for one source netblock (IPv4 /24, IPv6 /56, BIND's defaults),
answers over UDP are dropped, except every ``slip``-th one, which goes out truncated (TC=1 and
empty) so a real client can retry over TCP; ``slip`` 0 drops them all, 1 truncates them all.
TCP is never limited. That is what NSD 4.6.1 did on loopback with ``rrl-ratelimit: 5``: of a
burst of 30 identical questions some were answered, and the rest were all truncated
(``rrl-slip: 1``), all dropped (``rrl-slip: 0``) or about half each (``rrl-slip: 2``).

Simpler than the real thing on purpose: the budget is per source, not per source and kind of
answer, so a whole sweep from one client shares it. It is a token bucket that holds one
second's worth and refills continuously, in *real* seconds: RRL guards a server's real network
capacity, whatever pace the sandbox world's clock runs at.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANSWER, DROP, SLIP = "answer", "drop", "slip"
MAX_SOURCES = 10000  # netblocks remembered; junk sources cannot grow it without bound


def netblock(source: str) -> str:
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return source
    prefix = 24 if address.version == 4 else 56
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass
class RateLimit:
    rate: float  # answers a second per source netblock
    slip: int = 2
    clock: Callable[[], float] = time.monotonic
    answered: int = 0
    dropped: int = 0
    slipped: int = 0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # tokens, when
    _limited: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def decide(self, source: str) -> str:
        """Whether the answer to a UDP question from ``source`` goes out, is dropped, or
        slips out truncated."""
        with self._lock:
            now = self.clock()
            key = netblock(source)
            tokens, then = self._buckets.pop(key, (self.rate, now))
            tokens = min(self.rate, tokens + (now - then) * self.rate)
            if len(self._buckets) >= MAX_SOURCES:
                self._buckets.pop(next(iter(self._buckets)))
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                self.answered += 1
                return ANSWER
            self._buckets[key] = (tokens, now)
            self._limited += 1
            if self.slip and self._limited % self.slip == 0:
                self.slipped += 1
                return SLIP
            self.dropped += 1
            return DROP

    def to_json(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "slip": self.slip,
            "answered": self.answered,
            "dropped": self.dropped,
            "slipped": self.slipped,
        }
