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
from dataclasses import dataclass

from tui.commands.unlock import GivenPassphrase, Refusal, given_passphrase, has_terminal, open_vault
from tui.secret import Secret
from tui.store import profiles as profile_file
from tui.store.credentials import ENV_KEY, SecretStores, from_environment
from tui.store.endpoint import BadBaseUrl, Endpoint, endpoint_for, given_base_url
from tui.store.keyring_store import KeyringFailure, KeyringStore
from tui.store.logs import REDACTOR
from tui.store.paths import Paths, app_paths
from tui.store.profiles import InvalidProfile, Profile, Storage, check_name, check_site_id
from tui.store.vault import VaultError
from tui.wix import (
    ApiKeyAuth,
    PermissionDenied,
    Unauthorized,
    WixError,
    WixProtocolError,
    WixTransportError,
)
from tui.wix.client import WixClient

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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
    base_url: str | None = None  # --wix-base-url
    passphrase_file: str | None = None


@dataclass(frozen=True)
class KeyProblem:
    message: str
    code: int = EXIT_FAILED


async def check_key(site_id: str, key: Secret, endpoint: Endpoint) -> KeyProblem | None:
    """None when the API at ``endpoint`` accepts the key for the site; else what is wrong, in
    one line: a refused key, a network failure and an answer that is not Wix's are told apart."""
    where = endpoint.describe()
    try:
        async with WixClient(ApiKeyAuth(key, site_id), base_url=endpoint.url) as wix:
            await wix.list_sender_emails_page(limit=1)
    except (Unauthorized, PermissionDenied) as exc:
        return KeyProblem(
            f"Wix did not accept this key for site {site_id} (HTTP {exc.status} from {where}): "
            f"{exc.user_message()}"
        )
    except WixTransportError as exc:
        return KeyProblem(
            f"network failure: the key could not be checked at {where}. {exc.user_message()}"
        )
    except WixProtocolError as exc:
        return KeyProblem(
            f"{where} did not answer as Wix's API does, so the key could not be checked "
            f"({exc.user_message()}). Check the base URL"
        )
    except WixError as exc:
        return KeyProblem(f"the key could not be checked at {where}: {exc.user_message()}")
    except ValueError as exc:  # a key or site the client refuses to send
        return KeyProblem(str(exc), EXIT_USAGE)
    return None


def _interactive() -> bool:
    return sys.stdin.isatty()


def _can_ask_passphrase() -> bool:
    return _interactive() or has_terminal()


def _ask(prompt: str, hidden: bool = False) -> str:
    if hidden:
        return getpass.getpass(prompt)
    return input(prompt)


def _open_vault(stores: SecretStores, given: GivenPassphrase | None) -> None:
    """Unlock (or create) the encrypted file; raises Refusal."""
    open_vault(
        stores.vault,
        given,
        ask=lambda prompt, hidden: _ask(prompt, hidden),
        can_ask=_can_ask_passphrase(),
        complain=_error,
    )


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
        given = given_base_url(options.base_url)
        passphrase = given_passphrase(options.passphrase_file)
        name = check_name(options.profile)
        site = options.site_id
        if site is None:
            if not _interactive():
                raise InvalidProfile("give --site-id (there is no terminal to ask on)")
            site = _ask("Site ID (the part after /dashboard/ in the dashboard URL): ")
        site_id = check_site_id(site)
    except (BadBaseUrl, InvalidProfile, Refusal) as exc:
        _error(str(exc))
        return EXIT_USAGE
    except EOFError:
        _error("cancelled; nothing was saved")
        return EXIT_FAILED
    current = profile_file.load(paths.profiles_file)
    # Logging in again keeps the profile's own API, unless this run was given one.
    endpoint = endpoint_for(given, current.profiles.get(name))
    key = _read_key(options)
    if isinstance(key, int):
        return key
    storage = _choose_storage(options, stores)
    if isinstance(storage, int):
        return storage
    if storage is Storage.ENCRYPTED_FILE:
        try:
            _open_vault(stores, passphrase)
        except Refusal as exc:
            _error(f"{exc}; nothing was saved")
            return exc.code
    problem = asyncio.run(check_key(site_id, key, endpoint))
    if problem:
        _error(f"{problem.message.rstrip('.')}. Nothing was saved.")
        return problem.code
    profile = Profile(name=name, site_id=site_id, storage=storage, base_url=endpoint.url)
    REDACTOR.add(key.reveal())
    if current.problem:
        _error(current.problem)
    try:
        # Under the profiles file's lock and applied to what it holds now: other logins
        # running at the same time keep their profiles.
        saved = stores.save_login(profile, key, current)
    except (KeyringFailure, VaultError) as exc:
        _error(f"could not store the key: {exc}; nothing was saved")
        return EXIT_FAILED
    except OSError as exc:
        _error(
            f"could not save the login: {exc}; nothing was saved (the key was not left "
            "stored without its profile)"
        )
        return EXIT_FAILED
    if saved.notice:
        _error(saved.notice)
    api = "" if profile.base_url is None else f", API {endpoint.describe()}"
    _say(
        f"Logged in: profile {name}, site {site_id}{api}. The key ({key.masked()}) is in "
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
    except EOFError:
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
    if not _interactive():
        _error(
            f"the OS keyring cannot be used here ({status.hint}), and there is no terminal "
            "to choose on: pass --storage encrypted-file"
        )
        return EXIT_USAGE
    _say(f"The OS keyring cannot be used here: {status.hint}")
    _say("Choose where the key goes:")
    _say("  1) an encrypted file, protected by a passphrase you choose")
    _say(f"  2) nowhere: set {ENV_KEY} and WIX_SITE_ID in the environment instead (cancel)")
    try:
        choice = _ask("Choice [1/2]: ").strip()
    except EOFError:
        choice = "2"
    if choice == "1":
        return Storage.ENCRYPTED_FILE
    _say(f"Nothing was saved. For this shell: read -rs {ENV_KEY}; export {ENV_KEY} WIX_SITE_ID=...")
    return EXIT_FAILED


def run_logout(
    profile: str | None,
    *,
    paths: Paths | None = None,
    stores: SecretStores | None = None,
    passphrase_file: str | None = None,
) -> int:
    if from_environment() is not None:
        _error(
            f"{ENV_KEY} is set in the environment: there is nothing stored to log out "
            "of. Unset it instead."
        )
        return EXIT_USAGE
    try:
        passphrase = given_passphrase(passphrase_file)
    except Refusal as exc:
        _error(str(exc))
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
    if found.storage is Storage.ENCRYPTED_FILE and stores.vault.exists:
        try:
            _open_vault(stores, passphrase)
        except Refusal as exc:
            _error(f"{exc}; nothing was changed")
            return exc.code
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


def _given_for_listing() -> tuple[Endpoint | None, str]:
    """WIX_BASE_URL for ``profiles`` and ``paths`` (they take no flag), and what is wrong
    with it, if anything: a listing still lists."""
    try:
        return given_base_url(None), ""
    except BadBaseUrl as exc:
        return None, f"{exc} (it is ignored here; commands that talk to Wix refuse it)"


def run_profiles(as_json: bool, *, paths: Paths | None = None) -> int:
    paths = paths or app_paths()
    current = profile_file.load(paths.profiles_file)
    env = from_environment()
    given, bad_url = _given_for_listing()
    rows = [
        {
            "name": p.name,
            "siteId": p.site_id,
            "auth": p.auth.value,
            "storage": p.storage.value,
            "current": p.name == (current.current.name if current.current else None),
            # What the profile keeps; what its clients use now is apiUrl (WIX_BASE_URL wins).
            "baseUrl": p.api_url,
            "apiUrl": endpoint_for(given, p).url,
        }
        for p in current.profiles.values()
    ]
    if as_json:
        print(
            json.dumps(
                {
                    "profiles": rows,
                    "environment": env is not None and not isinstance(env, str),
                    "baseUrlOverride": given.url if given else None,
                },
                indent=2,
            )
        )
        return EXIT_OK
    for problem in (current.problem, bad_url):
        if problem:
            _error(problem)
    if env is not None and not isinstance(env, str):
        _say(f"Using {env.source}: it overrides the profiles below.")
    if given is not None and rows:
        _say(f"Using {given.source}={given.url}: it overrides the profiles' APIs below.")
    if not rows:
        _say("No profiles yet: run 'wix-sending login'.")
    for row in rows:
        mark = "*" if row["current"] else " "
        _say(
            f"{mark} {row['name']:<20} site {row['siteId']}  key in {row['storage']}  "
            f"API {row['baseUrl']}"
        )
    return EXIT_OK


def run_paths(
    as_json: bool, *, paths: Paths | None = None, keyring: KeyringStore | None = None
) -> int:
    paths = paths or app_paths()
    status = (keyring or KeyringStore()).status()
    current = profile_file.load(paths.profiles_file).current
    given, bad_url = _given_for_listing()
    endpoint = endpoint_for(given, current)
    found = {
        "config": str(paths.config_file),
        "profiles": str(paths.profiles_file),
        "state": str(paths.state_file),
        "log": str(paths.log_file),
        "encryptedSecrets": str(paths.secrets_file),
        "keyringBackend": status.backend,
        "keyringStatus": status.state.value,
        "keyringHint": status.hint,
        # The API the app and the commands talk to now (for the current profile).
        "wixBaseUrl": endpoint.url,
        "wixBaseUrlFrom": endpoint.source,
    }
    if as_json:
        # Scripts get the backend's module path too; people get its name only.
        print(json.dumps({**found, "keyringBackendId": status.backend_id}, indent=2))
        return EXIT_OK
    if bad_url:
        _error(bad_url)
    width = max(len(k) for k in found)
    for key, value in found.items():
        if value:
            _say(f"{key:<{width}}  {value}")
    return EXIT_OK
