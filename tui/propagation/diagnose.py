"""Why a record is not visible, and what to change where: the common mistakes of dns.md §4,
each with a stable code and one sentence.

``probe`` asks the authoritative servers the few extra questions that tell mistakes apart
(is the record at the doubled name? at a name with the underscore missing? is there other
data at the name?); ``diagnose`` is pure and turns the sweep's results into findings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tui.propagation.authority import Ask, newest_serial
from tui.propagation.classify import Truth
from tui.propagation.model import Cell, Diagnosis, Endpoint, ExpectedRecord, Status, ZoneInfo
from tui.propagation.providers import provider_for
from tui.time_words import clock_time


@dataclass(frozen=True, slots=True)
class Findings:
    """Extra facts from the authoritative servers about one record."""

    doubled: str | None = None  # the record exists at NAME.ZONE.ZONE
    typo: str | None = None  # the record exists at a name with an underscore missing
    other_types: tuple[str, ...] = ()  # data besides the CNAME at the name
    cname_count: int = 0


def relative(name: str, apex: str) -> str:
    return name[: -len(apex) - 1] if name.endswith("." + apex) else name


def typo_variants(name: str) -> list[str]:
    """The name with underscores dropped: ``s1._domainkey.x`` -> ``s1.domainkey.x``."""
    labels = name.split(".")
    variants = []
    for index, label in enumerate(labels):
        if label.startswith("_"):
            variants.append(".".join([*labels[:index], label.lstrip("_"), *labels[index + 1 :]]))
    return variants


async def probe(
    record: ExpectedRecord, truth: Truth, zone: ZoneInfo, server: Endpoint, ask: Ask
) -> Findings:
    if not truth.exists:
        doubled = f"{record.name}.{zone.apex}"
        found = await ask(server, doubled, "CNAME", recursion=False)
        if found.answer and found.answer.cnames:
            return Findings(doubled=doubled)
        variants = typo_variants(record.name)
        answers = await asyncio.gather(
            *(ask(server, variant, "CNAME", recursion=False) for variant in variants)
        )
        for variant, found in zip(variants, answers, strict=True):
            if found.answer and found.answer.cnames:
                return Findings(typo=variant)
        return Findings()
    others: list[str] = []
    count = 0
    kinds = ("CNAME", "TXT", "MX")
    answers = await asyncio.gather(
        *(ask(server, record.name, rdtype, recursion=False) for rdtype in kinds)
    )
    for rdtype, found in zip(kinds, answers, strict=True):
        if found.answer is None:
            continue
        if rdtype == "CNAME":
            count = len(set(found.answer.cnames))
        others += [t for t in found.answer.owned_types if t not in ("CNAME", "RRSIG", "NSEC")]
    return Findings(other_types=tuple(dict.fromkeys(others)), cname_count=count)


def diagnose(
    records: Sequence[ExpectedRecord],
    truths: Mapping[str, Truth],
    zones: Mapping[str, ZoneInfo],
    findings: Mapping[str, Findings],
    cells: Mapping[tuple[str, str], Cell],
    auth_cells: Mapping[str, Sequence[Cell]],
    added: bool = False,
    world: bool = False,
) -> list[Diagnosis]:
    """``added``: the user says the records are added, which is the evidence that makes
    "not at the servers that answer" mean "added at the wrong DNS host". ``world``: times are
    read off a clock that is not the wall clock (the sandbox's), and say so."""
    out: list[Diagnosis] = []
    for record in records:
        zone = zones[record.name]
        out += _record_diagnoses(record, truths[record.name], zone, findings.get(record.name))
        out += _hidden(record, auth_cells.get(record.name, ()), zone)
    explained = {
        d.zone for d in out if d.code in ("double_suffix", "typo_underscore", "apex_cname")
    }
    out += _zone_diagnoses(records, truths, zones, cells, auth_cells, explained, added, world)
    return _merge(out)


def _merge(diagnoses: list[Diagnosis]) -> list[Diagnosis]:
    """One finding per mistake and zone: five records at doubled names are one mistake made
    five times, so it is said once, naming them all."""
    merged: dict[tuple[str, str], Diagnosis] = {}
    counts: dict[tuple[str, str], int] = {}
    for diagnosis in diagnoses:
        key = (diagnosis.code, diagnosis.zone)
        if key not in merged:
            merged[key], counts[key] = diagnosis, 1
            continue
        first = merged[key]
        counts[key] += 1
        records = tuple(dict.fromkeys(first.records + diagnosis.records))
        merged[key] = Diagnosis(first.code, first.sentence, records, first.zone)
    out = []
    for key, diagnosis in merged.items():
        if counts[key] > 1:
            others = len(diagnosis.records) - 1
            sentence = f"{diagnosis.sentence} The same goes for {others} more record(s)."
            diagnosis = Diagnosis(diagnosis.code, sentence, diagnosis.records, diagnosis.zone)
        out.append(diagnosis)
    return out


def _host(zone: ZoneInfo) -> str:
    return zone.provider or "your DNS host"


def _record_diagnoses(
    record: ExpectedRecord, truth: Truth, zone: ZoneInfo, found: Findings | None
) -> list[Diagnosis]:
    out: list[Diagnosis] = []
    name, apex, host = record.name, zone.apex, _host(zone)
    if name == apex and zone.known:
        out.append(
            Diagnosis(
                "apex_cname",
                f"{name} is the zone apex, and a CNAME cannot sit there (the apex must hold "
                "SOA and NS, RFC 1034 §3.6.2). Use the subdomain the sender asked for, or an "
                f"ALIAS/flattening feature at {host}.",
                (name,),
                apex,
            )
        )
    if found and found.doubled:
        out.append(
            Diagnosis(
                "double_suffix",
                f"The record is at {found.doubled}: {host} adds '{apex}' to the Host field by "
                f"itself. Edit it and enter only '{relative(name, apex)}' as the host.",
                (name,),
                apex,
            )
        )
    if found and found.typo:
        out.append(
            Diagnosis(
                "typo_underscore",
                f"The record is at {found.typo}, without the underscore. Rename the host at "
                f"{host} to '{relative(name, apex)}' (the '_' is part of the name).",
                (name,),
                apex,
            )
        )
    seen = truth.target
    if seen and seen != record.target:
        if seen == f"{record.target}.{apex}":
            out.append(
                Diagnosis(
                    "relative_target",
                    f"{name} points to {seen}: {host} read the target as relative and "
                    f"appended '{apex}'. Enter the value as '{record.target}.' (with a final "
                    "dot), or however your host's help says to give a full name.",
                    (name,),
                    apex,
                )
            )
        else:
            out.append(
                Diagnosis(
                    "wrong_target",
                    f"{name} points to {seen} at {host}; change the value to {record.target}.",
                    (name,),
                    apex,
                )
            )
    if truth.other_data:
        out.append(
            Diagnosis(
                "conflict",
                f"{name} {truth.other_data[0].removeprefix('the name ')}. Delete that record "
                f"at {host} and add the CNAME in its place.",
                (name,),
                apex,
            )
        )
    if found and (found.other_types or found.cname_count > 1):
        what = ", ".join(found.other_types) if found.other_types else "a second CNAME"
        out.append(
            Diagnosis(
                "conflict",
                f"{name} holds {what} besides its CNAME. A name with a CNAME may hold nothing "
                f"else (RFC 1034 §3.6.2): delete the extra record(s) at {host}.",
                (name,),
                apex,
            )
        )
    return out


def _hidden(record: ExpectedRecord, auth: Sequence[Cell], zone: ZoneInfo) -> list[Diagnosis]:
    statuses = {cell.status for cell in auth}
    if Status.PROXIED in statuses:
        return [
            Diagnosis(
                "proxied",
                f"{record.name} is proxied ({_host(zone)}'s orange cloud), which hides the "
                "CNAME behind proxy addresses. Set the record to 'DNS only' (grey cloud).",
                (record.name,),
                zone.apex,
            )
        ]
    if Status.FLATTENED in statuses:
        return [
            Diagnosis(
                "flattened",
                f"{record.name} is flattened (CNAME flattening or an ALIAS record at "
                f"{_host(zone)}), which hides the CNAME. Turn flattening off for this name.",
                (record.name,),
                zone.apex,
            )
        ]
    return []


def _names(cells: Sequence[Cell]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.record for c in cells))


def _delegation(zone: ZoneInfo, names: tuple[str, ...], missing: bool) -> Diagnosis:
    """The parent's delegation and the zone's own NS records disagree: say which host really
    serves the zone (the delegation's: resolvers with an empty cache go there), and whether the
    records are there."""
    apex, host = zone.apex, zone.parent_provider or "the delegated servers"
    own = provider_for(zone.ns_names) or "other servers"
    sentence = (
        f"The delegation of {apex} (at {zone.parent or 'its parent zone'}) names {host} "
        f"({', '.join(zone.parent_ns)}), but {apex}'s own NS records name {own} "
        f"({', '.join(zone.ns_names)}). Resolvers follow the delegation, so {host} really "
        f"serves {apex}"
    )
    if missing:
        sentence += (
            f", and the records are not there: if you added them at {own}, add them at {host}"
            " instead"
        )
    else:
        sentence += ", and the records checked here are the ones there"
    sentence += (
        f". Then make the two agree: set {apex}'s NS records at {host} to "
        f"{', '.join(zone.parent_ns)}, or, if {own} should serve it, change the name servers "
        "at your registrar."
    )
    return Diagnosis("delegation_mismatch", sentence, names, apex)


def _resolver_trouble(zone_cells: Sequence[Cell], zone: ZoneInfo, world: bool) -> list[Diagnosis]:
    """Resolvers that cannot reach the zone, serve expired answers, or deny the records from
    NSEC records: each with what it means and what (if anything) to do."""
    out: list[Diagnosis] = []
    apex, host = zone.apex, _host(zone)
    beyond = [c for c in zone_cells if c.status is Status.CANT_REACH_ZONE and c.reason == "target"]
    cut_off = [c for c in zone_cells if c.status is Status.CANT_REACH_ZONE and c not in beyond]
    if beyond:
        resolvers = sorted({c.resolver for c in beyond})
        out.append(
            Diagnosis(
                "cant_reach_target",
                f"{len(resolvers)} resolver(s) ({', '.join(resolvers)}) see the CNAME(s) but "
                "cannot follow them to the targets' servers (the ESP's), so DKIM verifiers "
                "using them get no key. Nothing to change at "
                f"{host}: it usually passes; if it lasts, tell the sender's support.",
                _names(beyond),
                apex,
            )
        )
    if cut_off:
        resolvers = sorted({c.resolver for c in cut_off})
        out.append(
            Diagnosis(
                "cant_reach_zone",
                f"{len(resolvers)} resolver(s) ({', '.join(resolvers)}) answer other questions "
                f"but not about {apex}: they cannot reach its name servers, so their users "
                "cannot see the records. Check that every name server of the zone "
                f"({', '.join(zone.ns_names) or host}) answers from outside your network, over "
                f"UDP and TCP, and does not rate-limit them; if they do, ask {host}. If it is "
                "this machine's resolver, its network path (a firewall, a VPN) is the suspect. "
                "It often passes by itself; the next checks will tell.",
                _names(cut_off),
                apex,
            )
        )
    stale = [c for c in zone_cells if c.status is Status.STALE_SERVED]
    if stale:
        resolvers = sorted({c.resolver for c in stale})
        out.append(
            Diagnosis(
                "stale_served",
                f"{len(resolvers)} resolver(s) ({', '.join(resolvers)}) serve expired answers "
                f"for {apex} (serve-stale, RFC 8767: they said so with an Extended DNS Error): "
                "they could not refresh them from its name servers. Their next answer may "
                "already be fresh; if it lasts, they cannot reach the zone (see above).",
                _names(stale),
                apex,
            )
        )
    nsec = [c for c in zone_cells if c.status is Status.CACHED_NEGATIVE and c.reason == "nsec"]
    if nsec:
        latest = max(c.eta for c in nsec if c.eta)
        out.append(
            Diagnosis(
                "nsec_denial",
                f"{len({c.resolver for c in nsec})} resolver(s) deny the records with "
                f"{apex}'s NSEC records (a signed zone): a validating resolver may make "
                "'does not exist' from the NSEC it cached for a neighbouring name (aggressive "
                "NSEC, RFC 8198), so nobody needs to have looked your records up too early. It "
                f"lasts until those NSEC records expire there: by {clock_time(latest, world=world)}"
                ". Wait until then before pressing Authenticate.",
                _names(nsec),
                apex,
            )
        )
    return out


def _zone_diagnoses(
    records: Sequence[ExpectedRecord],
    truths: Mapping[str, Truth],
    zones: Mapping[str, ZoneInfo],
    cells: Mapping[tuple[str, str], Cell],
    auth_cells: Mapping[str, Sequence[Cell]],
    explained: set[str],
    added: bool,
    world: bool,
) -> list[Diagnosis]:
    out: list[Diagnosis] = []
    by_zone: dict[str, list[ExpectedRecord]] = {}
    for record in records:
        by_zone.setdefault(zones[record.name].apex, []).append(record)
    for apex, members in by_zone.items():
        zone = zones[members[0].name]
        names = tuple(r.name for r in members)
        missing_everywhere = all(
            truths[r.name].answered and not truths[r.name].exists and not truths[r.name].other_data
            for r in members
        )
        if zone.delegation_differs:
            out.append(_delegation(zone, names, missing_everywhere))
            explained.add(apex)  # the wrong host is named there, with both NS sets
        if added and missing_everywhere and zone.known and zone.ns_names and apex not in explained:
            out.append(
                Diagnosis(
                    "wrong_dns_host",
                    f"You added the records, but not at the servers that answer for {apex}: "
                    f"its DNS is hosted by {_host(zone)} ({', '.join(zone.ns_names)}). "
                    "Records added anywhere else (at the registrar, say) are never seen: "
                    f"add them at {_host(zone)}.",
                    names,
                    apex,
                )
            )
        zone_cells = [c for c in cells.values() if c.record in names]
        bogus = [c for c in zone_cells if c.status is Status.DNSSEC_BOGUS]
        if bogus:
            out.append(
                Diagnosis(
                    "dnssec_broken",
                    f"Validating resolvers reject {apex}'s answers as DNSSEC-bogus while others "
                    "see the records. Usually a DS record at the registrar is left over from an "
                    f"earlier DNS host: remove it there, or turn DNSSEC on at {_host(zone)}.",
                    tuple(dict.fromkeys(c.record for c in bogus)),
                    apex,
                )
            )
        out += _resolver_trouble(zone_cells, zone, world)
        # A denial made from NSEC records (RFC 8198) was not "looked up too early": explained
        # on its own below.
        early = [
            c
            for c in zone_cells
            if c.status is Status.CACHED_NEGATIVE and c.eta and c.reason != "nsec"
        ]
        # A secondary that lacks the records hands out fresh negatives after publication:
        # those were not "too early", and the lagging_secondary finding below explains them.
        lag_missing = bool(zone.lagging) and any(
            c.resolver in zone.lagging and c.status is Status.NOT_PUBLISHED
            for name in names
            for c in auth_cells.get(name, ())
        )
        if early and not lag_missing:
            latest = max(c.eta for c in early if c.eta)
            resolvers = len({c.resolver for c in early})
            out.append(
                Diagnosis(
                    "queried_too_early",
                    f"{resolvers} resolver(s) cached 'does not exist' before the records were "
                    f"published (they were looked up too early); they will see them by "
                    f"{clock_time(latest, world=world)}. Wait until then before pressing "
                    "Authenticate.",
                    tuple(dict.fromkeys(c.record for c in early)),
                    apex,
                )
            )
        if zone.lagging:
            newest = newest_serial(zone.serials.values())
            lagging = ", ".join(f"{k} (serial {zone.serials[k]})" for k in zone.lagging)
            sentence = (
                f"{lagging} lag(s) behind the newest serial {newest}: not every name server "
                "has the latest changes yet. This usually takes minutes; if it lasts, ask "
                f"{_host(zone)}."
            )
            if lag_missing and early:
                latest = max(c.eta for c in early if c.eta)
                sentence += (
                    f" {len({c.resolver for c in early})} resolver(s) already got 'does not "
                    f"exist' from it and keep that until {clock_time(latest, world=world)}."
                )
            out.append(Diagnosis("lagging_secondary", sentence, names, apex))
        if zone.lame:
            out.append(
                Diagnosis(
                    "lame_server",
                    f"{', '.join(zone.lame)} do(es) not answer for {apex} although listed as "
                    f"its name server(s): fix the NS records at the registrar or {_host(zone)}.",
                    names,
                    apex,
                )
            )
    return out
