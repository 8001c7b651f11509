"""One check-up: gather what the doctor judges (``tui.flow.doctor``) for one site.

Reads the sender details, sender emails, account details and each sending domain through the
Wix client; sweeps each domain's records through the propagation engine; asks what receivers
see (DMARC, SPF, DKIM) for each authenticated From domain. The Doctor pane and
``wix-sending doctor`` both call :func:`gather`, then :func:`tui.flow.doctor.examine`.

Only reads: a check-up never writes to Wix (no code sent, no Authenticate), so running it
every few minutes from cron or a pane is harmless. A failed call becomes a
:class:`~tui.flow.doctor.CallProblem` and the rest still runs, unless the failure says nothing
else can (Wix unreachable, the key refused): then the doctor gives one finding, not a cascade.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tui.flow.doctor import (
    SENDER_DETAILS_DO_NOT_EXIST,
    CallProblem,
    DomainFacts,
    SiteFacts,
)
from tui.flow.domains import custom_domains, expected_records
from tui.store.state import DomainState
from tui.wix.errors import WixError, WixTransportError
from tui.wix.models import DomainStatus, SenderDetails, SendingDomain

if TYPE_CHECKING:
    from tui.propagation.mailfacts import MailAuth
    from tui.propagation.model import Report, Resolver
    from tui.propagation.sweep import Prober
    from tui.wix.client import WixClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DnsSetup:
    """The engine to sweep with (owned and closed by the caller) and whom it asks."""

    prober: Prober
    resolvers: Sequence[Resolver]


def problem_of(call: str, error: WixError) -> CallProblem:
    return CallProblem(
        call=call,
        sentence=error.user_message(),
        status=error.status,
        code=error.code or "",
        reached=not isinstance(error, WixTransportError),
        where=f"{error.method} {error.path}",
    )


def _stops_everything(problem: CallProblem) -> bool:
    return not problem.reached or problem.status == 401


async def gather(
    client: WixClient,
    dns: DnsSetup | None,
    *,
    now: Callable[[], datetime],
    history: Mapping[str, DomainState] | None = None,
    asked_domain: str = "",
    world: bool = False,
    mail: bool = True,
) -> SiteFacts:
    """The facts for one check-up of the site ``client`` is for. ``asked_domain``: only that
    domain (``--domain``); ``mail``: also ask what receivers see (DMARC, SPF, DKIM)."""
    history = history or {}
    asked = asked_domain.strip().lower().rstrip(".")
    problems: list[CallProblem] = []

    async def read(call: str, coro):  # type: ignore[no-untyped-def]
        try:
            return await coro
        except WixError as exc:
            log.info("check-up: %s failed: %s", call, exc.where)
            problems.append(problem_of(call, exc))
            return None

    details = await read("sender details", client.list_sender_details())
    if any(_stops_everything(p) for p in problems):
        return SiteFacts(now=now(), problems=tuple(problems), asked_domain=asked, world=world)
    emails, account = await asyncio.gather(
        read("sender emails", client.list_sender_emails()),
        read("account details", client.get_account_details()),
    )
    verified = tuple(e.email_address for e in emails or () if e.verified)
    names = custom_domains(details or [], [e for e in emails or () if e.verified])
    if asked:
        names = [asked]
    domains: list[DomainFacts] = []
    # No sender details at all: every sending-domain call would answer
    # SENDER_DETAILS_DO_NOT_EXIST, so none is made; the doctor says it once, site-wide.
    if details:
        read_domains = await asyncio.gather(*(_read_domain(client, n) for n in names))
        for name, (domain, refused, problem) in zip(names, read_domains, strict=True):
            if problem is not None:
                problems.append(problem)
            domains.append(
                DomainFacts(name=name, domain=domain, refused=refused, history=history.get(name))
            )
        if any(_stops_everything(p) for p in problems):
            return SiteFacts(now=now(), problems=tuple(problems), asked_domain=asked, world=world)
    if dns is not None:
        domains = list(
            await asyncio.gather(*(_look(d, dns, details or [], mail, now) for d in domains))
        )
    return SiteFacts(
        now=now(),
        sender_details=tuple(details) if details is not None else None,
        verified_emails=verified,
        account=account,
        domains=tuple(domains),
        problems=tuple(problems),
        asked_domain=asked,
        world=world,
    )


async def _read_domain(
    client: WixClient, name: str
) -> tuple[SendingDomain | None, str, CallProblem | None]:
    try:
        return await client.find_sending_domain(name), "", None
    except WixError as exc:
        if exc.code == SENDER_DETAILS_DO_NOT_EXIST:
            return None, SENDER_DETAILS_DO_NOT_EXIST, None
        return None, "", problem_of("sending domain", exc)


async def _look(
    facts: DomainFacts,
    dns: DnsSetup,
    details: Sequence[SenderDetails],
    mail: bool,
    now: Callable[[], datetime],
) -> DomainFacts:
    """Sweep the domain's records; for an authenticated From domain, ask what receivers see."""
    domain = facts.domain
    if domain is None or not domain.dns_records:
        return facts
    if domain.status not in (DomainStatus.NOT_AUTHENTICATED, DomainStatus.AUTHENTICATED):
        return facts
    records, _problems = expected_records(domain)
    report: Report | None = None
    error = ""
    if records:
        try:
            report = await dns.prober.sweep(records, dns.resolvers)
        except (OSError, ValueError, RuntimeError) as exc:
            error = f"The DNS check failed ({type(exc).__name__}: {exc})."
            log.warning("check-up: sweep of %s failed: %s", facts.name, error)
    found: MailAuth | None = None
    sends_from_it = any(d.domain == facts.name for d in details)
    if mail and sends_from_it and domain.status is DomainStatus.AUTHENTICATED:
        from tui.propagation.mailauth import check_mail_auth

        selectors = [r.name for r in records if "._domainkey." in f".{r.name}"]
        try:
            found = await check_mail_auth(facts.name, selectors, dns.resolvers, clock_now=now())
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("check-up: mail checks of %s failed: %s", facts.name, exc)
    return DomainFacts(
        name=facts.name,
        domain=domain,
        refused=facts.refused,
        report=report,
        history=facts.history,
        mail=found,
        dns_error=error,
    )
