"""The Textual app: wiring, the session (who is signed in), bindings, palette and crash hook.

Everything the app touches comes in through the constructor (paths, secret stores, the Wix base
URL, a client factory, the config, the profiles), so tests hand it a temporary home, an in-memory
keyring and the sandbox. :func:`run_app` is what the ``wix-sending`` command calls.

Where the key comes from at start (keyring.md §0.4): ``WIX_API_KEY``/``WIX_SITE_ID`` first, then
the last used profile's store (the OS keyring in a thread; the encrypted file after its
passphrase; session profiles are never on disk), else the login screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import textual.constants
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import WorkerFailed

from tui.clock import SYSTEM_CLOCK, Clock
from tui.screens.crash import crash_report
from tui.screens.home import HomeScreen
from tui.screens.login import LoginResult, LoginScreen
from tui.screens.palette import KeyCommands, SessionCommands
from tui.secret import Secret
from tui.store import config as config_store
from tui.store import profiles as profile_store
from tui.store.config import Config
from tui.store.credentials import (
    ENV_KEY,
    ENV_SITE,
    Credentials,
    SecretStores,
    from_environment,
)
from tui.store.keyring_store import KeyringFailure
from tui.store.logs import REDACTOR, setup_logging
from tui.store.paths import Paths, app_paths
from tui.store.profiles import AuthKind, Profile, Profiles, Storage
from tui.store.state_store import StateStore
from tui.store.vault import VaultError
from tui.wix.urls import WIX_BASE_URL, check_base_url

if TYPE_CHECKING:
    # Imported where used: httpx and the DNS stack are not needed for the first frame.
    from tui.demo import SandboxLink
    from tui.wix import WixClient

log = logging.getLogger("tui.app")
HERE = Path(__file__).parent

ClientFactory = Callable[[Credentials], "WixClient"]

EXIT_OK = 0
EXIT_USAGE = 2


def default_client_factory(base_url: str) -> ClientFactory:
    """Builds the real client for a set of credentials (API key or OAuth app)."""

    def build(credentials: Credentials) -> WixClient:
        from tui.wix import ApiKeyAuth, OAuthAuth, WixClient

        if credentials.auth is AuthKind.OAUTH:
            auth: ApiKeyAuth | OAuthAuth = OAuthAuth(
                credentials.app_id or "",
                credentials.secret,
                credentials.instance_id or "",
                site_id=credentials.site_id,
            )
        else:
            auth = ApiKeyAuth(credentials.secret, credentials.site_id)
        return WixClient(auth, base_url=base_url)

    return build


DEBUG_LOG_WARNING = (
    "Textual's debug log is on (TEXTUAL_LOG, or textual run --dev). It records every key press "
    "and paste, so a key typed or pasted into the login form would be in it. Turn it off "
    "unless you are debugging."
)


def textual_debug_log_on(app: App[object]) -> bool:
    return bool(textual.constants.LOG_FILE) or app.devtools is not None


def environment_refusal(what: str) -> str:
    return (
        f"{what} is off: {ENV_KEY} and {ENV_SITE} are set, and they take precedence over saved "
        "profiles. Unset both and restart the app to use saved profiles."
    )


class SecretLoaded(Message):
    """A profile's secret came back from the keyring thread (or did not)."""

    def __init__(self, profile: Profile, credentials: Credentials | None, problem: str) -> None:
        super().__init__()
        self.profile = profile
        self.credentials = credentials
        self.problem = problem


class Problem(Message):
    """A thread met a problem the user must hear of."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class WixSendingApp(App[None]):
    TITLE = "wix-sending"
    # Textual 8.2.8 loads a screen's CSS_PATH when the screen is pushed, but not for the screen
    # get_default_screen() returns, and never a widget's: home's stylesheet and its panes' are
    # named here (which also puts them under `textual run --dev`'s live reload). Absolute,
    # because relative paths are read next to the module of the (sub)class that is running.
    CSS_PATH = [
        HERE / "app.tcss",
        *(HERE / "screens" / name for name in ("home.tcss", "senders.tcss", "domains.tcss")),
    ]
    COMMANDS = App.COMMANDS | {SessionCommands, KeyCommands}
    BINDINGS: list[BindingType] = [
        Binding("ctrl+q", "quit", "Quit", id="quit-app", priority=True, show=False),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        *,
        paths: Paths,
        stores: SecretStores | None = None,
        base_url: str = WIX_BASE_URL,
        client_factory: ClientFactory | None = None,
        config: Config | None = None,
        profiles: Profiles | None = None,
        notices: Sequence[str] = (),
        clock: Clock = SYSTEM_CLOCK,
        sandbox: SandboxLink | None = None,
        initial_credentials: Credentials | None = None,
    ) -> None:
        """``clock``: everything that waits or counts down reads it (the demo passes the
        sandbox's fast clock). ``sandbox``: set in demo mode only; it enables the
        sandbox-only actions (read the mailbox, publish the records) and the SANDBOX badge."""
        super().__init__()
        self.clock = clock
        self.sandbox = sandbox
        self.initial_credentials = initial_credentials
        self.state = StateStore(paths.state_file, clock)
        self.paths = paths
        self.stores = stores or SecretStores(paths)
        self.base_url = check_base_url(base_url)
        self.client_factory = client_factory or default_client_factory(self.base_url)
        self.config = config or Config()
        self.profiles = (
            profiles if profiles is not None else profile_store.load(paths.profiles_file)
        )
        # Problems met before the app started (config file, profiles file): said once, at start.
        self.notices = [notice for notice in (*notices, self.profiles.problem) if notice]
        self.credentials: Credentials | None = None
        self.client: WixClient | None = None
        self.environment_problem = ""
        self.home = HomeScreen()
        self._crash: BaseException | None = None
        self._opening: str | None = None
        self._save_lock = threading.Lock()

    def get_default_screen(self) -> Screen[None]:
        # Home is always at the bottom of the stack; login and the modals go on top of it.
        return self.home

    # --- start ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._apply_config()
        if textual_debug_log_on(self):
            self.notices.append(DEBUG_LOG_WARNING)
        for notice in self.notices:
            self.notify(notice, title="At start", severity="warning", timeout=15, markup=False)
        if self.initial_credentials is not None:  # the demo: signed in to the sandbox site
            self.sign_in(self.initial_credentials)
            return
        found = from_environment()
        if isinstance(found, Credentials):
            self.sign_in(found)
            return
        if isinstance(found, str):
            # Half-set or unusable: say so, and carry on with the saved profiles.
            self.environment_problem = found
            self.home.show_session(None, found)
            self.notify(found, title="Environment", severity="error", timeout=20, markup=False)
        current = self.profiles.current
        if current is None:
            problem = self.environment_problem
            self.show_login(None, f"Environment ignored: {problem}" if problem else "")
        else:
            self.open_profile(current)

    def _apply_config(self) -> None:
        theme = self.config.theme
        if theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                known = ", ".join(sorted(self.available_themes))
                self.notices.append(f"Unknown theme {theme!r} in the config; known: {known}.")
        keymap = self.config.keymap
        if not keymap:
            return
        unknown = sorted(set(keymap) - known_binding_ids())
        if unknown:
            self.notices.append(
                f"The config's [keymap] names unknown binding id(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known_binding_ids()))}."
            )
        self.set_keymap(keymap)

    # --- opening a profile ----------------------------------------------------------------

    def open_profile(self, profile: Profile) -> None:
        """Get ``profile``'s secret from its store, then sign in (or offer the login form)."""
        # A keyring thread cannot be cancelled: only the answer for the latest request counts.
        self._opening = profile.name
        if profile.storage is Storage.KEYRING:
            self._load_from_keyring(profile)
        elif profile.storage is Storage.SESSION or self.stores.vault.unlocked:
            # In memory already: no thread, no prompt.
            self._opened(profile, self.stores.credentials(profile), "")
        elif not self.stores.vault.exists:
            self._opened(
                profile,
                None,
                f"The encrypted secrets file {self.paths.secrets_file} is missing, so the key "
                f"of profile {profile.name} is gone. Log in again.",
            )
        else:

            def unlocked(ok: bool | None) -> None:
                if ok:
                    self._opened(profile, self.stores.credentials(profile), "")
                else:
                    self._opened(profile, None, "The encrypted file stayed locked.")

            from tui.screens.passphrase import PassphraseScreen

            self.push_screen(PassphraseScreen(self.stores.vault, profile.name), unlocked)

    @work(thread=True, exclusive=True, group="open-profile", exit_on_error=False)
    def _load_from_keyring(self, profile: Profile) -> None:
        # Each keyring call has its own timeout, but still blocks this thread until then.
        try:
            credentials, problem = self.stores.credentials(profile), ""
        except KeyringFailure as exc:
            credentials, problem = None, f"The OS keyring could not give the key: {exc}"
        self.post_message(SecretLoaded(profile, credentials, problem))

    def on_secret_loaded(self, message: SecretLoaded) -> None:
        if message.profile.name == self._opening:
            self._opened(message.profile, message.credentials, message.problem)

    def _opened(self, profile: Profile, credentials: Credentials | None, problem: str) -> None:
        if credentials is None:
            why = problem or (
                f"No key is stored for profile {profile.name} in "
                f"{self.stores.describe(profile.storage)}."
            )
            self.show_login(profile, f"{why} Enter the key again to use profile {profile.name}.")
            return
        if not self.sign_in(credentials):
            return
        if isinstance(self.screen, LoginScreen):
            # Another profile was picked (F2) while the form was up: the form is done with.
            self.screen.dismiss(None)
        if self.profiles.last_used != profile.name:
            self.profiles = replace(self.profiles, last_used=profile.name)
            if profile.storage is not Storage.SESSION:
                self._save_profiles()

    # --- the session ----------------------------------------------------------------------

    def sign_in(self, credentials: Credentials) -> bool:
        # Before anything can log or show it: from now on the key is masked everywhere.
        REDACTOR.add(credentials.secret.reveal())
        try:
            client = self.client_factory(credentials)
        except ValueError as exc:
            self.notify(str(exc), title="Cannot use this key", severity="error", markup=False)
            return False
        self._replace_client(client)
        self.credentials = credentials
        self.sub_title = f"profile {credentials.profile} · site {credentials.site_id}"
        self.home.show_session(credentials, self.environment_problem)
        log.info("signed in: profile %s, key from %s", credentials.profile, credentials.source)
        return True

    def _sign_out(self) -> None:
        self._replace_client(None)
        self.credentials = None
        self.sub_title = "not signed in"
        self.home.show_session(None, self.environment_problem)

    def _replace_client(self, client: WixClient | None) -> None:
        old, self.client = self.client, client
        if old is not None:
            self.run_worker(old.aclose(), group="close-client", exit_on_error=False)

    async def on_unmount(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.aclose()
        if self.sandbox is not None:
            with contextlib.suppress(Exception):
                await self.sandbox.aclose()

    def _refused_for_environment(self, what: str) -> bool:
        if self.credentials is not None and self.credentials.from_environment:
            self.notify(environment_refusal(what), severity="warning", timeout=10, markup=False)
            return True
        return False

    def show_login(self, prefill: Profile | None = None, message: str = "") -> None:
        if isinstance(self.screen, LoginScreen):
            self.screen.profiles = self.profiles
            self.screen.prefill(prefill, message)
            return
        screen = LoginScreen(
            self.stores,
            self.profiles,
            self.client_factory,
            prefill=prefill,
            message=message,
            can_cancel=self.credentials is not None,
        )
        self.push_screen(screen, self._logged_in)

    def _logged_in(self, result: LoginResult | None) -> None:
        if result is None:
            return
        self.profiles = result.profiles
        if self.sign_in(result.credentials):
            self.notify(
                f"Key accepted by Wix and kept in {result.credentials.source}.",
                title=f"Profile {result.credentials.profile}",
                markup=False,
            )

    # --- actions (keys on the home screen and entries in the palette) ---------------------

    def action_add_profile(self) -> None:
        if not self._refused_for_environment("Adding a profile"):
            self.show_login()

    def action_switch_profile(self) -> None:
        if self._refused_for_environment("Switching profiles"):
            return
        if not self.profiles.profiles:
            self.notify("No saved profiles yet: add one first.", markup=False)
            return
        current = self.credentials.profile if self.credentials else None

        def chosen(name: str | None) -> None:
            if name is None or name == current or name not in self.profiles.profiles:
                return
            self.open_profile(self.profiles.profiles[name])

        from tui.screens.profiles import ProfilesScreen

        self.push_screen(ProfilesScreen(self.profiles, current), chosen)

    def action_logout(self) -> None:
        if self._refused_for_environment("Logging out"):
            return
        credentials = self.credentials
        profile = self.profiles.profiles.get(credentials.profile) if credentials else None
        if profile is None:
            self.notify("Not signed in: there is nothing to log out of.", markup=False)
            return
        assert credentials is not None
        body = (
            f"This deletes the key of profile {profile.name} (site {profile.site_id}) from "
            f"{credentials.source} and removes the profile. To use the site again you will "
            "need its API key."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._logout(profile, credentials.source)

        self.push_screen(
            confirm_screen(f"Log out of profile {profile.name}?", body, "Log out"), answered
        )

    @work(exclusive=True, group="logout", exit_on_error=False)
    async def _logout(self, profile: Profile, where: str) -> None:
        try:
            # Keyring calls block up to their timeout: a thread, never the event loop.
            await asyncio.to_thread(self.stores.delete, profile)
        except (KeyringFailure, VaultError) as exc:
            self.notify(
                f"The key of {profile.name} could not be deleted ({exc}). The profile is kept; "
                "try again.",
                severity="error",
                markup=False,
            )
            return
        self.profiles = profile_store.without_profile(self.profiles, profile.name)
        try:
            await asyncio.to_thread(self._write_profiles)
        except OSError as exc:
            self.notify(
                f"{self.paths.profiles_file} could not be written: {exc}",
                severity="error",
                markup=False,
            )
        self._sign_out()
        self.notify(
            f"Logged out of {profile.name}: its key was deleted from {where} and the profile "
            "removed.",
            markup=False,
        )
        others = " Or press F2 to use another saved profile." if self.profiles.profiles else ""
        self.show_login(None, f"Logged out of {profile.name}.{others}")

    def action_about(self) -> None:
        from tui.screens.about import AboutFacts, AboutScreen

        if isinstance(self.screen, AboutScreen):
            return
        problems = (*self.notices, self.environment_problem)
        facts = AboutFacts(
            stores=self.stores,
            config_file=self.config.path or self.paths.config_file,
            credentials=self.credentials,
            problems=tuple(p for p in problems if p),
        )
        self.push_screen(AboutScreen(facts))

    # --- profiles.toml --------------------------------------------------------------------

    def _write_profiles(self) -> None:
        """Write the latest profiles (blocking; call from a thread). The lock and reading
        ``self.profiles`` inside it mean the last write always holds the newest state."""
        with self._save_lock:
            profile_store.save(self.paths.profiles_file, self.profiles)

    @work(thread=True, group="save-profiles", exit_on_error=False)
    def _save_profiles(self) -> None:
        try:
            self._write_profiles()
        except OSError as exc:
            self.post_message(Problem(f"{self.paths.profiles_file} could not be written: {exc}"))

    def on_problem(self, message: Problem) -> None:
        self.notify(message.text, severity="error", timeout=15, markup=False)

    # --- crashes --------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        # Keep the error: Textual's _fatal_error reads sys.exc_info(), which is empty when a
        # worker's failure is reported outside its except block.
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Replaces Textual 8.2.8's crash output, which shows every local variable of every
        frame (``show_locals=True``), so a key in a local would be printed. Ours has no locals
        and masks secrets; pinned by tests/ui/test_crash.py. Private API: re-check on upgrades."""
        error = self._crash if self._crash is not None else sys.exc_info()[1]
        if isinstance(error, WorkerFailed):
            error = error.error
        self.bell()
        log_file = None
        if error is not None and logging.getLogger().hasHandlers():
            # The log file's filter scrubs secrets; with no handler at all, logging would print
            # to stderr, under the running app.
            log.error("the app crashed", exc_info=(type(error), error, error.__traceback__))
            log_file = self.paths.log_file
        self._exit_renderables.append(crash_report(error, self.console.width, log_file))
        self._close_messages_no_wait()


def confirm_screen(title: str, body: str, action: str) -> Screen[bool]:
    from tui.screens.confirm import ConfirmScreen

    return ConfirmScreen(title, body, action)


def known_binding_ids() -> set[str]:
    """Every binding id a [keymap] in the config may name. (The screens are imported here,
    not at the top: only a config with a [keymap] needs them, and not before the first frame.)"""
    from tui.screens.about import AboutScreen
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.passphrase import PassphraseScreen
    from tui.screens.profiles import ProfilesScreen
    from tui.screens.senders import KEYMAP_OWNERS as SENDERS

    try:
        from tui.screens.domains import KEYMAP_OWNERS as DOMAINS
    except ImportError:  # the domains pane may not name its owners
        DOMAINS = ()

    screens: Iterable[type[object]] = (
        WixSendingApp,
        HomeScreen,
        LoginScreen,
        ProfilesScreen,
        AboutScreen,
        ConfirmScreen,
        PassphraseScreen,
        *SENDERS,
        *DOMAINS,
    )
    return {
        binding.id
        for screen in screens
        for binding in getattr(screen, "BINDINGS", [])
        if isinstance(binding, Binding) and binding.id
    }


def _no_core_dumps() -> None:
    """A core dump would hold the key in clear (keyring.md §5 "Memory")."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_app(paths: Paths | None = None, base_url: str | None = None) -> int:
    """Run the TUI until the user quits; the exit code for the command."""
    paths = paths or app_paths()
    try:
        url = check_base_url(base_url or WIX_BASE_URL)
    except ValueError as exc:
        # The app has not started: the terminal is still ours to print on.
        print(f"wix-sending: {exc}", file=sys.stderr)
        return EXIT_USAGE
    loaded = config_store.load(paths.config_file)
    try:
        handler: logging.Handler = setup_logging(paths)
    except OSError as exc:
        print(f"wix-sending: no log file ({exc}); carrying on without one.", file=sys.stderr)
        # Without any handler, logging's last resort would write on the app's screen.
        handler = logging.NullHandler()
        logging.getLogger().addHandler(handler)
    _no_core_dumps()
    try:
        app = WixSendingApp(
            paths=paths,
            stores=SecretStores(paths),
            base_url=url,
            config=loaded.config,
            profiles=profile_store.load(paths.profiles_file),
            notices=[loaded.problem],
        )
        app.run()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    return app.return_code or EXIT_OK


def run_demo(scenario: str = "fresh", time_scale: float = 60.0) -> int:
    """The app against the sandbox (Wix API and DNS world) started in this process on
    loopback, signed in to the scenario's site, with a throwaway home so nothing of the user's
    (profiles, state, keyring) is read or written."""
    import tempfile

    from tui.demo import SandboxLink
    from tui.sandbox import SCENARIOS, SandboxServer

    if scenario not in SCENARIOS:
        print(
            f"wix-sending: unknown scenario {scenario!r}; choose one of: "
            f"{', '.join(sorted(SCENARIOS))}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="wix-sending-demo-") as home:
        paths = Paths(*(Path(home) / part for part in ("config", "data", "state", "logs")))
        server = SandboxServer(scenario=scenario, port=0, time_scale=time_scale)
        server.start()
        handler = _demo_logging(paths)
        try:
            creds = server.credentials[0]
            credentials = Credentials(
                profile=f"demo ({scenario})",
                site_id=creds.site_id,
                secret=Secret(creds.api_key),
                source="the sandbox (demo, nothing is stored)",
            )
            app = WixSendingApp(
                paths=paths,
                stores=SecretStores(paths),
                base_url=server.base_url,
                config=config_store.load(app_paths().config_file).config,
                profiles=Profiles(),
                clock=server.clock,
                sandbox=SandboxLink.from_server(server),
                initial_credentials=credentials,
            )
            app.run()
        finally:
            logging.getLogger().removeHandler(handler)
            handler.close()
            server.stop()
    return app.return_code or EXIT_OK


def _demo_logging(paths: Paths) -> logging.Handler:
    try:
        return setup_logging(paths)
    except OSError:
        handler = logging.NullHandler()
        logging.getLogger().addHandler(handler)
        return handler


__all__ = ["ClientFactory", "WixSendingApp", "default_client_factory", "run_app", "run_demo"]
