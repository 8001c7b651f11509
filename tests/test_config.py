"""The config file: defaults when absent, clear problems (file, line, column, key) when broken,
and never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.store.config import load


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
