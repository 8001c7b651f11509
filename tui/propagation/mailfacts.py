"""What a receiving mail server finds for a From domain (DMARC, SPF, DKIM), as plain data.

The checks that gather these facts live in :mod:`tui.propagation.mailauth` (which re-exports
everything here). This module imports neither dnspython nor checkdmarc, so the pure layer
(``tui.flow``, whose contract forbids ``dns`` even through another module) can import the
types and the alignment rules without pulling the network in.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

DKIM_LABEL = "_domainkey"


@dataclass(frozen=True, slots=True)
class DmarcCheck:
    asked: str  # the name asked, e.g. "_dmarc.example.com"
    # Where the record that applies was found ("" none): the organizational domain's _dmarc
    # when the From domain's has none (RFC 7489 §6.6.3).
    found_at: str
    records: tuple[str, ...]  # every TXT at found_at that starts with v=DMARC1
    # p= of the one record, "" when unknown. A record without p= reads as p=none (RFC 9989,
    # what checkdmarc applies), with a warning saying so.
    policy: str = ""
    subdomain_policy: str = ""  # sp= as written, "" when absent
    adkim: str = "r"
    aspf: str = "r"
    problem: str = ""  # why the one record does not count (checkdmarc's reason, one line)
    warnings: tuple[str, ...] = ()
    error: str = ""  # the question could not be answered: the check could not run


@dataclass(frozen=True, slots=True)
class SpfCheck:
    asked: str  # the From domain
    records: tuple[str, ...]  # every TXT there that is an SPF record ("v=spf1 ..." or "v=spf1")
    # DNS-querying terms (RFC 7208 §4.6.4) as checkdmarc counts them; None when not parsed.
    # With too_many_lookups, checkdmarc stops at the term that crossed the limit, so this is
    # "at least" (11 or more), not the record's full count.
    lookups: int | None = None
    void_lookups: int | None = None
    problem: str = ""
    too_many_lookups: bool = False
    warnings: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True, slots=True)
class DkimCheck:
    name: str  # the selector name, e.g. "s1._domainkey.example.com"
    cname: str = ""  # the CNAME target seen on the way, "" when none
    found: bool = False  # a TXT with a usable key (p= non-empty, v=DKIM1 if v= is there)
    problem: str = ""  # one line: "no TXT at the end of the CNAME", "p= is empty ...", ...
    error: str = ""


@dataclass(frozen=True, slots=True)
class MailAuth:
    domain: str  # the From domain checked
    organizational_domain: str
    resolver: str  # Resolver.key of the resolver that answered
    checked_at: datetime
    dmarc: DmarcCheck
    spf: SpfCheck
    dkim: tuple[DkimCheck, ...]


def normalize(name: str) -> str:
    return name.strip().rstrip(".").lower()


@functools.cache
def _suffixes() -> PublicSuffixList:
    # Building the list parses ~10,000 rules (~60 ms): once, and only when first needed.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organizational_domain(name: str) -> str:
    """The registered domain under the public suffix (RFC 7489 §3.2), as checkdmarc finds it:
    the Public Suffix List with its private section (``foo.github.io`` is its own). A TLD the
    list does not know (.example, .test) counts as a public suffix, so the last two labels."""
    name = normalize(name)
    if not name:
        return ""
    return _suffixes().privatesuffix(name) or name


def aligned(signing_domain: str, from_domain: str, mode: str = "r") -> bool:
    """DMARC identifier alignment (RFC 7489 §3.1): strict ("s") wants the same name, relaxed
    (anything else: an invalid mode falls back to the default, RFC 9989 §4.8) the same
    organizational domain."""
    signing, sender = normalize(signing_domain), normalize(from_domain)
    if not signing or not sender:
        return False
    if mode.strip().lower() == "s":
        return signing == sender
    return organizational_domain(signing) == organizational_domain(sender)


def dkim_signing_domain(selector_name: str) -> str:
    """The d= a key at ``<selector>._domainkey.<domain>`` signs for (RFC 6376 §3.6.2.1):
    ``<domain>``. A selector may have dots of its own, so the first ``_domainkey`` after at
    least one label is the one; "" when there is none."""
    labels = normalize(selector_name).split(".")
    if DKIM_LABEL not in labels[1:]:
        return ""
    return ".".join(labels[labels.index(DKIM_LABEL, 1) + 1 :])
