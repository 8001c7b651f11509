"""A keyring backend that several processes share, for the tests that run many ``wix-sending
login`` commands at once.

Why not the in-memory backend: each process would have its own. Why not keyrings.alt: it is
not installed, and its file backends rewrite their file without a lock, so they would lose
items under concurrency by themselves and the test would measure them rather than the app. A
real keyring (the Secret Service daemon, the macOS Keychain) keeps every item it is given, one
call at a time; this backend does the same with an ``flock`` around each call on a JSON file.
So what the tests count as lost can only be lost by the app's own files.

Chosen in a subprocess with ``PYTHON_KEYRING_BACKEND=tests.store.file_keyring.FileKeyring``
(keyring honours it before its auto-detection) and ``WIX_SENDING_TEST_KEYRING=<file>``.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring.backend
import keyring.errors

ENV = "WIX_SENDING_TEST_KEYRING"


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ[ENV])

    @contextmanager
    def _items(self) -> Iterator[dict[str, str]]:
        """The items, under an exclusive lock; changes are written back when the block ends."""
        lock = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            items = json.loads(self.path.read_text()) if self.path.exists() else {}
            before = dict(items)
            yield items
            if items != before:
                temp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
                temp.write_text(json.dumps(items))
                os.replace(temp, self.path)
        finally:
            os.close(lock)

    def get_password(self, service: str, username: str) -> str | None:
        with self._items() as items:
            return items.get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._items() as items:
            items[f"{service}/{username}"] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._items() as items:
            if items.pop(f"{service}/{username}", None) is None:
                raise keyring.errors.PasswordDeleteError(username)


def stored(path: Path) -> dict[str, str]:
    """Every item in the file, as ``service/username: password``."""
    return json.loads(path.read_text()) if path.exists() else {}
