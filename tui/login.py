"""Logging in to a site, without a screen: check a key with one cheap Wix call, then save it in
the store the user chose together with the profile that points at it.

The login form (``tui/screens/login.py``) reads the fields and shows the outcome; this module
does the checking and saving. Nothing is saved until one API call has accepted the key
(keyring.md §5: "test connection" without echoing the key), and a key is never left stored
without a profile pointing at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.secret import Secret
from tui.services import ClientFactory
from tui.store.credentials import Credentials, SecretStores
from tui.store.profiles import Profile, Profiles
from tui.store.vault import Vault
from tui.wix.auth import ApiKeyAuth
from tui.wix.errors import PermissionDenied, Unauthorized, WixError, WixTransportError

KEYS_PAGE = "https://manage.wix.com/account/api-keys"
EMPTY_KEY = f"The API key is empty: paste the key from {KEYS_PAGE}."
NOTHING_SAVED = "Nothing was saved."


@dataclass(frozen=True)
class LoginForm:
    """What the user typed, checked field by field."""

    profile: Profile
    secret: Secret
    passphrase: str | None  # only when the encrypted file still has to be opened


@dataclass(frozen=True)
class LoginResult:
    """A key checked by Wix and saved: the credentials to sign in with, and the profiles."""

    credentials: Credentials
    profiles: Profiles
    notice: str = ""  # something to tell the user (the damaged profiles file was moved aside)


def default_name(profiles: Profiles) -> str:
    """ "default", or the first "default-N" that is free."""
    name, n = "default", 1
    while name in profiles.profiles:
        n += 1
        name = f"default-{n}"
    return name


def key_problem(key: str) -> str:
    """Why ``key`` cannot be an API key, or "" (the Wix client's own words where it has them)."""
    if not key.strip():
        return EMPTY_KEY
    try:
        ApiKeyAuth(Secret(key), "site")
    except ValueError as exc:
        return str(exc)
    return ""


async def check_key(factory: ClientFactory, credentials: Credentials) -> str:
    """One cheap call that needs the key, the site and a permission; "" when Wix accepts it."""
    try:
        client = factory(credentials)
    except ValueError as exc:
        return f"{exc} {NOTHING_SAVED}"
    try:
        await client.list_sender_emails_page(limit=1)
    except (Unauthorized, PermissionDenied) as exc:
        return f"The key was not accepted (HTTP {exc.status}). {exc.user_message()} {NOTHING_SAVED}"
    except WixTransportError as exc:
        return (
            f"The network failed: Wix could not be reached to check the key "
            f"({exc.user_message()}). {NOTHING_SAVED} Check the connection and try again."
        )
    except WixError as exc:
        return f"The key could not be checked: {exc.user_message()} {NOTHING_SAVED}"
    finally:
        await client.aclose()
    return ""


def save_login(stores: SecretStores, profiles: Profiles, form: LoginForm) -> LoginResult:
    """Secret first, then the profile that points at it, merged into the profiles file as it
    is now (:meth:`SecretStores.save_login`). Blocking (the keyring can wait on D-Bus up to its
    timeout): call it from a thread. Raises KeyringFailure, VaultError or OSError with nothing
    left behind."""
    profile = form.profile
    saved = stores.save_login(profile, form.secret, profiles)
    credentials = Credentials(
        profile=profile.name,
        site_id=profile.site_id,
        secret=form.secret,
        source=stores.describe(profile.storage),
        auth=profile.auth,
        base_url=profile.base_url,
    )
    return LoginResult(credentials, saved.profiles, saved.notice)


def forget_unwritten_vault(stores: SecretStores) -> None:
    """A new encrypted file is only made when a key is saved in it. If an attempt failed
    before that, forget the passphrase typed for it, so the next attempt asks again instead
    of silently reusing it."""
    vault = stores.vault
    if vault.unlocked and not vault.exists:
        stores.vault = Vault(vault.path)
