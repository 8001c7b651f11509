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
import os
from pathlib import Path
from typing import Any

# cryptography is imported where it is used: only the encrypted-file fallback needs it, and
# not before the first frame.
from tui.secret import Secret
from tui.store.atomic import write_private

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


class Vault:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.__key: bytes | None = None
        self.__salt: bytes | None = None
        self.__params: dict[str, int] = dict(SCRYPT)
        self.__secrets: dict[str, str] = {}

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
            self.__salt = os.urandom(16)
            self.__key = self._derive(passphrase, self.__salt, self.__params)
            self.__secrets = {}
            return
        header = self._read()
        try:
            salt = _unb64(header["salt"])
            nonce = _unb64(header["nonce"])
            ciphertext = _unb64(header["ciphertext"])
            params = {k: int(header["kdf"][k]) for k in ("n", "r", "p")}
        except (KeyError, TypeError, ValueError) as exc:
            raise VaultError(f"{self.path} is damaged ({type(exc).__name__}).") from None
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        key = self._derive(passphrase, salt, params)
        try:
            plain = ChaCha20Poly1305(key).decrypt(nonce, ciphertext, AAD)
        except InvalidTag:
            raise WrongPassphrase(
                "That passphrase does not open the secrets file. Try again (it is case-"
                "sensitive); if it is lost, delete the file and log in again."
            ) from None
        try:
            secrets = json.loads(plain)
            if not isinstance(secrets, dict) or not all(
                isinstance(v, str) for v in secrets.values()
            ):
                raise ValueError
        except ValueError:
            raise VaultError(f"{self.path} decrypted to something unexpected.") from None
        self.__key, self.__salt, self.__params, self.__secrets = key, salt, params, secrets

    def _read(self) -> dict[str, Any]:
        try:
            header = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as exc:
            raise VaultError(f"{self.path} cannot be read ({type(exc).__name__}).") from None
        if not isinstance(header, dict) or header.get("version") != VERSION:
            raise VaultError(f"{self.path} is not a version {VERSION} wix-sending secrets file.")
        return header

    @staticmethod
    def _derive(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
        if not (
            2**10 <= params["n"] <= 2**20 and 1 <= params["r"] <= 32 and 1 <= params["p"] <= 16
        ):
            raise VaultError("the secrets file has unsafe or absurd key-derivation settings")
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
        return kdf.derive(passphrase.encode("utf-8"))

    def _require(self) -> None:
        if self.__key is None:
            raise VaultError("The secrets file is locked: enter its passphrase first.")

    def get(self, account: str) -> Secret | None:
        self._require()
        value = self.__secrets.get(account)
        return Secret(value) if value else None

    def set(self, account: str, secret: Secret) -> None:
        self._require()
        self.__secrets[account] = secret.reveal()
        self._write()

    def delete(self, account: str) -> bool:
        self._require()
        found = self.__secrets.pop(account, None) is not None
        if found:
            self._write()
        return found

    def _write(self) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        assert self.__key is not None and self.__salt is not None
        nonce = os.urandom(12)
        plain = json.dumps(self.__secrets).encode("utf-8")
        header = {
            "version": VERSION,
            "kdf": {"name": "scrypt", **self.__params},
            "cipher": "chacha20-poly1305",
            "salt": _b64(self.__salt),
            "nonce": _b64(nonce),
            "ciphertext": _b64(ChaCha20Poly1305(self.__key).encrypt(nonce, plain, AAD)),
        }
        write_private(self.path, json.dumps(header, indent=1).encode("ascii"))
