"""What a receiving mail server checks about a From domain, as plain facts: its DMARC record,
its SPF record, the DKIM keys reachable through Wix's CNAMEs.

Only data and the alignment rules live here, with no DNS library, so the doctor's rules
(``tui.flow.doctor``, which must stay free of I/O) can read them; asking the questions is
``tui.propagation.mailauth``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache


@dataclass(frozen=True, slots=True)
class DmarcCheck:
    asked: str  # the name asked, e.g. "_dmarc.example.com"
    # Where the record that applies was found ("" none): the organizational domain's _dmarc
    # when the From domain has none of its own (RFC 7489 §6.6.3).
    found_at: str
    records: tuple[str, ...]  # every TXT there that starts with v=DMARC1
    policy: str = ""  # p= of the one record: none, quarantine, reject ("" unknown)
    subdomain_policy: str = ""  # sp=, "" when absent
    adkim: str = "r"  # r (relaxed) or s (strict)
    aspf: str = "r"
    problem: str = ""  # why the one record does not parse (the parser's reason), one line
    warnings: tuple[str, ...] = ()
    error: str = ""  # the question got no usable answer: the check could not run


@dataclass(frozen=True, slots=True)
class SpfCheck:
    asked: str  # the From domain
    records: tuple[str, ...]  # every TXT there that is an SPF record (v=spf1)
    lookups: int | None = None  # DNS-querying terms (RFC 7208 §4.6.4); None when not parsed
    void_lookups: int | None = None
    problem: str = ""  # the parser's reason (too many lookups, syntax, a loop), one line
    too_many_lookups: bool = False
    warnings: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True, slots=True)
class DkimCheck:
    name: str  # the selector's name, e.g. "s1._domainkey.example.com"
    cname: str = ""  # the CNAME target seen on the way, "" when none
    found: bool = False  # a TXT with a usable key (p= not empty) was reached
    problem: str = ""  # one line: "no TXT at the end of the CNAME", "p= is empty", ...
    error: str = ""


@dataclass(frozen=True, slots=True)
class MailAuth:
    domain: str  # the From domain checked
    organizational_domain: str
    resolver: str  # the key of the resolver that answered
    checked_at: datetime
    dmarc: DmarcCheck
    spf: SpfCheck
    dkim: tuple[DkimCheck, ...]


@cache
def _suffixes() -> object | None:
    try:
        from publicsuffixlist import PublicSuffixList
    except ImportError:  # pragma: no cover - a dependency of checkdmarc, always there
        return None
    return PublicSuffixList()


def organizational_domain(name: str) -> str:
    """The registered domain (RFC 7489 §3.2): ``mail.example.co.uk`` -> ``example.co.uk``.
    Names under a suffix the Public Suffix List does not know (``.example``, ``.test``, the
    sandbox's and the tests' zones) take their last two labels."""
    name = name.lower().rstrip(".")
    suffixes = _suffixes()
    found = suffixes.privatesuffix(name) if suffixes is not None else None  # type: ignore[attr-defined]
    if found:
        return str(found)
    labels = name.split(".")
    return ".".join(labels[-2:])


def aligned(signing_domain: str, from_domain: str, mode: str = "r") -> bool:
    """DMARC identifier alignment (RFC 7489 §3.1): strict means the same name; relaxed, the
    same organizational domain."""
    signing, sender = signing_domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    if not signing or not sender:
        return False
    if mode == "s":
        return signing == sender
    return organizational_domain(signing) == organizational_domain(sender)


def dkim_signing_domain(selector_name: str) -> str:
    """The d= a key at ``selector_name`` signs for: ``s1._domainkey.example.com`` ->
    ``example.com``; "" when the name has no ``_domainkey`` label."""
    labels = selector_name.lower().rstrip(".").split(".")
    if "_domainkey" not in labels:
        return ""
    return ".".join(labels[labels.index("_domainkey") + 1 :])
