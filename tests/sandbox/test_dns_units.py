"""The DNS world's pure parts, without sockets: cache arithmetic, zone versions, panels."""

from __future__ import annotations

import dns.rcode
import dns.rdatatype
import pytest

from tui.clock import ScaledClock
from tui.sandbox.dns import panel
from tui.sandbox.dns.cache import MAX_ENTRIES, Cache, Policy
from tui.sandbox.dns.lab import old_target
from tui.sandbox.dns.records import Record, name_problem, rrset, soa_rrset
from tui.sandbox.dns.resolver import History, ResolverSpec
from tui.sandbox.dns.world import DnsOptions, DnsWorld
from tui.sandbox.dns.zones import new_zone
from tui.sandbox.errors import ControlError

SOA = soa_rrset("z.example", "ns1.z.example", "h.z.example", 7, 3600, 1800)
CNAME = dns.rdatatype.CNAME
A = dns.rdatatype.A
TXT = dns.rdatatype.TXT


def test_negative_entries_last_min_of_soa_ttl_minimum_and_cap():
    cache = Cache(Policy(max_negative_ttl=1000))
    cache.store_negative("a.z.example", A, SOA, now=0, nxdomain=True)
    rcode, soa, _, _ = cache.negative("a.z.example", A, now=0.5)
    assert rcode == dns.rcode.NXDOMAIN and soa.ttl == 1000
    assert soa[0].minimum == 1800  # the field itself is never changed
    assert cache.negative("a.z.example", CNAME, now=999.9).soa.ttl == 1
    assert cache.negative("a.z.example", CNAME, now=1000) is None


def test_nodata_is_per_type_and_a_fresh_answer_replaces_negatives():
    cache = Cache()
    cache.store_negative("a.z.example", A, SOA, now=0, nxdomain=False)
    assert cache.negative("a.z.example", A, now=10).rcode == dns.rcode.NOERROR
    assert cache.negative("a.z.example", CNAME, now=10) is None
    cache.store_positive(rrset("a.z.example", "A", 300, ["192.0.2.1"]), now=20)
    assert cache.negative("a.z.example", A, now=21) is None
    assert cache.positive("a.z.example", A, now=80).ttl == 240
    cache.store_negative("a.z.example", TXT, SOA, now=30, nxdomain=True)  # wipes the name
    assert cache.positive("a.z.example", A, now=31) is None


def test_zero_ttl_is_never_kept_and_the_cache_is_bounded():
    cache = Cache()
    cache.store_positive(rrset("a.z.example", "A", 0, ["192.0.2.1"]), now=0)
    assert len(cache) == 0
    for i in range(MAX_ENTRIES + 5):
        cache.store_positive(rrset(f"n{i}.z.example", "A", 60, ["192.0.2.1"]), now=0)
    assert len(cache) == MAX_ENTRIES
    assert cache.positive("n0.z.example", A, now=1) is None  # the oldest went first
    assert cache.flush("n9.z.example") == 1 and cache.flush() == MAX_ENTRIES - 1


def test_zone_versions_serials_lag_and_history():
    zone = new_zone("z.example", 0.0, 100, records=[Record("a.z.example", "A", "192.0.2.1")])
    zone.lag_seconds = 50
    zone.change(100.0, records=[])
    assert [v.serial for v in zone.versions] == [100, 101]
    assert zone.version_at(-1) is None
    assert zone.version_at(99).serial == 100 and zone.version_at(100).serial == 101
    assert zone.secondary_at(149).serial == 100 and zone.secondary_at(150).serial == 101
    assert zone.current.name_exists("z.example")
    assert not zone.current.name_exists("a.z.example")
    assert zone.versions[0].name_exists("a.z.example")


def test_panel_host_and_value_fields():
    assert panel.host_name("@", "z.example") == "z.example"
    assert panel.host_name("em1", "z.example") == "em1.z.example"
    assert panel.host_name("em1.z.example", "z.example") == "em1.z.example.z.example"
    assert panel.host_name("EM1.Z.example.", "z.example") == "em1.z.example"
    with pytest.raises(ControlError):
        panel.host_name("em1.other.example.", "z.example")
    assert panel.target_name("t.example", "z.example") == "t.example"
    assert panel.target_name("t.example", "z.example", panel.BIND) == "t.example.z.example"
    assert panel.target_name("t.example.", "z.example", panel.BIND) == "t.example"
    assert panel.without_underscore("s1._domainkey.z.example") == "s1.domainkey.z.example"
    with pytest.raises(ControlError, match="unknown mistake"):
        panel.mistaken("a.z.example", "t.example", "z.example", "oops")


def test_names_are_checked():
    assert name_problem("a.example") is None
    assert name_problem("_dmarc.a-b.example") is None
    assert "empty label" in name_problem("a..example")
    assert "longer than 253" in name_problem("a." * 127 + "example")
    assert "character" in name_problem("a b.example")


def test_old_target_is_another_shard():
    assert old_target("s1._domainkey.x.example.s006.ascendbywix.com").endswith(
        ".s004.ascendbywix.com"
    )
    for shard in range(1, 10):
        target = f"x.s{shard:03d}.ascendbywix.com"
        assert old_target(target) != target


def test_resolver_count_option_keeps_planned_histories():
    world = DnsWorld(ScaledClock(), options=DnsOptions(resolver_count=2, latency_ms=5))
    specs = [
        ResolverSpec("isp-1", histories=(History("a.example"),)),
        ResolverSpec("isp-2"),
        ResolverSpec("isp-3"),
        ResolverSpec("dead", "dead"),
    ]
    adjusted = world._adjusted(specs)
    assert [s.name for s in adjusted] == ["isp-1", "isp-2", "dead"]
    assert adjusted[0].histories and all(s.latency_ms == 5 for s in adjusted)
