"""Writing a file so that it is either the old one or the new one, never half of each, and
readable only by its owner (0600 in a 0700 directory)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from tui.store.paths import private_dir


def write_private(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync, rename over the target, fsync the directory."""
    directory = private_dir(path.parent)
    # mkstemp creates the file 0600, so the secret is never readable by others, not even briefly.
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    if os.name == "posix":
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
