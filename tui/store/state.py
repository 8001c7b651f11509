"""Small persistent state (JSON, with a schema version): per-domain times such as when its
records were first seen on the authoritative servers and when authentication was attempted.

Writes are atomic (temp file, fsync, rename). A file that cannot be read is moved aside with a
notice and the app goes on with an empty state: losing a timestamp is better than a crash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.store.atomic import write_private

SCHEMA_VERSION = 1
FIELDS = ("records_first_seen", "marked_added", "last_auth_attempt", "last_auth_result")


@dataclass
class DomainState:
    records_first_seen: str | None = None  # ISO times (UTC)
    marked_added: str | None = None
    last_auth_attempt: str | None = None
    last_auth_result: str | None = None  # "authenticated", "refused: <code>", ...


@dataclass
class State:
    domains: dict[str, DomainState] = field(default_factory=dict)

    def domain(self, name: str) -> DomainState:
        return self.domains.setdefault(name.lower(), DomainState())

    def to_json(self) -> dict[str, Any]:
        return {
            "schemaVersion": SCHEMA_VERSION,
            "domains": {
                name: {k: v for k, v in vars(d).items() if v is not None}
                for name, d in sorted(self.domains.items())
            },
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
        return Loaded(_parse(json.loads(raw)))
    except (ValueError, TypeError, KeyError) as exc:
        aside = path.with_name(f"{path.name}.corrupt-{now.strftime('%Y%m%dT%H%M%S')}")
        try:
            path.replace(aside)
        except OSError:
            return Loaded(State(), f"{path} is damaged ({exc}) and could not be moved aside")
        return Loaded(State(), f"{path} was damaged ({exc}); kept it as {aside.name}")


def _parse(data: object) -> State:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    version = data.get("schemaVersion")
    if version != SCHEMA_VERSION:
        raise ValueError(f"schema version {version!r}, expected {SCHEMA_VERSION}")
    domains = data.get("domains", {})
    if not isinstance(domains, dict):
        raise ValueError("'domains' is not an object")
    state = State()
    for name, entry in domains.items():
        if not isinstance(entry, dict):
            raise ValueError(f"domain {name!r} is not an object")
        values = {k: entry.get(k) for k in FIELDS}
        for key, value in values.items():
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name}.{key} is not a string")
            if value is not None and key != "last_auth_result":
                datetime.fromisoformat(value)  # a bad time raises ValueError
        state.domains[str(name).lower()] = DomainState(**values)
    return state


def save(path: Path, state: State) -> None:
    write_private(path, json.dumps(state.to_json(), indent=2).encode("utf-8"))
