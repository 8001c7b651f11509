"""What the app's screens and panes work with, in one typed object.

DESIGN.md: the panes get their services (client, engine, stores, clock) through one typed
object, and watch who is signed in through a reactive. :class:`Services` is that object: built
once by ``tui/launch.py`` (for real use, the demo, the tests, the benchmarks and the screenshots)
and handed to the app. Who is signed in is a :class:`Session` (the credentials and the client of
their site), which the app holds as a reactive; ``tui/widgets/host.py`` gives the UI typed access
to both.

Plain Python, no Textual: nothing here draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.clock import SYSTEM_CLOCK, Clock
from tui.flow.codes import SentCodes
from tui.store.config import Config
from tui.store.credentials import Credentials, SecretStores
from tui.store.endpoint import DEFAULT_SOURCE, Endpoint
from tui.store.paths import Paths
from tui.store.profiles import AuthKind, check_api_url
from tui.store.state_store import StateStore
from tui.wix.urls import WIX_BASE_URL

if TYPE_CHECKING:
    # Only for the annotations: the client (httpx) and the engine (dnspython) are loaded at
    # the first sign-in and the first sweep, not for the app's first frame (the login form).
    from tui.demo import SandboxLink
    from tui.propagation.model import Resolver
    from tui.propagation.sweep import Prober
    from tui.wix.client import WixClient

ClientFactory = Callable[[Credentials], "WixClient"]


def default_client_factory(base_url: str, *, profiles_choose: bool = False) -> ClientFactory:
    """Builds the real client for a set of credentials (API key or OAuth app), at
    ``base_url``; with ``profiles_choose``, credentials that carry their profile's own base URL
    go there instead."""

    def build(credentials: Credentials) -> WixClient:
        from tui.wix.auth import ApiKeyAuth, OAuthAuth
        from tui.wix.client import WixClient

        if credentials.auth is AuthKind.OAUTH:
            auth: ApiKeyAuth | OAuthAuth = OAuthAuth(
                credentials.app_id or "",
                credentials.secret,
                credentials.instance_id or "",
                site_id=credentials.site_id,
            )
        else:
            auth = ApiKeyAuth(credentials.secret, credentials.site_id)
        own = credentials.base_url if profiles_choose else None
        return WixClient(auth, base_url=own or base_url)

    return build


@dataclass(frozen=True, eq=False)
class Session:
    """Who is signed in: their credentials and the client for their site. A new sign-in is a
    new session (compared by identity), even with the same credentials."""

    credentials: Credentials
    client: WixClient


class Engine:
    """Makes the propagation engine the grid sweeps with: in the demo the sandbox's DNS
    servers; otherwise this machine's resolver and the public ones of the config (the zone's
    own servers are found on the first sweep)."""

    def __init__(self, clock: Clock, config: Config, sandbox: SandboxLink | None) -> None:
        self.clock = clock
        self.config = config
        self.sandbox = sandbox
        self._resolvers: list[Resolver] | None = None
        self.problem = ""  # what was wrong with the config's [resolvers], once read

    def prober(self) -> tuple[Prober, list[Resolver]]:
        """A new prober (it owns sockets: the caller closes it) and the resolvers to ask."""
        # Imported here: dnspython and httpx load at the first sweep, not at start.
        from tui.propagation.intercept import CLOUDFLARE
        from tui.propagation.sweep import Prober

        timeout = self.config.watch_timeout
        if self.sandbox is not None:
            prober = Prober(
                authoritative=self.sandbox.authoritative, clock=self.clock, timeout=timeout
            )
            return prober, list(self.sandbox.resolvers)
        prober = Prober(clock=self.clock, timeout=timeout, interception=CLOUDFLARE)
        return prober, self.resolvers()

    def resolvers(self) -> list[Resolver]:
        """This machine's resolver, then the config's public ones (read once)."""
        if self._resolvers is None:
            from tui.propagation.resolvers import BUILTIN_PUBLIC, local_resolvers, public_resolvers

            try:
                public = public_resolvers(self.config.resolvers)
            except ValueError as exc:  # InvalidInput: the caller says so (problem)
                public = list(BUILTIN_PUBLIC)
                where = self.config.path or "the config"
                self.problem = (
                    f"{where}: [resolvers] is not usable ({exc}); the built-in public "
                    "resolvers are asked instead."
                )
            self._resolvers = local_resolvers() + public
        return list(self._resolvers)


@dataclass
class Services:
    """Everything the screens and panes use, but who is signed in (the app's session)."""

    paths: Paths
    stores: SecretStores
    config: Config
    clock: Clock
    state: StateStore
    client_factory: ClientFactory
    engine: Engine
    base_url: str = WIX_BASE_URL
    sandbox: SandboxLink | None = None  # the demo's link to its sandbox; None for real use
    sent_codes: SentCodes = field(default_factory=SentCodes)
    # Why every client talks to ``base_url`` ("--wix-base-url", "WIX_BASE_URL", the demo's
    # sandbox); "" when nothing was given: each profile's own base URL, else Wix's.
    base_url_from: str = ""

    def endpoint(self, credentials: Credentials | None) -> Endpoint:
        """Where ``credentials``' client goes (or a new profile's, for None), and why."""
        if self.base_url_from:
            return Endpoint(self.base_url, self.base_url_from)
        if credentials is not None and credentials.base_url:
            return Endpoint(credentials.base_url, f"profile {credentials.profile}")
        return Endpoint(self.base_url, DEFAULT_SOURCE)

    def new_profile_base_url(self, prefill: str | None) -> str | None:
        """The base URL a profile made in the login form keeps: the one given for this run,
        else the one the profile had (its key was missing), else None (Wix's)."""
        return self.base_url if self.base_url_from else prefill


def build_services(
    paths: Paths,
    *,
    stores: SecretStores | None = None,
    base_url: str = WIX_BASE_URL,
    client_factory: ClientFactory | None = None,
    config: Config | None = None,
    clock: Clock = SYSTEM_CLOCK,
    sandbox: SandboxLink | None = None,
    base_url_from: str = "",
) -> Services:
    """The services with their defaults: the real keyring, Wix's API, the default config, the
    system clock. Raises ValueError for a base URL that is not a usable one.

    ``base_url``: Wix's (the default) lets each profile's own base URL win. Any other one is
    used for every client, said in About as ``base_url_from`` ("--wix-base-url", ...)."""
    url = check_api_url(base_url)
    if url != WIX_BASE_URL and not base_url_from:
        base_url_from = "this app's base URL"
    profiles_choose = not base_url_from
    config = config or Config()
    return Services(
        paths=paths,
        stores=stores or SecretStores(paths),
        config=config,
        clock=clock,
        state=StateStore(paths.state_file, clock),
        client_factory=client_factory
        or default_client_factory(url, profiles_choose=profiles_choose),
        engine=Engine(clock, config, sandbox),
        base_url=url,
        sandbox=sandbox,
        base_url_from=base_url_from,
    )
