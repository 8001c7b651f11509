"""The opt-in encrypted secrets file, for machines with no usable keyring.

An app-owned format on maintained primitives (keyring.md §4.3): scrypt (``cryptography``)
derives a key from the passphrase, ChaCha20-Poly1305 encrypts the JSON of all secrets, and the
header keeps the KDF parameters and a version. The file is 0600 in a 0700 directory and always
rewritten atomically. What it protects against: someone reading the file (a backup, a copy). It
adds nothing against malware running as the same user while the app is unlocked; the README
says so.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

# cryptography is imported where it is used: only the encrypted-file fallback needs it, and
# not before the first frame.
from tui.secret import Secret
from tui.store.atomic import write_private
from tui.store.files import read_capped
from tui.store.lock import locked

log = logging.getLogger("tui.store")

VERSION = 1
AAD = b"wix-sending secrets v1"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # ~32 MiB and ~0.1 s: slow to guess, quick to open
MIN_PASSPHRASE = 8


class VaultError(Exception):
    """The file cannot be used; the message says why and what to do."""


class WrongPassphrase(VaultError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text, validate=True)


_Params = tuple[int, int, int]  # scrypt n, r, p


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is replaced (inode, size, mtime); None when there is none."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


class Vault:
    """The secrets file. Every change (``set``, ``delete``) is applied, under the file's lock,
    to what the file holds at that moment: two logins at once both keep their key, even when
    both started a new file (the later one then adds its key to the other's file, opening it
    with the same passphrase). ``get`` reads the file again when another process changed it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.__passphrase: str | None = None  # to open the file again if another process re-made it
        self.__key: bytes | None = None
        self.__salt: bytes | None = None
        self.__params: dict[str, int] = dict(SCRYPT)
        self.__secrets: dict[str, str] = {}
        self.__keys: dict[tuple[bytes, _Params], bytes] = {}  # derived keys, by salt and params
        self.__seen: tuple[int, int, int] | None = None  # the file as last read or written

    def __repr__(self) -> str:
        state = "unlocked" if self.__key else "locked"
        return f"Vault({str(self.path)!r}, {state})"

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @property
    def unlocked(self) -> bool:
        return self.__key is not None

    def unlock(self, passphrase: str) -> None:
        """Open the file (or start a new one, if there is none) with ``passphrase``."""
        if not isinstance(passphrase, str) or not passphrase:
            raise VaultError("The passphrase is empty.")
        if not self.exists:
            if len(passphrase) < MIN_PASSPHRASE:
                raise VaultError(
                    f"Choose a passphrase of at least {MIN_PASSPHRASE} characters: it is all "
                    "that protects the file."
                )
            salt = os.urandom(16)
            key = self._derive(passphrase, salt, _params(self.__params))
            self.__passphrase, self.__salt, self.__key = passphrase, salt, key
            self.__keys[(salt, _params(self.__params))] = key
            self.__secrets, self.__seen = {}, None
            return
        seen = _signature(self.path)
        header = self._read()
        salt, params, nonce, ciphertext = self._fields(header)
        key = self._derive(passphrase, salt, params)
        secrets = self._decrypt(key, nonce, ciphertext, wrong=_WRONG)
        self.__passphrase, self.__key, self.__salt = passphrase, key, salt
        self.__params = dict(zip("nrp", params, strict=True))
        self.__keys[(salt, params)] = key
        self.__secrets, self.__seen = secrets, seen

    def _read(self) -> dict[str, Any]:
        try:
            raw = read_capped(self.path)
            header = json.loads(raw)
        except FileNotFoundError:
            raise VaultError(f"{self.path} is missing: log in again to make a new one.") from None
        except (OSError, ValueError, RecursionError) as exc:
            raise VaultError(f"{self.path} cannot be read ({type(exc).__name__}).") from None
        if not isinstance(header, dict) or header.get("version") != VERSION:
            raise VaultError(f"{self.path} is not a version {VERSION} wix-sending secrets file.")
        return header

    def _fields(self, header: dict[str, Any]) -> tuple[bytes, _Params, bytes, bytes]:
        try:
            salt = _unb64(header["salt"])
            nonce = _unb64(header["nonce"])
            ciphertext = _unb64(header["ciphertext"])
            params = (
                int(header["kdf"]["n"]),
                int(header["kdf"]["r"]),
                int(header["kdf"]["p"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise VaultError(f"{self.path} is damaged ({type(exc).__name__}).") from None
        return salt, params, nonce, ciphertext

    def _decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, wrong: str) -> dict[str, str]:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        try:
            plain = ChaCha20Poly1305(key).decrypt(nonce, ciphertext, AAD)
        except InvalidTag:
            raise WrongPassphrase(wrong) from None
        try:
            secrets = json.loads(plain)
            if not isinstance(secrets, dict) or not all(
                isinstance(v, str) for v in secrets.values()
            ):
                raise ValueError
        except (ValueError, RecursionError):
            raise VaultError(f"{self.path} decrypted to something unexpected.") from None
        return secrets

    @staticmethod
    def _derive(passphrase: str, salt: bytes, params: _Params) -> bytes:
        n, r, p = params
        if not (2**10 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
            raise VaultError("the secrets file has unsafe or absurd key-derivation settings")
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        kdf = Scrypt(salt=salt, length=32, n=n, r=r, p=p)
        return kdf.derive(passphrase.encode("utf-8"))

    def _require(self) -> None:
        if self.__key is None:
            raise VaultError("The secrets file is locked: enter its passphrase first.")

    def get(self, account: str) -> Secret | None:
        self._require()
        if _signature(self.path) not in (self.__seen, None):
            # Another wix-sending wrote the file since we read it (a login from the command
            # line while the app runs): read it again, so its new keys are found. If that
            # fails, what was read before still holds.
            try:
                self.__secrets = self._current()
            except VaultError as exc:
                log.warning("the secrets file changed and could not be read again: %s", exc)
        value = self.__secrets.get(account)
        return Secret(value) if value else None

    def set(self, account: str, secret: Secret) -> None:
        self._require()
        value = secret.reveal()

        def put(secrets: dict[str, str]) -> bool:
            secrets[account] = value
            return True

        self._change(put)

    def delete(self, account: str) -> bool:
        self._require()
        return self._change(lambda secrets: secrets.pop(account, None) is not None)

    def _current(self) -> dict[str, str]:
        """The secrets the file holds now (deriving its key again if it was re-made)."""
        for _ in range(3):
            seen = _signature(self.path)
            try:
                header = self._read()
            except VaultError:
                if not self.exists:
                    return {}
                raise
            salt, params, nonce, ciphertext = self._fields(header)
            key = self._key_for(salt, params)
            secrets = self._decrypt(key, nonce, ciphertext, wrong=_CHANGED)
            if _signature(self.path) == seen:
                self.__seen = seen
                return secrets
        raise VaultError(f"{self.path} keeps changing; try again.")

    def _key_for(self, salt: bytes, params: _Params) -> bytes:
        key = self.__keys.get((salt, params))
        if key is None:
            assert self.__passphrase is not None  # unlocked
            key = self.__keys[(salt, params)] = self._derive(self.__passphrase, salt, params)
        return key

    def _change(self, change: Callable[[dict[str, str]], bool]) -> bool:
        """Apply ``change`` to the secrets as the file holds them now, under its lock, and
        write them back if it says it changed something. Deriving a key (a tenth of a second)
        is done outside the lock, so other writers do not wait for it."""
        for _ in range(3):
            with locked(self.path):
                header = self._read() if self.exists else None
                key: bytes | None
                if header is None:  # no file (yet, or any more): ours, with our own salt
                    assert self.__salt is not None
                    salt, params, secrets = self.__salt, _params(self.__params), {}
                    key = self.__keys[(salt, params)]
                else:
                    salt, params, nonce, ciphertext = self._fields(header)
                    key = self.__keys.get((salt, params))
                    if key is not None:
                        secrets = self._decrypt(key, nonce, ciphertext, wrong=_CHANGED)
                if key is not None:
                    changed = change(secrets)
                    if changed:
                        self._write(secrets, key, salt, params)
                    self.__key, self.__salt = key, salt
                    self.__params = dict(zip("nrp", params, strict=True))
                    self.__secrets, self.__seen = secrets, _signature(self.path)
                    return changed
            # Another process made the file (or made it again) since we opened ours: derive
            # its key from our passphrase (a wrong one is caught when decrypting), try again.
            self._key_for(salt, params)
        raise VaultError(f"{self.path} keeps changing; nothing was saved. Try again.")

    def _write(self, secrets: dict[str, str], key: bytes, salt: bytes, params: _Params) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        nonce = os.urandom(12)
        plain = json.dumps(secrets).encode("utf-8")
        n, r, p = params
        header = {
            "version": VERSION,
            "kdf": {"name": "scrypt", "n": n, "r": r, "p": p},
            "cipher": "chacha20-poly1305",
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "ciphertext": _b64(ChaCha20Poly1305(key).encrypt(nonce, plain, AAD)),
        }
        write_private(self.path, json.dumps(header, indent=1).encode("ascii"))


def _params(params: dict[str, int]) -> _Params:
    return (params["n"], params["r"], params["p"])


_WRONG = (
    "That passphrase does not open the secrets file. Try again (it is case-sensitive); if it "
    "is lost, delete the file and log in again."
)
_CHANGED = (
    "The secrets file was made again by another wix-sending, with another passphrase: this "
    "one does not open it any more. Nothing was saved; open it again with its passphrase."
)
