"""Resource records as the sandbox's DNS hosts store them, and their dnspython wire forms.

Names are kept as plain strings (lower case, no root dot) so zone data is cheap to copy, compare
and show as JSON; they become ``dns.name.Name``/``RRset`` objects only when an answer is built.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset
import dns.set

A, AAAA, CNAME, MX, NS, SOA, TXT = "A", "AAAA", "CNAME", "MX", "NS", "SOA", "TXT"
NSEC = "NSEC"
# What a user may add at a sandbox DNS host (SOA and NS come from the zone's provider).
EDITABLE_TYPES = (A, AAAA, CNAME, MX, TXT)

MAX_NAME_LENGTH = 253  # RFC 1035 §2.3.4, in presentation form without the root dot
MAX_LABEL_LENGTH = 63
MAX_TXT_LENGTH = 4000  # a few DKIM keys' worth; big enough to need TCP, small enough to serve


def normalize(name: str) -> str:
    """DNS names compare case-insensitively and without the root dot."""
    return name.strip().rstrip(".").lower()


def name_problem(name: str) -> str | None:
    """Why ``name`` (already normalized) cannot be a DNS owner name or target, or None."""
    if not name:
        return "is empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters"
    for label in name.split("."):
        if not label:
            return "has an empty label (two dots in a row)"
        if len(label) > MAX_LABEL_LENGTH:
            return f"has a label longer than {MAX_LABEL_LENGTH} characters"
        # Underscores are legal in DNS data (RFC 2181 §11) and needed for _domainkey.
        if not all(c.isascii() and (c.isalnum() or c in "-_*") for c in label):
            return f"has a character outside letters, digits, '-', '_' in {label!r}"
    return None


def is_at_or_below(name: str, origin: str) -> bool:
    return name == origin or name.endswith("." + origin)


@dataclass(frozen=True)
class Record:
    """One resource record at a DNS host.

    ``value`` is the presentation form without quotes: a target name (no root dot) for CNAME,
    ``"10 mail.example"`` for MX, an address for A/AAAA, the raw text for TXT. ``proxied`` and
    ``flattened`` mimic Cloudflare's orange cloud and CNAME flattening on a CNAME.
    """

    name: str
    type: str
    value: str
    ttl: int = 3600
    proxied: bool = False
    flattened: bool = False

    @property
    def target(self) -> str:
        """The name a CNAME (or MX) points to."""
        return self.value.split()[-1] if self.type == MX else self.value

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "value": self.value,
            "ttl": self.ttl,
        }
        if self.type == CNAME:
            out["proxied"] = self.proxied
            out["flattened"] = self.flattened
        return out


def _absolute(name: str) -> dns.name.Name:
    return dns.name.from_text(name or ".")


@functools.lru_cache(maxsize=8192)  # rdata is immutable; parsing text is the slow part
def rdata(record_type: str, value: str) -> dns.rdata.Rdata:
    rdtype = dns.rdatatype.from_text(record_type)
    if record_type == TXT:
        # Built directly (not from text) so quotes and backslashes in the value stay literal;
        # one TXT string holds at most 255 bytes (RFC 1035 §3.3.14), so long values are split.
        raw = value.encode()
        chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
        return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, rdtype, chunks)
    if record_type in (CNAME, NS):
        return dns.rdata.from_text(dns.rdataclass.IN, rdtype, value + ".")
    if record_type == MX:
        preference, _, host = value.partition(" ")
        return dns.rdata.from_text(dns.rdataclass.IN, rdtype, f"{preference} {host}.")
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, value)


def rrset(name: str, record_type: str, ttl: int, values: Iterable[str]) -> dns.rrset.RRset:
    out = dns.rrset.RRset(_absolute(name), dns.rdataclass.IN, dns.rdatatype.from_text(record_type))
    for value in values:
        if len(out) and dns.rdatatype.is_singleton(out.rdtype):
            # dnspython keeps one CNAME per RRset; a sloppy host serves two anyway (RFC 2181
            # §10.1 violated on purpose), so they are added past that check.
            dns.set.Set.add(out, rdata(record_type, value))
        else:
            out.add(rdata(record_type, value))
    out.ttl = ttl
    return out


def rrset_of(records: Sequence[Record]) -> dns.rrset.RRset:
    """One RRset from records sharing name and type; the lowest TTL wins (RFC 2181 §5.2)."""
    first = records[0]
    return rrset(first.name, first.type, min(r.ttl for r in records), [r.value for r in records])


def soa_rrset(
    origin: str, mname: str, rname: str, serial: int, soa_ttl: int, minimum: int
) -> dns.rrset.RRset:
    # REFRESH/RETRY/EXPIRE are typical values; nothing in the sandbox polls with them.
    text = f"{mname}. {rname}. {serial} 3600 600 604800 {minimum}"
    return dns.rrset.from_text(_absolute(origin), soa_ttl, "IN", "SOA", text)


def negative_soa(soa: dns.rrset.RRset) -> dns.rrset.RRset:
    """The SOA as a negative answer carries it: TTL = min(SOA TTL, MINIMUM) (RFC 2308 §3)."""
    out = soa.copy()
    out.ttl = min(soa.ttl, soa[0].minimum)
    return out


def nsec_rrset(owner: str, following: str, types: Iterable[str], ttl: int) -> dns.rrset.RRset:
    """``owner NSEC following TYPES``: the next name in the zone and the types at the owner."""
    bitmap = " ".join(sorted({*types, "NSEC", "RRSIG"}))
    return dns.rrset.from_text(_absolute(owner), ttl, "IN", NSEC, f"{following}. {bitmap}")


def rrset_texts(found: dns.rrset.RRset) -> list[str]:
    """The values of an RRset in the same form as :attr:`Record.value`."""
    if found.rdtype == dns.rdatatype.TXT:
        return [b"".join(r.strings).decode(errors="replace") for r in found]
    return [
        normalize(r.to_text()) if found.rdtype == dns.rdatatype.CNAME else r.to_text()
        for r in found
    ]


def _digest(name: str) -> bytes:
    return hashlib.sha256(name.encode()).digest()


def esp_address(name: str) -> str:
    """A stable documentation address (192.0.2.0/24, RFC 5737) for an ESP target."""
    return f"192.0.2.{_digest(name)[0] % 250 + 1}"


def site_address(name: str) -> str:
    """A stable documentation address (198.51.100.0/24) for a customer's own web/mail host."""
    return f"198.51.100.{_digest(name)[0] % 250 + 1}"


def proxy_addresses(name: str) -> tuple[list[str], list[str]]:
    """Cloudflare-like anycast edge addresses for a proxied name, stable per name.

    Drawn from 104.18.x.x (inside Cloudflare's 104.16.0.0/13) and 172.64.0.0/13, so they never
    equal an ESP target's address (192.0.2.0/24): that is how a checker tells "proxied" from
    "flattened".
    """
    d = _digest("proxy:" + name)
    v4 = [f"104.18.{d[0]}.{d[1] % 254 + 1}", f"172.64.{d[2]}.{d[3] % 254 + 1}"]
    v6 = [
        str(ipaddress.IPv6Address(f"2606:4700:3030::6812:{d[0]:02x}{d[1]:02x}")),
        str(ipaddress.IPv6Address(f"2606:4700:3036::ac40:{d[2]:02x}{d[3]:02x}")),
    ]
    return v4, v6


def dkim_key(name: str) -> str:
    """A fake but well-formed DKIM key record for an ESP target (RFC 6376 §3.6.1)."""
    body = hashlib.sha512(("dkim:" + name).encode()).hexdigest()
    return f"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ{body[:96]}IDAQAB"
