"""SPF and DMARC problems put into a domain's zone, as its owner would at the DNS host.

Used by ``POST /_sandbox/break`` (:mod:`tui.sandbox.problems`). Each function makes one edit
-- a new zone version with the next SOA serial, like ``POST /_sandbox/dns/records`` -- and
touches nothing else; the records' values come from :mod:`tui.sandbox.dns.mailauth`. A zone
that is not in a state the problem can be made from (nothing to delete, already doubled) is a
409 and stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.sandbox.dns import mailauth
from tui.sandbox.dns.records import TXT, Record, normalize
from tui.sandbox.dns.zones import ZONE_AGE_SECONDS, Zone
from tui.sandbox.errors import ControlError

if TYPE_CHECKING:
    from tui.sandbox.dns.world import DnsWorld


def _found(world: DnsWorld, name: str, kind: Callable[[str], bool]) -> tuple[Zone, list[Record]]:
    """The zone serving ``name`` and its TXT records there that ``kind`` accepts."""
    zone = world.zone_for(name)
    if zone is None:
        raise ControlError(409, f"no zone in this world holds {name}")
    return zone, [r for r in zone.current.at(name) if r.type == TXT and kind(r.value)]


def _replace(world: DnsWorld, zone: Zone, gone: list[Record], new: list[Record]) -> None:
    world.replace_records(zone, [*(r for r in zone.current.records if r not in gone), *new])


def _one(found: list[Record], what: str, name: str) -> Record:
    if len(found) != 1:
        raise ControlError(
            409, f"{name} has {len(found)} {what} records; this problem starts from exactly one"
        )
    return found[0]


def _some(found: list[Record], what: str, name: str) -> None:
    if not found:
        raise ControlError(409, f"there is no {what} record at {name}")


def _different(candidates: tuple[str, ...], existing: Record) -> str:
    return next(c for c in candidates if c != existing.value)


def remove_dmarc(world: DnsWorld, domain: str) -> None:
    """Every DMARC record at ``_dmarc.<domain>`` deleted."""
    name = mailauth.dmarc_name(domain)
    zone, found = _found(world, name, mailauth.is_dmarc)
    _some(found, "DMARC", name)
    _replace(world, zone, found, [])


def double_dmarc(world: DnsWorld, domain: str) -> None:
    """A second, different DMARC record beside the one at ``_dmarc.<domain>``."""
    name = mailauth.dmarc_name(domain)
    zone, found = _found(world, name, mailauth.is_dmarc)
    first = _one(found, "DMARC", name)
    second = _different(mailauth.second_dmarcs(domain), first)
    _replace(world, zone, [], [Record(name, TXT, second, first.ttl)])


def malform_dmarc(world: DnsWorld, domain: str) -> None:
    """The DMARC record(s) at ``_dmarc.<domain>`` replaced by one with an invalid policy."""
    name = mailauth.dmarc_name(domain)
    zone, found = _found(world, name, mailauth.is_dmarc)
    _some(found, "DMARC", name)
    if [r.value for r in found] == [mailauth.BAD_DMARC]:
        raise ControlError(409, f"the DMARC record at {name} is already malformed")
    bad = Record(name, TXT, mailauth.BAD_DMARC, min(r.ttl for r in found))
    _replace(world, zone, found, [bad])


def ensure_provider(world: DnsWorld) -> None:
    """``mailhost.example`` with every SPF include the problems point at: created (as if it had
    always existed) or completed in one new version, unless it is complete already."""
    wanted = mailauth.provider_records()
    zone = world.zones.get(mailauth.MAILHOST_ZONE)
    if zone is None:
        at = world.now() - ZONE_AGE_SECONDS
        world.add_zone(mailauth.MAILHOST_ZONE, at, records=wanted, with_base=False)
        return
    have = {(r.name, r.type) for r in zone.current.records}
    missing = [r for r in wanted if (r.name, r.type) not in have]
    if missing:
        _replace(world, zone, [], missing)


def too_many_lookups(world: DnsWorld, domain: str) -> None:
    """The SPF record(s) at ``<domain>`` replaced by one with 11 includes (RFC 7208 §4.6.4
    allows 10 DNS-querying terms); each include is a valid SPF of ``ip4`` terms only."""
    name = normalize(domain)
    zone, found = _found(world, name, mailauth.is_spf)
    _some(found, "SPF", name)
    if [r.value for r in found] == [mailauth.TOO_MANY_SPF]:
        raise ControlError(409, f"the SPF record at {name} already needs too many lookups")
    ensure_provider(world)  # before the edit: the includes resolve from the moment it is served
    spf = Record(name, TXT, mailauth.TOO_MANY_SPF, min(r.ttl for r in found))
    _replace(world, zone, found, [spf])


def double_spf(world: DnsWorld, domain: str) -> None:
    """A second, different SPF record beside the one at ``<domain>`` (RFC 7208 §4.5: two
    records are a permerror)."""
    name = normalize(domain)
    zone, found = _found(world, name, mailauth.is_spf)
    first = _one(found, "SPF", name)
    second = _different(mailauth.SECOND_SPFS, first)
    _replace(world, zone, [], [Record(name, TXT, second, first.ttl)])
