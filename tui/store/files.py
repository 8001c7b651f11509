"""Reading our files defensively, and saying what went wrong in words.

Every file the app reads (config, profiles, state, the encrypted secrets) is read with
:func:`read_capped`: at most ``limit + 1`` bytes, and only from a regular file, so
``WIX_SENDING_CONFIG=/dev/zero`` or a FIFO is refused at once instead of being read until
memory runs out. Whatever is quoted from a file or a value in a message goes through
:func:`quote` (cut to a few hundred characters, control characters shown as escapes), so a
huge or hostile file cannot produce a 2 MB warning line or drive the terminal.

Failures come in two kinds, handled differently by the callers:

- *unreadable* (an ``OSError``: permission denied, a directory, a device): the file may be
  fine; it is left exactly as it is and never overwritten;
- *damaged* (:func:`damage`: too large, not UTF-8, bad syntax, nested too deeply for the
  parser): our own files are moved aside (:func:`move_aside`) before a new one is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from tui.sanitize import visible

MAX_BYTES = 1 << 20  # 1 MiB: far more than any config, profiles, state or secrets file needs
MAX_QUOTE = 200  # characters of one quoted value or name
MAX_MESSAGE = 600  # characters of a whole message about a file


class StoreError(OSError):
    """A file of ours could not be read, written or locked; ``str()`` is a sentence that says
    what and how to fix it. An ``OSError``, so every caller that handles a failed write
    already handles it."""

    def __init__(self, message: str, cause: OSError | None = None) -> None:
        super().__init__(cause.errno if cause is not None else None, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotRegularFile(OSError):
    """A path that is a directory, a device or a pipe where a file was expected."""


class TooLarge(ValueError):
    """More bytes than any file of ours can hold: damaged, or not ours."""


def quote(value: object, limit: int = MAX_QUOTE) -> str:
    """``value`` as text, safe for one line: controls escaped, cut to ``limit`` characters."""
    return visible(str(value), limit=limit)


def clip(message: str) -> str:
    """A whole message, kept to :data:`MAX_MESSAGE` characters."""
    return visible(message, limit=MAX_MESSAGE)


def names(items: Iterable[object], shown: int = 5) -> str:
    """``a, b, c and 12 more``: a list from a file, never the whole of a huge one."""
    found = [quote(item, 40) for item in items]
    head = ", ".join(found[:shown])
    return head + (f" and {len(found) - shown} more" if len(found) > shown else "")


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a pipe"),
    (stat.S_ISSOCK, "a socket"),
)


def read_capped(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``: FileNotFoundError when there is none,
    :class:`NotRegularFile` (an OSError) for a directory/device/pipe, :class:`TooLarge` past
    ``limit``. Never reads more than ``limit + 1`` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    # O_NONBLOCK: opening a FIFO with no writer must not hang; regular files ignore it.
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((word for test, word in _KINDS if test(mode)), "not a regular file")
            raise NotRegularFile(errno.EINVAL, f"is {kind}, not a file")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise TooLarge(f"larger than {limit // 1024} KiB, far more than such a file holds")
    return b"".join(chunks)


def unreadable(exc: OSError) -> str:
    """Why a file could not be read, in a few words."""
    return quote(exc.strerror or exc, 120)


def damage(exc: BaseException) -> str:
    """Why a file's content could not be used, in a few words (never the content itself
    beyond a short quote)."""
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "too large to read"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return quote(exc, 300)


def move_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename a damaged ``path`` to ``<name>.corrupt-<UTC time>`` (a free name: an earlier
    copy is never overwritten) and return the new path. Call it holding the file's lock."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.rename(path, aside)
    if os.name == "posix":
        # A damaged file may hold what a hand edit put there: as private as the files we write.
        with contextlib.suppress(OSError):
            os.chmod(aside, 0o600)
    return aside


def write_problem(directory: Path, exc: OSError) -> str:
    """What a failed write in ``directory`` means for the user, and what to do."""
    # When the folder could not even be made, the folder that refused is its nearest parent.
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    where = quote(existing, 300)
    made = "" if existing == directory else f" ({quote(directory, 300)} cannot be made in it)"
    code = exc.errno
    if code == errno.EROFS:
        return (
            f"{where} is read-only (a read-only file system){made}: nothing can be saved "
            "there. Make it writable, or set WIX_SENDING_HOME to a writable folder."
        )
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"{where} is read-only for this user (permission denied){made}: make it writable "
            f"(chmod u+w {where}), or set WIX_SENDING_HOME to a writable folder."
        )
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"The disk holding {where} is full (no space left): free some space and try again."
    return f"{where} could not be written ({unreadable(exc)})."
