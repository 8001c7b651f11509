"""Receiver-side mail checks: what a receiving mail server (Gmail, Yahoo) finds in DNS for a
From domain, DMARC, SPF and DKIM, as facts for the doctor (``tui/flow/doctor.py``) to judge.

    facts = await check_mail_auth("example.com", ["s1._domainkey.example.com"], resolvers)

Every question goes to our own resolver set, never to the system's, so the sandbox and the
tests drive it: the first resolvers of the list that are not authoritative servers, the next
one taken when one times out or answers SERVFAIL/REFUSED. checkdmarc (synchronous, ~0.7 s to
import) parses the records and follows SPF includes and DMARC report destinations through a
dnspython resolver pointed at the same addresses, in a worker thread, so the UI's event loop
never waits on it.

The data types and the alignment rules are in :mod:`tui.propagation.mailfacts` (re-exported
here); import them from there in code that must not import dnspython (``tui.flow``).
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import dns.nameserver
import dns.resolver

from tui.propagation.mailfacts import (
    DkimCheck,
    DmarcCheck,
    MailAuth,
    SpfCheck,
    aligned,
    dkim_signing_domain,
    normalize,
    organizational_domain,
)
from tui.propagation.model import Resolver, Role
from tui.propagation.transport import Exchange, ask

__all__ = [
    "DkimCheck",
    "DmarcCheck",
    "MailAuth",
    "SpfCheck",
    "aligned",
    "check_mail_auth",
    "dkim_signing_domain",
    "organizational_domain",
]

# Resolvers tried before giving up: each one that is dead costs a timeout.
MAX_TRIED = 3
ANSWERED = ("NOERROR", "NXDOMAIN")
MAX_PROBLEM = 400  # characters of checkdmarc's reason kept (it quotes the whole record)


@dataclass(frozen=True, slots=True)
class _Fetched:
    """The raw facts one resolver gave, before any parsing."""

    dmarc: DmarcCheck
    spf: SpfCheck
    dkim: tuple[DkimCheck, ...]

    @property
    def failed(self) -> bool:
        return any(c.error for c in (self.dmarc, self.spf, *self.dkim))


async def check_mail_auth(
    domain: str,
    dkim_names: Sequence[str],
    resolvers: Sequence[Resolver],
    *,
    clock_now: datetime | None = None,
    timeout: float = 3.0,
) -> MailAuth:
    """What receivers find for ``domain``: facts, never verdicts (the doctor judges). A check
    that could not run says so in its ``error``; a record that is there but wrong, in its
    ``problem``. Raises ValueError only when ``resolvers`` holds no resolver to ask."""
    domain = normalize(domain)
    org = organizational_domain(domain)
    names = tuple(dict.fromkeys(normalize(n) for n in dkim_names if normalize(n)))
    candidates = [r for r in resolvers if r.role is not Role.AUTHORITATIVE and r.endpoints]
    if not candidates:
        raise ValueError("no resolver to ask: every one given is an authoritative server")
    chosen: tuple[Resolver, _Fetched] | None = None
    for candidate in candidates[:MAX_TRIED]:
        fetched = await _fetch(candidate, domain, org, names, timeout)
        if chosen is None or not fetched.failed:
            chosen = (candidate, fetched)  # when nobody answers everything: the first one
        if not fetched.failed:
            break
    assert chosen is not None
    resolver, fetched = chosen
    dmarc, spf = await asyncio.to_thread(_parse, fetched, _dns_resolver(resolver, timeout))
    return MailAuth(
        domain=domain,
        organizational_domain=org,
        resolver=resolver.key,
        checked_at=clock_now or datetime.now(UTC),
        dmarc=dmarc,
        spf=spf,
        dkim=fetched.dkim,
    )


# --- asking ---------------------------------------------------------------------------------
# The records themselves are fetched with the engine's own transport rather than dnspython's
# resolver: it never raises, retries over TCP when a big TXT (a 2048-bit key, a long SPF) comes
# back truncated, sanitises the text it reads, and gives the rcode as it came, so "could not
# answer" (timeout, SERVFAIL, REFUSED) is told from "does not exist" without mapping
# exceptions. Only the resolver's first address is asked; another address of the same
# operator is the next resolver's job.


async def _ask(resolver: Resolver, name: str, rdtype: str, timeout: float) -> Exchange:
    return await ask(resolver.endpoint, name, rdtype, recursion=True, timeout=timeout)


def _failure(exchange: Exchange, resolver: Resolver) -> str:
    if exchange.answer is None:
        return f"{resolver.name} did not answer: {exchange.failure or 'no answer'}"
    if exchange.answer.rcode not in ANSWERED:
        return f"{resolver.name} answered {exchange.answer.rcode}"
    return ""


async def _fetch(
    resolver: Resolver, domain: str, org: str, names: tuple[str, ...], timeout: float
) -> _Fetched:
    dmarc, spf, *dkim = await asyncio.gather(
        _dmarc(resolver, domain, org, timeout),
        _spf(resolver, domain, timeout),
        *(_dkim(resolver, name, timeout) for name in names),
    )
    return _Fetched(dmarc, spf, tuple(dkim))


# Records come back sorted: resolvers rotate the order of an RRset's records (BIND does), and
# the same DNS must give the same facts on every check.


def _dmarc_records(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(t for t in texts if t.lower().startswith("v=dmarc1")))


async def _dmarc(resolver: Resolver, domain: str, org: str, timeout: float) -> DmarcCheck:
    """RFC 7489 §6.6.3: the From domain's _dmarc, else the organizational domain's. Two or
    more records where the first question lands also end the search (no fallback)."""
    asked = f"_dmarc.{domain}"
    for name in dict.fromkeys((asked, f"_dmarc.{org}")):
        exchange = await _ask(resolver, name, "TXT", timeout)
        error = _failure(exchange, resolver)
        if error:
            return DmarcCheck(asked, "", (), error=error)
        assert exchange.answer is not None
        records = _dmarc_records(exchange.answer.texts)
        if records:
            return DmarcCheck(asked, name, records)
    return DmarcCheck(asked, "", ())


def _is_spf(text: str) -> bool:
    lowered = text.lower()  # RFC 7208 §4.5: exactly "v=spf1", then a space or the end
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


async def _spf(resolver: Resolver, domain: str, timeout: float) -> SpfCheck:
    exchange = await _ask(resolver, domain, "TXT", timeout)
    error = _failure(exchange, resolver)
    if error or exchange.answer is None:
        return SpfCheck(domain, (), error=error)
    return SpfCheck(domain, tuple(sorted(t for t in exchange.answer.texts if _is_spf(t))))


async def _dkim(resolver: Resolver, name: str, timeout: float) -> DkimCheck:
    """Asked as a verifier does (TXT, which the resolver follows through the CNAME) and as
    CNAME too, which says where the chain went even when nothing is at its end."""
    txt, cname = await asyncio.gather(
        _ask(resolver, name, "TXT", timeout), _ask(resolver, name, "CNAME", timeout)
    )
    targets = [
        *(cname.answer.cnames if cname.answer else ()),
        *(txt.answer.cnames if txt.answer else ()),
    ]
    target = targets[0] if targets else ""
    error = _failure(txt, resolver)
    if error or txt.answer is None:
        return DkimCheck(name, target, error=error)
    where = "at the end of the CNAME" if target else "at the name"
    if txt.answer.rcode == "NXDOMAIN":
        return DkimCheck(name, target, problem=f"NXDOMAIN: nothing {where}")
    if not txt.answer.texts:
        return DkimCheck(name, target, problem=f"no TXT {where}")
    problems = [_key_problem(text) for text in sorted(txt.answer.texts)]
    if "" in problems:
        return DkimCheck(name, target, found=True)
    return DkimCheck(name, target, problem=problems[0])


def _key_problem(text: str) -> str:
    """Why a TXT is not a usable DKIM key record (RFC 6376 §3.6.1), "" when it is one."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        tag, equals, value = part.partition("=")
        if equals:
            tags.setdefault(tag.strip(), value.strip())
    if "v" in tags and tags["v"] != "DKIM1":
        return f"v={tags['v']} is not v=DKIM1: not a DKIM key"
    if "p" not in tags:
        return "the TXT has no p= tag: not a DKIM key"
    if not "".join(tags["p"].split()):
        return "p= is empty (key revoked)"
    return ""


# --- parsing (in a worker thread) -----------------------------------------------------------


def _dns_resolver(resolver: Resolver, timeout: float) -> dns.resolver.Resolver:
    """A dnspython resolver for checkdmarc's own lookups (SPF include/a/mx, DMARC report
    destinations), at our resolver's addresses: configure=False, so /etc/resolv.conf is never
    read, and checkdmarc uses a resolver it is given as it is."""
    made = dns.resolver.Resolver(configure=False)
    made.nameservers = [dns.nameserver.Do53Nameserver(e.host, e.port) for e in resolver.endpoints]
    made.timeout = min(1.0, timeout)  # per try: a lost packet is asked again within lifetime
    made.lifetime = timeout
    made.use_edns(0, 0, 1232)
    return made


def _one_line(error: object) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= MAX_PROBLEM else text[: MAX_PROBLEM - 1] + "…"


def _parse(fetched: _Fetched, resolver: dns.resolver.Resolver) -> tuple[DmarcCheck, SpfCheck]:
    # checkdmarc imports dnspython's DNSSEC algorithms, whose DSA class warns (cryptography
    # deprecates DSA) on stderr, across the watch command's output: not ours to act on.
    warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"dns\.dnssecalgs")
    import checkdmarc.utils  # slow to import: only here, in the worker thread

    # checkdmarc keeps every answer for 30 minutes in a module-wide cache; a re-check after the
    # user fixed a record must see the new one.
    checkdmarc.utils.DNS_CACHE.clear()
    return _parse_dmarc(fetched.dmarc, resolver), _parse_spf(fetched.spf, resolver)


def _parse_dmarc(check: DmarcCheck, resolver: dns.resolver.Resolver) -> DmarcCheck:
    from checkdmarc.dmarc import parse_dmarc_record

    if check.error or not check.records:
        return check
    if len(check.records) > 1:
        return replace(
            check,
            problem=f"{len(check.records)} DMARC records at {check.found_at}: receivers apply "
            "no DMARC policy at all (RFC 7489 §6.6.3)",
        )
    domain = check.found_at.removeprefix("_dmarc.")
    try:
        parsed = parse_dmarc_record(
            check.records[0], domain, resolver=resolver, timeout=resolver.lifetime, retries=0
        )
    except Exception as exc:  # every parser complaint (and any checkdmarc bug) is a fact
        return replace(check, problem=_one_line(exc))
    tags = parsed["tags"]
    return replace(
        check,
        policy=str(tags["p"]["value"]),
        subdomain_policy=str(tags["sp"]["value"]) if tags["sp"]["explicit"] else "",
        adkim=str(tags["adkim"]["value"]),
        aspf=str(tags["aspf"]["value"]),
        warnings=tuple(_one_line(w) for w in parsed["warnings"]),
    )


def _parse_spf(check: SpfCheck, resolver: dns.resolver.Resolver) -> SpfCheck:
    from checkdmarc.spf import SPFTooManyDNSLookups, SPFTooManyVoidDNSLookups, parse_spf_record

    if check.error or not check.records:
        return check
    if len(check.records) > 1:
        return replace(
            check,
            problem=f"{len(check.records)} SPF records at {check.asked}: receivers return "
            "permerror and ignore them all (RFC 7208 §4.5)",
        )
    try:
        parsed = parse_spf_record(
            check.records[0], check.asked, resolver=resolver, timeout=resolver.lifetime, retries=0
        )
    except SPFTooManyDNSLookups as exc:
        return replace(
            check,
            lookups=(exc.data or {}).get("dns_lookups"),
            too_many_lookups=True,
            problem=_one_line(exc),
            warnings=tuple(_one_line(w) for w in exc.warnings),
        )
    except SPFTooManyVoidDNSLookups as exc:
        return replace(
            check,
            void_lookups=(exc.data or {}).get("void_dns_lookups"),
            problem=_one_line(exc),
            warnings=tuple(_one_line(w) for w in exc.warnings),
        )
    except Exception as exc:  # syntax, include loops, missing include targets, bugs
        warnings = getattr(exc, "warnings", None) or ()
        return replace(
            check, problem=_one_line(exc), warnings=tuple(_one_line(w) for w in warnings)
        )
    return replace(
        check,
        lookups=parsed["dns_lookups"],
        void_lookups=parsed["void_dns_lookups"],
        warnings=tuple(_one_line(w) for w in parsed["warnings"]),
    )
