"""One resolver cache, on the world clock, following RFC 2308 the way BIND or unbound keeps it.

- Positive RRsets are kept for their TTL and answered with the *remaining* TTL.
- Negatives last min(SOA TTL, SOA MINIMUM) capped by the resolver (:class:`Policy`), and are
  answered with an SOA whose TTL counts down (§6). NODATA is kept per (name, type).
- NXDOMAIN is kept per name and blocks every type at it (RFC 2308 §5), as BIND 9.18 does; with
  ``per_type_nxdomain`` it is kept per (name, type), as unbound's message cache keeps it, so a
  TXT question asked before publishing stays "does not exist" while a CNAME question at the same
  name resolves (both checked with unbound 1.17.1 and BIND 9.18.49 on loopback).
- ``shared_soa``: unbound keeps one negative SOA RRset per zone, and every cached negative of
  the zone is answered with it. A newer SOA (a different serial) replaces it, so every negative
  then shows the new SOA's TTL and serial while still expiring on its own clock; an identical
  SOA does not refresh it, and a negative dies when the shared SOA does (unbound 1.17.1's
  ``need_to_update_rrset``, observed on loopback).
- Serve-stale (RFC 8767): with ``stale_seconds`` an expired entry is kept that much longer, for
  the resolver to answer with when it cannot get a fresh one.
- A negative from a signed zone keeps its NSEC records, and the NSEC gaps are kept per zone, for
  aggressive use (RFC 8198) by validating resolvers.
- Negative answers without an SOA are not cached (§5), and TTL 0 means "use once, don't keep".

Remaining times round up: an entry cached this instant shows its full TTL (as a freshly fetched
answer would), and it is gone once its TTL has fully elapsed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from tui.sandbox.dns.records import normalize, rrset_texts

BIND_MAX_NEGATIVE_TTL = 10800  # BIND's max-ncache-ttl default (3 h)
BIND_MAX_POSITIVE_TTL = 604800  # BIND's max-cache-ttl default (7 days)
UNBOUND_MAX_NEGATIVE_TTL = 3600  # unbound's cache-max-negative-ttl default
UNBOUND_MAX_POSITIVE_TTL = 86400  # unbound's cache-max-ttl default
MAX_NEGATIVE_TTL = BIND_MAX_NEGATIVE_TTL
MAX_ENTRIES = 20000  # per cache; junk queries cannot grow it without bound


@dataclass(frozen=True)
class Policy:
    """How a resolver's software keeps its cache (defaults: BIND's)."""

    per_type_nxdomain: bool = False
    shared_soa: bool = False
    max_negative_ttl: int = BIND_MAX_NEGATIVE_TTL
    max_positive_ttl: int = BIND_MAX_POSITIVE_TTL
    stale_seconds: int = 0  # how long an expired entry stays, to be served stale


@dataclass
class Entry:
    stored_at: float  # world monotonic seconds
    ttl: int
    data: dns.rrset.RRset  # the RRset, the SOA of a negative answer, or an NSEC
    proof: tuple[dns.rrset.RRset, ...] = ()  # a negative's NSECs; an NSEC gap's SOA

    def remaining(self, now: float) -> int:
        return math.ceil(self.ttl - (now - self.stored_at))

    def copy_at(self, now: float) -> dns.rrset.RRset:
        out = self.data.copy()
        out.ttl = max(0, self.remaining(now))
        return out


class Negative(NamedTuple):
    rcode: int  # NXDOMAIN, or NOERROR for NODATA
    soa: dns.rrset.RRset  # with the TTL an answer shows
    proof: tuple[dns.rrset.RRset, ...] = ()  # NSEC records (a signed zone's denial)
    remaining: int = 0  # how long the entry really lives (with a shared SOA: not the SOA's TTL)


Key = tuple[str, int]
NxKey = tuple[str, int | None]  # (name, None): an NXDOMAIN for every type


def _zone_of(soa: dns.rrset.RRset) -> str:
    return normalize(soa.name.to_text())


class Cache:
    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self._positive: dict[Key, Entry] = {}
        self._nxdomain: dict[NxKey, Entry] = {}
        self._nodata: dict[Key, Entry] = {}
        self._soa: dict[str, Entry] = {}  # zone -> its one negative SOA (shared_soa)
        self._nsec: dict[str, dict[str, Entry]] = {}  # zone -> NSEC owner -> the gap

    @property
    def max_negative_ttl(self) -> int:
        return self.policy.max_negative_ttl

    # -- reading ---------------------------------------------------------------------------

    def positive(
        self, name: str, rdtype: int, now: float, *, stale: bool = False
    ) -> dns.rrset.RRset | None:
        """The RRset with its remaining TTL; with ``stale``, only an expired one (TTL 0)."""
        entry = self._get(self._positive, (name, rdtype), now, stale)
        return entry.copy_at(now) if entry else None

    def negative(
        self, name: str, rdtype: int, now: float, *, stale: bool = False
    ) -> Negative | None:
        """The negative entry that applies to (``name``, ``rdtype``), fresh (or only expired,
        with ``stale``): NXDOMAIN for every type first, then per type, then NODATA."""
        candidates: tuple[tuple[int, dict[Any, Entry], Any], ...] = (
            (dns.rcode.NXDOMAIN, self._nxdomain, (name, None)),
            (dns.rcode.NXDOMAIN, self._nxdomain, (name, rdtype)),
            (dns.rcode.NOERROR, self._nodata, (name, rdtype)),
        )
        for rcode, table, key in candidates:
            entry = self._get(table, key, now, stale)
            if entry is not None:
                return self._negative_of(rcode, entry, now)
        return None

    def _negative_of(self, rcode: int, entry: Entry, now: float) -> Negative:
        left = self._left(entry, now)
        soa = entry.copy_at(now)
        shared = self._soa.get(_zone_of(entry.data)) if self.policy.shared_soa else None
        if shared is not None and left > 0:
            soa = shared.copy_at(now)  # the zone's SOA as it is now, not as it was stored
        proof = []
        for nsec in entry.proof:
            shown = nsec.copy()
            shown.ttl = max(0, min(nsec.ttl, left))
            proof.append(shown)
        return Negative(rcode, soa, tuple(proof), left)

    def nsec_denial(self, name: str, zone: str, now: float) -> Negative | None:
        """An NXDOMAIN for ``name`` synthesised from NSEC gaps cached for ``zone`` (RFC 8198
        §5.1): one gap must hold the name and one the wildcard at its closest encloser."""
        gaps = self._nsec.get(zone)
        if not gaps:
            return None
        for owner, entry in list(gaps.items()):
            if entry.remaining(now) <= 0:
                del gaps[owner]
        wanted = dns.name.from_text(name)
        covering = self._covering(gaps, wanted, now)
        if covering is None:
            return None
        encloser = _closest_encloser(wanted, covering)
        wildcard = self._covering(gaps, dns.name.from_text("*", encloser), now)
        if wildcard is None:
            return None
        left = min(covering.remaining(now), wildcard.remaining(now))
        soa = covering.proof[0].copy()
        soa.ttl = left
        proof = [covering.copy_at(now)]
        if wildcard is not covering:
            proof.append(wildcard.copy_at(now))
        return Negative(dns.rcode.NXDOMAIN, soa, tuple(proof), left)

    @staticmethod
    def _covering(gaps: dict[str, Entry], wanted: dns.name.Name, now: float) -> Entry | None:
        """The live gap (owner, next) that holds ``wanted`` in canonical order; the zone's last
        NSEC points back to the apex, so its gap runs to the end of the zone."""
        for entry in gaps.values():
            owner, following = entry.data.name, entry.data[0].next
            if following.is_subdomain(wanted):
                continue  # names exist below it: an empty non-terminal, never NXDOMAIN
            inside = owner < wanted and (wanted < following or following <= owner)
            if inside and entry.remaining(now) > 0:
                return entry
        return None

    def _left(self, entry: Entry, now: float) -> int:
        """How long a negative really lives: its own TTL, and with a shared SOA no longer
        than that SOA (unbound cannot answer a message whose RRsets have expired)."""
        left = entry.remaining(now)
        if self.policy.shared_soa:
            shared = self._soa.get(_zone_of(entry.data))
            if shared is not None:
                left = min(left, shared.remaining(now))
        return left

    def _get(self, table: dict[Any, Entry], key: Any, now: float, stale: bool) -> Entry | None:
        entry = table.get(key)
        if entry is None:
            return None
        left = self._left(entry, now) if table is not self._positive else entry.remaining(now)
        if left <= -self.policy.stale_seconds:
            del table[key]  # past any use, stale included
            return None
        fresh = left > 0
        return entry if fresh != stale else None

    # -- writing ---------------------------------------------------------------------------

    def store_positive(self, found: dns.rrset.RRset, now: float) -> None:
        ttl = min(found.ttl, self.policy.max_positive_ttl)
        name = normalize(found.name.to_text())
        # Newer knowledge replaces older: a fresh answer ends any negative it contradicts.
        self._nxdomain.pop((name, None), None)
        self._nxdomain.pop((name, found.rdtype), None)
        self._nodata.pop((name, found.rdtype), None)
        if ttl > 0:
            self._put(self._positive, (name, found.rdtype), Entry(now, ttl, found.copy()))
        else:
            self._positive.pop((name, found.rdtype), None)

    def store_negative(
        self,
        name: str,
        rdtype: int,
        soa: dns.rrset.RRset,
        now: float,
        *,
        nxdomain: bool,
        proof: tuple[dns.rrset.RRset, ...] = (),
    ) -> None:
        """Cache NXDOMAIN (per name, or per (name, type) with ``per_type_nxdomain``) or NODATA
        for (``name``, ``rdtype``), with the denial's NSEC records if any."""
        ttl = self.negative_ttl(soa)
        if nxdomain and not self.policy.per_type_nxdomain:
            for table in (self._positive, self._nodata, self._nxdomain):
                for key in [k for k in table if k[0] == name]:
                    del table[key]
            key: NxKey = (name, None)
        else:
            self._positive.pop((name, rdtype), None)
            self._nodata.pop((name, rdtype), None)
            self._nxdomain.pop((name, rdtype), None)
            key = (name, rdtype)
        self.note_soa(soa, now)
        if ttl <= 0:
            return
        entry = Entry(now, ttl, soa.copy(), proof)
        if nxdomain:
            self._put(self._nxdomain, key, entry)
        else:
            self._put(self._nodata, (name, rdtype), entry)

    def negative_ttl(self, soa: dns.rrset.RRset) -> int:
        return min(soa.ttl, soa[0].minimum, self.policy.max_negative_ttl)

    def note_soa(self, soa: dns.rrset.RRset, now: float) -> None:
        """A negative answer brought the zone's SOA: with ``shared_soa`` it becomes the zone's
        one negative SOA unless the same SOA is already there (then even its TTL stays)."""
        if not self.policy.shared_soa:
            return
        zone = _zone_of(soa)
        old = self._soa.get(zone)
        if old is not None and old.remaining(now) > 0 and old.data[0] == soa[0]:
            return
        ttl = self.negative_ttl(soa)
        if ttl > 0:
            self._put(self._soa, zone, Entry(now, ttl, soa.copy()))

    def store_nsec(
        self, zone: str, nsecs: list[dns.rrset.RRset], soa: dns.rrset.RRset, now: float
    ) -> None:
        """Remember the gaps a signed zone's denial proved empty (each with the zone's SOA)."""
        gaps = self._nsec.setdefault(zone, {})
        for nsec in nsecs:
            ttl = min(nsec.ttl, self.negative_ttl(soa))
            if ttl > 0:
                owner = normalize(nsec.name.to_text())
                gaps[owner] = Entry(now, ttl, nsec.copy(), (soa.copy(),))

    def _put(self, table: dict[Any, Entry], key: Any, entry: Entry) -> None:
        table.pop(key, None)  # re-inserted last: eviction drops the oldest writes first
        table[key] = entry
        if len(self) > MAX_ENTRIES:
            for oldest in (self._positive, self._nodata, self._nxdomain, self._soa):
                if oldest:
                    del oldest[next(iter(oldest))]
                    break

    def flush(self, name: str | None = None) -> int:
        """Forget everything, or everything about one name; returns how many entries went."""
        if name is None:
            count = len(self)
            for table in (self._positive, self._nxdomain, self._nodata, self._soa, self._nsec):
                table.clear()
            return count
        count = 0
        for table in (self._positive, self._nodata, self._nxdomain):
            for key in [k for k in table if k[0] == name]:
                del table[key]
                count += 1
        return count

    def __len__(self) -> int:
        gaps = sum(len(g) for g in self._nsec.values())
        return len(self._positive) + len(self._nxdomain) + len(self._nodata) + len(self._soa) + gaps

    # -- viewing ---------------------------------------------------------------------------

    def entries(self, now: float) -> list[dict[str, Any]]:
        """Entries as JSON for the control API: live ones, and expired ones kept for
        serve-stale (``stale``: true, ``remaining`` at or below zero)."""
        out: list[dict[str, Any]] = []
        tables: tuple[tuple[str, dict[Any, Entry]], ...] = (
            ("positive", self._positive),
            ("nxdomain", self._nxdomain),
            ("nodata", self._nodata),
        )
        for kind, table in tables:
            for key, entry in list(table.items()):
                live = self._get(table, key, now, stale=False)
                if live is None and self._get(table, key, now, stale=True) is None:
                    continue
                out.append(self._entry_json(key, kind, entry, now, stale=live is None))
        for zone, entry in list(self._soa.items()):
            if entry.remaining(now) > 0:
                out.append(
                    {
                        "name": zone,
                        "type": "SOA",
                        "kind": "zone-soa",
                        "ttl": entry.ttl,
                        "remaining": entry.remaining(now),
                        "soaSerial": entry.data[0].serial,
                    }
                )
        for zone, gaps in self._nsec.items():
            for owner, entry in list(gaps.items()):
                if entry.remaining(now) > 0:
                    out.append(
                        {
                            "name": owner,
                            "type": "NSEC",
                            "kind": "nsec",
                            "zone": zone,
                            "next": entry.data[0].next.to_text(omit_final_dot=True),
                            "ttl": entry.ttl,
                            "remaining": entry.remaining(now),
                        }
                    )
        return out

    def _entry_json(
        self, key: tuple[str, int | None], kind: str, entry: Entry, now: float, *, stale: bool
    ) -> dict[str, Any]:
        name, rdtype = key
        out: dict[str, Any] = {
            "name": name,
            "type": dns.rdatatype.to_text(rdtype) if rdtype is not None else "*",
            "kind": kind,
            "ttl": entry.ttl,
            "remaining": entry.remaining(now) if kind == "positive" else self._left(entry, now),
        }
        if stale:
            out["stale"] = True
        if kind == "positive":
            out["values"] = rrset_texts(entry.data)
        else:
            shown = self._negative_of(dns.rcode.NOERROR, entry, now).soa
            out["soaSerial"] = shown[0].serial
            out["soaTtl"] = shown.ttl  # what an answer shows (the shared SOA's, for unbound)
            if entry.proof:
                out["nsec"] = [n.name.to_text(omit_final_dot=True) for n in entry.proof]
        return out


def _closest_encloser(name: dns.name.Name, gap: Entry) -> dns.name.Name:
    """The longest ancestor of ``name`` that exists, as an NSEC gap shows it: the deepest name
    that is an ancestor of ``name`` and at or above the gap's owner or next name."""
    best = dns.name.root
    for known in (gap.data.name, gap.data[0].next):
        common = name.fullcompare(known)[2]  # labels in common, root included
        ancestor = name.split(common)[1] if common < len(name) else name.parent()
        if len(ancestor) > len(best):
            best = ancestor
    return best
