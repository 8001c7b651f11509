"""The memory of cached negatives across sweeps and the resolver caps (pure: no network)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.propagation.messages import exchange, response
from tui.propagation.classify import Truth, classify_resolver
from tui.propagation.model import Cell, Endpoint, ExpectedRecord, Resolver, Role, Status
from tui.propagation.negatives import (
    UNKNOWN_CAP,
    NegativeMemory,
    apply_cap,
    negative_cap,
    software_of,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
KEY = ("r1", "s1._domainkey.example.com", "CNAME")
RECORD = ExpectedRecord("s1._domainkey.example.com", "s1.dkim.esp.example")
PUBLIC = Resolver("r1", "r1", "x", Role.PUBLIC, (Endpoint("127.0.0.1", 5301),))


def negative(left: float, *, at: datetime = NOW, at_most: bool = False, reason: str = "") -> Cell:
    return Cell(
        KEY[1],
        KEY[0],
        Status.CACHED_NEGATIVE,
        remaining=left,
        eta=at + timedelta(seconds=left),
        at_most=at_most,
        reason=reason,
        bound=f"{left:g} s",
    )


def test_the_first_reading_holds_while_it_runs() -> None:
    memory = NegativeMemory()
    first = memory.settle(KEY, negative(300), NOW)
    assert first.eta == NOW + timedelta(seconds=300)
    later = NOW + timedelta(seconds=100)
    # The same negative read through a refreshed SOA: 300 s again, 100 s later. Not longer.
    held = memory.settle(KEY, negative(300, at=later), later)
    assert held.eta == first.eta and held.remaining == 200
    assert "as seen first" in held.bound and "says 300 s" in held.bound


def test_a_shorter_reading_shortens() -> None:
    memory = NegativeMemory()
    memory.settle(KEY, negative(300), NOW)
    later = NOW + timedelta(seconds=10)
    shorter = memory.settle(KEY, negative(100, at=later), later)
    assert shorter.eta == later + timedelta(seconds=100) and shorter.bound == "100 s"
    # ...and that shorter estimate is the one held from now on.
    again = NOW + timedelta(seconds=20)
    assert memory.settle(KEY, negative(280, at=again), again).eta == shorter.eta


def test_after_the_estimate_ran_out_a_new_negative_starts_afresh() -> None:
    memory = NegativeMemory()
    memory.settle(KEY, negative(300), NOW)
    later = NOW + timedelta(seconds=301)
    fresh = memory.settle(KEY, negative(600, at=later), later)
    assert fresh.eta == later + timedelta(seconds=600)
    assert "cached again" in fresh.bound


def test_an_old_negative_after_the_estimate_ran_out_is_no_refetch() -> None:
    """Still "does not exist" after the estimate ran out, yet older than the record (its SOA
    says so): not fetched again, so the estimate was wrong; this reading is an upper bound."""
    memory = NegativeMemory()
    memory.settle(KEY, negative(300), NOW)
    later = NOW + timedelta(seconds=301)
    old = negative(500, at=later, at_most=True, reason="old_negative")
    settled = memory.settle(KEY, old, later)
    assert settled.eta == later + timedelta(seconds=500) and settled.at_most
    assert "cached again" not in settled.bound


def test_anything_but_a_negative_forgets_it() -> None:
    memory = NegativeMemory()
    memory.settle(KEY, negative(300), NOW)
    visible = Cell(KEY[1], KEY[0], Status.OK)
    assert memory.settle(KEY, visible, NOW) is visible and len(memory) == 0
    later = NOW + timedelta(seconds=10)
    assert memory.settle(KEY, negative(900, at=later), later).remaining == 900


def test_keys_are_per_resolver_name_and_type() -> None:
    memory = NegativeMemory()
    memory.settle(KEY, negative(100), NOW)
    other = (KEY[0], KEY[1], "TXT")
    assert memory.settle(other, negative(500), NOW).remaining == 500


def test_prune_drops_what_ran_out_and_was_not_seen() -> None:
    memory = NegativeMemory()
    memory.settle(KEY, negative(100), NOW)
    memory.prune(NOW + timedelta(seconds=50), set())
    assert len(memory) == 1  # still running
    memory.prune(NOW + timedelta(seconds=101), {KEY})
    assert len(memory) == 1  # seen this sweep
    memory.prune(NOW + timedelta(seconds=101), set())
    assert len(memory) == 0


@pytest.mark.parametrize(
    ("version", "software"),
    [
        ("unbound 1.17.1", "unbound"),
        ("9.18.49-1~deb12u3-Debian", "BIND"),
        ("BIND 9.20", "BIND"),
        ("PowerDNS Recursor 4.8.4", "PowerDNS Recursor"),
        ("CoreDNS-1.11.1", "CoreDNS"),
        ("dnsmasq-2.89", ""),
        ("go away", ""),
    ],
)
def test_software_from_its_version_answer(version: str, software: str) -> None:
    assert software_of((version,)) == software


def test_caps() -> None:
    assert negative_cap("unbound") == 3600 and negative_cap("BIND") == 10800
    assert negative_cap("") == UNKNOWN_CAP == 10800
    long = negative(7200)
    capped = apply_cap(long, "unbound", NOW)
    assert capped.remaining == 3600 and capped.at_most
    assert capped.eta == NOW + timedelta(seconds=3600)
    assert apply_cap(long, "BIND", NOW) is long
    # An unknown resolver's own reading stands; only an upper bound is held to the known caps,
    # so "up to 86400 s" is never said.
    day = negative(86400)
    assert apply_cap(day, "", NOW) is day
    bounded = apply_cap(replace(day, at_most=True), "", NOW)
    assert bounded.remaining == 10800 and "BIND's cap" in bounded.bound
    assert apply_cap(Cell(KEY[1], KEY[0], Status.OK), "unbound", NOW).remaining is None


def test_the_soa_serial_tells_an_old_negative() -> None:
    """A negative whose SOA serial is at or past the serial at which the record was served
    cannot be a fresh negative: only an upper bound (RFC 1982 arithmetic, wrapping too)."""
    qname = RECORD.name
    message = response(qname, rcode="NXDOMAIN", soa=("example.com", 300, 1800))  # serial
    for published, old in ((2026010101, True), (2026010100, True), (2026010102, False)):
        truth = Truth(served=True, target=RECORD.target, published_serial=published)
        cell = classify_resolver(RECORD, PUBLIC, exchange(message, qname), truth, NOW)
        assert cell.at_most is old and (cell.reason == "old_negative") is old
        assert cell.soa_serial == 2026010101
    wrapped = Truth(served=True, target=RECORD.target, published_serial=2**32 - 5)
    cell = classify_resolver(RECORD, PUBLIC, exchange(message, qname), wrapped, NOW)
    # 2026010101 comes after 2**32-5 in serial arithmetic (the serial wrapped round since).
    assert cell.at_most
