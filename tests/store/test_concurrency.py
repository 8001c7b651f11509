"""Several wix-sending processes at once lose nothing: 50 ``login`` commands for different
profiles, run at the same moment as separate processes against the sandbox, each with the
real command line (``--api-key-stdin``), end with every profile in ``profiles.toml`` and every
key in its store; two apps saving ``state.json`` keep each other's domains.

The keyring here is :class:`tests.store.file_keyring.FileKeyring` (a file the processes share,
atomic per call like a real keyring; its docstring says why not keyrings.alt). The same test
against the real Secret Service is in ``test_secret_service.py``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.store.file_keyring import ENV as KEYRING_FILE_ENV
from tests.store.file_keyring import stored
from tui.clock import SYSTEM_CLOCK
from tui.sandbox import SandboxServer
from tui.secret import Secret
from tui.store import profiles as profile_file
from tui.store import state as state_file
from tui.store.paths import Paths
from tui.store.state_store import StateStore
from tui.store.vault import Vault

COMMAND = Path(sys.executable).with_name("wix-sending")
LOGINS = 50
PASSPHRASE = "fifty logins at once"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Site:
    site_id: str
    api_key: str
    base_url: str


@contextlib.contextmanager
def sandbox_sites() -> Iterator[list[Site]]:
    """Three sites with three different keys (two sandboxes), so a key stored under the wrong
    profile would be caught, not just a missing one."""
    servers = [SandboxServer(scenario=name, port=0, dns=False) for name in ("fresh", "agency")]
    for server in servers:
        server.start()
    try:
        yield [
            Site(creds.site_id, creds.api_key, server.base_url)
            for server in servers
            for creds in server.credentials
        ]
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def sites() -> Iterator[list[Site]]:
    with sandbox_sites() as found:
        yield found


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "WIX_SENDING_HOME": str(home), **extra}
    # The checkout under test, also for the subprocesses (and tests.store.file_keyring).
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    for name in ("WIX_API_KEY", "WIX_SITE_ID", "WIX_SENDING_CONFIG"):
        env.pop(name, None)
    return env


def login_all(
    sites: list[Site],
    env: dict[str, str],
    storage: str,
    extra: tuple[str, ...] = (),
    prefix: str = "p",
) -> dict[str, Site]:
    """Start every login first, then give them their keys at once, then wait for them all."""
    wanted = {f"{prefix}{i:02d}": sites[i % len(sites)] for i in range(LOGINS)}
    running = []
    for name, found in wanted.items():
        command = [str(COMMAND), "login", "--profile", name, "--site-id", found.site_id]
        command += ["--storage", storage, "--api-key-stdin", "--wix-base-url", found.base_url]
        command += extra
        # A new session has no controlling terminal: nothing can be asked, as in a script.
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        running.append((name, process))
    for name, process in running:
        assert process.stdin is not None
        process.stdin.write(wanted[name].api_key + "\n")
        process.stdin.close()
        process.stdin = None  # closed already: communicate() must not flush it
    for name, process in running:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, f"{name}: {out}\n{err}"
        assert "Logged in" in out, name
    return wanted


def assert_profiles(paths: Paths, wanted: dict[str, Site], storage: str) -> None:
    saved = profile_file.load(paths.profiles_file)
    assert saved.problem == ""
    lost = sorted(set(wanted) - set(saved.profiles))
    assert lost == [], f"{len(lost)} of {LOGINS} profiles lost: {lost}"
    for name, found in wanted.items():
        assert saved.profiles[name].site_id == found.site_id
        assert saved.profiles[name].storage.value == storage


def test_fifty_keyring_logins_at_once_lose_nothing(tmp_path: Path, sites: list[Site]) -> None:
    keyring_file = tmp_path / "keyring.json"
    env = environment(
        tmp_path / "home",
        PYTHON_KEYRING_BACKEND="tests.store.file_keyring.FileKeyring",
        **{KEYRING_FILE_ENV: str(keyring_file)},
    )
    wanted = login_all(sites, env, "keyring")
    paths = Paths(*(tmp_path / "home" / part for part in ("config", "data", "state", "logs")))
    assert_profiles(paths, wanted, "keyring")
    keys = stored(keyring_file)
    for name, found in wanted.items():
        assert keys.get(f"wix-sending/{name}") == found.api_key, name


def test_fifty_encrypted_file_logins_at_once_lose_nothing(
    tmp_path: Path, sites: list[Site]
) -> None:
    # No keyring at all, and no secrets file yet: every process starts a new one, and all
    # but one must then add their key to the file another process made.
    env = environment(tmp_path / "home", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE + "\n")
    wanted = login_all(sites, env, "encrypted-file", ("--passphrase-file", str(passphrase)))
    paths = Paths(*(tmp_path / "home" / part for part in ("config", "data", "state", "logs")))
    assert_profiles(paths, wanted, "encrypted-file")
    vault = Vault(paths.secrets_file)
    vault.unlock(PASSPHRASE)
    missing = [name for name in wanted if vault.get(name) is None]
    assert missing == [], f"{len(missing)} of {LOGINS} keys lost: {missing}"
    for name, found in wanted.items():
        assert vault.get(name) == Secret(found.api_key), name


# --- state.json: two apps open at once ---------------------------------------------------------

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_two_apps_saving_state_keep_each_others_domains(tmp_path: Path) -> None:
    path = tmp_path / "state" / "state.json"
    earlier = state_file.State()
    earlier.domain("old.example").marked_added = NOW
    state_file.save(path, earlier)
    first, second = StateStore(path, SYSTEM_CLOCK), StateStore(path, SYSTEM_CLOCK)
    # Both apps have read the file before either saves (each holds its own copy in memory).
    first.domain("first.example").marked_added = NOW
    second.domain("second.example").records_first_seen = NOW
    first.save()
    second.save()
    again = state_file.load(path, NOW).state
    assert set(again.domains) == {"old.example", "first.example", "second.example"}
    assert again.domain("first.example").marked_added == NOW
    assert again.domain("second.example").records_first_seen == NOW
    # A domain both apps hold but only one changed keeps that change.
    first.domain("old.example").last_auth_result = "refused: X"
    first.save()
    second.domain("second.example").last_auth_attempt = NOW
    second.save()
    again = state_file.load(path, NOW).state
    assert again.domain("old.example").last_auth_result == "refused: X"
    assert again.domain("second.example").last_auth_attempt == NOW
    # The second app never saw first.example's time (it is not pulled into a running app's
    # memory): looking the domain up and saving again must not erase it.
    assert second.domain("first.example").marked_added is None
    second.save()
    assert state_file.load(path, NOW).state.domain("first.example").marked_added == NOW


STATE_WRITER = """
import sys, time
from datetime import datetime, UTC
from pathlib import Path
from tui.clock import SYSTEM_CLOCK
from tui.store.state_store import StateStore

path, domain, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
store = StateStore(path, SYSTEM_CLOCK)
store.domain(domain).marked_added = datetime.now(UTC)  # read the file, change the copy
Path(sys.argv[4]).touch()  # ready
while not go.exists():
    time.sleep(0.01)
store.save()
"""


def test_twenty_processes_saving_state_at_once_keep_every_domain(tmp_path: Path) -> None:
    path = tmp_path / "state" / "state.json"
    go = tmp_path / "go"
    env = environment(tmp_path / "home")
    running = []
    for i in range(20):
        ready = tmp_path / f"ready-{i}"
        args = [sys.executable, "-c", STATE_WRITER, str(path), f"d{i}.example", str(go), str(ready)]
        running.append((ready, subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)))
    deadline = time.monotonic() + 120
    while not all(ready.exists() for ready, _ in running):
        assert time.monotonic() < deadline, "the writers did not start"
        time.sleep(0.02)
    go.touch()  # every process has read the (empty) file: now they all save
    for _, process in running:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    saved = state_file.load(path, NOW).state
    lost = sorted({f"d{i}.example" for i in range(20)} - set(saved.domains))
    assert lost == [], f"{len(lost)} of 20 domains lost: {lost}"
