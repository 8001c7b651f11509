"""The user's config file (TOML), read with tomllib and validated.

A broken file never stops the app: :func:`load` returns the defaults together with the
problem, which names the file, the line and column (for syntax errors) or the key, and what is
expected, so the caller can say so and carry on.

    [resolvers]
    remove = ["yandex", "alidns"]                   # built-in resolvers to leave out
    add = [{ key = "office", name = "Office DNS", addresses = ["10.0.0.53"] }]

    [watch]
    interval = 30      # seconds between checks
    timeout = 2.0      # seconds per DNS question
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.store.paths import config_file

KNOWN_SECTIONS = ("resolvers", "watch")


@dataclass(frozen=True)
class Config:
    resolvers: dict[str, Any] = field(default_factory=dict)
    watch_interval: float = 30.0
    watch_timeout: float = 2.0
    path: Path | None = None


@dataclass(frozen=True)
class Loaded:
    config: Config
    problem: str = ""  # empty when the file was fine (or absent)


def load(path: Path | None = None) -> Loaded:
    path = path or config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Loaded(Config(path=path))
    except OSError as exc:
        return Loaded(Config(path=path), f"{path}: cannot be read ({exc.strerror or exc})")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Loaded(Config(path=path), f"{path}: is not UTF-8 text")
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line 3, column 7)": keep its words, they name the spot.
        return Loaded(Config(path=path), f"{path}: not valid TOML: {exc}")
    try:
        return Loaded(_validate(data, path))
    except ValueError as exc:
        return Loaded(Config(path=path), f"{path}: {exc}")


def _validate(data: dict[str, Any], path: Path) -> Config:
    unknown = sorted(set(data) - set(KNOWN_SECTIONS))
    if unknown:
        raise ValueError(
            f"unknown section(s) {', '.join(unknown)}; expected: {', '.join(KNOWN_SECTIONS)}"
        )
    resolvers = data.get("resolvers", {})
    if not isinstance(resolvers, dict):
        raise ValueError("[resolvers] must be a table")
    extra = sorted(set(resolvers) - {"add", "remove"})
    if extra:
        raise ValueError(f"[resolvers] has unknown key(s) {', '.join(extra)}; expected add, remove")
    watch = data.get("watch", {})
    if not isinstance(watch, dict):
        raise ValueError("[watch] must be a table")
    extra = sorted(set(watch) - {"interval", "timeout"})
    if extra:
        raise ValueError(
            f"[watch] has unknown key(s) {', '.join(extra)}; expected interval, timeout"
        )
    interval = _seconds(watch, "interval", 30.0, 1, 86400)
    timeout = _seconds(watch, "timeout", 2.0, 0.1, 30)
    # The resolver entries are checked where they are used (tui.propagation.resolvers), which
    # raises with the entry's index; the caller reports that against this file too.
    return Config(resolvers=resolvers, watch_interval=interval, watch_timeout=timeout, path=path)


def _seconds(table: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"[watch] {key} must be a number of seconds ({low:g}-{high:g})")
    if not low <= value <= high:
        raise ValueError(f"[watch] {key} = {value} is outside {low:g}-{high:g} seconds")
    return float(value)
