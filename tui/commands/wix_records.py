"""``watch --domain``: the records to watch, taken from the Wix sending domain.

The credentials, in the app's order: ``WIX_API_KEY`` + ``WIX_SITE_ID``, else the profile given
with ``--profile``, else the current one (its key from the OS keyring or the encrypted file).
The API: ``--wix-base-url``, else ``WIX_BASE_URL``, else the profile's, else Wix's.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable

from tui.commands.unlock import Refusal, given_passphrase, has_terminal, open_vault
from tui.flow.domains import expected_records
from tui.propagation import ExpectedRecord
from tui.store import profiles as profile_file
from tui.store.credentials import ENV_KEY, ENV_SITE, Credentials, SecretStores, from_environment
from tui.store.endpoint import BadBaseUrl, Endpoint, endpoint_for, given_base_url
from tui.store.keyring_store import KeyringFailure, KeyringStore
from tui.store.logs import REDACTOR
from tui.store.paths import Paths, app_paths
from tui.store.profiles import Storage
from tui.store.vault import VaultError
from tui.wix import ApiKeyAuth, DomainStatus, WixError, WixTransportError
from tui.wix.client import WixClient
from tui.wix.urls import WIX_BASE_URL


def no_credentials(who: str = "--domain") -> str:
    return (
        f"{who} needs Wix credentials: log in first (wix-sending login), or set {ENV_KEY} and "
        f"{ENV_SITE} (read -rs {ENV_KEY}; export {ENV_KEY} keeps it out of history)"
    )


NO_CREDENTIALS = no_credentials()


def _ask_hidden(prompt: str, hidden: bool) -> str:
    return getpass.getpass(prompt)


def _complainer(command: str) -> Callable[[str], None]:
    def complain(message: str) -> None:
        print(f"wix-sending {command}: {message}", file=sys.stderr, flush=True)

    return complain


def domain_credentials(
    profile: str | None,
    base_url: str | None,
    passphrase_file: str | None,
    *,
    paths: Paths | None = None,
    stores: SecretStores | None = None,
    command: str = "watch",
) -> tuple[Credentials, Endpoint]:
    """Whose key ``watch --domain`` (or ``doctor``: ``command``) reads the site with, and from
    which API. Raises Refusal with the one-line reason (the environment half set, no profile,
    no key stored, the encrypted file locked with no terminal to ask on)."""
    try:
        given = given_base_url(base_url)
    except BadBaseUrl as exc:
        raise Refusal(str(exc)) from None
    passphrase = given_passphrase(passphrase_file)
    env = from_environment()
    if isinstance(env, str):
        raise Refusal(env)
    if env is not None:
        if profile is not None:
            raise Refusal(
                f"{ENV_KEY} and {ENV_SITE} are set, and they take precedence over saved "
                f"profiles: unset both to use --profile {profile}"
            )
        return env, endpoint_for(given, None)
    paths = paths or app_paths()
    saved = profile_file.load(paths.profiles_file)
    if profile is None:
        found = saved.current
        if found is None:
            who = "--domain" if command == "watch" else f"the {command}"
            raise Refusal(f"{saved.problem} {no_credentials(who)}".strip())
    elif profile in saved.profiles:
        found = saved.profiles[profile]
    else:
        known = ", ".join(saved.profiles) or "none"
        raise Refusal(f"no profile {profile!r} (profiles: {known})")
    stores = stores or SecretStores(paths, KeyringStore())
    try:
        if found.storage is Storage.ENCRYPTED_FILE:
            if not stores.vault.exists:
                raise Refusal(
                    f"the encrypted secrets file {paths.secrets_file} is missing, so the key of "
                    f"profile {found.name} is gone: log in again"
                )
            open_vault(
                stores.vault,
                passphrase,
                ask=_ask_hidden,
                can_ask=has_terminal(),
                complain=_complainer(command),
            )
        credentials = stores.credentials(found)
    except (KeyringFailure, VaultError) as exc:
        raise Refusal(f"the key of profile {found.name} could not be read: {exc}") from None
    if credentials is None:
        raise Refusal(
            f"no key is stored for profile {found.name} in {stores.describe(found.storage)}: "
            f"log in again (wix-sending login --profile {found.name})"
        )
    REDACTOR.add(credentials.secret.reveal())
    return credentials, endpoint_for(given, found)


async def records_for_domain(
    domain: str, base_url: str | None, credentials: Credentials | None = None
) -> list[ExpectedRecord] | str:
    """The domain's DNS records, or a sentence saying why there are none to watch.
    ``credentials``: None takes them from the environment."""
    if credentials is None:
        env = from_environment()
        if env is None:
            return NO_CREDENTIALS
        if isinstance(env, str):
            return env
        credentials = env
    url = base_url or WIX_BASE_URL
    try:
        auth = ApiKeyAuth(credentials.secret, credentials.site_id)
        async with WixClient(auth, base_url=url) as wix:
            found = await wix.find_sending_domain(domain)
    except ValueError as exc:
        return str(exc)
    except WixTransportError as exc:
        return f"network failure: {url} could not be reached ({exc.user_message()})"
    except WixError as exc:
        return exc.user_message()
    if found is None:
        return f"Wix has no sending domain {domain} for this site"
    if found.status is DomainStatus.INITIALIZING or not found.dns_records:
        return (
            f"{domain} is {found.status_label}: Wix has not made its DNS records yet; "
            "try again in a few minutes"
        )
    records, problems = expected_records(found)
    for problem in problems:  # the other records are still watched
        print(f"wix-sending watch: warning: {problem}", file=sys.stderr)
    if not records:
        return f"none of the records Wix gave for {domain} can be watched"
    return records
