"""Where a profile's secret comes from, in the order keyring.md §0.4 gives: the environment
(``WIX_API_KEY`` + ``WIX_SITE_ID``), then the store the profile chose: the OS keyring, the
encrypted file, or this session's memory. Environment credentials are never saved or logged
out: they belong to whoever set them."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from tui.secret import Secret
from tui.store import profiles as profile_file
from tui.store.keyring_store import KeyringFailure, KeyringStore
from tui.store.paths import Paths
from tui.store.profiles import (
    AuthKind,
    InvalidProfile,
    Profile,
    Profiles,
    Storage,
    check_site_id,
)
from tui.store.vault import Vault, VaultError

log = logging.getLogger("tui.store")

ENV_KEY, ENV_SITE = "WIX_API_KEY", "WIX_SITE_ID"
ENVIRONMENT_PROFILE = "environment"


@dataclass(frozen=True)
class Credentials:
    profile: str
    site_id: str
    secret: Secret
    source: str  # in words, for the header, the About screen and `paths`
    auth: AuthKind = AuthKind.API_KEY
    app_id: str | None = None
    instance_id: str | None = None
    from_environment: bool = False
    # The profile's own API (``Profile.base_url``); None: whatever the app or command was
    # pointed at (--wix-base-url, WIX_BASE_URL), else Wix's.
    base_url: str | None = None


def from_environment() -> Credentials | str | None:
    """Credentials from the environment; a sentence when they are half set or unusable."""
    key, site = os.environ.get(ENV_KEY, ""), os.environ.get(ENV_SITE, "")
    if not key.strip() and not site.strip():
        return None
    if not key.strip() or not site.strip():
        missing = ENV_KEY if not key.strip() else ENV_SITE
        return f"{missing} is not set, but its partner is: set both, or neither."
    try:
        site_id = check_site_id(site)
    except InvalidProfile as exc:
        return f"{ENV_SITE}: {exc}"
    return Credentials(
        profile=ENVIRONMENT_PROFILE,
        site_id=site_id,
        secret=Secret(key.strip()),
        source=f"the environment ({ENV_KEY}, {ENV_SITE})",
        from_environment=True,
    )


@dataclass(frozen=True)
class Saved:
    """A login or logout written: the profiles as they are now, and what to tell the user."""

    profiles: Profiles  # the file's profiles (other processes' changes included) + session ones
    notice: str = ""  # e.g. the damaged profiles file was moved aside


class SecretStores:
    """The three places a profile's secret can live, behind one door."""

    def __init__(self, paths: Paths, keyring: KeyringStore | None = None) -> None:
        self.paths = paths
        self.keyring = keyring or KeyringStore()
        self.vault = Vault(paths.secrets_file)
        self._session: dict[str, Secret] = {}

    def describe(self, storage: Storage) -> str:
        if storage is Storage.KEYRING:
            return f"the OS keyring ({self.keyring.status().backend})"
        if storage is Storage.ENCRYPTED_FILE:
            return f"the encrypted file {self.paths.secrets_file}"
        return "this session only (forgotten when the app exits)"

    def save(self, profile: Profile, secret: Secret) -> None:
        if profile.storage is Storage.KEYRING:
            self.keyring.set(profile.name, secret)
        elif profile.storage is Storage.ENCRYPTED_FILE:
            self.vault.set(profile.name, secret)
        else:
            self._session[profile.name] = secret

    def load(self, profile: Profile) -> Secret | None:
        if profile.storage is Storage.KEYRING:
            return self.keyring.get(profile.name)
        if profile.storage is Storage.ENCRYPTED_FILE:
            return self.vault.get(profile.name)
        return self._session.get(profile.name)

    def delete(self, profile: Profile) -> bool:
        if profile.storage is Storage.KEYRING:
            return self.keyring.delete(profile.name)
        if profile.storage is Storage.ENCRYPTED_FILE:
            return self.vault.delete(profile.name) if self.vault.exists else False
        return self._session.pop(profile.name, None) is not None

    def credentials(self, profile: Profile) -> Credentials | None:
        secret = self.load(profile)
        if secret is None:
            return None
        return Credentials(
            profile=profile.name,
            site_id=profile.site_id,
            secret=secret,
            source=self.describe(profile.storage),
            auth=profile.auth,
            app_id=profile.app_id,
            instance_id=profile.instance_id,
            base_url=profile.base_url,
        )

    # --- a login and a logout: the secret and the profile that points at it ---------------

    def save_login(self, profile: Profile, secret: Secret, memory: Profiles) -> Saved:
        """Secret first, then the profile that points at it, applied to the profiles file as
        it is now (under its lock). Blocking (the keyring can wait on D-Bus up to its timeout):
        call it from a thread in the app. ``memory``: the profiles the caller holds (the app's
        session-only ones live only there).

        Raises KeyringFailure, VaultError or OSError (a StoreError's text says what failed and
        how to fix it) with nothing left behind: no key without a profile, and the key that was
        stored under this name before is put back."""
        if profile.storage is Storage.SESSION:
            self.save(profile, secret)
            previous = memory.profiles.get(profile.name)
            saved = Saved(profile_file.with_profile(memory, profile))
        else:
            undo = self._undo_for(profile)
            self.save(profile, secret)
            seen: dict[str, Profile | None] = {}

            def change(current: Profiles) -> Profiles:
                seen["previous"] = current.profiles.get(profile.name)
                return profile_file.with_profile(current, profile)

            try:
                written = profile_file.update(self.paths.profiles_file, change)
            except BaseException:
                # A key with no profile pointing at it would never be cleaned up.
                undo()
                raise
            previous = seen.get("previous") or memory.profiles.get(profile.name)
            in_memory = profile_file.with_profile(memory, profile)
            merged = profile_file.with_session_profiles(written.profiles, in_memory)
            saved = Saved(merged, written.notice)
        if previous is not None and previous.storage is not profile.storage:
            # Logged in again with another storage: the old copy of the key must not linger.
            with contextlib.suppress(KeyringFailure, VaultError, OSError):
                self.delete(previous)
        return saved

    def _undo_for(self, profile: Profile) -> Callable[[], None]:
        """How to put back what ``profile``'s store holds under its name now, should the
        login fail after the new secret is stored."""
        try:
            before = self.load(profile)
        except (KeyringFailure, VaultError, OSError) as exc:
            log.info("could not read the stored key before replacing it: %s", type(exc).__name__)
            before = None

        def undo() -> None:
            try:
                if before is None:
                    self.delete(profile)
                else:
                    self.save(profile, before)
            except (KeyringFailure, VaultError, OSError) as exc:
                log.warning("could not undo a failed login's key: %s", type(exc).__name__)

        return undo

    def logout(self, profile: Profile, memory: Profiles) -> Saved:
        """Delete ``profile``'s secret, then remove the profile from the file as it is now.
        Raises KeyringFailure or VaultError (nothing changed) or OSError (the key is gone but
        the profile file could not be written)."""
        self.delete(profile)
        remaining = profile_file.without_profile(memory, profile.name)
        if profile.storage is Storage.SESSION:
            return Saved(remaining)
        written = profile_file.update(
            self.paths.profiles_file,
            lambda current: profile_file.without_profile(current, profile.name),
        )
        return Saved(
            profile_file.with_session_profiles(written.profiles, remaining), written.notice
        )
