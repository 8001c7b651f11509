"""One writer at a time for each file of ours, across processes: two ``wix-sending login``s, or
two apps open at once, must not each read the file, change their copy and write it back over
the other's change.

:func:`locked` holds an OS lock (``flock``; ``msvcrt.locking`` on Windows) on ``<file>.lock``
next to the file. Every read-modify-write takes it and re-reads the file inside it, so a change
is applied to what is there now. Readers take no lock: files are replaced by an atomic rename,
so a reader sees the old file or the new one, never a mix.

The lock file is created once and never deleted: deleting it while another process waits on
it would let a third one lock a new file and write at the same time. The OS releases the lock
when its holder exits, even by a crash, so a left-over lock file never blocks anyone.
"""

from __future__ import annotations

import contextlib
import glob
import os
import time
from collections.abc import Iterator
from pathlib import Path

from tui.store.files import StoreError, quote, write_problem
from tui.store.paths import private_dir

TIMEOUT = 30.0  # seconds; a writer holds the lock for milliseconds (scrypt: a tenth of a second)


class LockTimeout(StoreError):
    """Another process kept the file locked for longer than the timeout."""


def lock_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path, timeout: float = TIMEOUT) -> Iterator[None]:
    """Hold the lock of ``path`` for the block (its directory is made 0700 if needed).
    Raises :class:`~tui.store.files.StoreError` (an OSError) when the lock file cannot be made
    (a read-only or full disk) and :class:`LockTimeout` after ``timeout`` seconds."""
    lock = lock_path(path)
    try:
        private_dir(path.parent)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        raise StoreError(write_problem(path.parent, exc), exc) from exc
    try:
        _acquire(fd, path, lock, timeout)
        _remove_stale_temps(path)
        yield
    finally:
        os.close(fd)  # also releases the lock


def _acquire(fd: int, path: Path, lock: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        try:
            if _try_lock(fd):
                return
        except OSError as exc:  # e.g. ENOLCK on a network file system without locks
            raise StoreError(
                f"{quote(lock, 300)} cannot be locked ({exc.strerror or exc}), so {path.name} "
                "is not changed: two wix-sending processes could otherwise lose each other's "
                "changes. Set WIX_SENDING_HOME to a folder on a local disk.",
                exc,
            ) from exc
        if time.monotonic() >= deadline:
            raise LockTimeout(
                f"Another wix-sending has been changing {quote(path, 300)} for more than "
                f"{timeout:g} s (it holds {lock.name}). Try again in a moment; if no other "
                "wix-sending is running, look for a process that has the file open "
                f"(fuser {quote(lock, 300)})."
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _try_lock(fd: int) -> bool:
    """True when the lock was taken; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except PermissionError:  # held elsewhere (EACCES); released when fd is closed
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def temp_pattern(path: Path) -> str:
    """The names :func:`tui.store.atomic.write_private` gives its temp files for ``path``."""
    return str(path.parent / f".{glob.escape(path.name)}.*.tmp")


def _remove_stale_temps(path: Path) -> None:
    """Temp files of ``path`` left by a writer that died between writing and renaming (a
    kill, a power cut). Every writer holds the lock while its temp file exists, so any found
    by the lock's holder is such a left-over."""
    for stale in glob.glob(temp_pattern(path)):
        with contextlib.suppress(OSError):
            os.unlink(stale)
