"""The ground truth: find a name's zone, its NS set and their addresses, and check that every
authoritative server is in sync (SOA serials) and really serves the zone (dns.md §3.5).

Observer effect, again: recursive resolvers are only asked about names that certainly exist
(the registrable domain, NS names), never about the record's own name or the labels between it
and the zone, because a "does not exist" for ``_domainkey.example.com`` would be cached and,
under RFC 8020, could hide every selector below it. The zone cut is found by walking down with
RD=0 on the authoritative servers, which cache nothing and follow delegations (referrals).

With ``--authoritative`` the servers are given (tests, private zones, the sandbox). Every
question goes through the sweep's ``ask`` (same timeouts, same concurrency cap), and questions
to several servers go out together, so a dead server costs one timeout.
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
MAX_DELEGATIONS = 5


@dataclass(frozen=True, slots=True)
class Authority:
    zone: ZoneInfo
    servers: tuple[Resolver, ...]
    problem: str = ""  # why discovery fell short, in words


def parent(name: str) -> str | None:
    return name.split(".", 1)[1] if "." in name else None


def registrable_guess(name: str) -> str:
    labels = name.split(".")
    return ".".join(labels[-2:]) if len(labels) > 2 else name


def within(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


async def _answers(
    ask: Ask, endpoints: Sequence[Endpoint], qname: str, rdtype: str, rd: bool
) -> list[Answer]:
    """The same question to every endpoint at once; the first usable answer (NOERROR or
    NXDOMAIN, and whole: one truncated even over TCP may lack the very records sought) as
    soon as it arrives, so a dead server does not hold the walk up for its timeout. Empty
    when no endpoint gave one."""
    tasks = [asyncio.ensure_future(ask(e, qname, rdtype, recursion=rd)) for e in endpoints]
    try:
        for next_done in asyncio.as_completed(tasks):
            exchange = await next_done
            answer = exchange.answer
            if (
                answer is not None
                and answer.rcode in ("NOERROR", "NXDOMAIN")
                and not answer.truncated
            ):
                return [answer]
        return []
    finally:
        for task in tasks:
            task.cancel()


async def walk_down(
    name: str, servers: Sequence[Endpoint], ask: Ask
) -> tuple[str | None, str | None]:
    """With RD=0 on a zone's servers: (apex holding ``name``, None), or (None, child zone)
    when the name is delegated further down, or (None, None) when nobody answered usefully."""
    candidate: str | None = name
    while candidate:
        answers = await _answers(ask, servers, candidate, "SOA", False)
        usable = [a for a in answers if a.rcode in ("NOERROR", "NXDOMAIN")]
        if not usable:
            return None, None
        step_up = False
        for answer in usable:
            if answer.authoritative and answer.answer_soa and answer.answer_soa.owner == candidate:
                return candidate, None
            if not answer.authoritative and answer.referral and within(name, answer.referral):
                return None, answer.referral
            if answer.authoritative and answer.soa and within(candidate, answer.soa.owner):
                return answer.soa.owner, None
            if answer.authoritative and answer.cnames:
                step_up = True  # a CNAME at the name: its zone is an ancestor
        if not step_up:
            return None, None
        candidate = parent(candidate)
    return None, None


async def _ns_servers(
    zone: str, recursive: Sequence[Resolver], ask: Ask, port: int = 53
) -> tuple[tuple[str, ...], list[Resolver]]:
    """A zone's NS names (asked of recursive resolvers: the zone exists) and their IPv4s."""
    endpoints = [r.endpoint for r in recursive]
    for answer in await _answers(ask, endpoints, zone, "NS", True):
        names = tuple(sorted(n for n in answer.ns_names if n))
        if not names:
            continue
        return names, await servers_named(names, recursive, ask, port)
    return (), []


async def servers_named(
    names: Sequence[str], recursive: Sequence[Resolver], ask: Ask, port: int = 53
) -> list[Resolver]:
    """The name servers called ``names``, at their IPv4 addresses (asked of a resolver)."""
    if not recursive:
        return []
    endpoint = recursive[0].endpoint
    found = await asyncio.gather(*(ask(endpoint, n, "A", recursion=True) for n in names))
    return [
        Resolver(
            key=f"{ns}/{address}",
            name=f"{ns} ({address})",
            operator=provider_for(names) or "authoritative",
            role=Role.AUTHORITATIVE,
            endpoints=(Endpoint(address, port),),
        )
        for ns, exchange in zip(names, found, strict=True)
        for address in (exchange.answer.addresses if exchange.answer else ())
        if ":" not in address
    ]


async def delegation(
    zone: str, recursive: Sequence[Resolver], ask: Ask, port: int = 53
) -> tuple[str, tuple[str, ...]]:
    """(the parent zone, the NS names its servers give for ``zone``): the delegation the
    registry publishes, which is where a resolver with an empty cache goes (RFC 1034 §4.2.2).
    Asked with RD=0 of the parent's own servers, which answer with a referral; ("", ()) when
    there is no parent to ask (a TLD) or nobody answered."""
    above = parent(zone)
    for _ in range(3):  # "co.uk" holds no zone cut of its own: its parent "uk" delegates
        if above is None:
            return "", ()
        _, servers = await _ns_servers(above, recursive, ask, port)
        if servers:
            break
        above = parent(above)
    else:
        return "", ()
    assert above is not None
    for answer in await _answers(ask, [s.endpoint for s in servers], zone, "NS", False):
        # A referral (NS in the authority section, no AA), or an answer when the parent's
        # servers serve the child zone as well.
        names = tuple(sorted(n for n in answer.ns_names if n))
        if names and (answer.referral == zone or answer.authoritative):
            return above, names
    return above, ()


async def discover(
    name: str,
    ask: Ask,
    *,
    overrides: Sequence[ServerAddress] = (),
    recursive: Sequence[Resolver] = (),
    port: int = 53,
) -> Authority:
    """The zone holding ``name``, its authoritative servers and their health; ``port``: where
    name servers found on the way are asked (53, but for tests on loopback).

    Found through recursive resolvers, the zone's servers are compared with its delegation
    at the parent: when the two NS sets differ, resolvers with an empty cache follow the
    delegation, so its servers are the ones checked (and a diagnosis names both hosts)."""
    if overrides:
        servers = tuple(resolver_from_address(a, Role.AUTHORITATIVE) for a in overrides)
        endpoints = [s.endpoint for s in servers]
        apex, child = await walk_down(name, endpoints, ask)
        if apex is None:
            why = (
                f"the given authoritative servers delegate {child} elsewhere"
                if child
                else "none of the given authoritative servers answered for its zone"
            )
            return unknown_zone(name, overrides, why)
        answers = await _answers(ask, endpoints, apex, "NS", False)
        ns_names = next((a.ns_names for a in answers if a.ns_names), ())
        return Authority(await zone_info(apex, ns_names, servers, ask), servers)
    if not recursive:
        return unknown_zone(name, (), "there is no resolver to find it with")
    # Start from the registrable domain (it exists), then walk down with RD=0.
    start = registrable_guess(name)
    zone: str | None = None
    for answer in await _answers(ask, [r.endpoint for r in recursive], start, "SOA", True):
        soa = answer.answer_soa or answer.soa
        if soa and within(start, soa.owner):
            zone = soa.owner
            break
    if zone is None:
        return unknown_zone(name, (), f"no resolver could find the zone of {start}")
    for _ in range(MAX_DELEGATIONS):
        ns_names, servers = await _ns_servers(zone, recursive, ask, port)
        if not servers:
            return Authority(
                ZoneInfo(apex=zone, ns_names=ns_names, provider=provider_for(ns_names)),
                (),
                problem=f"could not find the addresses of {zone}'s name servers",
            )
        # The delegation of the zone found so far is asked meanwhile: usually it is the apex.
        (apex, child), delegated = await asyncio.gather(
            walk_down(name, [s.endpoint for s in servers], ask),
            delegation(zone, recursive, ask, port),
        )
        if apex is None and child is None and delegated[1] and set(delegated[1]) != set(ns_names):
            # The servers the zone's own NS records name did not answer (an old host that
            # dropped the zone, say): the ones the delegation names may.
            delegated_servers = await servers_named(delegated[1], recursive, ask, port)
            if delegated_servers:
                apex, child = await walk_down(name, [s.endpoint for s in delegated_servers], ask)
        if apex is not None:
            if apex != zone:  # a deeper zone, served by the same servers
                (deeper_names, deeper), delegated = await asyncio.gather(
                    _ns_servers(apex, recursive, ask, port),
                    delegation(apex, recursive, ask, port),
                )
                if deeper:
                    ns_names, servers = deeper_names, deeper
            above, parent_ns = delegated
            if parent_ns and set(parent_ns) != set(ns_names):
                # Resolvers follow the delegation, not the zone's own NS records: its servers
                # are what the records must be at.
                servers = await servers_named(parent_ns, recursive, ask, port) or servers
            info = await zone_info(apex, ns_names, servers, ask, parent=above, parent_ns=parent_ns)
            return Authority(info, tuple(servers))
        if child is None:
            return Authority(
                ZoneInfo(apex=zone, ns_names=ns_names, provider=provider_for(ns_names)),
                tuple(servers),
                problem=f"{zone}'s name servers did not answer for {name}",
            )
        zone = child
    return unknown_zone(name, (), f"more than {MAX_DELEGATIONS} delegations below {start}")


def unknown_zone(name: str, overrides: Sequence[ServerAddress], why: str) -> Authority:
    """Discovery found no zone: check against the given servers anyway, and say so."""
    servers = tuple(resolver_from_address(a, Role.AUTHORITATIVE) for a in overrides)
    return Authority(
        ZoneInfo(apex=registrable_guess(name), known=False),
        servers,
        problem=f"could not find the zone of {name}: {why}",
    )


async def zone_info(
    apex: str,
    ns_names: Sequence[str],
    servers: Sequence[Resolver],
    ask: Ask,
    *,
    parent: str = "",
    parent_ns: Sequence[str] = (),
) -> ZoneInfo:
    serials: dict[str, int] = {}
    lame: list[str] = []
    soa = None
    exchanges = await asyncio.gather(
        *(ask(server.endpoint, apex, "SOA", recursion=False) for server in servers)
    )
    for server, exchange in zip(servers, exchanges, strict=True):
        answer: Answer | None = exchange.answer
        if answer is None:
            continue  # no answer: unreachable, which the cells show; not proof of lameness
        found = answer.answer_soa
        if answer.rcode != "NOERROR" or not answer.authoritative or found is None:
            lame.append(server.key)
            continue
        serials[server.key] = found.serial
        soa = soa or found
    newest = newest_serial(serials.values())
    lagging = tuple(k for k, s in serials.items() if newest is not None and older(s, newest))
    differs = bool(parent_ns and ns_names) and set(parent_ns) != set(ns_names)
    return ZoneInfo(
        apex=apex,
        ns_names=tuple(ns_names),
        # The host that really serves the zone: the delegation's, when the two disagree.
        provider=provider_for(parent_ns if differs else ns_names),
        parent=parent,
        parent_ns=tuple(parent_ns),
        parent_provider=provider_for(parent_ns),
        negative_ttl=soa.negative_ttl if soa else None,
        soa_minimum=soa.minimum if soa else None,
        soa_ttl=soa.ttl if soa else None,
        serials=serials,
        lagging=lagging,
        lame=tuple(lame),
    )


def older(serial: int, newest: int) -> bool:
    """RFC 1982 serial arithmetic: ``serial`` is behind ``newest``."""
    return serial != newest and ((newest - serial) % 2**32) < 2**31


def newest_serial(serials: object) -> int | None:
    """The serial no other one is newer than, in RFC 1982 terms (so 5 is newer than 2**32-1)."""
    values = list(serials)  # type: ignore[call-overload]
    for candidate in values:
        if not any(older(candidate, other) for other in values):
            return candidate
    return max(values) if values else None
