"""The delegation at the parent zone against the zone's own NS records (deliverable 8): found
without ``--authoritative`` (the zone is discovered through a resolver, as for a real user),
with every name server on loopback at 127.0.0.x and one shared port (``Prober.server_port``).

    recursive resolver  127.0.0.1:R   knows the names' addresses; NS of the zone: its own set
    parent ("example")  127.0.0.2:P   delegates hostile.example (a referral, RD=0)
    the new host        127.0.0.3:P   ada.ns.cloudflare.com: what the delegation names
    the old host        127.0.0.4:P   ns1.domaincontrol.com: what the zone's NS records name
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import pytest

from tests.propagation.hostile import RECORD, TARGET, ZONE, Behaviour, HostileServer, Script
from tui.propagation.model import ExpectedRecord, Report, Role, Status
from tui.propagation.report import to_json
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.sweep import Prober

TIMEOUT = 0.3
CLOUDFLARE = "ada.ns.cloudflare.com"
GODADDY = "ns1.domaincontrol.com"
ADDRESSES = {"ns.example": "127.0.0.2", CLOUDFLARE: "127.0.0.3", GODADDY: "127.0.0.4"}


@dataclass
class World:
    resolver: HostileServer
    parent: HostileServer
    new_host: HostileServer
    old_host: HostileServer


@asynccontextmanager
async def world(*, delegated_to: str, own_ns: str, at_new_host: bool) -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        for _ in range(20):  # a port free at every address at once
            attempt = AsyncExitStack()
            try:
                parent = await attempt.enter_async_context(
                    HostileServer(
                        Behaviour.PARENT,
                        host="127.0.0.2",
                        script=Script(delegation=(delegated_to,), addresses=ADDRESSES),
                    )
                )
                new_host = await attempt.enter_async_context(
                    HostileServer(
                        Behaviour.GOOD,
                        host="127.0.0.3",
                        port=parent.port,
                        script=Script(ns=(CLOUDFLARE,), serves_record=at_new_host),
                    )
                )
                old_host = await attempt.enter_async_context(
                    HostileServer(Behaviour.GOOD, host="127.0.0.4", port=parent.port)
                )
            except OSError:
                await attempt.aclose()  # the port was taken at one of the addresses
                continue
            await stack.enter_async_context(attempt)
            break
        else:
            pytest.skip("no port free on 127.0.0.2-4 at once")
        resolver = await stack.enter_async_context(
            HostileServer(Behaviour.GOOD, script=Script(ns=(own_ns,), addresses=ADDRESSES))
        )
        yield World(resolver, parent, new_host, old_host)


async def discovered(found: World) -> Report:
    """A sweep that finds the zone through the resolver, as without --authoritative."""
    row = resolver_from_address(found.resolver.address, Role.PUBLIC)
    prober = Prober(timeout=TIMEOUT, server_port=found.parent.port)
    try:
        async with asyncio.timeout(20):
            return await prober.sweep([ExpectedRecord(RECORD, TARGET)], [row])
    finally:
        await prober.aclose()


async def test_records_at_the_host_the_delegation_does_not_name() -> None:
    """The registry delegates to Cloudflare; the zone's NS records (and the records) are at
    GoDaddy. Resolvers go to Cloudflare, where the records are not: said without --added."""
    async with world(delegated_to=CLOUDFLARE, own_ns=GODADDY, at_new_host=False) as found:
        report = await discovered(found)
    zone = report.zones[RECORD]
    assert zone.apex == ZONE and zone.parent == "example"
    assert zone.parent_ns == (CLOUDFLARE,) and zone.ns_names == (GODADDY,)
    assert zone.delegation_differs and zone.provider == "Cloudflare"
    # The truth is read where the delegation points, and the record is not there.
    auth = [r for r in report.resolvers if r.role is Role.AUTHORITATIVE]
    assert [r.endpoint.host for r in auth] == ["127.0.0.3"]
    assert report.cells[(RECORD, auth[0].key)].status is Status.NOT_PUBLISHED
    finding = next(d for d in report.diagnoses if d.code == "delegation_mismatch")
    assert f"names Cloudflare ({CLOUDFLARE})" in finding.sentence
    assert f"own NS records name GoDaddy ({GODADDY})" in finding.sentence
    assert "Cloudflare really serves" in finding.sentence
    assert "if you added them at GoDaddy, add them at Cloudflare instead" in finding.sentence
    assert "wrong_dns_host" not in [d.code for d in report.diagnoses]
    assert "Add them at Cloudflare" in report.eta.sentence
    document = to_json(report)["zones"][ZONE]
    assert document["parentNameServers"] == [CLOUDFLARE]
    assert document["parentProvider"] == "Cloudflare" and document["delegationDiffers"]


async def test_a_delegation_that_differs_with_the_records_in_place() -> None:
    async with world(delegated_to=CLOUDFLARE, own_ns=GODADDY, at_new_host=True) as found:
        report = await discovered(found)
    finding = next(d for d in report.diagnoses if d.code == "delegation_mismatch")
    assert "the records checked here are the ones there" in finding.sentence
    assert f"set {ZONE}'s NS records at Cloudflare to {CLOUDFLARE}" in finding.sentence


async def test_a_delegation_that_agrees_says_nothing() -> None:
    async with world(delegated_to=GODADDY, own_ns=GODADDY, at_new_host=False) as found:
        report = await discovered(found)
    zone = report.zones[RECORD]
    assert zone.parent_ns == (GODADDY,) and not zone.delegation_differs
    assert zone.provider == "GoDaddy"
    assert "delegation_mismatch" not in [d.code for d in report.diagnoses]
    auth = [r for r in report.resolvers if r.role is Role.AUTHORITATIVE]
    assert [r.endpoint.host for r in auth] == ["127.0.0.4"]
    assert report.cells[(RECORD, auth[0].key)].status is Status.OK
