"""The user's config file (TOML), read with tomllib and validated.

A broken file never stops the app: :func:`load` returns the defaults together with the
problem, which names the file, the line and column (for syntax errors) or the key, and what is
expected, so the caller can say so and carry on. The file is read with a size cap, only if it
is a regular file (``WIX_SENDING_CONFIG=/dev/zero`` is refused, not read until memory runs
out), and what the problem quotes from it is cut short.

    [resolvers]
    remove = ["yandex", "alidns"]                   # built-in resolvers to leave out
    add = [{ key = "office", name = "Office DNS", addresses = ["10.0.0.53"] }]

    [watch]
    interval = 30      # seconds between checks
    timeout = 2.0      # seconds per DNS question

    [ui]
    theme = "textual-dark"     # any Textual theme name, e.g. "ansi-dark" for 16-colour terminals
    refresh_interval = 30      # seconds between propagation sweeps in the app

    [keymap]
    senders-add = "f2"         # binding id = key (F1 and the palette list the keys)
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.store.files import (
    TooLarge,
    clip,
    damage,
    names,
    quote,
    read_capped,
    unreadable,
)
from tui.store.paths import config_file

KNOWN_SECTIONS = ("resolvers", "watch", "ui", "keymap")
_KEY_NAME = re.compile(r"^[a-z0-9_+-]{1,32}$")


@dataclass(frozen=True)
class Config:
    resolvers: dict[str, Any] = field(default_factory=dict)
    watch_interval: float = 30.0
    watch_timeout: float = 2.0
    theme: str | None = None
    refresh_interval: float = 30.0
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


@dataclass(frozen=True)
class Loaded:
    config: Config
    problem: str = ""  # empty when the file was fine (or absent)


def load(path: Path | None = None) -> Loaded:
    path = path or config_file()
    shown = quote(path, 300)
    try:
        raw = read_capped(path)
    except FileNotFoundError:
        return Loaded(Config(path=path))
    except OSError as exc:
        return Loaded(Config(path=path), f"{shown}: cannot be read ({unreadable(exc)})")
    except TooLarge as exc:
        return Loaded(Config(path=path), f"{shown}: {exc}; using the defaults")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Loaded(Config(path=path), f"{shown}: is not UTF-8 text")
    except ValueError as exc:
        # tomllib says "... (at line 3, column 7)": keep its words, they name the spot. (A
        # plain ValueError: an integer too long for Python to convert.)
        return Loaded(Config(path=path), clip(f"{shown}: not valid TOML: {quote(exc, 300)}"))
    except (RecursionError, MemoryError) as exc:
        return Loaded(Config(path=path), f"{shown}: not valid TOML: {damage(exc)}")
    try:
        return Loaded(_validate(data, path))
    except ValueError as exc:
        # Name the line too, when the offending key can be found in the text.
        key = getattr(exc, "key", None)
        # (Not for an absurdly long key: the search would cost more than the line is worth.)
        findable = isinstance(key, str) and 0 < len(key) <= 200
        line = _line_of(raw.decode("utf-8", "replace"), key) if findable else None
        where = f"{shown}, line {line}" if line else shown
        return Loaded(Config(path=path), clip(f"{where}: {exc}"))


def _validate(data: dict[str, Any], path: Path) -> Config:
    unknown = sorted(set(data) - set(KNOWN_SECTIONS))
    if unknown:
        raise ValueError(
            f"unknown section(s) {names(unknown)}; expected: {', '.join(KNOWN_SECTIONS)}"
        )
    resolvers = data.get("resolvers", {})
    if not isinstance(resolvers, dict):
        raise ValueError("[resolvers] must be a table")
    extra = sorted(set(resolvers) - {"add", "remove"})
    if extra:
        raise ValueError(f"[resolvers] has unknown key(s) {names(extra)}; expected add, remove")
    watch = data.get("watch", {})
    if not isinstance(watch, dict):
        raise ValueError("[watch] must be a table")
    extra = sorted(set(watch) - {"interval", "timeout"})
    if extra:
        raise ValueError(f"[watch] has unknown key(s) {names(extra)}; expected interval, timeout")
    interval = _seconds(watch, "interval", 30.0, 1, 86400, "watch")
    timeout = _seconds(watch, "timeout", 2.0, 0.1, 30, "watch")
    ui = data.get("ui", {})
    if not isinstance(ui, dict):
        raise _Problem("ui", "[ui] must be a table")
    extra = sorted(set(ui) - {"theme", "refresh_interval"})
    if extra:
        raise _Problem(
            extra[0],
            f"[ui] has unknown key(s) {names(extra)}; expected theme, refresh_interval",
        )
    theme = ui.get("theme")
    if theme is not None and (not isinstance(theme, str) or not theme.strip()):
        raise _Problem("theme", '[ui] theme must be a theme name, e.g. "textual-dark"')
    refresh = _seconds(ui, "refresh_interval", 30.0, 5, 3600, "ui")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise _Problem("keymap", "[keymap] must be a table of binding id = key")
    for binding, key in keymap.items():
        if not isinstance(key, str) or not all(_KEY_NAME.match(k.strip()) for k in key.split(",")):
            raise _Problem(
                binding,
                f'[keymap] {quote(binding, 60)} must be a key name such as "f2", "ctrl+r" or "1"',
            )
    # The resolver entries are checked where they are used (tui.propagation.resolvers), which
    # raises with the entry's index; the caller reports that against this file too.
    return Config(
        resolvers=resolvers,
        watch_interval=interval,
        watch_timeout=timeout,
        theme=theme.strip() if isinstance(theme, str) else None,
        refresh_interval=refresh,
        keymap={str(k): str(v) for k, v in keymap.items()},
        path=path,
    )


class _Problem(ValueError):
    """A config value that is wrong; ``key`` lets the message name its line."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*\[?\s*\"?{re.escape(key)}\"?\s*[=\]]", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _seconds(
    table: dict[str, Any], key: str, default: float, low: float, high: float, section: str
) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Problem(key, f"[{section}] {key} must be a number of seconds ({low:g}-{high:g})")
    if not low <= value <= high:
        raise _Problem(
            key, f"[{section}] {key} = {quote(value, 40)} is outside {low:g}-{high:g} seconds"
        )
    return float(value)
