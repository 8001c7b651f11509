"""Signing in and out: the app's session, and the profile actions behind the keys and the palette
(open a profile's key, the login form, switch profiles, log out, About).

Where the key comes from at start (keyring.md §0.4): ``WIX_API_KEY``/``WIX_SITE_ID`` first, then
the last used profile's store (the OS keyring in a thread; the encrypted file after its
passphrase; session profiles are never on disk), else the login screen.

:class:`SignInApp` is the base of ``tui.app.WixSendingApp``: it owns ``session``, the reactive
every pane watches. Setting it is the only way in or out.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import var

from tui.screens.confirm import ConfirmScreen
from tui.screens.home import HomeScreen
from tui.services import Services, Session
from tui.store import profiles as profile_store
from tui.store.credentials import ENV_KEY, ENV_SITE, Credentials, from_environment
from tui.store.keyring_store import KeyringFailure
from tui.store.logs import REDACTOR
from tui.store.profiles import Profile, Profiles, Storage
from tui.store.vault import VaultError
from tui.widgets.jobs import Job, RunsJobs, job

if TYPE_CHECKING:
    from tui.screens.login import LoginResult

log = logging.getLogger("tui.signin")


def _is_login(screen: object) -> bool:
    """Whether ``screen`` is the login form (never, while its module is not loaded)."""
    login = sys.modules.get("tui.screens.login")
    return login is not None and isinstance(screen, login.LoginScreen)


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


class StartPrepared(Message):
    """What the start needed is ready (the demo's sandbox runs): sign in with these."""

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self.credentials = credentials


class Problem(Message):
    """A thread met a problem the user must hear of."""

    def __init__(self, text: str, severity: SeverityLevel = "error") -> None:
        super().__init__()
        self.text = text
        self.severity: SeverityLevel = severity


class ProfilesWritten(Message):
    """The profiles file was changed by a thread: adopt what it holds now."""

    def __init__(self, written: profile_store.Updated) -> None:
        super().__init__()
        self.written = written


class SignInApp(RunsJobs, App[None]):
    session: var[Session | None] = var(None)
    """Who is signed in (None: nobody). Panes and screens watch it (``follow_session``)."""

    # Set by the subclass's constructor:
    services: Services
    profiles: Profiles
    home: HomeScreen
    environment_problem: str
    notices: list[str]

    def __init__(self) -> None:
        super().__init__()
        self._opening: str | None = None  # the profile whose key is being fetched
        self._signing = False  # the start's sign-in is under way ("signing in…")

    @property
    def credentials(self) -> Credentials | None:
        return self.session.credentials if self.session is not None else None

    def start_session(self, initial: Credentials | Callable[[], Credentials] | None) -> None:
        """At start: ``initial`` (the demo), else the environment's key, else the last
        profile's, else the login form. Signing in (the client, the panes, the keyring) waits
        for the first frame: until then the status line says "signing in…"."""
        if callable(initial):  # the demo: its sandbox starts after the first frame
            self._signing_in(True)
            self.call_after_refresh(self._prepare_start, initial)
            return
        if initial is not None:
            self._sign_in_after_first_frame(initial)
            return
        found = from_environment()
        if isinstance(found, Credentials):
            self._sign_in_after_first_frame(found)
            return
        if isinstance(found, str):
            # Half-set or unusable: say so, and carry on with the saved profiles.
            self.environment_problem = found
            self.home.show_environment_problem(found)
            self.notify(found, title="Environment", severity="error", timeout=20, markup=False)
        current = self.profiles.current
        if current is None:
            problem = self.environment_problem
            self.show_login(None, f"Environment ignored: {problem}" if problem else "")
        else:
            self._signing_in(True)
            self.call_after_refresh(self._open_at_start, current)

    def _sign_in_after_first_frame(self, credentials: Credentials) -> None:
        # Masked from now on, before anything can log or show it.
        REDACTOR.add(credentials.secret.reveal())
        self._signing_in(True)
        self.call_after_refresh(self._sign_in_at_start, credentials)

    @job(
        "prepare-start",
        "Starting the demo's sandbox",
        "Quit and start the demo again.",
        thread=True,
    )
    def _prepare_start(self, prepare: Callable[[], Credentials]) -> None:
        credentials = prepare()
        REDACTOR.add(credentials.secret.reveal())
        self.post_message(StartPrepared(credentials))

    def on_start_prepared(self, message: StartPrepared) -> None:
        self._sign_in_at_start(message.credentials)

    def _sign_in_at_start(self, credentials: Credentials) -> None:
        if self.session is None:  # nobody signed in meanwhile (a login typed very fast)
            self.sign_in(credentials)
        self._signing_in(False)

    def _open_at_start(self, profile: Profile) -> None:
        if self.session is None and self._opening is None:
            self.open_profile(profile)
        if profile.storage is not Storage.KEYRING:  # else said until the keyring answers
            self._signing_in(False)

    def _signing_in(self, on: bool) -> None:
        """The status line says "signing in…" while the start's sign-in is under way."""
        if on:
            self._signing = True
            self.home.show_signing_in(True)
        elif self._signing:
            self._signing = False
            self.home.show_signing_in(False)

    # --- opening a profile ----------------------------------------------------------------

    def open_profile(self, profile: Profile) -> None:
        """Get ``profile``'s secret from its store, then sign in (or offer the login form)."""
        # A keyring thread cannot be cancelled: only the answer for the latest request counts.
        self._opening = profile.name
        stores = self.services.stores
        if profile.storage is Storage.KEYRING:
            self._load_from_keyring(profile)
        elif profile.storage is Storage.SESSION or stores.vault.unlocked:
            # In memory already: no thread, no prompt.
            self._opened(profile, stores.credentials(profile), "")
        elif not stores.vault.exists:
            self._opened(
                profile,
                None,
                f"The encrypted secrets file {self.services.paths.secrets_file} is missing, so "
                f"the key of profile {profile.name} is gone. Log in again.",
            )
        else:

            def unlocked(ok: bool | None) -> None:
                if ok:
                    self._opened(profile, stores.credentials(profile), "")
                else:
                    self._opened(profile, None, "The encrypted file stayed locked.")

            from tui.screens.passphrase import PassphraseScreen

            self.push_screen(PassphraseScreen(stores.vault, profile.name), unlocked)

    @job(
        "open-profile",
        "Reading the profile's key from the OS keyring",
        "Enter the key in the login form to go on.",
        thread=True,
    )
    def _load_from_keyring(self, profile: Profile) -> None:
        # Each keyring call has its own timeout, but still blocks this thread until then.
        try:
            credentials, problem = self.services.stores.credentials(profile), ""
        except KeyringFailure as exc:
            credentials, problem = None, f"The OS keyring could not give the key: {exc}"
        self.post_message(SecretLoaded(profile, credentials, problem))

    def on_secret_loaded(self, message: SecretLoaded) -> None:
        if message.profile.name == self._opening:
            self._opened(message.profile, message.credentials, message.problem)

    def _opened(self, profile: Profile, credentials: Credentials | None, problem: str) -> None:
        self._signing_in(False)
        if credentials is None:
            why = problem or (
                f"No key is stored for profile {profile.name} in "
                f"{self.services.stores.describe(profile.storage)}."
            )
            self.show_login(profile, f"{why} Enter the key again to use profile {profile.name}.")
            return
        if not self.sign_in(credentials):
            return
        if _is_login(self.screen):
            # Another profile was picked (F2) while the form was up: the form is done with.
            self.screen.dismiss(None)
        if self.profiles.last_used != profile.name:
            self.profiles = replace(self.profiles, last_used=profile.name)
            if profile.storage is not Storage.SESSION:
                self._save_profiles()

    # --- in and out -----------------------------------------------------------------------

    def sign_in(self, credentials: Credentials) -> bool:
        # Before anything can log or show it: from now on the key is masked everywhere.
        REDACTOR.add(credentials.secret.reveal())
        try:
            client = self.services.client_factory(credentials)
        except ValueError as exc:
            self.notify(str(exc), title="Cannot use this key", severity="error", markup=False)
            return False
        self.session = Session(credentials, client)
        log.info("signed in: profile %s, key from %s", credentials.profile, credentials.source)
        return True

    def sign_out(self) -> None:
        self.session = None

    def _refused_for_environment(self, what: str) -> bool:
        if self.credentials is not None and self.credentials.from_environment:
            self.notify(environment_refusal(what), severity="warning", timeout=10, markup=False)
            return True
        return False

    def show_login(self, prefill: Profile | None = None, message: str = "") -> None:
        from tui.screens.login import LoginScreen  # loaded when first shown, not at start

        if isinstance(self.screen, LoginScreen):
            self.screen.profiles = self.profiles
            self.screen.prefill(prefill, message)
            return
        screen = LoginScreen(
            self.profiles, prefill=prefill, message=message, can_cancel=self.session is not None
        )
        self.push_screen(screen, self._logged_in)

    def _logged_in(self, result: LoginResult | None) -> None:
        if result is None:
            return
        self.profiles = result.profiles
        if result.notice:
            self.notify(result.notice, severity="warning", timeout=20, markup=False)
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
        if profile is None or credentials is None:
            self.notify("Not signed in: there is nothing to log out of.", markup=False)
            return
        body = (
            f"This deletes the key of profile {profile.name} (site {profile.site_id}) from "
            f"{credentials.source} and removes the profile. To use the site again you will "
            "need its API key."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._logout(profile, credentials.source)

        self.push_screen(
            ConfirmScreen(f"Log out of profile {profile.name}?", body, "Log out"), answered
        )

    @job("logout", "Logging out", "The profile is kept; press l to try again.")
    async def _logout(self, profile: Profile, where: str) -> None:
        try:
            # Keyring calls block up to their timeout: a thread, never the event loop.
            await asyncio.to_thread(self.services.stores.delete, profile)
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
            written = await asyncio.to_thread(
                self._write_profiles,
                lambda current: profile_store.without_profile(current, profile.name),
            )
        except OSError as exc:
            self.notify(
                f"The profiles file could not be written: {exc}", severity="error", markup=False
            )
        else:
            self._adopt_profiles(written, self.profiles)
        self.sign_out()
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
            stores=self.services.stores,
            config_file=self.services.config.path or self.services.paths.config_file,
            credentials=self.credentials,
            problems=tuple(p for p in problems if p),
            api=self.services.endpoint(self.credentials).describe(),
        )
        self.push_screen(AboutScreen(facts))

    # --- profiles.toml --------------------------------------------------------------------

    def _write_profiles(
        self, change: Callable[[profile_store.Profiles], profile_store.Profiles]
    ) -> profile_store.Updated:
        """Apply ``change`` to the profiles file as it is now, under its lock (another
        wix-sending may have changed it since this app read it). Blocking: from a thread."""
        return profile_store.update(self.services.paths.profiles_file, change)

    def _adopt_profiles(self, written: profile_store.Updated, memory: Profiles) -> None:
        """What the file holds now, with this app's session-only profiles."""
        self.profiles = profile_store.with_session_profiles(written.profiles, memory)
        if written.notice:
            self.notify(written.notice, severity="warning", timeout=20, markup=False)

    @job(
        "save-profiles",
        "Saving the profiles file",
        "The profile is in use; it is saved again at the next change.",
        thread=True,
        exclusive=False,
    )
    def _save_profiles(self) -> None:
        """Save which profile was used last."""
        name = self.profiles.last_used
        if name is None:
            return
        try:
            written = self._write_profiles(
                lambda current: profile_store.with_last_used(current, name)
            )
        except OSError as exc:
            self.post_message(Problem(f"The profiles file could not be written: {exc}"))
            return
        self.post_message(ProfilesWritten(written))

    def on_profiles_written(self, message: ProfilesWritten) -> None:
        self._adopt_profiles(message.written, self.profiles)

    def on_problem(self, message: Problem) -> None:
        self.notify(message.text, severity=message.severity, timeout=15, markup=False)

    # --- state.json ------------------------------------------------------------------------

    @job(
        "load-state",
        "Reading the saved domain times",
        "They are read again when a domain is opened.",
        thread=True,
    )
    def _load_state(self) -> None:
        """Read state.json at start, off the event loop, so what was wrong with it (moved
        aside, unreadable) is said once, with the other start-up notices."""
        notice = self.services.state.load()
        if notice:
            self.post_message(Problem(notice, severity="warning"))

    # --- after a failed job -----------------------------------------------------------------

    def recover(self, failed: Job, error: BaseException) -> str | None:
        self._signing_in(False)
        if failed.group == "open-profile" and self._opening is not None:
            profile = self.profiles.profiles.get(self._opening)
            if profile is not None and self.session is None:
                self.show_login(profile, f"The key of profile {profile.name} could not be read.")
        return None
