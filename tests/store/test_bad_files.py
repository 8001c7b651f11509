"""Files that are unreadable, damaged, hostile or huge, folders that are read-only, disks that
are full, and writers that crash: nothing is lost, nothing crashes, and the user is told what
happened in a sentence of a sensible length.

How the bad disks are made (real chmod where it works, else the failing system call): see
``tests/store/disk.py``.
"""

from __future__ import annotations

import logging
import os
import signal
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.store.disk import full_disk, make_read_only, make_unreadable, restore
from tui.clock import SYSTEM_CLOCK
from tui.commands import account
from tui.sandbox import SandboxServer
from tui.secret import Secret
from tui.store import config as config_file
from tui.store import profiles as profile_file
from tui.store import state as state_file
from tui.store.credentials import SecretStores
from tui.store.keyring_store import KeyringStore, MemoryKeyring
from tui.store.paths import Paths, app_paths
from tui.store.profiles import Profile, Profiles
from tui.store.state_store import StateStore
from tui.store.vault import Vault, VaultError

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SITE = "c993128b-26be-41cd-9fcd-904abe23462f"
PASSPHRASE = "a long passphrase"
ROOT = Path(__file__).resolve().parents[2]
DEEP = 100_000  # far past Python's recursion limit, well under the 1 MiB cap


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(scenario="fresh", port=0, dns=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    monkeypatch.setenv("WIX_SENDING_HOME", str(tmp_path / "home"))
    for name in ("WIX_API_KEY", "WIX_SITE_ID", "WIX_SENDING_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    yield app_paths()
    if (tmp_path / "home").exists():
        restore(tmp_path / "home")


def keyring_stores(paths: Paths) -> tuple[SecretStores, MemoryKeyring]:
    backend = MemoryKeyring()
    return SecretStores(paths, KeyringStore(backend=backend)), backend


def login(
    sandbox: SandboxServer,
    stores: SecretStores,
    monkeypatch: pytest.MonkeyPatch,
    name: str = "acme",
    storage: str = "keyring",
) -> int:
    """``wix-sending login`` in this process, the key typed at the hidden prompt."""
    creds = sandbox.credentials[0]
    answers = [creds.api_key, PASSPHRASE, PASSPHRASE]
    monkeypatch.setattr(account, "_ask", lambda prompt, hidden=False: answers.pop(0))
    monkeypatch.setattr(account, "_interactive", lambda: True)
    options = account.LoginOptions(
        profile=name, site_id=creds.site_id, storage=storage, base_url=sandbox.base_url
    )
    return account.run_login(options, stores=stores)


def temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob(".*.tmp")) if directory.exists() else []


# --- 2. state.json that cannot be read, or is damaged ------------------------------------------


def test_unreadable_state_is_left_alone_and_the_save_says_so(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = paths.state_file
    earlier = state_file.State()
    earlier.domain("kept.example").marked_added = NOW
    state_file.save(path, earlier)
    before = path.read_bytes()
    make_unreadable(path, monkeypatch)
    store = StateStore(path, SYSTEM_CLOCK)
    assert "cannot be read" in store.load()
    store.domain("new.example").marked_added = NOW
    with pytest.raises(OSError, match=r"cannot be read.*left as it is"):
        store.save()
    monkeypatch.undo()
    os.chmod(path, 0o600)
    assert path.read_bytes() == before  # not destroyed
    assert temps(path.parent) == []


def test_state_that_becomes_readable_again_is_saved_with_its_domains(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = paths.state_file
    earlier = state_file.State()
    earlier.domain("kept.example").marked_added = NOW
    state_file.save(path, earlier)
    make_unreadable(path, monkeypatch)
    store = StateStore(path, SYSTEM_CLOCK)
    store.domain("new.example").marked_added = NOW
    monkeypatch.undo()
    os.chmod(path, 0o600)  # the user fixed the permissions: the next save merges
    store.save()
    assert set(state_file.load(path, NOW).state.domains) == {"kept.example", "new.example"}


# --- 3. profiles.toml with invalid entries, or unparseable -------------------------------------

INVALID = (
    f'last_used = "ok"\nfuture_setting = "keep me"\n'
    f'[profiles.ok]\nsite_id = "{SITE}"\n'
    '[profiles.bad]\nsite_id = "not-a-guid"\nnote = "typed by hand"\n'
    f'[profiles.cloudy]\nsite_id = "{SITE}"\nstorage = "cloud"\n'
)


def test_a_login_keeps_invalid_profile_entries_untouched(
    paths: Paths, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.profiles_file.write_text(INVALID)
    loaded = profile_file.load(paths.profiles_file)
    assert list(loaded.profiles) == ["ok"]
    assert "'bad'" in loaded.problem and "site ID" in loaded.problem
    assert "'cloudy'" in loaded.problem and "cloud" in loaded.problem
    assert "kept in the file" in loaded.problem
    stores, _ = keyring_stores(paths)
    assert login(sandbox, stores, monkeypatch, name="new") == 0
    written = tomllib.loads(paths.profiles_file.read_text())
    original = tomllib.loads(INVALID)
    assert set(written["profiles"]) == {"ok", "bad", "cloudy", "new"}
    assert written["profiles"]["bad"] == original["profiles"]["bad"]
    assert written["profiles"]["cloudy"] == original["profiles"]["cloudy"]
    assert written["future_setting"] == "keep me"
    assert written["last_used"] == "new"


def test_an_unparseable_profiles_file_is_moved_aside_before_a_login(
    paths: Paths,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths.config_dir.mkdir(parents=True)
    damaged = b'[profiles.ok]\nsite_id = "' + SITE.encode() + b'"\n[[[ half an edit'
    paths.profiles_file.write_bytes(damaged)
    assert "is damaged" in profile_file.load(paths.profiles_file).problem
    stores, _ = keyring_stores(paths)
    assert login(sandbox, stores, monkeypatch) == 0
    kept = list(paths.config_dir.glob("profiles.toml.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    err = capsys.readouterr().err
    assert "was damaged" in err and kept[0].name in err
    assert list(profile_file.load(paths.profiles_file).profiles) == ["acme"]


def test_an_unreadable_profiles_file_is_never_overwritten(
    paths: Paths,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile_file.save(paths.profiles_file, Profiles({"ok": Profile("ok", SITE)}, "ok"))
    before = paths.profiles_file.read_bytes()
    make_unreadable(paths.profiles_file, monkeypatch)
    stores, backend = keyring_stores(paths)
    assert login(sandbox, stores, monkeypatch) == 1
    assert "cannot be read" in capsys.readouterr().err
    assert backend._items == {}  # the key did not stay behind
    monkeypatch.undo()
    os.chmod(paths.profiles_file, 0o600)
    assert paths.profiles_file.read_bytes() == before


def test_many_invalid_profiles_make_a_short_message(paths: Paths) -> None:
    paths.config_dir.mkdir(parents=True)
    text = "".join(f'[profiles.p{i}]\nsite_id = "{"x" * 500}"\n' for i in range(1000))
    paths.profiles_file.write_text(text)
    loaded = profile_file.load(paths.profiles_file)
    assert "1000 profile(s)" in loaded.problem and "more" in loaded.problem
    assert len(loaded.problem) <= 700


# --- 4. nested too deeply, endless, huge ---------------------------------------------------------


def test_deeply_nested_files_are_damaged_not_a_crash(paths: Paths, tmp_path: Path) -> None:
    deep_toml = "a = " + "[" * DEEP + "]" * DEEP + "\n"
    config = tmp_path / "config.toml"
    config.write_text(deep_toml)
    assert "nested too deeply" in config_file.load(config).problem

    paths.config_dir.mkdir(parents=True)
    paths.profiles_file.write_text(deep_toml)
    assert "nested too deeply" in profile_file.load(paths.profiles_file).problem

    paths.state_dir.mkdir(parents=True)
    paths.state_file.write_text("[" * DEEP + "]" * DEEP)
    loaded = state_file.load(paths.state_file, NOW)
    assert "nested too deeply" in loaded.notice and loaded.state.domains == {}
    assert list(paths.state_dir.glob("state.json.corrupt-*"))

    paths.data_dir.mkdir(parents=True)
    paths.secrets_file.write_text("[" * DEEP + "]" * DEEP)
    with pytest.raises(VaultError, match="cannot be read"):
        Vault(paths.secrets_file).unlock(PASSPHRASE)


READ_CONFIG = """
import resource, sys
# A quarter GiB of address space: reading /dev/zero to the end would need far more.
resource.setrlimit(resource.RLIMIT_AS, (256 << 20, 256 << 20))
from tui.store.config import load
print(load().problem)
"""


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory"])
def test_a_config_that_is_not_a_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    if kind == "dev-zero":
        target = Path("/dev/zero")
    elif kind == "fifo":
        target = tmp_path / "config.fifo"
        os.mkfifo(target)  # no writer: opening it for reading would wait for one forever
    else:
        target = tmp_path
    env = {**os.environ, "WIX_SENDING_CONFIG": str(target), "PYTHONPATH": str(ROOT)}
    try:
        result = subprocess.run(
            [sys.executable, "-c", READ_CONFIG],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading {kind} as the config did not end")
    assert result.returncode == 0, result.stderr[-2000:]
    assert str(target) in result.stdout and "not a file" in result.stdout


def test_huge_configs_make_short_messages(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    # Over the cap: refused without parsing.
    path.write_text("".join(f"[section{i}]\n" for i in range(200_000)))
    problem = config_file.load(path).problem
    assert "larger than 1024 KiB" in problem and len(problem) <= 700
    # Under the cap, but naming 50,000 unknown sections: a few are named, the rest counted.
    path.write_text("".join(f"[s{i}]\n" for i in range(50_000)))
    problem = config_file.load(path).problem
    assert "unknown section(s) s0, s1" in problem and "and 49995 more" in problem
    assert len(problem) <= 700
    # One enormous key name, in a table and as a keymap binding.
    name = "k" * 500_000
    path.write_text(f'[keymap]\n{name} = "not a key!"\n')
    problem = config_file.load(path).problem
    assert "[keymap]" in problem and len(problem) <= 700
    # A value with control characters is shown escaped, not sent to the terminal.
    path.write_text('[ui]\n"\\u001b]52;c;aGk=\\u0007" = 1\n')
    problem = config_file.load(path).problem
    assert "\x1b" not in problem and "\\x1b" in problem


def test_an_integer_too_long_for_python_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[watch]\ninterval = " + "9" * 5000 + "\n")
    assert "not valid TOML" in config_file.load(path).problem


# --- 5. login on a read-only or full disk ---------------------------------------------------


def test_cli_login_on_a_read_only_folder_says_so_and_leaves_nothing(
    paths: Paths,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths.config_dir.mkdir(parents=True)
    make_read_only(paths.config_dir, monkeypatch)
    stores, backend = keyring_stores(paths)
    assert login(sandbox, stores, monkeypatch) == 1
    err = capsys.readouterr().err
    assert f"{paths.config_dir} is read-only" in err and "WIX_SENDING_HOME" in err
    assert "Traceback" not in err
    assert backend._items == {}  # no key without a profile
    monkeypatch.undo()
    assert not paths.profiles_file.exists() and temps(paths.config_dir) == []


def test_a_failed_login_puts_back_the_key_it_replaced(
    paths: Paths, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # acme is saved with an older key; logging in to acme again fails to write the profile.
    profile_file.save(paths.profiles_file, Profiles({"acme": Profile("acme", SITE)}, "acme"))
    stores, backend = keyring_stores(paths)
    backend.set_password("wix-sending", "acme", "IST.the-older-key")
    make_read_only(paths.config_dir, monkeypatch)
    assert login(sandbox, stores, monkeypatch) == 1
    assert backend.get_password("wix-sending", "acme") == "IST.the-older-key"


def test_cli_login_on_a_full_disk_says_so_and_leaves_nothing(
    paths: Paths,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile_file.save(paths.profiles_file, Profiles({"ok": Profile("ok", SITE)}, "ok"))
    before = paths.profiles_file.read_bytes()
    failed = full_disk(monkeypatch, paths.config_dir)
    stores, backend = keyring_stores(paths)
    assert login(sandbox, stores, monkeypatch) == 1
    assert failed  # the write really was attempted and failed halfway
    err = capsys.readouterr().err
    assert "is full" in err and "Traceback" not in err
    assert backend._items == {}
    assert paths.profiles_file.read_bytes() == before
    assert temps(paths.config_dir) == []


def test_encrypted_file_login_on_a_read_only_folder_saves_no_profile(
    paths: Paths,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths.data_dir.mkdir(parents=True)
    make_read_only(paths.data_dir, monkeypatch)
    stores, _ = keyring_stores(paths)
    assert login(sandbox, stores, monkeypatch, storage="encrypted-file") == 1
    err = capsys.readouterr().err
    assert f"{paths.data_dir} is read-only" in err and "Traceback" not in err
    monkeypatch.undo()
    assert not paths.secrets_file.exists() and not paths.profiles_file.exists()
    assert temps(paths.data_dir) == []


# --- 7. permissions ------------------------------------------------------------------------------


def test_every_folder_is_0700_and_every_file_0600(
    paths: Paths, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tui.store.logs import setup_logging

    home = tmp_path / "home"
    assert not home.exists()  # made by the app, parents included
    stores, _ = keyring_stores(paths)
    assert login(sandbox, stores, monkeypatch, name="k") == 0
    assert login(sandbox, stores, monkeypatch, name="f", storage="encrypted-file") == 0
    store = StateStore(paths.state_file, SYSTEM_CLOCK)
    store.domain("example.com").marked_added = NOW
    store.save()
    handler = setup_logging(paths)
    try:
        handler.maxBytes = 200  # rotate: the new log file must be 0600 too
        for i in range(20):
            logging.getLogger("tui.test").warning("line %d %s", i, "x" * 50)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert (paths.log_dir / "wix-sending.log.1").exists()
    for folder in (home, paths.config_dir, paths.data_dir, paths.state_dir, paths.log_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = [p for p in home.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {
        "profiles.toml",
        "secrets.enc",
        "state.json",
        "wix-sending.log",
        "wix-sending.log.1",
    }
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


# --- 8. crashes in the middle of a write ----------------------------------------------------------

CRASH = """
import os, signal, sys
from pathlib import Path
kind, path = sys.argv[1], Path(sys.argv[2])

def killed(*args):
    os.kill(os.getpid(), signal.SIGKILL)  # the power cut: no except, no finally

os.replace = killed  # after the temp file is written, before the rename
if kind == "profiles":
    from tui.store import profiles
    new = profiles.Profile("new", "c993128b-26be-41cd-9fcd-904abe23462f")
    profiles.save(path, profiles.Profiles({"new": new}, "new"))
elif kind == "state":
    from tui.store import state
    state.save(path, state.State())
else:
    from tui.secret import Secret
    from tui.store.vault import Vault
    vault = Vault(path)
    vault.unlock("a long passphrase")
    vault.set("new", Secret("IST.new-key"))
"""


def write_one(kind: str, paths: Paths, name: str) -> Path:
    """Save something with ``name`` in it through the store, the normal way."""
    if kind == "profiles":
        profile = Profile(name, SITE)
        profile_file.save(paths.profiles_file, Profiles({name: profile}, name))
        return paths.profiles_file
    if kind == "state":
        state = state_file.State()
        state.domain(f"{name}.example").marked_added = NOW
        state_file.save(paths.state_file, state)
        return paths.state_file
    vault = Vault(paths.secrets_file)
    vault.unlock(PASSPHRASE)
    vault.set(name, Secret("IST.old-key"))
    return paths.secrets_file


def holds(kind: str, path: Path, name: str) -> bool:
    if kind == "profiles":
        return name in profile_file.load(path).profiles
    if kind == "state":
        return f"{name}.example" in state_file.load(path, NOW).state.domains
    vault = Vault(path)
    vault.unlock(PASSPHRASE)
    return vault.get(name) is not None


@pytest.mark.parametrize("kind", ["profiles", "state", "vault"])
def test_a_writer_killed_before_the_rename_loses_nothing_and_its_temp_is_cleaned(
    kind: str, paths: Paths
) -> None:
    path = write_one(kind, paths, "old")
    before = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", CRASH, kind, str(path)], env=env, timeout=60, check=False
    )
    assert result.returncode == -signal.SIGKILL
    assert path.read_bytes() == before  # the old file, whole
    assert len(temps(path.parent)) == 1  # what the killed writer left
    write_one(kind, paths, "later")  # the next writer, holding the lock, removes it
    assert temps(path.parent) == []
    assert holds(kind, path, "later")


@pytest.mark.parametrize("kind", ["profiles", "state", "vault"])
@pytest.mark.parametrize("when", ["during the write", "before the rename"])
def test_a_write_that_fails_keeps_the_old_file_and_no_temp(
    kind: str, when: str, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_one(kind, paths, "old")
    before = path.read_bytes()
    if when == "during the write":
        full_disk(monkeypatch, path.parent)
        expected: type[BaseException] = OSError
    else:

        def interrupted(*args: object) -> None:
            raise KeyboardInterrupt  # Ctrl-C between the write and the rename

        monkeypatch.setattr(os, "replace", interrupted)
        expected = KeyboardInterrupt
    with pytest.raises(expected):
        write_one(kind, paths, "new")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert temps(path.parent) == []
    assert holds(kind, path, "old")
