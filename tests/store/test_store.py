"""Unit tests of the store: profiles, the keyring wrapper (in-memory and failing backends),
the encrypted file, state and logs."""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import keyring.backends.fail
import keyring.errors
import pytest

from tui.secret import Secret
from tui.store import profiles as profile_file
from tui.store import state as state_file
from tui.store.credentials import SecretStores, from_environment
from tui.store.keyring_store import (
    KeyringFailure,
    KeyringState,
    KeyringStore,
    MemoryKeyring,
)
from tui.store.logs import Redactor
from tui.store.paths import app_paths
from tui.store.profiles import InvalidProfile, Profile, Storage, check_name, check_site_id
from tui.store.vault import Vault, VaultError, WrongPassphrase

SITE = "c993128b-26be-41cd-9fcd-904abe23462f"
KEY = "IST.eyJraWQiOiJsb25nLXJlYWwtbG9va2luZy1rZXkifQ.secret-part-123"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WIX_SENDING_HOME", str(tmp_path))
    monkeypatch.delenv("WIX_API_KEY", raising=False)
    monkeypatch.delenv("WIX_SITE_ID", raising=False)
    return tmp_path


@pytest.mark.parametrize("name", ["", "  ", "../evil", "a/b", "a\\b", "with space", "-x", "x" * 65])
def test_bad_profile_names(name: str) -> None:
    with pytest.raises(InvalidProfile):
        check_name(name)


def test_site_ids() -> None:
    assert check_site_id(f"  {SITE.upper()} ") == SITE
    for bad in ("", "nope", "1234", SITE + "x"):
        with pytest.raises(InvalidProfile, match="site ID"):
            check_site_id(bad)


def test_profiles_round_trip_without_secrets(home: Path) -> None:
    paths = app_paths()
    current = profile_file.with_profile(profile_file.Profiles(), Profile("acme", SITE))
    current = profile_file.with_profile(current, Profile("temp", SITE, storage=Storage.SESSION))
    profile_file.save(paths.profiles_file, current)
    text = paths.profiles_file.read_text()
    assert "acme" in text and "temp" not in text  # session profiles are never written
    assert stat.S_IMODE(paths.profiles_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.config_dir.stat().st_mode) == 0o700
    loaded = profile_file.load(paths.profiles_file)
    assert loaded.profiles["acme"].site_id == SITE and loaded.current is not None


def test_broken_profiles_file_is_reported_not_fatal(home: Path) -> None:
    paths = app_paths()
    paths.config_dir.mkdir(parents=True)
    paths.profiles_file.write_text(
        '[profiles.ok]\nsite_id = "' + SITE + '"\n[profiles.bad]\nsite_id = "x"\n'
    )
    loaded = profile_file.load(paths.profiles_file)
    assert list(loaded.profiles) == ["ok"] and "bad" in loaded.problem
    paths.profiles_file.write_text("[[[")
    assert "is damaged" in profile_file.load(paths.profiles_file).problem


def test_keyring_with_a_memory_backend() -> None:
    store = KeyringStore(backend=MemoryKeyring())
    assert store.status().usable
    store.set("acme", Secret(KEY))
    assert store.get("acme") == Secret(KEY)
    assert store.delete("acme") is True and store.delete("acme") is False
    assert store.get("acme") is None


def test_no_keyring_is_a_status_with_a_fix() -> None:
    store = KeyringStore(backend=keyring.backends.fail.Keyring())
    status = store.status()
    assert status.state is KeyringState.UNAVAILABLE
    assert "WIX_API_KEY" in status.hint and "dbus-run-session" in status.hint
    with pytest.raises(KeyringFailure):
        store.set("acme", Secret(KEY))


class _Locked(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")


class _Hangs(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(30)
        return None


class _Broken(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError(f"D-Bus said no while handling {KEY}")


def test_keyring_failures_become_statuses() -> None:
    assert KeyringStore(backend=_Locked()).status().state is KeyringState.LOCKED
    broken = KeyringStore(backend=_Broken()).status()
    assert broken.state is KeyringState.BROKEN and KEY not in broken.describe()
    started = time.monotonic()
    hung = KeyringStore(backend=_Hangs(), timeout=0.2).status()
    assert hung.state is KeyringState.TIMEOUT and "unlock prompt" in hung.hint
    assert time.monotonic() - started < 10  # the daemon thread was left behind, not joined


def test_vault(home: Path) -> None:
    path = app_paths().secrets_file
    vault = Vault(path)
    with pytest.raises(VaultError, match="at least 8"):
        vault.unlock("short")
    vault.unlock("correct horse battery")
    vault.set("acme", Secret(KEY))
    raw = path.read_bytes()
    assert KEY.encode() not in raw and b"secret-part" not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = Vault(path)
    with pytest.raises(WrongPassphrase, match="does not open"):
        again.unlock("wrong passphrase")
    with pytest.raises(VaultError, match="locked"):
        again.get("acme")
    again.unlock("correct horse battery")
    assert again.get("acme") == Secret(KEY)
    assert KEY not in repr(again)
    header = json.loads(raw)
    header["ciphertext"] = header["ciphertext"][:-8] + "AAAAAAA="
    path.write_text(json.dumps(header))
    with pytest.raises(WrongPassphrase):
        Vault(path).unlock("correct horse battery")  # tampering is caught by the AEAD tag
    path.write_text("{not json")
    with pytest.raises(VaultError, match="cannot be read"):
        Vault(path).unlock("correct horse battery")


def test_environment_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIX_API_KEY", raising=False)
    monkeypatch.delenv("WIX_SITE_ID", raising=False)
    assert from_environment() is None
    monkeypatch.setenv("WIX_API_KEY", KEY)
    assert "WIX_SITE_ID is not set" in str(from_environment())
    monkeypatch.setenv("WIX_SITE_ID", "not-a-guid")
    assert "GUID" in str(from_environment())
    monkeypatch.setenv("WIX_SITE_ID", SITE)
    found = from_environment()
    assert not isinstance(found, str) and found is not None
    assert found.from_environment and found.secret == Secret(KEY)
    assert KEY not in repr(found)


def test_secret_stores_by_storage(home: Path) -> None:
    stores = SecretStores(app_paths(), KeyringStore(backend=MemoryKeyring()))
    for storage in Storage:
        profile = Profile(f"p-{storage.value}", SITE, storage=storage)
        if storage is Storage.ENCRYPTED_FILE:
            stores.vault.unlock("a long passphrase")
        stores.save(profile, Secret(KEY))
        found = stores.credentials(profile)
        assert found is not None and found.secret == Secret(KEY)
        assert stores.delete(profile) and stores.credentials(profile) is None


def test_state_round_trip_and_corruption(home: Path) -> None:
    path = app_paths().state_file
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    state = state_file.State()
    state.domain("Example.com").records_first_seen = now
    state.domain("Example.com").last_auth_result = "refused: X"
    state_file.save(path, state)
    loaded = state_file.load(path, now)
    assert loaded.notice == ""
    # Parsed once, here: the rest of the app gets datetimes, never strings.
    assert loaded.state.domain("example.com").records_first_seen == now
    assert loaded.state.domain("example.com").last_auth_result == "refused: X"
    path.write_text('{"schemaVersion": 2, "domains": {}}')
    broken = state_file.load(path, now)
    assert "damaged" in broken.notice and not path.exists()
    assert (path.parent / "state.json.corrupt-20260102T030405").exists()
    assert broken.state.domains == {}


def test_state_one_bad_time_loses_only_that_time(home: Path) -> None:
    path = app_paths().state_file
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '{"schemaVersion": 1, "domains": {'
        '"x.example": {"marked_added": "yesterday", "last_auth_attempt": "2026-01-01T00:00:00"},'
        '"y.example": {"records_first_seen": "2026-01-01T10:00:00+00:00"}}}'
    )
    loaded = state_file.load(path, now)
    assert "x.example.marked_added" in loaded.notice and path.exists()
    x, y = loaded.state.domain("x.example"), loaded.state.domain("y.example")
    assert x.marked_added is None
    assert x.last_auth_attempt == datetime(2026, 1, 1, tzinfo=UTC)  # naive: taken as UTC
    assert y.records_first_seen == datetime(2026, 1, 1, 10, tzinfo=UTC)


def test_logs_are_scrubbed(home: Path) -> None:
    redactor = Redactor()
    redactor.add("short-but-secret-token")
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "headers %s token %s",
        ({"Authorization": KEY}, "short-but-secret-token"),
        None,
    )
    redactor.filter(record)
    assert KEY not in record.msg and "short-but-secret-token" not in record.msg
    assert "secret-part" not in redactor.scrub(f"Authorization: {KEY}")
    assert redactor.scrub("client_secret=abc123xyz") == "client_secret=***"
    try:
        raise ValueError(f"failed with {KEY}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    redactor.filter(record)
    assert KEY not in (record.exc_text or "") and record.exc_info is None


def test_private_dirs_are_tightened(home: Path) -> None:
    paths = app_paths()
    paths.state_dir.mkdir(parents=True, mode=0o755)
    os.chmod(paths.state_dir, 0o755)  # noqa: S103 - the too-open directory under test
    state_file.save(paths.state_file, state_file.State())
    assert stat.S_IMODE(paths.state_dir.stat().st_mode) == 0o700


def test_the_keyring_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.store.keyring_store import DEFAULT_TIMEOUT, TIMEOUT_VARIABLE, timeout_from_environment

    assert timeout_from_environment({}) == DEFAULT_TIMEOUT
    assert timeout_from_environment({TIMEOUT_VARIABLE: " 45 "}) == 45.0
    for bad in ("soon", "0", "-3", "nan", "inf", "601"):
        with pytest.raises(ValueError, match="not a number of seconds from 1 to 600"):
            timeout_from_environment({TIMEOUT_VARIABLE: bad})
    monkeypatch.setenv(TIMEOUT_VARIABLE, "soon")
    status = KeyringStore(backend=MemoryKeyring()).status(refresh=True)
    assert status.state is KeyringState.BROKEN and TIMEOUT_VARIABLE in status.hint
    monkeypatch.setenv(TIMEOUT_VARIABLE, "20")
    assert KeyringStore(backend=MemoryKeyring()).timeout == 20.0
    assert KeyringStore(backend=MemoryKeyring(), timeout=0.5).timeout == 0.5
