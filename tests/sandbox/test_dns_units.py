"""The DNS world's pure parts, without sockets: cache arithmetic, zone versions, panels."""

from __future__ import annotations

import dns.rcode
import dns.rdatatype
import pytest

from tui.clock import ScaledClock
from tui.sandbox.dns import panel
from tui.sandbox.dns.cache import MAX_ENTRIES, Cache, Policy
from tui.sandbox.dns.lab import old_target
from tui.sandbox.dns.parent import parent_answer
from tui.sandbox.dns.records import Record, name_problem, rrset, soa_rrset
from tui.sandbox.dns.resolver import History, ResolverSpec
from tui.sandbox.dns.rrl import RateLimit
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


# -- what real resolvers and servers add -----------------------------------------------------


def soa_of(serial: int, ttl: int = 3600, minimum: int = 1800):
    return soa_rrset("z.example", "ns1.z.example", "h.z.example", serial, ttl, minimum)


def test_a_shared_soa_is_replaced_by_a_new_serial_only_and_bounds_every_negative():
    cache = Cache(Policy(per_type_nxdomain=True, shared_soa=True, max_negative_ttl=3600))
    cache.store_negative("a.z.example", TXT, soa_of(7), now=0, nxdomain=True)
    cache.store_negative("b.z.example", TXT, soa_of(7), now=100, nxdomain=True)
    b = cache.negative("b.z.example", TXT, now=100)
    assert (b.soa.ttl, b.remaining) == (1700, 1700)  # the same SOA: not renewed
    cache.store_negative("c.z.example", TXT, soa_of(8), now=1000, nxdomain=True)
    a = cache.negative("a.z.example", TXT, now=1000)
    assert (a.soa.ttl, a.soa[0].serial, a.remaining) == (1800, 8, 800)  # new SOA, own clock
    assert cache.negative("a.z.example", TXT, now=1800) is None
    assert cache.negative("a.z.example", CNAME, now=10) is None  # per (name, type)


def test_a_bind_cache_keeps_each_negatives_own_soa():
    cache = Cache()
    cache.store_negative("a.z.example", TXT, soa_of(7), now=0, nxdomain=True)
    cache.store_negative("c.z.example", TXT, soa_of(8), now=1000, nxdomain=True)
    a = cache.negative("a.z.example", CNAME, now=1000)  # NXDOMAIN blocks every type
    assert (a.soa.ttl, a.soa[0].serial) == (800, 7)


def test_expired_entries_stay_only_for_serve_stale():
    stale = Cache(Policy(stale_seconds=100))
    plain = Cache()
    for cache in (stale, plain):
        cache.store_positive(rrset("a.z.example", "A", 60, ["192.0.2.1"]), now=0)
        cache.store_negative("n.z.example", A, soa_of(7), now=0, nxdomain=True)
    assert stale.positive("a.z.example", A, now=61) is None
    assert stale.positive("a.z.example", A, now=61, stale=True) is not None
    assert stale.positive("a.z.example", A, now=30, stale=True) is None  # fresh is not stale
    assert stale.negative("n.z.example", A, now=1850, stale=True).rcode == dns.rcode.NXDOMAIN
    assert stale.positive("a.z.example", A, now=160, stale=True) is None  # past the window
    assert plain.positive("a.z.example", A, now=61, stale=True) is None
    assert plain.negative("n.z.example", A, now=1801, stale=True) is None


def signed_zone():
    records = [
        Record("mail.z.example", "A", "192.0.2.1"),
        Record("s1._domainkey.z.example", "CNAME", "t.example"),
        Record("www.z.example", "A", "192.0.2.2"),
    ]
    zone = new_zone("z.example", 0.0, 1, records=records, with_base=False)
    zone.change(0.0, signed=True)
    return zone.current


def gap(version, name: str) -> tuple[str, str]:
    found = version.nsec_covering(name)
    return found.name.to_text(omit_final_dot=True), found[0].next.to_text(omit_final_dot=True)


def test_the_nsec_chain_is_in_canonical_order_and_wraps_to_the_apex():
    version = signed_zone()
    assert gap(version, "_dmarc.z.example") == ("z.example", "s1._domainkey.z.example")
    assert gap(version, "*.z.example") == ("z.example", "s1._domainkey.z.example")
    assert gap(version, "s2._domainkey.z.example") == ("s1._domainkey.z.example", "mail.z.example")
    assert gap(version, "zz.z.example") == ("www.z.example", "z.example")
    apex = version.nsec_at("z.example")[0].to_text()
    assert "SOA" in apex and "NS" in apex and "NSEC" in apex
    assert version.closest_encloser("a.b._domainkey.z.example") == "_domainkey.z.example"


def test_aggressive_nsec_needs_the_name_and_its_wildcard_covered_and_no_names_below():
    version = signed_zone()
    cache = Cache()
    soa = version.soa()
    first = version.nsec_covering("_dmarc.z.example")  # z.example -> s1._domainkey.z.example
    cache.store_nsec("z.example", [first], soa, now=0)
    found = cache.nsec_denial("_adsp.z.example", "z.example", now=100)
    assert found.rcode == dns.rcode.NXDOMAIN and found.soa.ttl == 1700
    # _domainkey has s1._domainkey below it: an empty non-terminal, never denied.
    assert cache.nsec_denial("_domainkey.z.example", "z.example", now=100) is None
    # Deeper names in the gap: their closest encloser is the apex, whose wildcard it denies.
    assert cache.nsec_denial("x._a.z.example", "z.example", now=100) is not None
    other = version.nsec_covering("n.z.example")  # mail -> www: no wildcard proof cached
    alone = Cache()
    alone.store_nsec("z.example", [other], soa, now=0)
    assert alone.nsec_denial("n.z.example", "z.example", now=1) is None
    assert cache.nsec_denial("_adsp.z.example", "z.example", now=1800) is None  # expired


def test_the_parent_refers_denies_and_knows_names_between_tld_and_zone():
    delegations = {"a.b.example": ("ns1.host.example",), "solo": ("ns.solo-host.example",)}
    referral = parent_answer(delegations, "x.a.b.example", "A")
    assert referral.referral and referral.rcode == dns.rcode.NOERROR
    assert [r.to_text() for r in referral.authority[0]] == ["ns1.host.example."]
    between = parent_answer(delegations, "b.example", "A")  # an empty non-terminal
    assert between.rcode == dns.rcode.NOERROR and not between.answer
    assert between.authority[0].name.to_text() == "example."
    assert parent_answer(delegations, "c.example", "A").rcode == dns.rcode.NXDOMAIN
    assert parent_answer(delegations, "x.solo", "A").referral  # a one-label zone: from the root
    root_ns = parent_answer(delegations, "", "NS")
    assert root_ns.answer and root_ns.answer[0].ttl == 518400


def test_rate_limiting_refills_per_netblock_and_slips_every_nth():
    now = [0.0]
    limit = RateLimit(rate=2, slip=2, clock=lambda: now[0])
    assert [limit.decide("192.0.2.1") for _ in range(6)] == [
        "answer",
        "answer",
        "drop",
        "slip",
        "drop",
        "slip",
    ]
    assert limit.decide("192.0.2.200") == "drop"  # the same /24
    assert limit.decide("198.51.100.1") == "answer"  # another netblock
    now[0] = 0.5  # half a second refills one answer at 2 a second
    assert limit.decide("192.0.2.1") == "answer" and limit.decide("192.0.2.1") != "answer"
    assert limit.to_json() == {"rate": 2, "slip": 2, "answered": 4, "dropped": 3, "slipped": 3}


def test_resolver_count_option_keeps_resolvers_with_options():
    world = DnsWorld(ScaledClock(), options=DnsOptions(resolver_count=1))
    specs = [ResolverSpec("isp-1"), ResolverSpec("isp-2"), ResolverSpec("ub", software="unbound")]
    assert [s.name for s in world._adjusted(specs)] == ["isp-1", "ub"]
    assert not ResolverSpec("x", serve_stale="immediate").plain
    assert ResolverSpec("x", histories=(History("a.example"),), latency_ms=3).plain
