"""``wix-sending login | logout | profiles | paths``: credentials on the command line.

The key is never taken as an argument (it would show in ``ps`` and shell history): it is read
with a hidden prompt, or from stdin with ``--api-key-stdin``. It is checked with one cheap API
call before anything is saved.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

from tui.secret import Secret
from tui.store import profiles as profile_file
from tui.store.credentials import ENV_KEY, SecretStores, from_environment
from tui.store.keyring_store import KeyringFailure, KeyringStore
from tui.store.logs import REDACTOR
from tui.store.paths import Paths, app_paths
from tui.store.profiles import InvalidProfile, Profile, Storage, check_name, check_site_id
from tui.store.vault import VaultError, WrongPassphrase
from tui.wix import ApiKeyAuth, WixError
from tui.wix.client import WixClient
from tui.wix.urls import WIX_BASE_URL

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _say(message: str) -> None:
    print(message, flush=True)


def _error(message: str) -> None:
    print(f"wix-sending: {message}", file=sys.stderr, flush=True)


@dataclass
class LoginOptions:
    profile: str = "default"
    site_id: str | None = None
    storage: str | None = None
    api_key_stdin: bool = False
    base_url: str | None = None


async def check_key(site_id: str, key: Secret, base_url: str) -> str | None:
    """None when Wix accepts the key for the site; else what is wrong, in words."""
    try:
        async with WixClient(ApiKeyAuth(key, site_id), base_url=base_url) as wix:
            await wix.list_sender_emails_page(limit=1)
    except WixError as exc:
        return exc.user_message()
    except ValueError as exc:
        return str(exc)
    return None


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(prompt: str, hidden: bool = False) -> str:
    if hidden:
        return getpass.getpass(prompt)
    return input(prompt)


def _passphrase(stores: SecretStores, ask: Callable[[str, bool], str]) -> str | None:
    """Unlock (or create) the encrypted file; None after three wrong tries."""
    creating = not stores.vault.exists
    for _ in range(3):
        first = ask("Passphrase for the encrypted secrets file: ", True)
        if creating and ask("The same passphrase again: ", True) != first:
            _error("the two passphrases differ; try again")
            continue
        try:
            stores.vault.unlock(first)
        except WrongPassphrase as exc:
            _error(str(exc))
            continue
        except VaultError as exc:
            _error(str(exc))
            if creating:
                continue
            return None
        return first
    return None


def run_login(
    options: LoginOptions, *, paths: Paths | None = None, stores: SecretStores | None = None
) -> int:
    env = from_environment()
    if env is not None:
        _error(
            f"{ENV_KEY} is set, so its key is used as it is and nothing is stored. Unset "
            f"{ENV_KEY} and its partner to log in with a stored profile."
        )
        return EXIT_USAGE
    paths = paths or app_paths()
    stores = stores or SecretStores(paths, KeyringStore())
    try:
        name = check_name(options.profile)
        site = options.site_id
        if site is None:
            if not _interactive():
                raise InvalidProfile("give --site-id (there is no terminal to ask on)")
            site = _ask("Site ID (the part after /dashboard/ in the dashboard URL): ")
        site_id = check_site_id(site)
    except InvalidProfile as exc:
        _error(str(exc))
        return EXIT_USAGE
    except (EOFError, KeyboardInterrupt):
        _error("cancelled; nothing was saved")
        return EXIT_FAILED
    key = _read_key(options)
    if isinstance(key, int):
        return key
    storage = _choose_storage(options, stores)
    if isinstance(storage, int):
        return storage
    if storage is Storage.ENCRYPTED_FILE and _passphrase(stores, lambda p, h: _ask(p, h)) is None:
        _error("the encrypted file could not be opened; nothing was saved")
        return EXIT_FAILED
    problem = asyncio.run(check_key(site_id, key, options.base_url or WIX_BASE_URL))
    if problem:
        _error(f"Wix did not accept this key for site {site_id}: {problem}")
        _error("nothing was saved")
        return EXIT_FAILED
    profile = Profile(name=name, site_id=site_id, storage=storage)
    REDACTOR.add(key.reveal())
    current = profile_file.load(paths.profiles_file)
    if current.problem:
        _error(current.problem)
    try:
        # Under the profiles file's lock and applied to what it holds now: other logins
        # running at the same time keep their profiles.
        saved = stores.save_login(profile, key, current)
    except (KeyringFailure, VaultError) as exc:
        _error(f"could not store the key: {exc}")
        _error("nothing was saved")
        return EXIT_FAILED
    except OSError as exc:
        _error(f"could not save the login: {exc}")
        _error("nothing was saved (the key was not left stored without its profile)")
        return EXIT_FAILED
    if saved.notice:
        _error(saved.notice)
    _say(
        f"Logged in: profile {name}, site {site_id}. The key ({key.masked()}) is in "
        f"{stores.describe(storage)}."
    )
    return EXIT_OK


def _read_key(options: LoginOptions) -> Secret | int:
    try:
        if options.api_key_stdin:
            text = sys.stdin.readline()
        elif _interactive():
            text = _ask("API key (input hidden): ", hidden=True)
        else:
            _error("no terminal to ask for the key on: pipe it in with --api-key-stdin")
            return EXIT_USAGE
    except (EOFError, KeyboardInterrupt):
        _error("cancelled; nothing was saved")
        return EXIT_FAILED
    if not text.strip():
        _error("the API key is empty; nothing was saved")
        return EXIT_USAGE
    return Secret(text.strip())


def _choose_storage(options: LoginOptions, stores: SecretStores) -> Storage | int:
    if options.storage:
        wanted = Storage(options.storage)
        if wanted is Storage.KEYRING and not stores.keyring.status().usable:
            _error(f"the OS keyring cannot be used: {stores.keyring.status().hint}")
            return EXIT_FAILED
        return wanted
    status = stores.keyring.status()
    if status.usable:
        return Storage.KEYRING
    _say(f"The OS keyring cannot be used here: {status.hint}")
    _say("Choose where the key goes:")
    _say("  1) an encrypted file, protected by a passphrase you choose")
    _say(f"  2) nowhere: set {ENV_KEY} and WIX_SITE_ID in the environment instead (cancel)")
    if not _interactive():
        _error("no terminal to choose on: pass --storage encrypted-file")
        return EXIT_USAGE
    try:
        choice = _ask("Choice [1/2]: ").strip()
    except (EOFError, KeyboardInterrupt):
        choice = "2"
    if choice == "1":
        return Storage.ENCRYPTED_FILE
    _say(f"Nothing was saved. For this shell: read -rs {ENV_KEY}; export {ENV_KEY} WIX_SITE_ID=...")
    return EXIT_FAILED


def run_logout(
    profile: str | None, *, paths: Paths | None = None, stores: SecretStores | None = None
) -> int:
    if from_environment() is not None:
        _error(
            f"{ENV_KEY} is set in the environment: there is nothing stored to log out "
            "of. Unset it instead."
        )
        return EXIT_USAGE
    paths = paths or app_paths()
    stores = stores or SecretStores(paths, KeyringStore())
    current = profile_file.load(paths.profiles_file)
    name = profile or current.last_used
    if not name or name not in current.profiles:
        known = ", ".join(current.profiles) or "none"
        _error(f"no profile {name or ''!r} to log out of (profiles: {known})")
        return EXIT_USAGE
    found = current.profiles[name]
    needs_passphrase = found.storage is Storage.ENCRYPTED_FILE and stores.vault.exists
    if needs_passphrase and _passphrase(stores, lambda p, h: _ask(p, h)) is None:
        _error("the encrypted file could not be opened; nothing was changed")
        return EXIT_FAILED
    try:
        saved = stores.logout(found, current)
    except (KeyringFailure, VaultError) as exc:
        _error(f"could not delete the stored key: {exc}")
        _error("nothing was changed")
        return EXIT_FAILED
    except OSError as exc:
        _error(f"the key of {name} is deleted, but its profile could not be removed: {exc}")
        return EXIT_FAILED
    if saved.notice:
        _error(saved.notice)
    _say(f"Logged out of {name}: its key and profile are gone.")
    return EXIT_OK


def run_profiles(as_json: bool, *, paths: Paths | None = None) -> int:
    paths = paths or app_paths()
    current = profile_file.load(paths.profiles_file)
    env = from_environment()
    rows = [
        {
            "name": p.name,
            "siteId": p.site_id,
            "auth": p.auth.value,
            "storage": p.storage.value,
            "current": p.name == (current.current.name if current.current else None),
        }
        for p in current.profiles.values()
    ]
    if as_json:
        print(
            json.dumps(
                {"profiles": rows, "environment": env is not None and not isinstance(env, str)},
                indent=2,
            )
        )
        return EXIT_OK
    if current.problem:
        _error(current.problem)
    if env is not None and not isinstance(env, str):
        _say(f"Using {env.source}: it overrides the profiles below.")
    if not rows:
        _say("No profiles yet: run 'wix-sending login'.")
    for row in rows:
        mark = "*" if row["current"] else " "
        _say(f"{mark} {row['name']:<20} site {row['siteId']}  key in {row['storage']}")
    return EXIT_OK


def run_paths(
    as_json: bool, *, paths: Paths | None = None, keyring: KeyringStore | None = None
) -> int:
    paths = paths or app_paths()
    status = (keyring or KeyringStore()).status()
    found = {
        "config": str(paths.config_file),
        "profiles": str(paths.profiles_file),
        "state": str(paths.state_file),
        "log": str(paths.log_file),
        "encryptedSecrets": str(paths.secrets_file),
        "keyringBackend": status.backend,
        "keyringStatus": status.state.value,
        "keyringHint": status.hint,
    }
    if as_json:
        print(json.dumps(found, indent=2))
        return EXIT_OK
    width = max(len(k) for k in found)
    for key, value in found.items():
        if value:
            _say(f"{key:<{width}}  {value}")
    return EXIT_OK
