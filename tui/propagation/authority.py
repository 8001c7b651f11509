"""The ground truth: find a name's zone, its NS set and their addresses, and check that every
authoritative server is in sync (SOA serials) and really serves the zone (dns.md §3.5).

With ``--authoritative`` the servers are given (tests, private zones, the sandbox); otherwise
they are discovered through a recursive resolver: SOA for the zone cut, NS for the names, A for
the addresses. Every question goes through the sweep's own ``ask`` (same timeouts, same
concurrency cap).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from tui.propagation.answers import Answer
from tui.propagation.model import Endpoint, Resolver, Role, ZoneInfo
from tui.propagation.names import ServerAddress
from tui.propagation.providers import provider_for
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.transport import Exchange

Ask = Callable[..., Awaitable[Exchange]]  # ask(endpoint, qname, rdtype, recursion=..., cd=...)


@dataclass(frozen=True, slots=True)
class Authority:
    zone: ZoneInfo
    servers: tuple[Resolver, ...]
    problem: str = ""  # why discovery fell short, in words


def _zone_of(answer: Answer | None) -> tuple[str | None, Answer | None]:
    if answer is None:
        return None, None
    soa = answer.answer_soa or answer.soa
    return (soa.owner if soa else None), answer


def _guess_apex(name: str) -> str:
    labels = name.split(".")
    return ".".join(labels[-2:]) if len(labels) > 2 else name


async def find_apex(
    name: str,
    ask: Ask,
    *,
    overrides: Sequence[ServerAddress] = (),
    recursive: Sequence[Resolver] = (),
) -> str | None:
    """The zone apex that holds ``name``: the owner of the SOA in the answer to ``name SOA``
    (an apex answers with its SOA, any other name with the zone's SOA in the authority)."""
    if overrides:
        candidates = [(Endpoint(a.host, a.port), False) for a in overrides]
    else:
        candidates = [(r.endpoint, True) for r in recursive]
    for endpoint, recursion in candidates:
        exchange = await ask(endpoint, name, "SOA", recursion=recursion)
        apex, _ = _zone_of(exchange.answer)
        if apex:
            return apex
    return None


async def authority_for(
    apex: str,
    ask: Ask,
    *,
    overrides: Sequence[ServerAddress] = (),
    recursive: Sequence[Resolver] = (),
) -> Authority:
    """The zone's authoritative servers (given, or found through NS and A lookups) and how
    they are doing (serials, lame servers)."""
    if overrides:
        servers = tuple(resolver_from_address(a, Role.AUTHORITATIVE) for a in overrides)
        ns = await ask(servers[0].endpoint, apex, "NS", recursion=False)
        ns_names = ns.answer.ns_names if ns.answer else ()
        return Authority(await _zone_info(apex, ns_names, servers, ask), servers)
    for resolver in recursive:
        endpoint = resolver.endpoint
        ns = await ask(endpoint, apex, "NS", recursion=True)
        ns_names = tuple(sorted(ns.answer.ns_names)) if ns.answer else ()
        if not ns_names:
            continue
        found = await asyncio.gather(
            *(ask(endpoint, ns_name, "A", recursion=True) for ns_name in ns_names)
        )
        servers = [
            Resolver(
                key=f"{ns_name}/{address}",
                name=f"{ns_name} ({address})",
                operator=provider_for(ns_names) or "authoritative",
                role=Role.AUTHORITATIVE,
                endpoints=(Endpoint(address),),
            )
            for ns_name, exchange in zip(ns_names, found, strict=True)
            for address in (exchange.answer.addresses if exchange.answer else ())
            if ":" not in address
        ]
        problem = "" if servers else f"could not find the addresses of {apex}'s name servers"
        zone = await _zone_info(apex, ns_names, servers, ask)
        return Authority(zone, tuple(servers), problem)
    return Authority(
        ZoneInfo(apex=apex, known=False), (), problem=f"no resolver answered {apex}'s NS records"
    )


def unknown_zone(name: str, overrides: Sequence[ServerAddress]) -> Authority:
    """Discovery found no zone: check against the given servers anyway, and say so."""
    servers = tuple(resolver_from_address(a, Role.AUTHORITATIVE) for a in overrides)
    where = "none of the given authoritative servers" if overrides else "no resolver"
    return Authority(
        ZoneInfo(apex=_guess_apex(name), known=False),
        servers,
        problem=f"could not find the zone of {name}: {where} answered its SOA",
    )


async def _zone_info(
    apex: str, ns_names: Sequence[str], servers: Sequence[Resolver], ask: Ask
) -> ZoneInfo:
    serials: dict[str, int] = {}
    lame: list[str] = []
    soa = None
    exchanges = await asyncio.gather(
        *(ask(server.endpoint, apex, "SOA", recursion=False) for server in servers)
    )
    for server, exchange in zip(servers, exchanges, strict=True):
        answer = exchange.answer
        if answer is None or answer.rcode != "NOERROR" or not answer.authoritative:
            lame.append(server.key)
            continue
        found = answer.answer_soa
        if found is None:
            lame.append(server.key)
            continue
        serials[server.key] = found.serial
        soa = soa or found
    newest = max(serials.values(), default=None)
    lagging = tuple(
        key for key, serial in serials.items() if newest is not None and _older(serial, newest)
    )
    return ZoneInfo(
        apex=apex,
        ns_names=tuple(ns_names),
        provider=provider_for(ns_names),
        negative_ttl=soa.negative_ttl if soa else None,
        soa_minimum=soa.minimum if soa else None,
        soa_ttl=soa.ttl if soa else None,
        serials=serials,
        lagging=lagging,
        lame=tuple(lame),
    )


def _older(serial: int, newest: int) -> bool:
    """RFC 1982 serial arithmetic: ``serial`` is behind ``newest``."""
    return serial != newest and ((newest - serial) % 2**32) < 2**31
