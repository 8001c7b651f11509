"""The config file: defaults when absent, clear problems (file, line, column, key) when broken,
and never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.store.config import NotifyConfig, load


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "config.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    loaded = load(tmp_path / "absent.toml")
    assert loaded.problem == ""
    assert loaded.config.watch_interval == 30.0


def test_valid_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[resolvers]\nremove = ["yandex"]\n'
        'add = [{ key = "office", addresses = ["10.0.0.53"] }]\n'
        "[watch]\ninterval = 10\ntimeout = 1.5\n",
    )
    loaded = load(path)
    assert loaded.problem == ""
    assert loaded.config.resolvers["remove"] == ["yandex"]
    assert (loaded.config.watch_interval, loaded.config.watch_timeout) == (10.0, 1.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[watch]\ninterval = \n", "line 2, column"),
        ("[colours]\nx = 1\n", "unknown section(s) colours"),
        ("[watch]\ninterval = 0\n", "outside 1-86400"),
        ("[watch]\ninterval = nan\n", "must be a number"),
        ('[watch]\ninterval = "soon"\n', "must be a number"),
        ("[watch]\nspeed = 3\n", "unknown key(s) speed"),
        ("resolvers = 3\n", "[resolvers] must be a table"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_broken_files_say_where_and_fall_back(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    loaded = load(path)
    assert message in loaded.problem
    assert str(path) in loaded.problem
    assert loaded.config.watch_interval == 30.0


def test_notify_is_off_by_default_and_read_when_given(tmp_path: Path) -> None:
    assert load(tmp_path / "absent.toml").config.notify == NotifyConfig()
    assert not NotifyConfig().bell and not NotifyConfig().webhook
    path = write(
        tmp_path,
        "[notify]\nbell = true\ndesktop = false\n"
        'webhook = " https://hooks.example.com/T0/B0/x "\n'
        "command = \"/usr/local/bin/wix-alert --to 'ops team'\"\n"
        'timeout = 3\nevents = ["new_problem", "all_visible"]\n',
    )
    loaded = load(path)
    assert loaded.problem == ""
    notify = loaded.config.notify
    assert (notify.bell, notify.desktop, notify.timeout) == (True, False, 3.0)
    assert notify.webhook == "https://hooks.example.com/T0/B0/x"
    assert notify.command == "/usr/local/bin/wix-alert --to 'ops team'"
    assert notify.events == ("all_visible", "new_problem")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("notify = 1\n", "[notify] must be a table"),
        ("[notify]\nsound = true\n", "[notify] has unknown key(s) sound; expected bell"),
        ('[notify]\nbell = "yes"\n', "line 2: [notify] bell must be true or false"),
        ("[notify]\ndesktop = 1\n", "[notify] desktop must be true or false"),
        ('[notify]\nwebhook = "ftp://x.example/h"\n', "webhook must start with https://"),
        ('[notify]\nwebhook = "https:///nohost"\n', "webhook has no host name"),
        ('[notify]\nwebhook = "https://x.example:port/"\n', "webhook is not a URL"),
        ("[notify]\nwebhook = 3\n", "[notify] webhook must be a string"),
        ('[notify]\ncommand = "alert \'unclosed"\n', "command cannot be split into words"),
        ("[notify]\ncommand = []\n", "[notify] command must be a string"),
        ("[notify]\ntimeout = 0\n", "[notify] timeout = 0 is outside 1-60 seconds"),
        ('[notify]\nevents = "all"\n', "[notify] events must be a list of all_visible"),
        ('[notify]\nevents = ["done"]\n', "unknown event(s) done; known: all_visible"),
    ],
)
def test_bad_notify_values_say_which_and_fall_back(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    loaded = load(path)
    assert message in loaded.problem
    assert str(path) in loaded.problem
    assert loaded.config.notify == NotifyConfig()


def test_a_bad_webhook_is_not_quoted(tmp_path: Path) -> None:
    # A webhook's address often holds its token: the message says what is wrong, not the URL.
    path = write(tmp_path, '[notify]\nwebhook = "hxxps://hooks.example.com/SECRET-TOKEN"\n')
    problem = load(path).problem
    assert "webhook must start with https://" in problem and "SECRET-TOKEN" not in problem
