"""The OS keyring, used carefully (shared/reference/keyring.md).

- Only the real OS stores may be picked (macOS Keychain, Windows Credential Manager, Secret
  Service, KWallet): a plaintext backend that some other package pulled in is never chosen
  silently (keyring.md §0.1).
- Every call runs in a *daemon* thread with a timeout: a Secret Service unlock prompt on a
  display nobody sees blocks forever, and an executor thread would keep the app from exiting
  (keyring.md §1.5 point 3).
- Every failure, whatever its type, becomes a :class:`KeyringStatus` with a fix hint; only the
  exception's type is ever logged, never its text.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, TypeVar

from tui.secret import Secret

# ``keyring`` itself is imported where it is used: at import time it scans the installed
# backends' entry points, which costs a noticeable slice of the app's startup.

log = logging.getLogger("tui.store")
T = TypeVar("T")

SERVICE = "wix-sending"
PROBE_ACCOUNT = "__probe__"
# Long enough for a busy machine (fifty logins at once on two CPUs: the slowest answered in
# 2-3 s), short enough that a hidden unlock prompt, which never answers, is reported while the
# user still waits.
DEFAULT_TIMEOUT = 10.0
TIMEOUT_VARIABLE = "WIX_SENDING_KEYRING_TIMEOUT"
TIMEOUT_RANGE = (1.0, 600.0)
SECURE_BACKENDS = frozenset(
    {
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
    }
)
SERVER_RECIPE = (
    "For a real keyring on a server, run the app under dbus-run-session with gnome-keyring "
    "unlocked (see the README)."
)


class KeyringState(StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"
    LOCKED = "locked"
    BROKEN = "broken"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class KeyringStatus:
    state: KeyringState
    backend: str  # what users call it (FRIENDLY_NAMES): this is what screens show
    hint: str = ""
    backend_id: str = ""  # the backend's module and class, for logs and --json only

    @property
    def usable(self) -> bool:
        return self.state is KeyringState.OK

    def describe(self) -> str:
        return f"{self.backend}: {self.state.value}" + (f" ({self.hint})" if self.hint else "")


class KeyringFailure(Exception):
    """A keyring call failed; ``status`` says how and what to do."""

    def __init__(self, status: KeyringStatus) -> None:
        self.status = status
        super().__init__(status.describe())


def _name(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


# What users call these stores (the login form says "OS keyring (…)"). Screens show these
# names only, never a module path ("fail.Keyring" means nothing to a user).
FRIENDLY_NAMES = {
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.SecretService.Keyring": "Secret Service, e.g. GNOME Keyring",
    "keyring.backends.libsecret.Keyring": "Secret Service via libsecret",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.fail.Keyring": "none found",
    "keyring.backends.null.Keyring": "turned off",
    "keyring.backends.chainer.ChainerBackend": "several keyrings chained",
    "tui.store.memory_keyring.MemoryKeyring": "in memory, nothing written",
}
# A backend this app does not know by name (a plugin): said as such, its id goes to the log.
UNKNOWN_BACKEND = "another keyring backend"
# Before any backend could be loaded.
NO_BACKEND_YET = "OS keyring"


def friendly_name(backend: object) -> str:
    """What users call ``backend``: its class's name in FRIENDLY_NAMES, or its nearest base
    class's (a test's slow MemoryKeyring is still the in-memory one)."""
    for klass in type(backend).__mro__:
        name = f"{klass.__module__}.{klass.__name__}"
        if name in FRIENDLY_NAMES:
            return FRIENDLY_NAMES[name]
    return UNKNOWN_BACKEND


_selected = threading.Lock()
_chosen: list[Any] = []


def secure_backend() -> Any:
    """The keyring backend, chosen once among the OS stores only."""
    import keyring
    import keyring.core

    with _selected:
        if not _chosen:
            keyring.core.init_backend(limit=lambda b: _name(b) in SECURE_BACKENDS)
            _chosen.append(keyring.get_keyring())
        return _chosen[0]


def call_with_timeout(function: Callable[[], T], timeout: float) -> T:
    """``function()`` in a daemon thread; TimeoutError if it has not returned in time."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = function()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=run, name="wix-sending-keyring", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"no answer in {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")  # type: ignore[return-value]


def classify(error: BaseException, backend: str, timeout: float) -> KeyringStatus:
    import keyring.errors

    if isinstance(error, TimeoutError):
        return KeyringStatus(
            KeyringState.TIMEOUT,
            backend,
            f"the keyring did not answer in {timeout:g} s; an unlock prompt may be waiting on "
            "a screen nobody sees. Use another storage option, or unlock the keyring first.",
        )
    if isinstance(error, keyring.errors.NoKeyringError):
        return KeyringStatus(
            KeyringState.UNAVAILABLE,
            backend,
            "no OS keyring on this machine (typical over SSH). Use WIX_API_KEY/WIX_SITE_ID, "
            f"this session only, or an encrypted file. {SERVER_RECIPE}",
        )
    if isinstance(error, keyring.errors.KeyringLocked):
        return KeyringStatus(
            KeyringState.LOCKED,
            backend,
            "the keyring is locked. Unlock it (gnome-keyring-daemon --unlock, or "
            "'security unlock-keychain' on macOS over SSH) and try again.",
        )
    return KeyringStatus(
        KeyringState.BROKEN,
        backend,
        f"the keyring failed ({type(error).__name__}). Use another storage option; {SERVER_RECIPE}",
    )


def timeout_from_environment(environ: Mapping[str, str] | None = None) -> float:
    """``$WIX_SENDING_KEYRING_TIMEOUT`` seconds, else the default; ValueError says what is wrong."""
    raw = (os.environ if environ is None else environ).get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    low, high = TIMEOUT_RANGE
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not low <= seconds <= high:  # NaN fails both comparisons
        raise ValueError(
            f"{TIMEOUT_VARIABLE}={raw[:20]!r} is not a number of seconds from {low:g} to "
            f"{high:g}; fix it or unset it"
        )
    return seconds


class KeyringStore:
    """One item per profile under the service ``wix-sending``."""

    def __init__(self, backend: Any | None = None, timeout: float | None = None) -> None:
        self._backend = backend
        self._status: KeyringStatus | None = None
        self._misconfigured: KeyringStatus | None = None  # a bad setting: no probe can fix it
        self.timeout = DEFAULT_TIMEOUT
        if timeout is not None:
            self.timeout = timeout
        else:
            try:
                self.timeout = timeout_from_environment()
            except ValueError as exc:
                self._misconfigured = KeyringStatus(KeyringState.BROKEN, NO_BACKEND_YET, str(exc))

    @property
    def backend(self) -> Any:
        if self._backend is None:
            self._backend = secure_backend()
        return self._backend

    def status(self, refresh: bool = False) -> KeyringStatus:
        """Probe with one real read (a healthy-looking backend can still fail on first use)."""
        if self._misconfigured is not None:
            return self._misconfigured
        if self._status is not None and not refresh:
            return self._status
        # Importing keyring cannot wait on a prompt, so it is not timed: on a busy machine the
        # import alone can take seconds and would be mistaken for a keyring that never answers.
        import keyring.backends.fail
        import keyring.errors

        try:
            backend = call_with_timeout(lambda: self.backend, self.timeout)
        except BaseException as exc:
            self._status = classify(exc, NO_BACKEND_YET, self.timeout)
            return self._status
        name, backend_id = friendly_name(backend), _name(backend)
        if isinstance(backend, keyring.backends.fail.Keyring) or backend.priority <= 0:
            status = classify(keyring.errors.NoKeyringError(), name, self.timeout)
            self._status = replace(status, backend_id=backend_id)
            return self._status
        try:
            call_with_timeout(lambda: backend.get_password(SERVICE, PROBE_ACCOUNT), self.timeout)
        except BaseException as exc:
            log.info("keyring probe failed (%s): %s", backend_id, type(exc).__name__)
            self._status = replace(classify(exc, name, self.timeout), backend_id=backend_id)
            return self._status
        self._status = KeyringStatus(KeyringState.OK, name, backend_id=backend_id)
        return self._status

    def _call(self, action: Callable[[Any], T]) -> T:
        status = self.status()
        if not status.usable:
            raise KeyringFailure(status)
        backend = self.backend
        try:
            return call_with_timeout(lambda: action(backend), self.timeout)
        except BaseException as exc:
            log.warning("keyring call failed: %s", type(exc).__name__)
            status = classify(exc, friendly_name(backend), self.timeout)
            self._status = replace(status, backend_id=_name(backend))
            raise KeyringFailure(self._status) from None

    def get(self, account: str) -> Secret | None:
        value = self._call(lambda b: b.get_password(SERVICE, account))
        return Secret(value) if value else None

    def set(self, account: str, secret: Secret) -> None:
        self._call(lambda b: b.set_password(SERVICE, account, secret.reveal()))

    def delete(self, account: str) -> bool:
        """False when there was nothing to delete."""

        import keyring.errors

        def delete(backend: Any) -> bool:
            try:
                backend.delete_password(SERVICE, account)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        return self._call(delete)


def __getattr__(name: str) -> Any:
    # MemoryKeyring subclasses keyring's base class, so it lives apart (see the import note).
    if name == "MemoryKeyring":
        from tui.store.memory_keyring import MemoryKeyring

        return MemoryKeyring
    raise AttributeError(name)
