"""The parent side of every zone: one server answering for the root and the world's TLDs.

A zone is found through its parent (RFC 1034 §4.3.2): the TLD refers resolvers to the name
servers the registrar holds for the zone, which need not be the NS records inside the zone
(someone changed one and not the other: "you edited the wrong DNS host"). This server gives
those referrals (AA=0, the NS set in the authority section), answers the root's and each TLD's
own SOA and NS, and denies names under no zone, so resolvers have a real answer for a control
question such as ``. SOA`` and for names nobody serves.

Its TLDs are the last labels of the world's zones (``example``, ``com``...); a name under any
other TLD is denied by the root. Values follow the real root and ``.com``: delegations live
172800 s (the "48 hours" people quote, dns.md §0), a TLD's negative answers 900 s.
"""

from __future__ import annotations

from collections.abc import Mapping

import dns.rcode
import dns.rrset

from tui.sandbox.dns.authority import AuthAnswer
from tui.sandbox.dns.records import NS, SOA, is_at_or_below, negative_soa, rrset, soa_rrset

ROOT = ""
ROOT_SOA = soa_rrset("", "a.root-servers.net", "nstld.verisign-grs.com", 2026010100, 86400, 86400)
ROOT_NS = rrset("", NS, 518400, ["a.root-servers.net", "b.root-servers.net"])
DELEGATION_TTL = 172800
TLD_SOA_TTL = 900
TLD_MINIMUM = 86400
DS = "DS"


def tld_soa(tld: str) -> dns.rrset.RRset:
    return soa_rrset(
        tld, f"a.nic.{tld}", f"hostmaster.nic.{tld}", 2026010100, TLD_SOA_TTL, TLD_MINIMUM
    )


def tld_ns(tld: str) -> dns.rrset.RRset:
    return rrset(tld, NS, DELEGATION_TTL, [f"a.nic.{tld}", f"b.nic.{tld}"])


def _tld(name: str) -> str:
    return name.rpartition(".")[2]


def parent_answer(delegations: Mapping[str, tuple[str, ...]], qname: str, qtype: str) -> AuthAnswer:
    """What the root/TLD server answers; ``delegations`` maps each zone of the world to the NS
    set its parent lists for it."""
    tlds = {_tld(origin) for origin in delegations if "." in origin} - set(delegations)
    child = _enclosing(delegations, qname)
    if child is not None:
        parent = _tld(child) if _tld(child) in tlds and child not in tlds else ROOT
        if qtype == DS and qname == child:
            return _deny(AuthAnswer(dns.rcode.NOERROR), parent)  # unsigned delegation: no DS
        referral = rrset(child, NS, DELEGATION_TTL, delegations[child])
        return AuthAnswer(dns.rcode.NOERROR, authority=[referral], referral=True)
    parent = _tld(qname) if _tld(qname) in tlds else ROOT
    if qname == parent:
        soa, ns = (ROOT_SOA, ROOT_NS) if parent == ROOT else (tld_soa(parent), tld_ns(parent))
        if qtype == SOA:
            return AuthAnswer(dns.rcode.NOERROR, answer=[soa.copy()])
        if qtype == NS:
            return AuthAnswer(dns.rcode.NOERROR, answer=[ns.copy()])
        return _deny(AuthAnswer(dns.rcode.NOERROR), parent)
    # A name above some zone (``b.example`` over ``a.b.example``) exists, empty (RFC 8020).
    between = any(is_at_or_below(origin, qname) for origin in delegations)
    return _deny(AuthAnswer(dns.rcode.NOERROR if between else dns.rcode.NXDOMAIN), parent)


def _enclosing(delegations: Mapping[str, tuple[str, ...]], name: str) -> str | None:
    labels = name.split(".") if name else []
    for i in range(len(labels)):
        candidate = ".".join(labels[i:])
        if candidate in delegations:
            return candidate
    return None


def _deny(out: AuthAnswer, parent: str) -> AuthAnswer:
    out.authority.append(negative_soa(ROOT_SOA if parent == ROOT else tld_soa(parent)))
    return out
