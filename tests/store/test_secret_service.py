"""The key round-trips through a real Secret Service (gnome-keyring under dbus-run-session,
keyring.md §3). CI sets WIX_SENDING_REQUIRE_SECRET_SERVICE=1, which turns "no Secret Service
here" from a skip into a failure, so CI cannot go green having tested nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.secret import Secret
from tui.store.keyring_store import SERVICE, KeyringState, KeyringStore, secure_backend
from tui.store.paths import Paths

REQUIRED = os.environ.get("WIX_SENDING_REQUIRE_SECRET_SERVICE") == "1"


def _secret_service() -> object | None:
    try:
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        return backend if SecretService.Keyring.priority > 0 else None
    except Exception:  # any failure means: not available here
        return None


@pytest.fixture(scope="module")
def secret_service() -> object:
    backend = _secret_service()
    if backend is None:
        message = (
            "no Secret Service on the session bus (run under dbus-run-session + gnome-keyring)"
        )
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return backend


def test_round_trip_through_the_real_secret_service(secret_service: object) -> None:
    store = KeyringStore(backend=secret_service)
    status = store.status()
    assert status.state is KeyringState.OK, status.describe()
    account = f"test-{uuid.uuid4()}"
    key = Secret("IST.é-real-secret-service-round-trip")
    store.set(account, key)
    try:
        assert store.get(account) == key
    finally:
        assert store.delete(account) is True
    assert store.get(account) is None


def test_the_app_picks_the_secret_service_among_secure_backends(secret_service: object) -> None:
    assert "SecretService" in type(secure_backend()).__module__


@pytest.fixture
def sandbox_server() -> Iterator[object]:
    from tui.sandbox import SandboxServer

    server = SandboxServer(scenario="fresh", port=0, dns=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_cli_login_stores_the_key_in_the_real_keyring(
    secret_service: object, sandbox_server: object, tmp_path: Path
) -> None:
    creds = sandbox_server.credentials[0]  # type: ignore[attr-defined]
    profile = f"ci-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "WIX_SENDING_HOME": str(tmp_path)}
    env.pop("WIX_API_KEY", None)
    env.pop("WIX_SITE_ID", None)
    command = Path(sys.executable).with_name("wix-sending")
    result = subprocess.run(
        [
            str(command),
            "login",
            "--profile",
            profile,
            "--site-id",
            creds.site_id,
            "--api-key-stdin",
            "--wix-base-url",
            sandbox_server.base_url,  # type: ignore[attr-defined]
        ],
        input=creds.api_key + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "OS keyring" in result.stdout and creds.api_key not in result.stdout
    store = KeyringStore(backend=secret_service)
    try:
        assert store.get(profile) == Secret(creds.api_key)
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert creds.api_key.encode() not in path.read_bytes(), path
    finally:
        store.delete(profile)
    assert SERVICE == "wix-sending"


def test_fifty_logins_at_once_keep_every_key_in_the_real_keyring(
    secret_service: object, tmp_path: Path
) -> None:
    """The 50 concurrent logins of test_concurrency.py, against the real Secret Service."""
    from tests.store.test_concurrency import assert_profiles, environment, login_all, sandbox_sites

    with sandbox_sites() as sites:
        prefix = f"ci-{uuid.uuid4().hex[:6]}-"
        # Fifty processes on a CI machine's two CPUs make the daemon answer in seconds; this test
        # is about losing nothing, so a slow answer must not count as a hidden unlock prompt.
        env = environment(tmp_path / "home", WIX_SENDING_KEYRING_TIMEOUT="120")
        wanted = login_all(sites, env, "keyring", prefix=prefix)
    store = KeyringStore(backend=secret_service)
    try:
        paths = Paths(*(tmp_path / "home" / part for part in ("config", "data", "state", "logs")))
        assert_profiles(paths, wanted, "keyring")
        for name, found in wanted.items():
            assert store.get(name) == Secret(found.api_key), name
    finally:
        for name in wanted:
            store.delete(name)
