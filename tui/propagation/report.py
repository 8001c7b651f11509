"""The report as one JSON document (``watch --once --json``): a stable, documented shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui.propagation.model import Cell, Report, TypeCheck

SCHEMA_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def cell_json(cell: Cell) -> dict[str, Any]:
    return {
        "record": cell.record,
        "resolver": cell.resolver,
        "status": cell.status.value,
        "queried": cell.queried,
        "answer": list(cell.answer),
        "target": cell.target,
        "ttl": cell.ttl,
        "rttMs": cell.rtt_ms,
        "remainingSeconds": cell.remaining,
        "eta": _time(cell.eta),
        "bound": cell.bound or None,
        "detail": cell.detail,
        "transport": cell.transport,
        "samples": cell.samples,
        "samplesOk": cell.samples_ok,
        # Added in the same schema version (new keys only): readers of version 1 ignore them.
        "atMost": cell.at_most,
        "soaSerial": cell.soa_serial,
        "reason": cell.reason or None,
        "decidingType": cell.rdtype,
        "types": [type_json(t) for t in cell.types],
    }


def type_json(check: TypeCheck) -> dict[str, Any]:
    return {
        "type": check.rdtype,
        "status": check.status.value,
        "remainingSeconds": check.remaining,
        "eta": _time(check.eta),
        "atMost": check.at_most,
        "bound": check.bound or None,
        "detail": check.detail,
    }


def to_json(report: Report) -> dict[str, Any]:
    zones: dict[str, Any] = {}
    for zone in report.zones.values():
        zones[zone.apex] = {
            "apex": zone.apex,
            "nameServers": list(zone.ns_names),
            "provider": zone.provider or None,
            "negativeTtl": zone.negative_ttl,
            "soaMinimum": zone.soa_minimum,
            "soaTtl": zone.soa_ttl,
            "serials": zone.serials,
            "lagging": list(zone.lagging),
            "lame": list(zone.lame),
            "parent": zone.parent or None,
            "parentNameServers": list(zone.parent_ns),
            "parentProvider": zone.parent_provider or None,
            "delegationDiffers": zone.delegation_differs,
        }
    return {
        "schemaVersion": SCHEMA_VERSION,
        "checkedAt": _time(report.checked_at),
        "ready": report.all_ok,
        "records": [
            {
                "name": r.name,
                "displayName": r.label,
                "type": r.rdtype,
                "target": r.target,
                "zone": report.zones[r.name].apex,
            }
            for r in report.records
        ],
        "resolvers": [
            {
                "key": r.key,
                "name": r.name,
                "operator": r.operator,
                "role": r.role.value,
                "addresses": [str(e) for e in r.endpoints],
                "dohUrl": r.doh_url,
                "anycast": r.anycast,
            }
            for r in report.resolvers
        ],
        "cells": [cell_json(c) for c in report.cells.values()],
        "zones": zones,
        "diagnoses": [
            {"code": d.code, "sentence": d.sentence, "records": list(d.records), "zone": d.zone}
            for d in report.diagnoses
        ],
        "eta": {
            "when": _time(report.eta.when),
            "bound": report.eta.bound or None,
            "sentence": report.eta.sentence,
            "ready": report.eta.ready,
        },
        "warnings": list(report.warnings),
        # Questions no server answered this sweep (timeouts, rate limiting): counted, never
        # turned into a verdict.
        "unanswered": {
            "count": report.unanswered_count,
            "authoritative": report.unanswered_authoritative,
            "servers": [
                {
                    "server": u.server,
                    "role": "authoritative" if u.authoritative else "resolver",
                    "questions": list(u.questions),
                }
                for u in report.unanswered
            ],
        },
    }
