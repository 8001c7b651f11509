"""The ground truth: find a name's zone, its NS set and their addresses, and check that every
authoritative server is in sync (SOA serials) and really serves the zone (dns.md §3.5).

With ``--authoritative`` the servers are given (tests, private zones, the sandbox); otherwise
they are discovered through a recursive resolver: SOA for the zone cut, NS for the names, A for
the addresses. Every question goes through the sweep's own ``ask`` (same timeouts, same
concurrency cap).
"""

from __future__ import annotations

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


async def discover(
    name: str,
    ask: Ask,
    *,
    overrides: Sequence[ServerAddress] = (),
    recursive: Sequence[Resolver] = (),
) -> Authority:
    if overrides:
        return await _from_overrides(name, ask, overrides)
    return await _from_recursion(name, ask, recursive)


async def _from_overrides(name: str, ask: Ask, overrides: Sequence[ServerAddress]) -> Authority:
    servers = tuple(resolver_from_address(a, Role.AUTHORITATIVE) for a in overrides)
    apex: str | None = None
    for server in servers:
        exchange = await ask(server.endpoint, name, "SOA", recursion=False)
        apex, _ = _zone_of(exchange.answer)
        if apex:
            ns = await ask(server.endpoint, apex, "NS", recursion=False)
            ns_names = ns.answer.ns_names if ns.answer else ()
            return Authority(await _zone_info(apex, ns_names, servers, ask), servers)
    guess = _guess_apex(name)
    return Authority(
        ZoneInfo(apex=guess, known=False),
        servers,
        problem=f"none of the given authoritative servers answered for {name}'s zone",
    )


async def _from_recursion(name: str, ask: Ask, recursive: Sequence[Resolver]) -> Authority:
    for resolver in recursive:
        endpoint = resolver.endpoint
        exchange = await ask(endpoint, name, "SOA", recursion=True)
        apex, _ = _zone_of(exchange.answer)
        if not apex:
            continue
        ns = await ask(endpoint, apex, "NS", recursion=True)
        ns_names = tuple(sorted(ns.answer.ns_names)) if ns.answer else ()
        servers: list[Resolver] = []
        for ns_name in ns_names:
            found = await ask(endpoint, ns_name, "A", recursion=True)
            for address in found.answer.addresses if found.answer else ():
                if ":" in address:
                    continue
                servers.append(
                    Resolver(
                        key=f"{ns_name}/{address}",
                        name=f"{ns_name} ({address})",
                        operator=provider_for(ns_names) or "authoritative",
                        role=Role.AUTHORITATIVE,
                        endpoints=(Endpoint(address),),
                    )
                )
        problem = "" if servers else f"could not find the addresses of {apex}'s name servers"
        zone = await _zone_info(apex, ns_names, servers, ask)
        return Authority(zone, tuple(servers), problem)
    guess = _guess_apex(name)
    return Authority(
        ZoneInfo(apex=guess, known=False),
        (),
        problem=f"could not find the zone of {name}: no resolver answered its SOA",
    )


async def _zone_info(
    apex: str, ns_names: Sequence[str], servers: Sequence[Resolver], ask: Ask
) -> ZoneInfo:
    serials: dict[str, int] = {}
    lame: list[str] = []
    soa = None
    for server in servers:
        exchange = await ask(server.endpoint, apex, "SOA", recursion=False)
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
