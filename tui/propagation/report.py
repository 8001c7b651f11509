"""The report as one JSON document (``watch --once --json``): a stable, documented shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui.propagation.model import Cell, Report

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
    }
