"""The real engine against the sandbox DNS world over loopback UDP/TCP: every status and every
diagnosis comes out of a scenario, as it would from the real Internet."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tui.propagation import ExpectedRecord, Report, Resolver, Role, ServerAddress, Status
from tui.propagation.model import Endpoint
from tui.propagation.resolvers import resolver_from_address
from tui.propagation.sweep import Prober
from tui.propagation.transport import ask
from tui.sandbox import SandboxServer

TIMEOUT = 0.4  # the dead resolver costs this much per sweep


@pytest.fixture(scope="module")
def lab() -> Iterator[SandboxServer]:
    server = SandboxServer(scenario="dns-lab", port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_lab(lab: SandboxServer) -> SandboxServer:
    httpx.post(f"{lab.base_url}/_sandbox/reset", json={"scenario": "dns-lab"}).raise_for_status()
    httpx.post(f"{lab.base_url}/_sandbox/clock", json={"timeScale": 1.0}).raise_for_status()
    return lab


def records_of(server: SandboxServer, domain: str) -> list[ExpectedRecord]:
    state = httpx.get(f"{server.base_url}/_sandbox/state").json()
    for site in state["sites"]:
        for entry in site["sendingDomains"]:
            if entry["domain"] == domain:
                return [ExpectedRecord(r["hostName"], r["value"]) for r in entry["dnsRecords"]]
    raise AssertionError(f"{domain} is not in the scenario")


def resolvers_of(server: SandboxServer, *, anycast: bool = False) -> list[Resolver]:
    rows = []
    for info in server.dns.resolvers:
        row = resolver_from_address(ServerAddress(info.host, info.port), Role.PUBLIC)
        rows.append(
            Resolver(
                key=info.name,
                name=info.name,
                operator="sandbox",
                role=Role.PUBLIC,
                endpoints=row.endpoints,
                anycast=anycast and info.behaviour == "anycast",
            )
        )
    return rows


async def sweep(
    server: SandboxServer,
    records: list[ExpectedRecord],
    *,
    force: bool = False,
    anycast: bool = False,
    added: bool = False,
) -> Report:
    prober = Prober(
        authoritative=[ServerAddress(h, p) for h, p in server.dns.authoritative],
        timeout=TIMEOUT,
    )
    try:
        return await prober.sweep(
            records, resolvers_of(server, anycast=anycast), force=force, added=added
        )
    finally:
        await prober.aclose()


def statuses(report: Report, resolver: str) -> set[Status]:
    return {c.status for (_, key), c in report.cells.items() if key == resolver}


def codes(report: Report) -> list[str]:
    return [d.code for d in report.diagnoses]


async def test_queried_too_early(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "queried-early.example"))
    negatives = [c for c in report.cells.values() if c.status is Status.CACHED_NEGATIVE]
    assert len({c.resolver for c in negatives}) == 2
    for cell in negatives:
        assert cell.remaining is not None and 1100 <= cell.remaining <= 1200
        assert cell.eta is not None and "SOA" in cell.bound
    assert "queried_too_early" in codes(report)
    assert statuses(report, "isp-1") <= {Status.OK, Status.CACHED_NEGATIVE}
    assert report.eta.when is not None and "bound:" in report.eta.sentence
    assert not report.all_ok


async def test_cells_turn_ok_when_the_eta_says(fresh_lab: SandboxServer) -> None:
    records = records_of(fresh_lab, "queried-early.example")
    first = await sweep(fresh_lab, records)
    wait = max(c.remaining or 0 for c in first.cells.values())
    httpx.post(f"{fresh_lab.base_url}/_sandbox/clock", json={"advanceSeconds": wait - 30})
    almost = await sweep(fresh_lab, records)
    assert any(c.status is Status.CACHED_NEGATIVE for c in almost.cells.values())
    httpx.post(f"{fresh_lab.base_url}/_sandbox/clock", json={"advanceSeconds": 31})
    after = await sweep(fresh_lab, records)
    assert not any(c.status is Status.CACHED_NEGATIVE for c in after.cells.values())
    healthy = [r.info.name for r in []]  # noqa: F841 - keeps the intent readable below
    for key in ("isp-1", "isp-2", "isp-3"):
        assert statuses(after, key) == {Status.OK}


async def test_stale_target(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "stale-target.example"))
    stale = [c for c in report.cells.values() if c.status is Status.STALE]
    assert stale and all(c.remaining and 2000 < c.remaining <= 2400 for c in stale)
    assert all("old" in c.detail for c in stale)


async def test_wrong_target(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "wrong-target.example"))
    assert any(
        c.status is Status.WRONG_TARGET for (_, k), c in report.cells.items() if "127.0.0.1" in k
    )
    assert "wrong_target" in codes(report)
    assert report.eta.when is None and "need a fix" in report.eta.sentence


async def test_doubled_suffix_and_the_observer_effect(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "doubled.example"))
    assert codes(report).count("double_suffix") == 1  # one mistake, said once
    assert "wrong_dns_host" not in codes(report)
    diagnosis = next(d for d in report.diagnoses if d.code == "double_suffix")
    assert "doubled.example.doubled.example" in diagnosis.sentence
    public = [c for (_, k), c in report.cells.items() if not k.startswith("127.")]
    assert public and all(not c.queried for c in public)
    assert all(c.status is Status.NOT_PUBLISHED for c in public)


async def test_relative_target(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "relative.example"))
    assert codes(report).count("relative_target") == 1
    assert "final dot" in next(d.sentence for d in report.diagnoses if d.code == "relative_target")


async def test_typo_underscore(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "typo.example"))
    found = next(d for d in report.diagnoses if d.code == "typo_underscore")
    assert "s1.domainkey.typo.example" in found.sentence


async def test_conflict(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "conflict.example"))
    assert "conflict" in codes(report)


async def test_proxied_and_flattened(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "proxied.example"))
    seen = Counter(c.status for c in report.cells.values())
    assert seen[Status.PROXIED] and seen[Status.FLATTENED]
    assert {"proxied", "flattened"} <= set(codes(report))
    proxied = next(d for d in report.diagnoses if d.code == "proxied")
    assert "DNS only" in proxied.sentence and "Cloudflare" in proxied.sentence


async def test_wrong_dns_host_names_the_provider(fresh_lab: SandboxServer) -> None:
    records = records_of(fresh_lab, "elsewhere.example")
    # Without the user saying the records are added, missing records are just missing...
    plain = await sweep(fresh_lab, records)
    assert "wrong_dns_host" not in codes(plain)
    assert "Add them at Cloudflare" in plain.eta.sentence
    # ...with it, the absence is evidence they went to a host that does not serve the zone.
    report = await sweep(fresh_lab, records, added=True)
    found = next(d for d in report.diagnoses if d.code == "wrong_dns_host")
    assert "Cloudflare" in found.sentence and "ns.cloudflare.com" in found.sentence
    assert "No ETA yet" in report.eta.sentence


async def test_records_not_yet_added_are_not_a_wrong_host(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "apex.example"), added=False)
    assert "wrong_dns_host" not in codes(report)


def cached_names(server: SandboxServer, resolver: str) -> set[str]:
    caches = httpx.get(
        f"{server.base_url}/_sandbox/dns/caches", params={"resolver": resolver}
    ).json()
    return {
        entry["name"].rstrip(".")
        for found in caches["resolvers"]
        for cache in found["caches"]
        for entry in cache
    }


async def test_dnssec(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "dnssec-broken.example"))
    assert statuses(report, "validating") == {Status.DNSSEC_BOGUS}
    assert statuses(report, "isp-1") == {Status.OK}
    assert "dnssec_broken" in codes(report)


async def test_lagging_secondary_is_waited_for_not_asked_around(fresh_lab: SandboxServer) -> None:
    records = records_of(fresh_lab, "lagging.example")
    report = await sweep(fresh_lab, records)
    zone = report.zones[report.records[0].name]
    assert zone.lagging and len(zone.serials) == 2
    assert "lagging_secondary" in codes(report)
    assert "queried_too_early" not in codes(report)
    assert "secondary lags" in report.eta.sentence
    public = [c for (_, k), c in report.cells.items() if k.startswith("isp-")]
    assert public and not any(c.queried for c in public)
    # Asking nobody means no resolver holds a "does not exist" planted by us.
    names = {r.name for r in records}
    for resolver in ("isp-3", "isp-4", "isp-5"):
        assert not names & cached_names(fresh_lab, resolver)


async def test_apex_cname(fresh_lab: SandboxServer) -> None:
    record = ExpectedRecord("apex.example", "target.esp.example")
    report = await sweep(fresh_lab, [record])
    assert "apex_cname" in codes(report)


async def test_failing_resolvers(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "queried-early.example"))
    assert statuses(report, "servfail") == {Status.SERVFAIL}
    assert statuses(report, "refused") == {Status.REFUSED}
    assert statuses(report, "dead") == {Status.UNREACHABLE}


async def test_anycast_rows_are_sampled_and_keep_the_worst(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "queried-early.example"), anycast=True)
    cells = [c for (_, k), c in report.cells.items() if k == "anycast"]
    assert cells and all(c.samples == 3 for c in cells)


async def test_check_anyway_warns(fresh_lab: SandboxServer) -> None:
    report = await sweep(fresh_lab, records_of(fresh_lab, "elsewhere.example"), force=True)
    assert any("does not exist" in w for w in report.warnings)
    public = [c for (_, k), c in report.cells.items() if k == "isp-1"]
    assert public and all(c.queried for c in public)


async def test_truncated_answers_fall_back_to_tcp(lab: SandboxServer) -> None:
    state = httpx.get(f"{lab.base_url}/_sandbox/dns").json()
    big = next(
        r["name"]
        for zone in state["zones"]
        for r in zone["records"]
        if r["type"] == "TXT" and len(str(r["value"])) > 1000
    )
    host, port = lab.dns.authoritative[0]
    exchange = await ask(Endpoint(host, port), big, "TXT", recursion=False)
    assert exchange.transport == "tcp"
    assert exchange.answer is not None and sum(len(t) for t in exchange.answer.texts) > 1000


async def test_discovery_through_a_resolver_plants_nothing(fresh_lab: SandboxServer) -> None:
    # No --authoritative: the zone is found through a recursive resolver, which must only be
    # asked about names that exist (RFC 8020 would let a cached NXDOMAIN for an intermediate
    # label hide every record below it).
    records = records_of(fresh_lab, "doubled.example")
    info = next(r for r in fresh_lab.dns.resolvers if r.name == "isp-3")
    row = Resolver("isp-3", "isp-3", "sandbox", Role.PUBLIC, (Endpoint(info.host, info.port),))
    prober = Prober(timeout=TIMEOUT)
    try:
        report = await prober.sweep(records, [row])
    finally:
        await prober.aclose()
    assert report.zones[records[0].name].apex == "doubled.example"
    planted = cached_names(fresh_lab, "isp-3")
    assert not planted & {r.name for r in records}
    assert not any(name.startswith("_domainkey") for name in planted)


async def test_zone_of_a_published_cname_is_its_own_zone(fresh_lab: SandboxServer) -> None:
    # The record is a CNAME into the ESP's zone: its own zone must still be found (not the
    # target's), with serials, both through given servers and through a resolver.
    records = records_of(fresh_lab, "stale-target.example")
    report = await sweep(fresh_lab, records)
    zone = report.zones[records[0].name]
    assert zone.apex == "stale-target.example" and len(zone.serials) == 2
    assert not report.warnings
    info = next(r for r in fresh_lab.dns.resolvers if r.name == "isp-3")
    row = Resolver("isp-3", "isp-3", "sandbox", Role.PUBLIC, (Endpoint(info.host, info.port),))
    prober = Prober(timeout=TIMEOUT)
    try:
        found = await prober.sweep(records, [row])
    finally:
        await prober.aclose()
    assert found.zones[records[0].name].apex == "stale-target.example"


async def test_two_cnames_at_one_name_are_a_conflict(fresh_lab: SandboxServer) -> None:
    records = [r for r in records_of(fresh_lab, "conflict.example") if r.name.startswith("s2.")]
    report = await sweep(fresh_lab, records)
    conflict = next(d for d in report.diagnoses if d.code == "conflict")
    assert "second CNAME" in conflict.sentence
    auth = [c for (_, k), c in report.cells.items() if k.startswith("127.")]
    assert auth and all(c.status is Status.WRONG_TARGET for c in auth)


async def test_an_a_record_in_place_of_the_cname_is_not_proxied(fresh_lab: SandboxServer) -> None:
    base = fresh_lab.base_url
    record = records_of(fresh_lab, "apex.example")[0]
    host = record.name.removesuffix(".apex.example")
    response = httpx.post(
        f"{base}/_sandbox/dns/records",
        json={"zone": "apex.example", "host": host, "type": "A", "value": "198.51.100.7"},
    )
    assert response.status_code < 400, response.text
    report = await sweep(fresh_lab, [record])
    assert Status.PROXIED not in {c.status for c in report.cells.values()}
    conflict = next(d for d in report.diagnoses if d.code == "conflict")
    assert "198.51.100.7" in conflict.sentence


async def test_only_dead_resolvers_is_not_ready(fresh_lab: SandboxServer) -> None:
    records = records_of(fresh_lab, "dnssec-broken.example")
    dead = next(r for r in fresh_lab.dns.resolvers if r.name == "dead")
    row = Resolver("dead", "dead", "sandbox", Role.PUBLIC, (Endpoint(dead.host, dead.port),))
    prober = Prober(
        authoritative=[ServerAddress(h, p) for h, p in fresh_lab.dns.authoritative],
        timeout=TIMEOUT,
    )
    try:
        report = await prober.sweep(records, [row])
    finally:
        await prober.aclose()
    assert not report.all_ok
