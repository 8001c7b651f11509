"""The doctor end to end against the sandbox: the real client over loopback HTTP, the real
engine and the receiver checks over loopback DNS. Each problem the sandbox can put into the
``healthy`` world (``POST /_sandbox/break``) gives exactly its finding and no other; the healthy
world gives none; the checks that cannot run give one finding each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tui.checkup import DnsSetup, gather
from tui.demo import SandboxLink
from tui.flow.doctor import Finding, examine, exit_code
from tui.propagation.sweep import Prober
from tui.sandbox import SandboxServer
from tui.sandbox.scenarios import SCENARIOS
from tui.wix import ApiKeyAuth
from tui.wix.client import WixClient

HEALTHY = SCENARIOS["healthy"].sites[0]
DOMAIN = HEALTHY.senders[0].address.rpartition("@")[2]


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    sandbox = SandboxServer(scenario="healthy", port=0)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@dataclass
class World:
    server: SandboxServer

    def control(self, path: str, body: dict) -> dict:
        answer = httpx.post(f"{self.server.base_url}/_sandbox/{path}", json=body, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def reset(self, scenario: str = "healthy") -> None:
        self.control("reset", {"scenario": scenario})

    def brk(self, problem: str, **more: object) -> None:
        self.control("break", {"problem": problem, "flush": True, **more})


@pytest.fixture
def world(server: SandboxServer) -> World:
    world = World(server)
    world.reset()
    return world


async def check(
    world: World,
    *,
    key: str = HEALTHY.api_key,
    site: str = HEALTHY.site_id,
    domain: str = "",
    base_url: str | None = None,
) -> list[Finding]:
    link = SandboxLink.from_server(world.server)
    prober = Prober(authoritative=link.authoritative, clock=world.server.clock, timeout=1.0)
    client = WixClient(ApiKeyAuth(key, site), base_url=base_url or world.server.base_url)
    try:
        facts = await gather(
            client,
            DnsSetup(prober, link.resolvers),
            now=world.server.clock.now,
            asked_domain=domain,
        )
    finally:
        await client.aclose()
        await prober.aclose()
    return examine(facts)


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


async def test_the_healthy_world_has_no_finding(world: World) -> None:
    findings = await check(world)
    assert findings == [], [(f.code, f.title) for f in findings]
    assert exit_code(findings) == 0


BREAKS = [
    ("records-removed", "records_removed"),
    ("sender-moved", "sender_on_other_domain"),
    ("quota-used", "quota_used_up"),
    ("no-dmarc", "dmarc_missing"),
    ("two-dmarc", "dmarc_multiple"),
    ("bad-dmarc", "dmarc_invalid"),
    ("spf-too-many-lookups", "spf_too_many_lookups"),
    ("two-spf", "spf_multiple"),
    *(
        (f"account-{status}", "account_not_active")
        for status in ("WARNED", "SUSPENDED", "BANNED", "SUSPENDED_AUTOLIFT", "UNKNOWN")
    ),
]


@pytest.mark.parametrize(("problem", "code"), BREAKS)
async def test_each_problem_gives_exactly_its_finding(
    world: World, problem: str, code: str
) -> None:
    world.brk(problem)
    findings = await check(world)
    assert codes(findings) == [code], [(f.code, f.title) for f in findings]
    assert exit_code(findings) == 1
    assert findings[0].fix and findings[0].title


async def test_an_active_account_is_no_finding(world: World) -> None:
    world.brk("account-ACTIVE")
    assert await check(world) == []


async def test_a_key_without_a_permission_is_one_finding(world: World) -> None:
    findings = await check(world, key=HEALTHY.restricted_api_key)
    assert codes(findings) == ["missing_permission"]
    assert "account details" in findings[0].title


async def test_a_wrong_key_blocks_the_checks_with_one_finding(world: World) -> None:
    findings = await check(world, key="IST.not-a-key")
    assert codes(findings) == ["credentials_rejected"] and exit_code(findings) == 2


async def test_an_unreachable_api_blocks_the_checks_with_one_finding(world: World) -> None:
    findings = await check(world, base_url="http://127.0.0.1:9")
    assert codes(findings) == ["api_unreachable"] and exit_code(findings) == 2


async def test_a_domain_not_on_the_site_blocks_the_checks_with_one_finding(world: World) -> None:
    findings = await check(world, domain="not-ours.example")
    assert codes(findings) == ["domain_not_on_site"] and exit_code(findings) == 2


async def test_a_site_without_sender_details_is_the_guided_fix(world: World) -> None:
    world.reset("fresh")
    fresh = SCENARIOS["fresh"].sites[0]
    findings = await check(world, key=fresh.api_key, site=fresh.site_id)
    assert codes(findings) == ["no_sender_details"]


async def test_an_initializing_domain_is_expected_not_a_problem(world: World) -> None:
    world.reset("agency")
    agency = SCENARIOS["agency"].sites[0]
    findings = await check(
        world, key=agency.api_key, site=agency.site_id, domain="fresh-launch.example"
    )
    assert codes(findings) == ["initializing"] and exit_code(findings) == 0


async def test_unpublished_records_say_authentication_would_fail_and_why(world: World) -> None:
    world.reset("midway")
    midway = SCENARIOS["midway"].sites[0]
    findings = await check(world, key=midway.api_key, site=midway.site_id)
    assert "records_not_visible" in codes(findings)
    first = findings[0]
    assert first.domain == "harbor-ceramics.example"
    assert exit_code(findings) == 1
