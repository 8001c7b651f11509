"""Writing a file so that it is either the old one or the new one, never half of each, and
readable only by its owner (0600 in a 0700 directory).

Call :func:`write_private` holding the file's lock (:func:`tui.store.lock.locked`): the lock's
holder removes temp files that a killed writer left behind, which is only safe if no other
writer can be between its write and its rename.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

from tui.store.files import StoreError, write_problem
from tui.store.paths import private_dir

log = logging.getLogger("tui.store")


def write_private(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync, rename over the target, fsync the directory.

    Raises :class:`~tui.store.files.StoreError` (an OSError whose text says what failed and
    how to fix it: a read-only folder, a full disk) with the old file untouched and no temp
    file left behind."""
    directory = path.parent
    temp: str | None = None
    try:
        private_dir(directory)
        # mkstemp creates the file 0600: a secret is never readable by others, not even briefly.
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        temp = None
    except OSError as exc:
        raise StoreError(write_problem(directory, exc), exc) from exc
    finally:
        # Any failure, an exception of any kind included (Ctrl-C), leaves no temp file.
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    if os.name == "posix":
        # The rename is done and the new file complete: syncing the directory only makes the
        # rename itself durable, so its failure is logged, not reported as a failed save.
        try:
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            log.warning("could not sync the directory of %s: %s", path.name, exc.strerror)
