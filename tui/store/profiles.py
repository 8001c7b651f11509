"""Profiles: one per Wix site (name, site ID, how it authenticates, where its secret lives).

They live in ``profiles.toml`` next to the user's ``config.toml``: the app rewrites this file,
so it is kept apart from the hand-edited config (whose comments a rewrite would lose). Secrets
never go in it: only the keyring, or the encrypted file, or this session's memory hold them.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import tomli_w

from tui.store.atomic import write_private

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


@dataclass(frozen=True)
class Profile:
    name: str
    site_id: str
    auth: AuthKind = AuthKind.API_KEY
    storage: Storage = Storage.KEYRING
    app_id: str | None = None  # OAuth only
    instance_id: str | None = None  # OAuth only

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_name(self.name))
        object.__setattr__(self, "site_id", check_site_id(self.site_id))
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
        return table


@dataclass
class Profiles:
    profiles: dict[str, Profile] = field(default_factory=dict)
    last_used: str | None = None
    problem: str = ""  # why the file could not be read (it is then treated as empty)

    @property
    def current(self) -> Profile | None:
        if self.last_used in self.profiles:
            return self.profiles[self.last_used]
        return next(iter(self.profiles.values()), None)


def load(path: Path) -> Profiles:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Profiles()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Profiles(problem=f"{path}: cannot be read ({exc}); starting with no profiles")
    found: dict[str, Profile] = {}
    problems = []
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        return Profiles(problem=f"{path}: [profiles] must be a table")
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
            )
        except (InvalidProfile, ValueError) as exc:
            problems.append(f"profile {name!r} skipped: {exc}")
    last = data.get("last_used")
    return Profiles(
        found,
        last if isinstance(last, str) else None,
        f"{path}: " + "; ".join(problems) if problems else "",
    )


def save(path: Path, profiles: Profiles) -> None:
    persistent = {
        name: p.to_toml() for name, p in profiles.profiles.items() if p.storage != Storage.SESSION
    }
    document: dict[str, Any] = {"profiles": persistent}
    if profiles.last_used in persistent:
        document["last_used"] = profiles.last_used
    write_private(path, tomli_w.dumps(document).encode("utf-8"))


def with_profile(profiles: Profiles, profile: Profile) -> Profiles:
    return replace(
        profiles, profiles={**profiles.profiles, profile.name: profile}, last_used=profile.name
    )


def without_profile(profiles: Profiles, name: str) -> Profiles:
    remaining = {k: v for k, v in profiles.profiles.items() if k != name}
    last = profiles.last_used if profiles.last_used in remaining else next(iter(remaining), None)
    return replace(profiles, profiles=remaining, last_used=last)
