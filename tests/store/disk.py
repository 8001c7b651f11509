"""Bad disks for the tests: an unreadable file, a read-only folder, a full disk.

The real thing is used where the test can have it: ``chmod`` for permissions. But as root (CI
containers often run tests as root), or with CAP_DAC_OVERRIDE, chmod stops nothing. Each helper
then checks whether chmod really took effect and, when it did not, makes the system calls fail
the way the kernel would (``EACCES`` for reads; ``EROFS``, a read-only mount, for writes): only
for paths under the folder in question, so the rest of the test runs normally.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _under(path: object, root: Path) -> bool:
    if isinstance(path, int):
        return False
    try:
        return Path(os.fsdecode(path)).absolute().is_relative_to(root.absolute())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def make_unreadable(path: Path, mp: pytest.MonkeyPatch) -> str:
    """Reading ``path`` fails with "Permission denied"; writing next to it still works.
    Returns how ("chmod" or "simulated")."""
    os.chmod(path, 0)
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        return "chmod"
    os.chmod(path, 0o600)  # chmod did not stop us (root): make the reads fail instead
    denied = OSError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    real_os_open = os.open
    real_io_open = io.open

    def os_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if _under(file, path) and not flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(*denied.args)
        return real_os_open(file, flags, *args, **kwargs)

    def io_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if _under(file, path) and not set(mode) & set("wax+"):
            raise PermissionError(*denied.args)
        return real_io_open(file, mode, *args, **kwargs)

    mp.setattr(os, "open", os_open)
    mp.setattr(io, "open", io_open)
    return "simulated"


def make_read_only(directory: Path, mp: pytest.MonkeyPatch) -> str:
    """Nothing can be created, renamed or removed in ``directory`` (which must exist).
    Returns how: "chmod" (EACCES) or "simulated" (EROFS, as on a read-only mount)."""
    os.chmod(directory, 0o500)
    probe = directory / ".probe"
    try:
        probe.touch()
    except PermissionError:
        return "chmod"
    probe.unlink()
    os.chmod(directory, 0o700)

    def refuse(real: Callable[..., Any], *, check: Callable[..., bool]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if check(*args, **kwargs):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(args[0]))
            return real(*args, **kwargs)

        return call

    def writes(file: Any, flags: int, *args: Any, **kwargs: Any) -> bool:
        return _under(file, directory) and bool(flags & _WRITE_FLAGS)

    def touches(*paths: Any, **kwargs: Any) -> bool:
        return any(_under(p, directory) for p in paths[:2])

    mp.setattr(os, "open", refuse(os.open, check=writes))
    for name in ("mkdir", "rename", "replace", "unlink", "rmdir"):
        mp.setattr(os, name, refuse(getattr(os, name), check=touches))
    return "simulated"


def restore(directory: Path) -> None:
    """Undo :func:`make_read_only`'s or :func:`make_unreadable`'s chmod."""
    for path in (directory, *directory.rglob("*")):
        if path.is_dir():
            os.chmod(path, 0o700)
        elif path.exists():
            os.chmod(path, 0o600)


def full_disk(mp: pytest.MonkeyPatch, at: Path) -> list[Path]:
    """Writing a file under ``at`` fails with ENOSPC halfway through (the start of the data is
    written, as when a disk fills up during the write). Returns the files it failed on."""
    failed: list[Path] = []
    real_fdopen = os.fdopen

    class Filling:
        def __init__(self, handle: Any, path: Path) -> None:
            self.handle, self.path = handle, path

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            failed.append(self.path)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

        def __enter__(self) -> Filling:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))  # which file (Linux)
        if _under(path, at) and "w" in getattr(handle, "mode", ""):
            return Filling(handle, path)
        return handle

    mp.setattr(os, "fdopen", fdopen)
    return failed


class FullDisk:
    """A log stream on a full disk: every write and flush fails with ENOSPC."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def close(self) -> None:
        self.flush()

    def seek(self, *args: Any) -> int:
        return 0

    def tell(self) -> int:
        return 0


@contextlib.contextmanager
def full_log_stream() -> Iterator[IO[str] | FullDisk]:
    """/dev/full where there is one (the kernel's own ENOSPC, through Python's buffered I/O),
    else a stand-in that raises the same error."""
    if not os.path.exists("/dev/full"):
        yield FullDisk()
        return
    stream = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        yield stream
    finally:
        with contextlib.suppress(OSError):  # what is still buffered cannot be written either
            stream.close()
