"""Profiles: one per Wix site (name, site ID, how it authenticates, where its secret lives).

They live in ``profiles.toml`` next to the user's ``config.toml``: the app rewrites this file,
so it is kept apart from the hand-edited config (whose comments a rewrite would lose). Secrets
never go in it: only the keyring, or the encrypted file, or this session's memory hold them.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui.store.atomic import write_private
from tui.store.files import (
    StoreError,
    TooLarge,
    clip,
    damage,
    move_aside,
    quote,
    read_capped,
    unreadable,
)
from tui.store.lock import locked
from tui.wix.urls import WIX_BASE_URL, check_base_url

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class AuthKind(StrEnum):
    API_KEY = "api_key"
    OAUTH = "oauth"


class Storage(StrEnum):
    KEYRING = "keyring"
    ENCRYPTED_FILE = "encrypted-file"
    SESSION = "session"  # this run only: nothing is written


class InvalidProfile(ValueError):
    """A profile field a user typed that cannot be used; the message says how to fix it."""


def check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidProfile("The profile name is empty: give it a short name, e.g. 'acme'.")
    text = name.strip()
    if not _NAME.match(text):
        raise InvalidProfile(
            f"{text[:40]!r} cannot be a profile name: use letters, digits, '.', '_' and '-' "
            "(no slashes or spaces), at most 64 characters, starting with a letter or digit."
        )
    return text


def check_site_id(site_id: object) -> str:
    if not isinstance(site_id, str) or not site_id.strip():
        raise InvalidProfile(
            "The site ID is empty. Find it in the dashboard URL: the part after /dashboard/."
        )
    text = site_id.strip()
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        raise InvalidProfile(
            f"{text[:40]!r} is not a Wix site ID: it is a GUID like "
            "c993128b-26be-41cd-9fcd-904abe23462f (the part after /dashboard/ in the "
            "dashboard URL)."
        ) from None
    return str(parsed)


def check_api_url(base_url: str) -> str:
    """``base_url`` as a client's base URL (:func:`check_base_url`: https://, or plain http://
    on loopback only), and with no user name or password in it: it is kept in profiles.toml
    and shown by ``profiles``, ``paths`` and About."""
    url = check_base_url(base_url)
    if "@" in urlsplit(url).netloc:
        raise ValueError(
            "the base URL should not carry a user name or password (it is kept in "
            "profiles.toml and shown): give only scheme, host, port and path."
        )
    return url


def check_profile_base_url(base_url: object) -> str | None:
    """A profile's Wix API base URL as it is kept: None for Wix's own (profiles written before
    profiles kept one have none, and mean Wix's), else the URL checked by the one rule for any
    base URL (https://, or plain http:// on loopback only)."""
    if base_url is None:
        return None
    if not isinstance(base_url, str):
        raise InvalidProfile(f"base_url must be a URL in quotes, not {type(base_url).__name__}")
    try:
        url = check_api_url(base_url)
    except ValueError as exc:
        raise InvalidProfile(str(exc)) from None
    return None if url == WIX_BASE_URL else url


@dataclass(frozen=True)
class Profile:
    name: str
    site_id: str
    auth: AuthKind = AuthKind.API_KEY
    storage: Storage = Storage.KEYRING
    app_id: str | None = None  # OAuth only
    instance_id: str | None = None  # OAuth only
    # The Wix-compatible API the profile was logged in to (``--wix-base-url``); None: Wix's.
    base_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_name(self.name))
        object.__setattr__(self, "site_id", check_site_id(self.site_id))
        object.__setattr__(self, "base_url", check_profile_base_url(self.base_url))
        if self.auth is AuthKind.OAUTH and not (self.app_id and self.instance_id):
            raise InvalidProfile("An OAuth profile needs the app ID and the instance ID.")

    def to_toml(self) -> dict[str, Any]:
        table: dict[str, Any] = {
            "site_id": self.site_id,
            "auth": self.auth.value,
            "storage": self.storage.value,
        }
        if self.auth is AuthKind.OAUTH:
            table |= {"app_id": self.app_id, "instance_id": self.instance_id}
        if self.base_url is not None:
            table["base_url"] = self.base_url
        return table

    @property
    def api_url(self) -> str:
        """The base URL its client talks to, unless a flag or WIX_BASE_URL says otherwise."""
        return self.base_url or WIX_BASE_URL


@dataclass
class Profiles:
    profiles: dict[str, Profile] = field(default_factory=dict)
    last_used: str | None = None
    problem: str = ""  # what was wrong with the file: said at start, and by `profiles`
    # What the file holds that this version cannot use: the raw tables of invalid entries
    # (by name) and unknown top-level keys. Written back untouched, so a save never drops them.
    kept: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, Any] = field(default_factory=dict)

    @property
    def current(self) -> Profile | None:
        if self.last_used in self.profiles:
            return self.profiles[self.last_used]
        return next(iter(self.profiles.values()), None)


class _Kind(StrEnum):
    MISSING = "missing"
    OK = "ok"
    UNREADABLE = "unreadable"  # left alone, never overwritten
    DAMAGED = "damaged"  # moved aside at the next save


@dataclass(frozen=True)
class _Read:
    kind: _Kind
    profiles: Profiles
    reason: str = ""


def _read(path: Path) -> _Read:
    try:
        raw = read_capped(path)
    except FileNotFoundError:
        return _Read(_Kind.MISSING, Profiles())
    except OSError as exc:
        reason = unreadable(exc)
        problem = (
            f"{quote(path, 300)} cannot be read ({reason}): its profiles are not used, and the "
            "file is left as it is (nothing is saved in it until it can be read)."
        )
        return _Read(_Kind.UNREADABLE, Profiles(problem=problem), reason)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (TooLarge, ValueError, RecursionError) as exc:  # TOML and UTF-8 errors included
        return _damaged(path, damage(exc))
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        return _damaged(path, "[profiles] must be a table")
    found: dict[str, Profile] = {}
    kept: dict[str, Any] = {}
    problems = []
    for name, table in tables.items():
        try:
            if not isinstance(table, dict):
                raise InvalidProfile("must be a table")
            found[name] = Profile(
                name=name,
                site_id=table.get("site_id", ""),
                auth=AuthKind(table.get("auth", "api_key")),
                storage=Storage(table.get("storage", "keyring")),
                app_id=table.get("app_id"),
                instance_id=table.get("instance_id"),
                base_url=table.get("base_url"),
            )
            if found[name].name != name or found[name].storage is Storage.SESSION:
                # A name with spaces around it, or a session profile, is not one a save would
                # write back as it is: keep the entry as the user wrote it.
                del found[name]
                raise InvalidProfile("not a name or storage a saved profile can have")
        except (InvalidProfile, ValueError, TypeError) as exc:
            kept[name] = table
            problems.append(f"{quote(name, 40)!r} ({quote(exc, 120)})")
    last = data.get("last_used")
    unknown = {k: v for k, v in data.items() if k not in ("profiles", "last_used")}
    problem = ""
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        problem = clip(
            f"{quote(path, 300)}: ignored {len(problems)} profile(s) that cannot be used: {shown}. "
            "They are kept in the file as they are: fix them there, or log in again under "
            "the same name."
        )
    profiles = Profiles(found, last if isinstance(last, str) else None, problem, kept, unknown)
    return _Read(_Kind.OK, profiles)


def _damaged(path: Path, reason: str) -> _Read:
    problem = (
        f"{quote(path, 300)} is damaged ({reason}): its profiles are not used. The next save "
        f"keeps it as {path.name}.corrupt-<time> and starts a new file."
    )
    return _Read(_Kind.DAMAGED, Profiles(problem=clip(problem)), reason)


def load(path: Path) -> Profiles:
    """The profiles in ``path``; a file that cannot be used gives none, with ``problem``
    saying why (it is never a crash)."""
    return _read(path).profiles


def _document(profiles: Profiles) -> dict[str, Any]:
    persistent = {
        name: p.to_toml() for name, p in profiles.profiles.items() if p.storage != Storage.SESSION
    }
    # A valid profile of the same name replaces a kept invalid entry: the user fixed it.
    tables = {**{k: v for k, v in profiles.kept.items() if k not in persistent}, **persistent}
    document: dict[str, Any] = {**profiles.unknown, "profiles": tables}
    if profiles.last_used in tables:
        document["last_used"] = profiles.last_used
    return document


def _toml(document: dict[str, Any]) -> bytes:
    # Imported here: the app reads the profiles file at start, and writes it only later.
    import tomli_w

    return tomli_w.dumps(document).encode("utf-8")


def save(path: Path, profiles: Profiles) -> None:
    """Write ``profiles`` as the whole file (under its lock). To change the file, use
    :func:`update`, which applies a change to what the file holds now."""
    with locked(path):
        write_private(path, _toml(_document(profiles)))


@dataclass(frozen=True)
class Updated:
    profiles: Profiles  # the file's profiles after the change (other processes' included)
    notice: str = ""  # something the user must hear of: the damaged file was moved aside


def update(path: Path, change: Callable[[Profiles], Profiles]) -> Updated:
    """Apply ``change`` to the profiles as the file holds them now, under the file's lock, and
    write the result: two processes saving at once both keep their change. A damaged file is
    first moved aside (and ``notice`` says where); a file that cannot be read is left alone
    and nothing is written (a StoreError says why and how to fix it)."""
    with locked(path):
        found = _read(path)
        notice = ""
        if found.kind is _Kind.UNREADABLE:
            raise StoreError(
                f"{quote(path, 300)} cannot be read ({found.reason}), so it is not rewritten: "
                "that would lose the profiles in it. Make it readable (chmod 600 "
                f"{quote(path, 300)}) and try again."
            )
        if found.kind is _Kind.DAMAGED:
            try:
                aside = move_aside(path)
            except OSError as exc:
                raise StoreError(
                    f"{quote(path, 300)} is damaged ({found.reason}) and could not be moved "
                    f"aside ({unreadable(exc)}), so nothing was saved. Move it away yourself.",
                    exc,
                ) from exc
            notice = clip(
                f"{quote(path, 300)} was damaged ({found.reason}); it is kept as {aside.name} "
                "and a new profiles file was started."
            )
        # The damaged file's problem is answered by the move (and said in ``notice``).
        current = replace(found.profiles, problem="") if notice else found.profiles
        changed = change(current)
        write_private(path, _toml(_document(changed)))
        return Updated(changed, notice)


def with_profile(profiles: Profiles, profile: Profile) -> Profiles:
    kept = {k: v for k, v in profiles.kept.items() if k != profile.name}
    return replace(
        profiles,
        profiles={**profiles.profiles, profile.name: profile},
        last_used=profile.name,
        kept=kept,
    )


def without_profile(profiles: Profiles, name: str) -> Profiles:
    remaining = {k: v for k, v in profiles.profiles.items() if k != name}
    last = profiles.last_used if profiles.last_used in remaining else next(iter(remaining), None)
    return replace(profiles, profiles=remaining, last_used=last)


def with_last_used(profiles: Profiles, name: str) -> Profiles:
    """``name`` as the last used profile, if the file has it (another process may have removed
    it meanwhile: then the file's choice stands)."""
    return replace(profiles, last_used=name) if name in profiles.profiles else profiles


def with_session_profiles(written: Profiles, memory: Profiles) -> Profiles:
    """The file's profiles as an app holds them: plus its session-only profiles (never on
    disk), and its own last used profile when there still is one."""
    session = {
        name: p
        for name, p in memory.profiles.items()
        if p.storage is Storage.SESSION and name not in written.profiles
    }
    merged = {**written.profiles, **session}
    last = memory.last_used if memory.last_used in merged else written.last_used
    return replace(written, profiles=merged, last_used=last)
