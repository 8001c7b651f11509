"""Where the app's files live (platformdirs), overridable for tests and odd setups."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "wix-sending"


def config_file() -> Path:
    """``$WIX_SENDING_CONFIG`` if set, else ``config.toml`` in the platform's config dir."""
    override = os.environ.get("WIX_SENDING_CONFIG", "").strip()
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP) / "config.toml"
