"""Every command in a script: the installed ``wix-sending`` run as a subprocess with stdin not a
terminal and no controlling terminal (a new session), against a sandbox on a free port. Each
either works or exits 2 with a one-line reason, never a traceback; a network failure is named
as one; ``watch --domain`` uses the saved profile; Ctrl-C exits 130; the API a profile was
logged in to is kept, listed and used again.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.store.file_keyring import ENV as KEYRING_FILE_ENV
from tests.store.test_concurrency import COMMAND, environment
from tui.sandbox import SandboxServer
from tui.secret import Secret
from tui.store import profiles as profile_file
from tui.store.paths import Paths
from tui.store.vault import Vault

PASSPHRASE = "a passphrase for scripts"
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
DOMAIN = "harbor-ceramics.example"  # midway: NOT_AUTHENTICATED, with its records
SITE = "c993128b-26be-41cd-9fcd-904abe23462f"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(scenario="midway", port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def paths_of(home: Path) -> Paths:
    return Paths(*(home / part for part in ("config", "data", "state", "logs")))


def script(
    home: Path, *args: str, stdin: str | None = None, timeout: float = 90, **env: str
) -> subprocess.CompletedProcess[str]:
    """``wix-sending *args`` as cron would run it: no terminal anywhere."""
    return subprocess.run(
        [str(COMMAND), *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**environment(home), **env},
        start_new_session=True,
        check=False,
    )


def one_line_reason(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("wix-sending")
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(
    home: Path, sandbox: SandboxServer, *extra: str, key: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    creds = sandbox.credentials[0]
    args = ["login", "--profile", "shop", "--site-id", creds.site_id, "--api-key-stdin", *extra]
    return script(home, *args, stdin=(key or creds.api_key) + "\n", **env)


# --- the encrypted file's passphrase ---------------------------------------------------------


def test_encrypted_file_login_without_a_passphrase_or_terminal_exits_2(
    home: Path, sandbox: SandboxServer
) -> None:
    result = login(
        home, sandbox, "--storage", "encrypted-file", "--wix-base-url", sandbox.base_url,
        **NO_KEYRING,
    )  # fmt: skip
    line = one_line_reason(result)
    assert "no terminal" in line and "--passphrase-file" in line
    assert "WIX_SENDING_PASSPHRASE" in line
    assert not paths_of(home).profiles_file.exists()
    assert not paths_of(home).secrets_file.exists()


def test_encrypted_file_login_and_logout_with_the_passphrase_given(
    home: Path, tmp_path: Path, sandbox: SandboxServer
) -> None:
    creds = sandbox.credentials[0]
    result = login(
        home, sandbox, "--storage", "encrypted-file", "--wix-base-url", sandbox.base_url,
        WIX_SENDING_PASSPHRASE=PASSPHRASE, **NO_KEYRING,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Logged in: profile shop" in result.stdout and sandbox.base_url in result.stdout
    assert creds.api_key not in result.stdout + result.stderr
    paths = paths_of(home)
    saved = profile_file.load(paths.profiles_file).profiles["shop"]
    assert saved.base_url == sandbox.base_url and saved.storage.value == "encrypted-file"
    vault = Vault(paths.secrets_file)
    vault.unlock(PASSPHRASE)
    assert vault.get("shop") == Secret(creds.api_key)

    # Logout needs the passphrase too: without it, and without a terminal, nothing changes.
    line = one_line_reason(script(home, "logout", **NO_KEYRING))
    assert "no terminal" in line and "nothing was changed" in line
    assert "shop" in profile_file.load(paths.profiles_file).profiles
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n")
    line = one_line_reason(script(home, "logout", "--passphrase-file", str(wrong), **NO_KEYRING))
    assert "does not open" in line and "not the passphrase" not in line
    right = tmp_path / "right"
    right.write_text(PASSPHRASE + "\n")
    done = script(home, "logout", "--passphrase-file", str(right), **NO_KEYRING)
    assert done.returncode == 0, done.stderr
    assert "shop" not in profile_file.load(paths.profiles_file).profiles
    vault = Vault(paths.secrets_file)
    vault.unlock(PASSPHRASE)
    assert vault.get("shop") is None


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "cannot be read"), ("\n", "empty"), ("short\n", "at least 8 characters")],
)
def test_a_passphrase_file_that_cannot_be_used_exits_2(
    home: Path, tmp_path: Path, sandbox: SandboxServer, content: str | None, words: str
) -> None:
    file = tmp_path / "passphrase"
    if content is not None:
        file.write_text(content)
    result = login(
        home, sandbox, "--storage", "encrypted-file", "--passphrase-file", str(file),
        "--wix-base-url", sandbox.base_url, **NO_KEYRING,
    )  # fmt: skip
    assert words in one_line_reason(result)
    assert not paths_of(home).profiles_file.exists()


def test_no_keyring_and_no_storage_chosen_exits_2_in_one_line(
    home: Path, sandbox: SandboxServer
) -> None:
    line = one_line_reason(login(home, sandbox, "--wix-base-url", sandbox.base_url, **NO_KEYRING))
    assert "--storage encrypted-file" in line
    assert not paths_of(home).profiles_file.exists()


# --- network failures, and which API ---------------------------------------------------------


def test_a_network_failure_at_login_is_named_as_one(home: Path, sandbox: SandboxServer) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    result = login(
        home, sandbox, "--wix-base-url", closed, "--storage", "encrypted-file",
        WIX_SENDING_PASSPHRASE=PASSPHRASE, **NO_KEYRING,
    )  # fmt: skip
    line = one_line_reason(result, code=1)
    assert "network failure" in line and closed in line and "Nothing was saved" in line
    assert "did not accept" not in line
    assert not paths_of(home).profiles_file.exists()
    # A key the sandbox refuses is told apart from that.
    refused = login(
        home, sandbox, "--wix-base-url", sandbox.base_url, "--storage", "encrypted-file",
        key="IST.not-the-key", WIX_SENDING_PASSPHRASE=PASSPHRASE, **NO_KEYRING,
    )  # fmt: skip
    line = one_line_reason(refused, code=1)
    assert "did not accept this key" in line and "IST.not-the-key" not in line


@pytest.mark.parametrize(
    ("where", "args", "env"),
    [
        ("--wix-base-url", ["--wix-base-url", "http://wix.example.com"], {}),
        ("WIX_BASE_URL", [], {"WIX_BASE_URL": "http://wix.example.com"}),
    ],
)
@pytest.mark.parametrize("command", ["login", "watch", "app"])
def test_plain_http_off_loopback_is_refused_everywhere(
    home: Path, command: str, where: str, args: list[str], env: dict[str, str]
) -> None:
    argv = {
        "login": ["login", "--site-id", SITE, "--api-key-stdin", *args],
        "watch": ["watch", "--domain", DOMAIN, "--once", *args],
        "app": args,
    }[command]
    if command == "watch":
        env = {**env, "WIX_API_KEY": "IST.x", "WIX_SITE_ID": SITE}
    line = one_line_reason(script(home, *argv, stdin="IST.x\n", **env))
    assert where in line and "Refusing" in line and "plain http://" in line


def test_the_flag_does_not_apply_to_commands_that_do_not_talk_to_wix(home: Path) -> None:
    result = script(home, "--wix-base-url", "http://127.0.0.1:1", "profiles")
    assert result.returncode == 2 and "does not apply to 'profiles'" in result.stderr
    result = script(home, "watch", "a.example=b.example", "--profile", "x", "--once")
    assert "only apply with --domain" in one_line_reason(result)


def test_the_profile_keeps_its_api_and_profiles_and_paths_show_it(
    home: Path, sandbox: SandboxServer, tmp_path: Path
) -> None:
    keyring = {
        "PYTHON_KEYRING_BACKEND": "tests.store.file_keyring.FileKeyring",
        KEYRING_FILE_ENV: str(tmp_path / "keyring.json"),
    }
    # WIX_BASE_URL is a way to give it; the flag wins over it.
    broken = f"http://127.0.0.1:{free_port()}"
    flag = ("--wix-base-url", sandbox.base_url)
    result = login(home, sandbox, *flag, WIX_BASE_URL=broken, **keyring)
    assert result.returncode == 0, result.stderr
    listed = json.loads(script(home, "profiles", "--json", **keyring).stdout)
    [row] = listed["profiles"]
    assert row["baseUrl"] == row["apiUrl"] == sandbox.base_url
    text = script(home, "profiles", **keyring).stdout
    assert f"API {sandbox.base_url}" in text
    found = json.loads(script(home, "paths", "--json", **keyring).stdout)
    assert (found["wixBaseUrl"], found["wixBaseUrlFrom"]) == (sandbox.base_url, "profile shop")
    # WIX_BASE_URL overrides the profile's, and the listings say so.
    found = json.loads(script(home, "paths", "--json", WIX_BASE_URL=broken, **keyring).stdout)
    assert (found["wixBaseUrl"], found["wixBaseUrlFrom"]) == (broken, "WIX_BASE_URL")
    text = script(home, "profiles", WIX_BASE_URL=broken, **keyring).stdout
    assert f"Using WIX_BASE_URL={broken}" in text
    # Logged in again with no URL given: the profile's own API is used (and kept).
    again = login(home, sandbox, **keyring)
    assert again.returncode == 0, again.stderr
    assert profile_file.load(paths_of(home).profiles_file).profiles["shop"].base_url == (
        sandbox.base_url
    )
    # The saved profile drives watch --domain: its key from the keyring, its API.
    result = script(home, "watch", "--domain", DOMAIN, *dns_flags(sandbox), **keyring)
    assert result.returncode in (0, 1), result.stderr
    names = {r["name"] for r in json.loads(result.stdout)["records"]}
    assert names == expected_names(sandbox)


# --- watch --domain with a saved profile -----------------------------------------------------


def dns_flags(sandbox: SandboxServer) -> list[str]:
    info = sandbox.dns
    first = info.resolvers[0]
    flags = ["--once", "--json", "--timeout", "0.5"]
    flags += ["--resolver", f"{first.name}={first.host}:{first.port}"]
    for host, port in info.authoritative:
        flags += ["--authoritative", f"{host}:{port}"]
    return flags


def expected_names(sandbox: SandboxServer) -> set[str]:
    """The records Wix (the sandbox) gives for the domain, as its control route shows them."""
    state = httpx.get(f"{sandbox.base_url}/_sandbox/state").json()
    return {
        record["hostName"]
        for site in state["sites"]
        for entry in site["sendingDomains"]
        if entry["domain"] == DOMAIN
        for record in entry["dnsRecords"]
    }


def test_watch_domain_uses_the_saved_encrypted_file_profile(
    home: Path, sandbox: SandboxServer, tmp_path: Path
) -> None:
    result = login(
        home, sandbox, "--storage", "encrypted-file", "--wix-base-url", sandbox.base_url,
        WIX_SENDING_PASSPHRASE=PASSPHRASE, **NO_KEYRING,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # No WIX_API_KEY, no --wix-base-url: the current profile, its key and its API.
    line = one_line_reason(script(home, "watch", "--domain", DOMAIN, "--once", **NO_KEYRING))
    assert "no terminal" in line and "--passphrase-file" in line
    file = tmp_path / "passphrase"
    file.write_text(PASSPHRASE)
    result = script(
        home, "watch", "--domain", DOMAIN, "--passphrase-file", str(file), *dns_flags(sandbox),
        **NO_KEYRING,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    names = {r["name"] for r in json.loads(result.stdout)["records"]}
    assert names == expected_names(sandbox)
    # The same, named with --profile.
    result = script(
        home, "watch", "--domain", DOMAIN, "--profile", "shop", *dns_flags(sandbox),
        WIX_SENDING_PASSPHRASE=PASSPHRASE, **NO_KEYRING,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    # A profile that is not there, and one that the environment's key would override.
    line = one_line_reason(script(home, "watch", "--domain", DOMAIN, "--profile", "nope"))
    assert "no profile 'nope'" in line and "shop" in line
    creds = sandbox.credentials[0]
    env = {"WIX_API_KEY": creds.api_key, "WIX_SITE_ID": creds.site_id}
    line = one_line_reason(
        script(home, "watch", "--domain", DOMAIN, "--profile", "shop", "--once", **env)
    )
    assert "take precedence" in line


def test_watch_domain_with_no_credentials_at_all_exits_2(home: Path) -> None:
    line = one_line_reason(script(home, "watch", "--domain", DOMAIN, "--once"))
    assert "wix-sending login" in line and "WIX_API_KEY" in line


# --- every command of the README, with no terminal -------------------------------------------


@pytest.mark.parametrize(
    ("argv", "stdin", "code", "words"),
    [
        ([], None, 2, "needs a terminal"),
        (["demo"], None, 2, "needs a terminal"),
        (["login", "--profile", "acme", "--site-id", SITE], None, 2, "--api-key-stdin"),
        (["login", "--profile", "acme"], "IST.x\n", 2, "give --site-id"),
        (["logout", "--profile", "acme"], None, 2, "no profile 'acme'"),
        (["profiles"], None, 0, ""),
        (["paths"], None, 0, ""),
        (["watch", "--domain", DOMAIN], None, 2, "--domain needs Wix credentials"),
        (["watch", "not a record"], None, 2, "HOST=TARGET"),
    ],
)
def test_every_command_without_a_terminal_works_or_exits_2_in_one_line(
    home: Path, argv: list[str], stdin: str | None, code: int, words: str
) -> None:
    result = script(home, *argv, stdin=stdin, **NO_KEYRING)
    if code == 0:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    else:
        assert words in one_line_reason(result, code)


# --- Ctrl-C ----------------------------------------------------------------------------------


def interrupted(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, out + err
    assert "Traceback" not in err and "interrupted" in err
    return out, err


def test_ctrl_c_at_login_exits_130_and_saves_nothing(home: Path) -> None:
    process = subprocess.Popen(
        [str(COMMAND), "login", "--site-id", SITE, "--api-key-stdin"],
        stdin=subprocess.PIPE,  # left open: the login waits for the key
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(home),
        start_new_session=True,
    )
    try:
        time.sleep(3)  # past the imports, into the read
        assert process.poll() is None
        interrupted(process)
    finally:
        if process.poll() is None:
            process.kill()
    assert not paths_of(home).profiles_file.exists()


def test_ctrl_c_during_watch_exits_130(home: Path) -> None:
    # A resolver that never answers, checked every minute: watch would run for ever.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        resolver = f"127.0.0.1:{silent.getsockname()[1]}"
        process = subprocess.Popen(
            [str(COMMAND), "watch", "a.example=b.example", "--resolver", resolver,
             "--authoritative", resolver, "--timeout", "0.2", "--interval", "60"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(home),
            start_new_session=True,
        )  # fmt: skip
        try:
            assert process.stdout is not None
            first = process.stdout.readline()  # the first frame: now it waits for the next
            assert first, process.stderr.read() if process.stderr else ""
            interrupted(process)
        finally:
            if process.poll() is None:
                process.kill()
