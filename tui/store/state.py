"""Small persistent state (JSON, with a schema version): per-domain times such as when its
records were first seen on the authoritative servers and when authentication was attempted.

Writes are atomic (temp file, fsync, rename). A file that cannot be read is moved aside with a
notice and the app goes on with an empty state: losing a timestamp is better than a crash. A
single unreadable time is left out (with a notice) and the rest is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.store.atomic import write_private

SCHEMA_VERSION = 1
TIMES = ("records_first_seen", "marked_added", "last_auth_attempt")


@dataclass
class DomainState:
    """Times are timezone-aware datetimes here, parsed once when the file is read; the file
    keeps them as ISO 8601 strings."""

    records_first_seen: datetime | None = None  # served by every authoritative server
    marked_added: datetime | None = None  # the user said the records were added
    last_auth_attempt: datetime | None = None
    last_auth_result: str | None = None  # "authenticated", "refused: <code>", ...

    def to_json(self) -> dict[str, str]:
        times = {name: getattr(self, name) for name in TIMES}
        found = {name: when.isoformat() for name, when in times.items() if when is not None}
        if self.last_auth_result is not None:
            found["last_auth_result"] = self.last_auth_result
        return found


@dataclass
class State:
    domains: dict[str, DomainState] = field(default_factory=dict)

    def domain(self, name: str) -> DomainState:
        return self.domains.setdefault(name.lower(), DomainState())

    def to_json(self) -> dict[str, Any]:
        return {
            "schemaVersion": SCHEMA_VERSION,
            "domains": {name: d.to_json() for name, d in sorted(self.domains.items())},
        }


@dataclass(frozen=True)
class Loaded:
    state: State
    notice: str = ""


def load(path: Path, now: datetime) -> Loaded:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Loaded(State())
    except OSError as exc:
        return Loaded(State(), f"{path} cannot be read ({exc.strerror}); starting afresh")
    try:
        state, skipped = _parse(json.loads(raw))
    except (ValueError, TypeError, KeyError) as exc:
        aside = path.with_name(f"{path.name}.corrupt-{now.strftime('%Y%m%dT%H%M%S')}")
        try:
            path.replace(aside)
        except OSError:
            return Loaded(State(), f"{path} is damaged ({exc}) and could not be moved aside")
        return Loaded(State(), f"{path} was damaged ({exc}); kept it as {aside.name}")
    if skipped:
        # One unreadable time loses that time only, not the other domains' history.
        return Loaded(state, f"{path}: left out unreadable times ({', '.join(skipped)})")
    return Loaded(state)


def _parse(data: object) -> tuple[State, list[str]]:
    """The state, and the ``domain.field`` names whose values could not be read."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    version = data.get("schemaVersion")
    if version != SCHEMA_VERSION:
        raise ValueError(f"schema version {version!r}, expected {SCHEMA_VERSION}")
    domains = data.get("domains", {})
    if not isinstance(domains, dict):
        raise ValueError("'domains' is not an object")
    state, skipped = State(), []
    for name, entry in domains.items():
        if not isinstance(entry, dict):
            raise ValueError(f"domain {name!r} is not an object")
        domain = state.domain(str(name))
        for key in TIMES:
            value = entry.get(key)
            if value is None:
                continue
            when = _time(value)
            if when is None:
                skipped.append(f"{name}.{key}")
            setattr(domain, key, when)
        result = entry.get("last_auth_result")
        if result is not None and not isinstance(result, str):
            skipped.append(f"{name}.last_auth_result")
            result = None
        domain.last_auth_result = result
    return state, skipped


def _time(value: object) -> datetime | None:
    """An aware datetime from an ISO 8601 string (naive ones are taken as UTC), else None."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def save(path: Path, state: State) -> None:
    write_private(path, json.dumps(state.to_json(), indent=2).encode("utf-8"))
