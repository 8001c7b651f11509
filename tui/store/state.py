"""Small persistent state (JSON, with a schema version): per-domain times such as when its
records were first seen on the authoritative servers and when authentication was attempted.

Writes are atomic (temp file, fsync, rename) and merged: under the file's lock, the fields this
app changed are applied to what the file holds now, so two apps open at once keep each other's
domains (:func:`merge_save`). A damaged file (bad JSON, nested too deeply, too large, another
schema) is moved aside with a notice and the app goes on with an empty state: losing a
timestamp is better than a crash. A file that cannot be *read* (permission denied, not a file)
may be fine: it is left alone, and nothing is saved over it. A single unreadable time is left
out (with a notice) and the rest is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.store.atomic import write_private
from tui.store.files import (
    StoreError,
    TooLarge,
    clip,
    damage,
    move_aside,
    names,
    quote,
    read_capped,
    unreadable,
)
from tui.store.lock import locked

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


Fields = dict[str, str]  # one domain as the file keeps it: field name -> text
FIELDS = (*TIMES, "last_auth_result")


@dataclass(frozen=True)
class Loaded:
    state: State
    notice: str = ""


class _Damaged(ValueError):
    pass


def _read(path: Path) -> tuple[State, list[str]] | None:
    """The state in ``path`` and the names of the times left out; None when there is no file.
    Raises StoreError when it cannot be read, :class:`_Damaged` when its content is unusable."""
    try:
        raw = read_capped(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(
            f"{quote(path, 300)} cannot be read ({unreadable(exc)}). It is left as it is, and "
            "nothing is saved in it while it cannot be read: make it readable (chmod 600 "
            f"{quote(path, 300)}) or move it away.",
            exc,
        ) from exc
    try:
        return _parse(json.loads(raw))
    except (TooLarge, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise _Damaged(damage(exc)) from exc


def load(path: Path, now: datetime) -> Loaded:
    try:
        found = _read(path)
    except StoreError as exc:
        return Loaded(State(), str(exc))
    except _Damaged:
        # Moved aside under the lock, and only if still damaged: another app may have just
        # written a good one.
        try:
            with locked(path):
                try:
                    found = _read(path)
                except _Damaged as exc:
                    aside = move_aside(path, now)
                    return Loaded(
                        State(),
                        clip(f"{quote(path, 300)} was damaged ({exc}); kept it as {aside.name}"),
                    )
        except OSError as exc:
            return Loaded(
                State(),
                clip(f"{quote(path, 300)} is damaged and could not be moved aside ({exc})"),
            )
    if found is None:
        return Loaded(State())
    state, skipped = found
    if skipped:
        # One unreadable time loses that time only, not the other domains' history.
        return Loaded(
            state, clip(f"{quote(path, 300)}: left out unreadable times ({names(skipped)})")
        )
    return Loaded(state)


def peek(path: Path) -> Loaded:
    """Read the state and change nothing, for a reader that never writes (``wix-sending
    doctor``): a damaged file is said and left where it is (the app moves it aside when it
    next starts), and no lock file is made (writes are atomic renames: a read sees the old
    file or the new one, never half of one)."""
    try:
        found = _read(path)
    except StoreError as exc:
        return Loaded(State(), str(exc))
    except _Damaged as exc:
        return Loaded(State(), clip(f"{quote(path, 300)} is damaged ({exc}); not read"))
    if found is None:
        return Loaded(State())
    state, skipped = found
    if skipped:
        return Loaded(
            state, clip(f"{quote(path, 300)}: left out unreadable times ({names(skipped)})")
        )
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
    """Write ``state`` as the whole file (under its lock); the app saves with
    :func:`merge_save`, which keeps other apps' changes."""
    with locked(path):
        write_private(path, json.dumps(state.to_json(), indent=2).encode("utf-8"))


def merge_save(
    path: Path, mine: dict[str, Fields], base: dict[str, Fields], now: datetime
) -> tuple[dict[str, Fields], str]:
    """Save this app's changes: for each domain field where ``mine`` differs from ``base``
    (what this app read or last wrote), its value; for every other field, what the file holds
    now (another app's change, say). Under the file's lock. Returns the domains as written and
    a notice (the file was damaged and moved aside), or raises StoreError when the file cannot
    be read (it is then not overwritten)."""
    with locked(path):
        notice = ""
        try:
            found = _read(path)
        except _Damaged as exc:
            aside = move_aside(path, now)
            notice = clip(f"{quote(path, 300)} was damaged ({exc}); kept it as {aside.name}")
            found = None
        disk = {name: d.to_json() for name, d in (found[0].domains if found else {}).items()}
        for name, fields in mine.items():
            before = base.get(name, {})
            # Fields not changed here keep the file's value (another app's change, say).
            changed = [key for key in FIELDS if fields.get(key) != before.get(key)]
            if not changed:
                continue
            merged = disk.setdefault(name, {})
            for key in changed:
                if key in fields:
                    merged[key] = fields[key]
                else:
                    merged.pop(key, None)
        document = {
            "schemaVersion": SCHEMA_VERSION,
            "domains": {name: disk[name] for name in sorted(disk)},
        }
        write_private(path, json.dumps(document, indent=2).encode("utf-8"))
        return disk, notice
