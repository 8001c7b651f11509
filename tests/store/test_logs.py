"""The log file on a full disk: it never takes the app down, never prints a traceback (which
in the TUI would be drawn over the screen), and says so once."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.store.disk import FullDisk, full_log_stream
from tui.launch import _logging_to
from tui.store.logs import setup_logging
from tui.store.paths import Paths


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(*(tmp_path / part for part in ("config", "data", "state", "logs")))


@pytest.fixture
def full_stream() -> Iterator[IO[str] | FullDisk]:
    with full_log_stream() as stream:
        yield stream


def test_a_full_log_disk_is_said_once_and_never_raises(
    paths: Paths, full_stream: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = setup_logging(paths)
    said: list[str] = []
    handler.on_failure = said.append
    handler.stream = full_stream
    log = logging.getLogger("tui.test")
    try:
        for i in range(5):
            log.warning("line %d", i)
        handler.flush()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()  # the final flush fails too: still nothing raised
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Logging error" not in err and err == ""
    assert len(said) == 1 and "No space left" in said[0] and str(paths.log_file) in said[0]
    assert handler.failure == said[0]


def test_without_a_listener_it_says_one_line_on_stderr(
    paths: Paths, full_stream: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = setup_logging(paths)
    handler.stream = full_stream
    try:
        for i in range(5):
            logging.getLogger("tui.test").warning("line %d", i)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be written" in err and "Traceback" not in err


def test_the_app_exits_cleanly_when_the_log_disk_fills_up(
    paths: Paths, full_stream: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # run_app's own wrapping: a log file that fails while the app runs, and at its close.
    with _logging_to(paths, say_why=True):
        handler = next(
            h
            for h in logging.getLogger().handlers
            if getattr(h, "baseFilename", None) == str(paths.log_file)
        )
        handler.stream = full_stream
        logging.getLogger("tui.test").error("the disk is full now")
    assert "Traceback" not in capsys.readouterr().err


def test_a_new_log_file_is_0600_from_the_start_and_after_rotation(paths: Paths) -> None:
    handler = setup_logging(paths)
    try:
        handler.maxBytes = 100
        for i in range(10):
            logging.getLogger("tui.test").warning("line %d %s", i, "x" * 40)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    for path in paths.log_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert (paths.log_dir / "wix-sending.log.1").exists()
