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

    [notify]                   # a word when it's done (tui/notify.py); everything off by default
    bell = true                # ring the terminal's bell
    desktop = true             # a desktop notification through the terminal (OSC 9 and OSC 777)
    webhook = "https://hooks.example.com/T0/B0/x"   # POST the event as JSON
    command = "/usr/local/bin/wix-alert --quiet"   # run it, the event as JSON on its stdin
    timeout = 5                # seconds the webhook and the command may take (1-60)
    events = ["all_visible", "authenticated", "new_problem"]   # which events (default: all)
"""

from __future__ import annotations

import math
import re
import shlex
import tomllib
import urllib.parse
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

KNOWN_SECTIONS = ("resolvers", "watch", "ui", "keymap", "notify")
NOTIFY_KEYS = ("bell", "desktop", "webhook", "command", "timeout", "events")
# The events a notification can be for (tui.notify.Event has the same values).
NOTIFY_EVENTS = ("all_visible", "authenticated", "new_problem")
MAX_COMMAND = 4096
_KEY_NAME = re.compile(r"^[a-z0-9_+-]{1,32}$")


@dataclass(frozen=True)
class NotifyConfig:
    """The ``[notify]`` table as read: every channel off unless the file turns it on."""

    bell: bool = False
    desktop: bool = False
    webhook: str = ""
    command: str = ""
    timeout: float = 5.0
    events: tuple[str, ...] = NOTIFY_EVENTS


@dataclass(frozen=True)
class Config:
    resolvers: dict[str, Any] = field(default_factory=dict)
    watch_interval: float = 30.0
    watch_timeout: float = 2.0
    theme: str | None = None
    refresh_interval: float = 30.0
    keymap: dict[str, str] = field(default_factory=dict)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
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
    notify = _notify(data.get("notify", {}))
    # The resolver entries are checked where they are used (tui.propagation.resolvers), which
    # raises with the entry's index; the caller reports that against this file too.
    return Config(
        resolvers=resolvers,
        watch_interval=interval,
        watch_timeout=timeout,
        theme=theme.strip() if isinstance(theme, str) else None,
        refresh_interval=refresh,
        keymap={str(k): str(v) for k, v in keymap.items()},
        notify=notify,
        path=path,
    )


def webhook_problem(url: str) -> str:
    """Why ``url`` cannot be a webhook ("" when it can): an http(s) URL with a host. (Plain
    http is allowed: a webhook on this machine or the LAN often has no certificate.)"""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https"):
        return "must start with https:// (or http://)"
    if not parts.hostname:
        return "has no host name"
    if any(c.isspace() for c in url):
        return "contains spaces"
    return ""


def command_problem(command: str) -> str:
    """Why ``command`` cannot be run as a notify command ("" when it can): it is split the way
    a shell would (quotes kept together) but run without one."""
    if len(command) > MAX_COMMAND:
        return f"is longer than {MAX_COMMAND} characters"
    try:
        words = shlex.split(command)
    except ValueError as exc:  # "No closing quotation"
        return f"cannot be split into words ({str(exc).lower()})"
    return "" if words else "is empty"


def _notify(table: object) -> NotifyConfig:
    if not isinstance(table, dict):
        raise _Problem("notify", "[notify] must be a table")
    extra = sorted(set(table) - set(NOTIFY_KEYS))
    if extra:
        raise _Problem(
            extra[0],
            f"[notify] has unknown key(s) {names(extra)}; expected {', '.join(NOTIFY_KEYS)}",
        )
    flags = {}
    for key in ("bell", "desktop"):
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise _Problem(key, f"[notify] {key} must be true or false, not {quote(value, 40)}")
        flags[key] = value
    texts = {}
    for key, check, example in (
        ("webhook", webhook_problem, '"https://hooks.example.com/..."'),
        ("command", command_problem, '"/usr/local/bin/wix-alert"'),
    ):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise _Problem(key, f"[notify] {key} must be a string, e.g. {example}")
        value = value.strip()
        problem = check(value) if value else ""
        if problem:
            # The value is not quoted: a webhook's address often holds its token.
            raise _Problem(key, f"[notify] {key} {problem}, e.g. {example}")
        texts[key] = value
    timeout = _seconds(table, "timeout", 5.0, 1, 60, "notify")
    events = table.get("events", list(NOTIFY_EVENTS))
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise _Problem("events", f"[notify] events must be a list of {', '.join(NOTIFY_EVENTS)}")
    unknown = sorted(set(events) - set(NOTIFY_EVENTS))
    if unknown:
        raise _Problem(
            "events",
            f"[notify] events has unknown event(s) {names(unknown)}; known: "
            f"{', '.join(NOTIFY_EVENTS)}",
        )
    return NotifyConfig(
        bell=flags["bell"],
        desktop=flags["desktop"],
        webhook=texts["webhook"],
        command=texts["command"],
        timeout=timeout,
        events=tuple(e for e in NOTIFY_EVENTS if e in events),
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
