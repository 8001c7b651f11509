"""Where the app's files live (platformdirs), with safe permissions.

``$WIX_SENDING_HOME`` puts every directory under one folder (tests, portable setups);
``$WIX_SENDING_CONFIG`` points at a config file of the user's choosing.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "wix-sending"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    state_dir: Path
    log_dir: Path

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
        return Paths(root / "config", root / "data", root / "state", root / "logs")
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
    if os.name == "posix":
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(0o700)
    return path
