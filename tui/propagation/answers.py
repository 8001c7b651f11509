"""A DNS response boiled down to what the classifier needs, read without ever raising.

Everything from the network can be wrong: a response can be truncated, carry records for other
names, have an SOA with absurd numbers, or be garbage that dnspython barely parsed. The
classifier works on :class:`Answer`, which this module builds defensively.

It is also where text from the network enters the engine, so every string taken from the
message passes :func:`tui.sanitize.visible` here. dnspython's ``to_text()`` already writes odd
bytes in names and TXT strings as ``\\DDD`` (an ESC as ``\\027``, the UTF-8 bytes of U+202E as
``\\226\\128\\174``, so a non-ASCII name shows as escapes, never as look-alike letters), but
TXT strings are decoded here as UTF-8, and relying on each rdata type's ``to_text()`` to escape
would break silently with a new type or version.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from tui.sanitize import visible

MAX_TTL = 2**31 - 1  # RFC 2181 §8: anything larger is treated as zero by resolvers; we clamp
# Records kept as text per section, for display: a CNAME answer has one or a few, and a server
# that sends thousands (up to 64 KiB) would otherwise fill every cell and report with them.
MAX_SHOWN_RECORDS = 20
# Extended DNS Errors kept per answer, and characters of each one's text: a resolver's words
# go into a cell's detail, which is one line under the grid.
MAX_EDE = 4
MAX_EDE_TEXT = 120


@dataclass(frozen=True, slots=True)
class Soa:
    owner: str
    ttl: int
    minimum: int
    serial: int

    @property
    def negative_ttl(self) -> int:
        """RFC 2308 §5: a negative answer lives min(SOA TTL, SOA MINIMUM)."""
        return min(self.ttl, self.minimum)


@dataclass(frozen=True, slots=True)
class Denial:
    """One NSEC or NSEC3 record of a negative answer's proof (a signed zone, RFC 4035 §3.1.3).

    ``covers``: an NSEC whose range (owner, next) holds the question name strictly inside, so
    the proof was made for *some* name in that gap: the kind of record a validating resolver
    reuses to deny names nobody asked (aggressive NSEC, RFC 8198). Unknown (False) for NSEC3,
    whose owners are hashes."""

    kind: str  # "NSEC" or "NSEC3"
    owner: str
    next: str  # the next owner name (NSEC), or the next hashed owner (NSEC3)
    ttl: int
    covers: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    rcode: str  # NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ...
    authoritative: bool = False
    truncated: bool = False
    cnames: tuple[str, ...] = ()  # CNAME targets owned by the question name
    cname_ttl: int | None = None
    owned_types: tuple[str, ...] = ()  # other types the question name owns in the answer
    records: tuple[str, ...] = ()  # every answer RR as text, for display
    addresses: tuple[str, ...] = ()  # A/AAAA found in the answer (end of the chain)
    address_ttl: int | None = None
    texts: tuple[str, ...] = ()  # TXT strings found in the answer
    soa: Soa | None = None  # from the authority section of a negative answer
    answer_soa: Soa | None = None  # an SOA in the answer section (the question was an apex)
    ns_names: tuple[str, ...] = ()
    referral: str | None = None  # owner of NS records in the authority section (a delegation)
    authority_records: tuple[str, ...] = ()  # the authority section as text (e.g. the SOA)
    ede: tuple[int, ...] = ()  # extended DNS error codes (RFC 8914)
    # The same errors in words, as "EDE 3 Stale Answer: <the resolver's text>" (sanitised)
    ede_texts: tuple[str, ...] = ()
    denials: tuple[Denial, ...] = ()  # NSEC/NSEC3 records proving a negative (DO=1 answers)
    # The CNAME chain from the question name when it comes back to a name already in it
    # (a -> b -> a): lookups of the name never end. Empty when there is no loop.
    loop: tuple[str, ...] = ()

    @property
    def negative(self) -> bool:
        """NXDOMAIN, or NOERROR with nothing for the question (NODATA)."""
        if self.rcode == "NXDOMAIN":
            return True
        return self.rcode == "NOERROR" and not self.records


def _text(name: dns.name.Name) -> str:
    return visible(name.to_text(omit_final_dot=True).lower())


def _shown(records: list[str]) -> tuple[str, ...]:
    if len(records) <= MAX_SHOWN_RECORDS:
        return tuple(records)
    more = len(records) - MAX_SHOWN_RECORDS
    return (*records[:MAX_SHOWN_RECORDS], f"… and {more} more records")


def _loop(links: dict[str, str], start: str) -> tuple[str, ...]:
    """Following CNAMEs from ``start``: the chain up to the first name seen twice, if any."""
    chain, seen = [start], {start}  # a set: a hostile chain may have thousands of links
    while chain[-1] in links:
        following = links[chain[-1]]
        chain.append(following)
        if following in seen:
            return tuple(chain)
        seen.add(following)
    return ()


def _clamp(ttl: object) -> int:
    return ttl if isinstance(ttl, int) and 0 <= ttl <= MAX_TTL else 0


def read_answer(message: dns.message.Message, qname: str) -> Answer:
    """The parts of ``message`` about ``qname``; never raises, whatever the message holds."""
    try:
        return _read(message, qname)
    except Exception:  # network bytes must never crash a sweep
        return Answer(rcode="FORMERR")


def _read(message: dns.message.Message, qname: str) -> Answer:
    rcode = dns.rcode.to_text(message.rcode())
    want = qname.lower().rstrip(".")
    cnames: list[str] = []
    cname_ttl: int | None = None
    owned: list[str] = []
    records: list[str] = []
    addresses: list[str] = []
    address_ttl: int | None = None
    texts: list[str] = []
    ns_names: list[str] = []
    answer_soa: Soa | None = None
    links: dict[str, str] = {}  # CNAME owner -> target (the first one), to find loops
    for rrset in message.answer:
        owner = _text(rrset.name)
        kind = dns.rdatatype.to_text(rrset.rdtype)
        for rdata in rrset:
            records.append(visible(f"{owner} {rrset.ttl} {kind} {rdata.to_text()}"))
        if kind == "CNAME":
            for rdata in rrset:
                links.setdefault(owner, _text(rdata.target))
        if kind == "CNAME" and owner == want:
            cnames += [_text(rdata.target) for rdata in rrset]
            cname_ttl = _clamp(rrset.ttl)
        elif owner == want:
            owned.append(kind)
        if kind in ("A", "AAAA"):
            addresses += [visible(rdata.to_text()) for rdata in rrset]
            address_ttl = _clamp(rrset.ttl) if address_ttl is None else address_ttl
        elif kind == "TXT":
            texts += [
                visible(b"".join(rdata.strings).decode("utf-8", "replace")) for rdata in rrset
            ]
        elif kind == "NS":
            ns_names += [_text(rdata.target) for rdata in rrset]
        elif kind == "SOA" and rrset:
            answer_soa = _soa(owner, rrset)
    soa = None
    referral = None
    authority_records: list[str] = []
    for rrset in message.authority:
        owner = _text(rrset.name)
        kind = dns.rdatatype.to_text(rrset.rdtype)
        for rdata in rrset:
            authority_records.append(visible(f"{owner} {rrset.ttl} {kind} {rdata.to_text()}"))
        # The SOA must be for a zone above (or at) the question, or it says nothing about it.
        if rrset.rdtype == dns.rdatatype.SOA and rrset and _at_or_above(owner, want):
            soa = _soa(owner, rrset)
        elif rrset.rdtype == dns.rdatatype.NS:
            ns_names += [_text(rdata.target) for rdata in rrset]
            referral = owner
    ede: list[int] = []
    ede_texts: list[str] = []
    for option in message.options:
        if isinstance(option, dns.edns.EDEOption) and len(ede) < MAX_EDE:
            ede.append(int(option.code))
            ede_texts.append(ede_words(int(option.code), option.text))
    return Answer(
        rcode=rcode,
        authoritative=bool(message.flags & dns.flags.AA),
        truncated=bool(message.flags & dns.flags.TC),
        cnames=tuple(cnames),
        cname_ttl=cname_ttl,
        owned_types=tuple(dict.fromkeys(owned)),
        records=_shown(records),
        addresses=tuple(addresses),
        address_ttl=address_ttl,
        texts=tuple(texts),
        soa=soa,
        answer_soa=answer_soa,
        ns_names=tuple(dict.fromkeys(ns_names)),
        referral=referral,
        authority_records=_shown(authority_records),
        ede=tuple(ede),
        ede_texts=tuple(ede_texts),
        denials=_denials(message, want),
        loop=_loop(links, want) if want in links else (),
    )


def ede_words(code: int, text: str | None) -> str:
    """``EDE 3 Stale Answer: "served from cache"``: the code, its RFC 8914 name, and the
    resolver's own text if it sent one (sanitised and cut short: it is from the network)."""
    raw = dns.edns.EDECode.to_text(code) if 0 <= code <= 0xFFFF else ""
    if not raw or raw.isdigit():
        name = "(a code this program does not know)"
    else:
        name = " ".join(_EDE_WORDS.get(word, word.title()) for word in raw.split("_"))
    words = f"EDE {code} {name}"
    if text:
        words += f': "{visible(text, limit=MAX_EDE_TEXT)}"'
    return words


_EDE_WORDS = {
    "DNSSEC": "DNSSEC",
    "NXDOMAIN": "NXDOMAIN",
    "NSEC": "NSEC",
    "NSEC3": "NSEC3",
    "DS": "DS",
    "DNSKEY": "DNSKEY",
    "RRSIGS": "RRSIGs",
}


def _denials(message: dns.message.Message, want: str) -> tuple[Denial, ...]:
    found: list[Denial] = []
    try:
        qname = dns.name.from_text(want)
    except Exception:
        qname = None
    for rrset in message.authority:
        if rrset.rdtype not in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3):
            continue
        for rdata in rrset:
            if rrset.rdtype == dns.rdatatype.NSEC:
                covers = qname is not None and _inside(qname, rrset.name, rdata.next)
                found.append(
                    Denial("NSEC", _text(rrset.name), _text(rdata.next), _clamp(rrset.ttl), covers)
                )
            else:
                following = visible(dns.name.Name([rdata.next]).to_text(omit_final_dot=True))
                found.append(Denial("NSEC3", _text(rrset.name), following, _clamp(rrset.ttl)))
            if len(found) >= MAX_SHOWN_RECORDS:
                return tuple(found)
    return tuple(found)


def _inside(name: dns.name.Name, owner: dns.name.Name, following: dns.name.Name) -> bool:
    """``owner < name < following`` in DNSSEC canonical order (RFC 4034 §6.1); the last NSEC
    of a zone wraps round to the apex, so then ``name`` is past ``owner`` or before
    ``following``."""
    if owner < following:
        return owner < name < following
    return name > owner or name < following


def _at_or_above(owner: str, name: str) -> bool:
    return owner in ("", ".", "@") or name == owner or name.endswith("." + owner)


def _soa(owner: str, rrset: object) -> Soa:
    rdata = next(iter(rrset))  # type: ignore[call-overload]
    return Soa(
        owner=owner,
        ttl=_clamp(rrset.ttl),  # type: ignore[attr-defined]
        minimum=_clamp(rdata.minimum),
        serial=int(rdata.serial) & 0xFFFFFFFF,
    )
