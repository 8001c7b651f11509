"""What an authoritative server answers from one state of its zones (RFC 1034 §4.3.2, RFC 2308).

Pure: takes a :class:`View` (which zone version serves a name) and a question, returns an
:class:`AuthAnswer` of RRsets. The wire layer turns it into a message with AA=1; a caching
resolver in the same process reads it directly, as if it had asked over the network.

A signed zone's denials carry its NSEC records (RFC 4035 §3.1.3) when the question asks for
DNSSEC data (``dnssec``: the DO bit); the sandbox does not sign, so there are no RRSIGs.

Deliberately like a sloppy real host where the RFCs say "should not happen": a CNAME next to
other data is served as stored (a TXT query gets the TXT, a CNAME query the CNAME, RFC 2181 §10.1
notwithstanding), and two CNAMEs at one name come back as one two-record RRset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import dns.rcode
import dns.rdatatype
import dns.rrset

from tui.sandbox.dns.records import (
    AAAA,
    CNAME,
    NS,
    SOA,
    A,
    Record,
    negative_soa,
    proxy_addresses,
    rrset,
    rrset_of,
)
from tui.sandbox.dns.zones import ZoneVersion

ANY = "ANY"
MAX_CHAIN = 8  # CNAME hops followed before giving up (loops, or absurd chains)
PROXY_TTL = 300  # what Cloudflare shows as "Auto" for proxied records

# Which zone version serves a name (the closest enclosing zone), or None when none is served.
View = Callable[[str], ZoneVersion | None]


@dataclass
class AuthAnswer:
    rcode: int
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    zone: ZoneVersion | None = None  # the zone that answered; None when REFUSED
    referral: bool = False  # a parent pointing down to a child zone's servers (AA=0)


def answer(view: View, qname: str, qtype: str, *, dnssec: bool = False) -> AuthAnswer:
    zone = view(qname)
    if zone is None:
        return AuthAnswer(dns.rcode.REFUSED)
    out = AuthAnswer(dns.rcode.NOERROR, zone=zone)
    name, seen = qname, {qname}
    for _ in range(MAX_CHAIN):
        here = _records_at(zone, name)
        wanted = here if qtype == ANY else [r for r in here if r.type == qtype]
        cnames = [r for r in here if r.type == CNAME]
        if cnames and not (wanted and qtype != CNAME):
            if cnames[0].proxied:
                return _proxied(out, zone, name, qtype, dnssec)
            if cnames[0].flattened:
                return _flattened(out, view, zone, name, qtype, cnames[0], dnssec)
            out.answer.append(rrset_of(cnames))
            target = cnames[0].target
            if qtype in (CNAME, ANY) or target in seen or view(target) is not zone:
                return out  # the resolver follows a chain that leaves the zone
            name = target
            seen.add(name)
            continue
        if wanted:
            out.answer.extend(_group(wanted))
            return out
        return _negative(out, zone, name, dnssec)
    return out


def _records_at(zone: ZoneVersion, name: str) -> list[Record]:
    here = zone.at(name)
    if name == zone.origin:  # SOA and NS live at the apex, owned by the provider
        soa = zone.soa()
        here = [
            Record(name, SOA, soa[0].to_text(), soa.ttl),
            *(Record(name, NS, ns, zone.ns().ttl) for ns in zone.nameservers),
            *here,
        ]
    return here


def _group(records: list[Record]) -> list[dns.rrset.RRset]:
    by_type: dict[str, list[Record]] = {}
    for record in records:
        by_type.setdefault(record.type, []).append(record)
    out = []
    for record_type, group in by_type.items():
        if record_type == SOA:
            out.append(_soa_from(group[0]))
        else:
            out.append(rrset_of(group))
    return out


def _soa_from(record: Record) -> dns.rrset.RRset:
    return dns.rrset.from_text(record.name + ".", record.ttl, "IN", SOA, record.value)


def _negative(out: AuthAnswer, zone: ZoneVersion, name: str, dnssec: bool) -> AuthAnswer:
    """NXDOMAIN or NODATA, with the zone's SOA (TTL = min(SOA TTL, MINIMUM)) for caching."""
    if not zone.name_exists(name):
        out.rcode = dns.rcode.NXDOMAIN  # after a CNAME: the rcode of the last name (RFC 6604)
    return _deny(out, zone, name, dnssec)


def _deny(out: AuthAnswer, zone: ZoneVersion, name: str, dnssec: bool) -> AuthAnswer:
    out.authority.append(negative_soa(zone.soa()))
    if dnssec and zone.signed:
        out.authority.extend(_proof(zone, name))
    return out


def _proof(zone: ZoneVersion, name: str) -> list[dns.rrset.RRset]:
    """The NSEC records of a denial (RFC 4035 §3.1.3): for a name with records, its own NSEC
    (NODATA); otherwise the NSEC whose gap holds it, and for NXDOMAIN also the one that denies
    the wildcard at the closest encloser."""
    own = zone.nsec_at(name)
    if own is not None:
        return [own]
    proof = [zone.nsec_covering(name)]
    if not zone.name_exists(name):
        encloser = zone.closest_encloser(name)
        wildcard = zone.nsec_covering(f"*.{encloser}")
        if wildcard != proof[0]:
            proof.append(wildcard)
    return proof


def _proxied(out: AuthAnswer, zone: ZoneVersion, name: str, qtype: str, dnssec: bool) -> AuthAnswer:
    """Cloudflare's orange cloud: the CNAME is hidden; A/AAAA give the proxy's edge addresses."""
    v4, v6 = proxy_addresses(name)
    if qtype == A:
        out.answer.append(rrset(name, A, PROXY_TTL, v4))
    elif qtype == AAAA:
        out.answer.append(rrset(name, AAAA, PROXY_TTL, v6))
    else:
        _deny(out, zone, name, dnssec)  # NODATA, TXT and CNAME included
    return out


def _flattened(
    out: AuthAnswer,
    view: View,
    zone: ZoneVersion,
    name: str,
    qtype: str,
    cname: Record,
    dnssec: bool,
) -> AuthAnswer:
    """CNAME flattening: the host resolves the target itself and serves its addresses."""
    if qtype in (A, AAAA):
        rdtype = dns.rdatatype.from_text(qtype)
        resolved = answer(view, cname.target, qtype)
        found = [s for s in resolved.answer if s.rdtype == rdtype]
        if found:
            out.answer.append(rrset(name, qtype, cname.ttl, [r.to_text() for r in found[-1]]))
            return out
    return _deny(out, zone, name, dnssec)
