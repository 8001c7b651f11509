"""The login screen: profile name, site ID, API key and where to keep the key.

Keyboard first: Tab walks name → site ID → key → storage → passphrase(s) → button, Enter in any
field submits, Esc cancels when there is a screen to go back to. Nothing is saved until every
field is right *and* one cheap API call has accepted the key (keyring.md §5: "test connection"
without echoing the key).

Slightly over the 400 lines we aim for: the storage choice and its passphrase fields are the
next candidate for a widget of their own.
"""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, RadioButton, RadioSet

from tui.login import (
    KEYS_PAGE,
    NOTHING_SAVED,
    LoginForm,
    LoginResult,
    check_key,
    default_name,
    forget_unwritten_vault,
    key_problem,
    save_login,
)
from tui.secret import Secret
from tui.store.credentials import Credentials
from tui.store.keyring_store import (
    SERVER_RECIPE,
    KeyringFailure,
    KeyringState,
    KeyringStatus,
)
from tui.store.logs import REDACTOR
from tui.store.profiles import InvalidProfile, Profile, Profiles, Storage, check_name, check_site_id
from tui.store.vault import VaultError
from tui.widgets.fields import ErrorLine, MarkedRadioButton, Note, SecretInput
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, job

# API keys only: OAuth app profiles are not made from this form.
API_KEY_HINT = (
    f"Create a key at {KEYS_PAGE} with the Sending Domains and Sender Emails permissions."
)
NO_STORAGE = "Choose where to keep the key."
UNUSABLE = {
    KeyringState.UNAVAILABLE: "none on this machine",
    KeyringState.LOCKED: "locked",
    KeyringState.BROKEN: "failing",
    KeyringState.TIMEOUT: "not answering",
    KeyringState.OK: "ok",
}


def keyring_hint(status: KeyringStatus) -> str:
    """Why the OS keyring cannot be chosen, short enough for the form at 80x24 (About and
    ``wix-sending paths`` say it in full)."""
    if status.state is KeyringState.UNAVAILABLE:
        return "No OS keyring here (usual over SSH): the README says how to set one up."
    return status.hint.replace(SERVER_RECIPE, "See the README.").strip()


STORAGE_LABELS = {
    Storage.KEYRING: "OS keyring",
    Storage.ENCRYPTED_FILE: "Encrypted file (passphrase)",
    Storage.SESSION: "This session only (forgotten when the app exits)",
}


class LoginScreen(UsesServices, RunsJobs, Screen[LoginResult | None]):
    CSS_PATH = "login.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-login"),
        Binding("f2", "profiles", "Other profiles", id="login-switch-profile"),
    ]

    class KeyringProbed(Message):
        def __init__(self, status: KeyringStatus) -> None:
            super().__init__()
            self.status = status

    def __init__(
        self,
        profiles: Profiles,
        *,
        prefill: Profile | None = None,
        message: str = "",
        can_cancel: bool = False,
    ) -> None:
        super().__init__(id="login")
        self.profiles = profiles
        self.can_cancel = can_cancel
        self._prefill = prefill
        self._message = message
        self._keyring: KeyringStatus | None = None
        self._busy = False

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # 80x24 is the design size: one line per field (compact inputs, the label beside it),
        # so the whole form, the encrypted file's passphrases included, fits without scrolling.
        yield Header()
        with VerticalScroll(id="login-form"):
            yield Note("Log in to a Wix site", classes="title")
            yield Note("", id="login-message", classes="notice")
            with Horizontal(classes="field-row"):
                yield Label("Profile name", classes="field-label")
                yield Input(id="name", placeholder="a short name, e.g. acme", compact=True)
            yield ErrorLine(id="name-error")
            with Horizontal(classes="field-row"):
                yield Label("Site ID", classes="field-label")
                yield Input(
                    id="site",
                    placeholder="the GUID after /dashboard/ in the dashboard URL",
                    compact=True,
                )
            yield ErrorLine(id="site-error")
            with Horizontal(classes="field-row"):
                yield Label("API key", classes="field-label")
                yield SecretInput(id="key", placeholder="IST.… (shown as dots)", compact=True)
            yield ErrorLine(id="key-error")
            yield Note(API_KEY_HINT, classes="hint")
            yield Label("Keep the key in", id="storage-label")
            with RadioSet(id="storage", compact=True):
                yield MarkedRadioButton(
                    f"{STORAGE_LABELS[Storage.KEYRING]} (checking…)",
                    id="storage-keyring",
                    disabled=True,
                )
                yield MarkedRadioButton(
                    STORAGE_LABELS[Storage.ENCRYPTED_FILE], id="storage-encrypted-file"
                )
                yield MarkedRadioButton(STORAGE_LABELS[Storage.SESSION], id="storage-session")
            yield Note("", id="keyring-hint", classes="hint")
            yield ErrorLine(id="storage-error")
            with Vertical(id="vault-fields"):
                yield Note("", id="vault-note", classes="hint")
                with Vertical(id="passphrase-row"):
                    with Horizontal(classes="field-row"):
                        yield Label("Passphrase", classes="field-label")
                        yield SecretInput(id="passphrase", compact=True)
                    yield ErrorLine(id="passphrase-error")
                with Vertical(id="confirm-row"):
                    with Horizontal(classes="field-row"):
                        yield Label("Again", classes="field-label")
                        yield SecretInput(
                            id="confirm", placeholder="the same passphrase", compact=True
                        )
                    yield ErrorLine(id="confirm-error")
            yield Note("", id="status", classes="hint")
            yield ErrorLine(id="form-error")
            with Horizontal(id="login-buttons"):
                yield Button("Check key and save", id="submit", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).display = self.can_cancel
        for hidden in ("#vault-fields", "#status", "#keyring-hint"):
            self.query_one(hidden).display = False
        self.prefill(self._prefill, self._message)
        # The probe can block for the keyring's timeout, and importing keyring and its
        # backends in that thread holds the GIL for a while: the form paints first.
        self.call_after_refresh(self._probe_keyring)

    def prefill(self, profile: Profile | None, message: str = "") -> None:
        """Fill the form for ``profile`` (its key is asked again), with a line saying why."""
        self._prefill = profile
        note = self.query_one("#login-message", Note)
        note.update(message)
        note.display = bool(message)
        name = self.query_one("#name", Input)
        name.value = profile.name if profile else default_name(self.profiles)
        self.query_one("#site", Input).value = profile.site_id if profile else ""
        self.query_one("#key", Input).value = ""  # a key typed for another profile
        for line in self.query(ErrorLine):
            line.clear()
        if profile and (profile.storage is not Storage.KEYRING or self._keyring_usable):
            self.query_one(f"#storage-{profile.storage.value}", RadioButton).value = True
        # A new login starts at the first field; a profile whose key is asked again, at the key
        # (its name and site ID are filled in already).
        self.query_one("#key" if profile else "#name", Input).focus()
        self.refresh_bindings()  # "Other profiles" depends on self.profiles

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.can_cancel
        if action == "profiles":
            return bool(self.profiles.profiles)
        return True

    # --- the keyring probe --------------------------------------------------------------

    @property
    def _keyring_usable(self) -> bool:
        return self._keyring is not None and self._keyring.usable

    @job(
        "keyring-probe",
        "Checking the OS keyring",
        "Keep the key in the encrypted file or for this session instead.",
        thread=True,
    )
    def _probe_keyring(self) -> None:
        # post_message is thread-safe, and is dropped if the screen has gone meanwhile.
        self.post_message(self.KeyringProbed(self.services.stores.keyring.status()))

    def on_login_screen_keyring_probed(self, message: KeyringProbed) -> None:
        status = self._keyring = message.status
        button = self.query_one("#storage-keyring", RadioButton)
        hint = self.query_one("#keyring-hint", Note)
        if status.usable:
            button.disabled = False
            button.label = f"{STORAGE_LABELS[Storage.KEYRING]} ({status.backend})"
            hint.update("")
            hint.display = False
        else:
            button.label = f"{STORAGE_LABELS[Storage.KEYRING]} ({UNUSABLE[status.state]})"
            hint.update(keyring_hint(status))
            hint.display = True
        self._choose_default()

    def _choose_default(self) -> None:
        """Unless the user chose already: the best store there is. The OS keyring when it
        works (and the profile being fixed did not use another), else the encrypted file;
        "this session only" is never chosen for the user."""
        if self._storage() is not None:
            return
        wanted = self._prefill.storage if self._prefill is not None else Storage.KEYRING
        if wanted is Storage.KEYRING and not self._keyring_usable:
            wanted = Storage.ENCRYPTED_FILE
        self.query_one(f"#storage-{wanted.value}", RadioButton).value = True

    # --- storage choice -----------------------------------------------------------------

    def _storage(self) -> Storage | None:
        pressed = self.query_one("#storage", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return None
        return Storage(pressed.id.removeprefix("storage-"))

    @on(RadioSet.Changed, "#storage")
    def _storage_changed(self) -> None:
        self.query_one("#storage-error", ErrorLine).clear()
        self._show_vault_fields()

    def _show_vault_fields(self) -> None:
        box = self.query_one("#vault-fields")
        box.display = self._storage() is Storage.ENCRYPTED_FILE
        vault = self.services.stores.vault
        note = self.query_one("#vault-note", Note)
        passphrase_row = self.query_one("#passphrase-row")
        confirm_row = self.query_one("#confirm-row")
        if vault.unlocked:
            note.update(f"The encrypted file {vault.path} is open; the key will be added to it.")
            passphrase_row.display = confirm_row.display = False
        elif vault.exists:
            note.update(f"The key will be added to the encrypted file {vault.path}.")
            passphrase_row.display, confirm_row.display = True, False
        else:
            note.update(
                f"A new encrypted file {vault.path}, only yours. Its passphrase cannot be "
                "recovered; the app asks for it at start."
            )
            passphrase_row.display = confirm_row.display = True

    # --- submitting ---------------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self.can_cancel:
            return
        if self._busy:
            # Leaving mid-save could store a key whose profile the app never hears of.
            self.notify("Wait a moment: the key is being checked or saved.", markup=False)
            return
        self.dismiss(None)

    async def action_profiles(self) -> None:
        await self.app.run_action("switch_profile")

    def action_submit(self) -> None:
        if self._busy:
            return
        form = self._read_form()
        if form is not None:
            self._set_busy(True)
            self._check_and_save(form)

    def _read_form(self) -> LoginForm | None:
        """The form, or None after showing every problem inline."""
        for line in self.query(ErrorLine):
            line.clear()
        errors: dict[str, str] = {}
        name = site_id = ""
        try:
            name = check_name(self.query_one("#name", Input).value)
        except InvalidProfile as exc:
            errors["name"] = str(exc)
        try:
            site_id = check_site_id(self.query_one("#site", Input).value)
        except InvalidProfile as exc:
            errors["site"] = str(exc)
        key = self.query_one("#key", Input).value.strip()
        if key:
            # Registered at once: whatever is logged from here on cannot carry it.
            REDACTOR.add(key)
        if problem := key_problem(key):
            errors["key"] = problem
        storage = self._storage()
        if storage is None:
            errors["storage"] = NO_STORAGE
        passphrase = self._passphrase(errors) if storage is Storage.ENCRYPTED_FILE else None
        if errors:
            for field, message in errors.items():
                self.query_one(f"#{field}-error", ErrorLine).show(message)
            first = next(iter(errors))
            self.query_one(f"#{first}").focus()
            return None
        assert storage is not None
        # A profile whose key was missing keeps its own API, unless this run was given one.
        prefilled = self._prefill.base_url if self._prefill and self._prefill.name == name else None
        base_url = self.services.new_profile_base_url(prefilled)
        profile = Profile(name, site_id, storage=storage, base_url=base_url)
        return LoginForm(profile, Secret(key), passphrase)

    def _passphrase(self, errors: dict[str, str]) -> str | None:
        vault = self.services.stores.vault
        if vault.unlocked:
            return None
        passphrase = self.query_one("#passphrase", Input).value
        if not passphrase:
            errors["passphrase"] = (
                "Enter the passphrase of the encrypted file."
                if vault.exists
                else "Choose a passphrase for the new encrypted file."
            )
        elif not vault.exists and passphrase != self.query_one("#confirm", Input).value:
            errors["confirm"] = "The two passphrases differ: type the same one twice."
        return passphrase

    def _set_busy(self, busy: bool, status: str = "") -> None:
        self._busy = busy
        self.query_one("#submit", Button).disabled = busy
        line = self.query_one("#status", Note)
        line.update(status)
        line.display = bool(status)

    def _fail(self, field: str, message: str) -> None:
        self._set_busy(False)
        self.query_one(f"#{field}-error", ErrorLine).show(message)
        if field != "form":
            self.query_one(f"#{field}").focus()

    @job(
        "login",
        "Checking and saving the key",
        "Press Enter to try again (saving the same key twice is harmless).",
    )
    async def _check_and_save(self, form: LoginForm) -> None:
        profile = form.profile
        if form.passphrase is not None:
            self._set_busy(True, "Opening the encrypted file…")
            try:
                # scrypt takes ~0.1 s: off the event loop.
                await asyncio.to_thread(self.services.stores.vault.unlock, form.passphrase)
            except VaultError as exc:
                self._fail("passphrase", str(exc))
                return
        self._set_busy(True, "Checking the key with Wix (one call)…")
        unsaved = Credentials(
            profile.name,
            profile.site_id,
            form.secret,
            source="the login form",
            base_url=profile.base_url,
        )
        problem = await check_key(self.services.client_factory, unsaved)
        if problem:
            self._forget_unwritten_vault()
            self._fail("form", problem)
            return
        self._set_busy(True, "Saving…")
        try:
            # The keyring can block (D-Bus) up to its timeout: never on the event loop.
            result = await asyncio.to_thread(save_login, self.services.stores, self.profiles, form)
        except KeyringFailure as exc:
            self._fail(
                "storage",
                f"The OS keyring could not save the key ({exc.status.describe()}). "
                f"{NOTHING_SAVED} Choose another place to keep it.",
            )
            return
        except (VaultError, OSError) as exc:
            self._forget_unwritten_vault()
            self._fail("form", f"The key could not be saved: {exc}. {NOTHING_SAVED}")
            return
        self.dismiss(result)

    def _forget_unwritten_vault(self) -> None:
        forget_unwritten_vault(self.services.stores)
        self._show_vault_fields()

    # --- after a failed job -------------------------------------------------------------

    def recover(self, failed: Job, error: BaseException) -> str | None:
        if failed.group == "keyring-probe":
            button = self.query_one("#storage-keyring", RadioButton)
            button.label = f"{STORAGE_LABELS[Storage.KEYRING]} (could not be checked)"
            self._choose_default()  # the encrypted file: the keyring is not known to work
            return None
        self._forget_unwritten_vault()
        self._fail("form", f"{failed.what} failed: an unexpected error (in the log file).")
        return None
