"""One resolver cache, on the world clock, following RFC 2308.

- Positive RRsets are kept for their TTL and answered with the *remaining* TTL.
- NXDOMAIN is kept per name and blocks every type at it (RFC 2308 §5); NODATA is kept per
  (name, type). Both last min(SOA TTL, SOA MINIMUM), capped like BIND's ``max-ncache-ttl``, and
  are answered with the cached SOA whose TTL is the remaining negative time (§6).
- Negative answers without an SOA are not cached (§5), and TTL 0 means "use once, don't keep".

Remaining times round up: an entry cached this instant shows its full TTL (as a freshly fetched
answer would), and it is gone once its TTL has fully elapsed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import dns.rcode
import dns.rdatatype
import dns.rrset

from tui.sandbox.dns.records import normalize, rrset_texts

MAX_NEGATIVE_TTL = 10800  # BIND's max-ncache-ttl default (3 h)
MAX_POSITIVE_TTL = 604800  # BIND's max-cache-ttl default (7 days)
MAX_ENTRIES = 20000  # per cache; junk queries cannot grow it without bound


@dataclass
class Entry:
    stored_at: float  # world monotonic seconds
    ttl: int
    data: dns.rrset.RRset  # the RRset, or the SOA of a negative answer

    def remaining(self, now: float) -> int:
        return math.ceil(self.ttl - (now - self.stored_at))

    def copy_at(self, now: float) -> dns.rrset.RRset:
        out = self.data.copy()
        out.ttl = max(0, self.remaining(now))
        return out


Key = tuple[str, int]


class Cache:
    def __init__(self, max_negative_ttl: int = MAX_NEGATIVE_TTL) -> None:
        self.max_negative_ttl = max_negative_ttl
        self._positive: dict[Key, Entry] = {}
        self._nxdomain: dict[str, Entry] = {}
        self._nodata: dict[Key, Entry] = {}

    # -- reading ---------------------------------------------------------------------------

    def positive(self, name: str, rdtype: int, now: float) -> dns.rrset.RRset | None:
        entry = self._live(self._positive, (name, rdtype), now)
        return entry.copy_at(now) if entry else None

    def negative(self, name: str, rdtype: int, now: float) -> tuple[int, dns.rrset.RRset] | None:
        """(NXDOMAIN or NOERROR, SOA with the remaining TTL) when a negative entry applies."""
        entry = self._live(self._nxdomain, name, now)
        if entry:
            return dns.rcode.NXDOMAIN, entry.copy_at(now)
        entry = self._live(self._nodata, (name, rdtype), now)
        if entry:
            return dns.rcode.NOERROR, entry.copy_at(now)
        return None

    @staticmethod
    def _live(table: dict[Any, Entry], key: Any, now: float) -> Entry | None:
        entry = table.get(key)
        if entry is not None and entry.remaining(now) <= 0:
            del table[key]
            return None
        return entry

    # -- writing ---------------------------------------------------------------------------

    def store_positive(self, found: dns.rrset.RRset, now: float) -> None:
        ttl = min(found.ttl, MAX_POSITIVE_TTL)
        name = normalize(found.name.to_text())
        # Newer knowledge replaces older: a fresh answer ends any negative it contradicts.
        self._nxdomain.pop(name, None)
        self._nodata.pop((name, found.rdtype), None)
        if ttl > 0:
            self._put(self._positive, (name, found.rdtype), Entry(now, ttl, found.copy()))

    def store_negative(
        self, name: str, rdtype: int | None, soa: dns.rrset.RRset, now: float
    ) -> None:
        """Cache NXDOMAIN for ``name`` (``rdtype`` None) or NODATA for (``name``, ``rdtype``)."""
        ttl = min(soa.ttl, soa[0].minimum, self.max_negative_ttl)
        if rdtype is None:
            for table in (self._positive, self._nodata):
                for key in [k for k in table if k[0] == name]:
                    del table[key]
        else:
            self._positive.pop((name, rdtype), None)
        if ttl <= 0:
            return
        entry = Entry(now, ttl, soa.copy())
        if rdtype is None:
            self._put(self._nxdomain, name, entry)
        else:
            self._put(self._nodata, (name, rdtype), entry)

    def _put(self, table: dict[Any, Entry], key: Any, entry: Entry) -> None:
        table.pop(key, None)  # re-inserted last: eviction drops the oldest writes first
        table[key] = entry
        if len(self) > MAX_ENTRIES:
            for oldest in (self._positive, self._nodata, self._nxdomain):
                if oldest:
                    del oldest[next(iter(oldest))]
                    break

    def flush(self, name: str | None = None) -> int:
        """Forget everything, or everything about one name; returns how many entries went."""
        if name is None:
            count = len(self)
            self._positive.clear()
            self._nxdomain.clear()
            self._nodata.clear()
            return count
        count = 0
        for table in (self._positive, self._nodata):
            for key in [k for k in table if k[0] == name]:
                del table[key]
                count += 1
        if self._nxdomain.pop(name, None) is not None:
            count += 1
        return count

    def __len__(self) -> int:
        return len(self._positive) + len(self._nxdomain) + len(self._nodata)

    # -- viewing ---------------------------------------------------------------------------

    def entries(self, now: float) -> list[dict[str, Any]]:
        """Live entries as JSON, for the control API."""
        out: list[dict[str, Any]] = []
        for (name, rdtype), entry in list(self._positive.items()):
            if self._live(self._positive, (name, rdtype), now):
                out.append(_entry_json(name, rdtype, "positive", entry, now))
        for name, entry in list(self._nxdomain.items()):
            if self._live(self._nxdomain, name, now):
                out.append(_entry_json(name, None, "nxdomain", entry, now))
        for (name, rdtype), entry in list(self._nodata.items()):
            if self._live(self._nodata, (name, rdtype), now):
                out.append(_entry_json(name, rdtype, "nodata", entry, now))
        return out


def _entry_json(
    name: str, rdtype: int | None, kind: str, entry: Entry, now: float
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "type": dns.rdatatype.to_text(rdtype) if rdtype is not None else "*",
        "kind": kind,
        "ttl": entry.ttl,
        "remaining": entry.remaining(now),
    }
    if kind == "positive":
        out["values"] = rrset_texts(entry.data)
    else:
        out["soaSerial"] = entry.data[0].serial
    return out
