"""A fast reader of the common DNS answers, straight from the wire into an :class:`Answer`.

dnspython's ``from_wire`` builds a full object tree for every record of every section (about
160 µs an answer), and ``read_answer`` then walks it (about 40 µs): with hundreds of answers
in one round trip, that was most of a sweep's CPU. Nearly every answer a sweep gets is small
and plain (a CNAME, an address, a TXT string, an SOA proving a negative), so this reads those
few record types itself, and says ``None`` for anything else: a record type it does not read
(DNSSEC's NSEC and RRSIG, for instance), EDNS options (an Extended DNS Error), a truncated
answer, an extended RCODE, a name with a byte that would be written as an escape, a compression
pointer that is not plainly backwards, or anything malformed. Then the caller reads the message
with dnspython as before (``tests/propagation/test_wire.py`` checks that both readings are
equal on thousands of answers, hostile ones included).

So this never decides anything dnspython would decide otherwise: it only accepts what it is
sure to read the same way.
"""

from __future__ import annotations

import struct

import dns.ipv6

from tui.propagation.answers import Answer, Soa, _clamp, _loop, _shown
from tui.sanitize import visible

_HEADER = struct.Struct("!HHHHHH")
_RR = struct.Struct("!HHIH")
_SOA_NUMBERS = struct.Struct("!IIIII")

A, NS, CNAME, SOA, TXT, AAAA, OPT = 1, 2, 5, 6, 16, 28, 41
_KINDS = {A: "A", NS: "NS", CNAME: "CNAME", SOA: "SOA", TXT: "TXT", AAAA: "AAAA"}
IN = 1
_RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
_AA, _TC = 0x0400, 0x0200

# Label bytes dnspython writes as themselves: letters, digits, '-', '_' and '*' (anything else,
# such as '.', '"', '\\', '@', a space or a control byte, it escapes: then dnspython reads it).
_PLAIN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*")
# TXT bytes dnspython writes as themselves inside quotes (printable ASCII but '"' and '\\').
_PLAIN_TEXT = frozenset(range(0x20, 0x7F)) - {0x22, 0x5C}


class _Unusual(Exception):
    """Something this reader leaves to dnspython."""


def _name(wire: bytes, at: int, end: int) -> tuple[str, int]:
    """The name at ``at`` as dnspython writes it (no final dot; "" never: the root is
    unusual), and where the bytes after it start. Compression pointers must point backwards
    from where each one was read, as dnspython requires."""
    labels: list[str] = []
    after = -1
    length = 1  # the wire length, for the 255 limit (the root label's byte)
    limit = at  # a pointer must point before this
    while True:
        if at >= end:
            raise _Unusual
        size = wire[at]
        if size == 0:
            at += 1
            break
        if size >= 0xC0:
            if at + 1 >= end:
                raise _Unusual
            target = ((size & 0x3F) << 8) | wire[at + 1]
            if after < 0:
                after = at + 2
            if target >= limit:
                raise _Unusual
            limit = at = target
            continue
        if size > 63:
            raise _Unusual
        label = wire[at + 1 : at + 1 + size]
        if len(label) != size or not _PLAIN.issuperset(label):
            raise _Unusual
        length += size + 1
        if length > 255:
            raise _Unusual
        labels.append(label.decode("ascii"))
        at += 1 + size
    if not labels:
        raise _Unusual
    return ".".join(labels), (after if after >= 0 else at)


def read_wire(wire: bytes, qname: str) -> Answer | None:
    """The answer in ``wire`` about ``qname``, as ``read_answer(from_wire(wire))`` reads it,
    or None when this reader leaves it to dnspython."""
    try:
        return _read(wire, qname)
    except (_Unusual, IndexError, struct.error, UnicodeDecodeError, ValueError):
        return None


def _read(wire: bytes, qname: str) -> Answer:
    end = len(wire)
    _, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(wire, 0)
    if flags & _TC or flags & 0x7800 or qdcount != 1:  # truncated, an opcode but QUERY
        raise _Unusual
    rcode = flags & 0x000F
    at = 12
    _, at = _name(wire, at, end)
    at += 4
    if at > end:
        raise _Unusual
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
    links: dict[str, str] = {}
    soa: Soa | None = None
    referral: str | None = None
    authority_records: list[str] = []
    opt = False
    for section, count in ((0, ancount), (1, nscount), (2, arcount)):
        for _ in range(count):
            if section == 2:
                # Only a bare OPT (EDNS without options) is read here.
                if opt or at + 11 > end or wire[at] != 0:
                    raise _Unusual
                rdtype, _, ttl, rdlength = _RR.unpack_from(wire, at + 1)
                if rdtype != OPT or rdlength or ttl & 0xFF000000:  # an extended RCODE
                    raise _Unusual
                opt = True
                at += 11
                continue
            owner_text, at = _name(wire, at, end)
            rdtype, rdclass, ttl, rdlength = _RR.unpack_from(wire, at)
            at += 10
            if ttl > 0x7FFFFFFF:  # as dnspython reads it (RFC 2181 §8)
                ttl = 0
            stop = at + rdlength
            if stop > end or rdclass != IN:
                raise _Unusual
            kind = _KINDS.get(rdtype)
            if kind is None or (section == 1 and rdtype not in (SOA, NS)):
                raise _Unusual
            owner = owner_text.lower()
            if rdtype == A:
                if rdlength != 4:
                    raise _Unusual
                shown = "%d.%d.%d.%d" % tuple(wire[at:stop])  # noqa: UP031
            elif rdtype == AAAA:
                if rdlength != 16:
                    raise _Unusual
                shown = dns.ipv6.inet_ntoa(wire[at:stop])
            elif rdtype == TXT:
                strings = []
                spot = at
                while spot < stop:
                    size = wire[spot]
                    piece = wire[spot + 1 : spot + 1 + size]
                    if spot + 1 + size > stop or not _PLAIN_TEXT.issuperset(piece):
                        raise _Unusual
                    strings.append(piece)
                    spot += 1 + size
                if not strings:
                    raise _Unusual
                shown = " ".join(f'"{s.decode("ascii")}"' for s in strings)
            elif rdtype == SOA:
                mname, spot = _name(wire, at, stop)
                rname, spot = _name(wire, spot, stop)
                if spot + 20 != stop:
                    raise _Unusual
                serial, refresh, retry, expire, minimum = _SOA_NUMBERS.unpack_from(wire, spot)
                shown = f"{mname}. {rname}. {serial} {refresh} {retry} {expire} {minimum}"
            else:  # CNAME, NS
                target, spot = _name(wire, at, stop)
                if spot != stop:
                    raise _Unusual
                shown = f"{target}."
            at = stop
            text = visible(f"{owner} {ttl} {kind} {shown}")
            if section == 1:
                authority_records.append(text)
                if rdtype == SOA:
                    if owner in ("", ".", "@") or want == owner or want.endswith("." + owner):
                        soa = Soa(owner, _clamp(ttl), _clamp(minimum), serial)
                else:
                    ns_names.append(target.lower())
                    referral = owner
                continue
            records.append(text)
            if rdtype == CNAME:
                links.setdefault(owner, target.lower())
                if owner == want:
                    cnames.append(target.lower())
                    cname_ttl = _clamp(ttl)
            elif owner == want:
                owned.append(kind)
            if rdtype in (A, AAAA):
                addresses.append(shown)
                address_ttl = _clamp(ttl) if address_ttl is None else address_ttl
            elif rdtype == TXT:
                texts.append(visible(b"".join(strings).decode("utf-8", "replace")))
            elif rdtype == NS:
                ns_names.append(target.lower())
            elif rdtype == SOA:
                answer_soa = Soa(owner, _clamp(ttl), _clamp(minimum), serial)
    if at > end:
        raise _Unusual
    return Answer(
        rcode=_RCODES.get(rcode) or _unusual(),
        authoritative=bool(flags & _AA),
        truncated=False,
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
        loop=_loop(links, want) if want in links else (),
    )


def _unusual() -> str:
    raise _Unusual
