"""login / logout / profiles / paths: against the real sandbox API over loopback, with the
keyring either missing (this machine, over SSH) or an in-memory one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring.backends.fail
import pytest

from tui.commands import account
from tui.sandbox import SandboxServer
from tui.secret import Secret
from tui.store import profiles as profile_file
from tui.store.credentials import SecretStores
from tui.store.keyring_store import KeyringStore, MemoryKeyring
from tui.store.paths import app_paths
from tui.store.vault import Vault

COMMAND = Path(sys.executable).with_name("wix-sending")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(scenario="fresh", port=0, dns=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WIX_SENDING_HOME", str(tmp_path))
    monkeypatch.delenv("WIX_API_KEY", raising=False)
    monkeypatch.delenv("WIX_SITE_ID", raising=False)
    return tmp_path


def scripted(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    asked: list[str] = []

    def ask(prompt: str, hidden: bool = False) -> str:
        asked.append(prompt)
        return answers.pop(0)

    monkeypatch.setattr(account, "_ask", ask)
    monkeypatch.setattr(account, "_interactive", lambda: True)
    return asked


def no_keyring_stores() -> SecretStores:
    return SecretStores(app_paths(), KeyringStore(backend=keyring.backends.fail.Keyring()))


def test_no_keyring_offers_the_encrypted_file_and_login_completes(
    home: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    creds = sandbox.credentials[0]
    asked = scripted(monkeypatch, [creds.api_key, "1", "a long passphrase", "a long passphrase"])
    options = account.LoginOptions(profile="acme", site_id=creds.site_id, base_url=sandbox.base_url)
    assert account.run_login(options, stores=no_keyring_stores()) == 0
    out = capsys.readouterr().out
    assert "cannot be used here" in out and "encrypted file" in out
    assert any("again" in p for p in asked)  # a new passphrase is asked twice
    saved = profile_file.load(app_paths().profiles_file)
    assert saved.profiles["acme"].storage.value == "encrypted-file"
    vault = Vault(app_paths().secrets_file)
    vault.unlock("a long passphrase")
    assert vault.get("acme") == Secret(creds.api_key)
    for path in home.rglob("*"):
        if path.is_file():
            assert creds.api_key.encode() not in path.read_bytes(), path


def test_no_keyring_and_no_choice_saves_nothing(
    home: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    creds = sandbox.credentials[0]
    scripted(monkeypatch, [creds.api_key, "2"])
    options = account.LoginOptions(site_id=creds.site_id, base_url=sandbox.base_url)
    assert account.run_login(options, stores=no_keyring_stores()) == 1
    assert "read -rs WIX_API_KEY" in capsys.readouterr().out
    assert not app_paths().profiles_file.exists()


def test_wrong_key_is_refused_and_nothing_saved(
    home: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    creds = sandbox.credentials[0]
    scripted(monkeypatch, ["IST.not-the-key"])
    stores = SecretStores(app_paths(), KeyringStore(backend=MemoryKeyring()))
    options = account.LoginOptions(site_id=creds.site_id, base_url=sandbox.base_url)
    assert account.run_login(options, stores=stores) == 1
    err = capsys.readouterr().err
    assert "did not accept this key" in err and "permissions" in err
    assert "IST.not-the-key" not in err
    assert not app_paths().profiles_file.exists()
    assert stores.keyring.get("default") is None


def test_keyring_login_then_logout(
    home: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = sandbox.credentials[0]
    scripted(monkeypatch, [creds.api_key])
    stores = SecretStores(app_paths(), KeyringStore(backend=MemoryKeyring()))
    options = account.LoginOptions(profile="acme", site_id=creds.site_id, base_url=sandbox.base_url)
    assert account.run_login(options, stores=stores) == 0
    assert stores.keyring.get("acme") == Secret(creds.api_key)
    assert account.run_logout("acme", stores=stores) == 0
    assert stores.keyring.get("acme") is None
    assert "acme" not in profile_file.load(app_paths().profiles_file).profiles


def run(*args: str, env: dict | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COMMAND), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["login", "--site-id", "nope", "--api-key-stdin"], "IST.x\n", "not a Wix site ID"),
        (["login", "--profile", "../x", "--api-key-stdin"], "IST.x\n", "cannot be a profile name"),
        (
            ["login", "--site-id", "c993128b-26be-41cd-9fcd-904abe23462f", "--api-key-stdin"],
            "   \n",
            "empty",
        ),
        (["login", "--site-id", "c993128b-26be-41cd-9fcd-904abe23462f"], "", "--api-key-stdin"),
    ],
)
def test_bad_login_input_exits_2_and_saves_nothing(
    home: Path, args: list[str], stdin: str, message: str
) -> None:
    result = run(*args, stdin=stdin, env={"WIX_SENDING_HOME": str(home)})
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not list(home.rglob("*.toml"))


def test_environment_credentials_block_login_and_logout(home: Path) -> None:
    env = {
        "WIX_SENDING_HOME": str(home),
        "WIX_API_KEY": "IST.from-env",
        "WIX_SITE_ID": "c993128b-26be-41cd-9fcd-904abe23462f",
    }
    login = run("login", "--api-key-stdin", stdin="IST.x\n", env=env)
    assert login.returncode == 2 and "WIX_API_KEY is set" in login.stderr
    logout = run("logout", env=env)
    assert logout.returncode == 2 and "Unset it" in logout.stderr
    profiles = run("profiles", env=env)
    assert "the environment" in profiles.stdout and "IST.from-env" not in profiles.stdout


def test_paths_and_profiles_json(home: Path) -> None:
    result = run("paths", "--json", env={"WIX_SENDING_HOME": str(home)})
    found = json.loads(result.stdout)
    assert found["config"].startswith(str(home)) and found["keyringBackend"]
    listed = json.loads(run("profiles", "--json", env={"WIX_SENDING_HOME": str(home)}).stdout)
    assert listed == {"profiles": [], "environment": False, "baseUrlOverride": None}
