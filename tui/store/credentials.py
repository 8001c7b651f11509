"""Where a profile's secret comes from, in the order keyring.md §0.4 gives: the environment
(``WIX_API_KEY`` + ``WIX_SITE_ID``), then the store the profile chose: the OS keyring, the
encrypted file, or this session's memory. Environment credentials are never saved or logged
out: they belong to whoever set them."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tui.secret import Secret
from tui.store.keyring_store import KeyringStore
from tui.store.paths import Paths
from tui.store.profiles import AuthKind, InvalidProfile, Profile, Storage, check_site_id
from tui.store.vault import Vault

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
        )
