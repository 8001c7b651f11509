"""Where the app's files live (platformdirs), with safe permissions.

``$WIX_SENDING_HOME`` puts every directory under one folder (tests, portable setups), exported
files included; ``$WIX_SENDING_CONFIG`` points at a config file of the user's choosing.

Exported files (the DNS records, for a DNS host's import) go where people look for files they
asked for: the platform's downloads folder, else the documents folder, else the app's data
folder. Never the current directory: the app is often started from wherever the shell was.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "wix-sending"
log = logging.getLogger("tui.store")


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    state_dir: Path
    log_dir: Path
    # Where exports go, when not the platform's downloads or documents folder (a test's or a
    # portable home); None: looked up (see :func:`export_directory`).
    exports_dir: Path | None = None

    @property
    def config_file(self) -> Path:
        override = os.environ.get("WIX_SENDING_CONFIG", "").strip()
        return Path(override).expanduser() if override else self.config_dir / "config.toml"

    @property
    def profiles_file(self) -> Path:
        return self.config_dir / "profiles.toml"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "wix-sending.log"

    @property
    def secrets_file(self) -> Path:
        """The opt-in encrypted secrets file (only when no keyring works)."""
        return self.data_dir / "secrets.enc"


def app_paths() -> Paths:
    home = os.environ.get("WIX_SENDING_HOME", "").strip()
    if home:
        root = Path(home).expanduser()
        return Paths(
            root / "config", root / "data", root / "state", root / "logs", root / "exports"
        )
    return Paths(
        platformdirs.user_config_path(APP),
        platformdirs.user_data_path(APP),
        platformdirs.user_state_path(APP),
        platformdirs.user_log_path(APP),
    )


def config_file() -> Path:
    return app_paths().config_file


def private_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700) if needed; tighten it if it is ours and too open.

    Every folder made here is 0700, the missing parents too (``WIX_SENDING_HOME`` itself, say):
    ``mkdir(parents=True)`` would give those the umask's 0755. The mode is set with chmod
    after mkdir, because mkdir's mode is itself filtered by the umask."""
    missing = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by another process: tightened below
            pass
        else:
            if os.name == "posix":
                folder.chmod(0o700)
    if not path.is_dir():  # a file where the folder should be: never chmod'ed, said
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    if os.name == "posix":
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(0o700)
    return path


def _platform_folders() -> list[Path]:
    """The user's downloads folder, then documents folder, as the platform names them (on
    Linux the XDG user dirs, e.g. ~/Downloads or ~/Téléchargements)."""
    found = []
    for lookup in (platformdirs.user_downloads_path, platformdirs.user_documents_path):
        # A broken user-dirs file must not stop an export: the next folder is tried.
        with contextlib.suppress(Exception):
            found.append(Path(lookup()))
    return found


def _takes_files(folder: Path) -> bool:
    # XDG disables a user dir by pointing it at $HOME itself: that is not a downloads folder.
    with contextlib.suppress(RuntimeError):  # no home directory at all
        if folder == Path.home():
            return False
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def export_directory(
    paths: Paths,
    *,
    create: bool = True,
    folders: Callable[[], list[Path]] = _platform_folders,
) -> Path:
    """Where an export goes: the first of the user's downloads and documents folders that
    exists and can be written, else ``exports`` in the app's data folder, made 0700 when this
    makes it (``create``; False only says where it would be). A ``Paths`` with its own
    ``exports_dir`` (``$WIX_SENDING_HOME``) uses that one, so tests never write into the
    user's folders."""
    if paths.exports_dir is None:
        for folder in folders():
            if _takes_files(folder):
                return folder
            log.info("export folder %s missing or not writable: next one", folder)
    fallback = paths.exports_dir if paths.exports_dir is not None else paths.data_dir / "exports"
    return private_dir(fallback) if create else fallback
