"""The encrypted secrets file's passphrase, for a command: from ``--passphrase-file PATH``, else
from ``WIX_SENDING_PASSPHRASE``, else asked at the terminal. With none of them and no terminal
to ask on (a script, cron, CI), the command says so in one line and exits 2: it never waits on
a prompt nobody sees, and never reads the passphrase from whatever stdin happens to hold.

The passphrase is never an argument itself (``ps`` and shell history would show it), only the
path of a file that holds it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tui.store.files import quote
from tui.store.logs import REDACTOR
from tui.store.vault import Vault, VaultError, WrongPassphrase

EXIT_FAILED, EXIT_USAGE = 1, 2
ENV_PASSPHRASE = "WIX_SENDING_PASSPHRASE"  # noqa: S105 - the variable's name
FLAG = "--passphrase-file"
MAX_BYTES = 4096  # a passphrase file is one line; /dev/zero is refused, not read for ever
TRIES = 3

try:  # getpass can raise it when the terminal goes away mid-prompt
    from termios import error as _TermiosError
except ImportError:  # pragma: no cover - Windows
    _TermiosError = OSError  # type: ignore[assignment,misc]

TERMINAL_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, _TermiosError)
NO_TERMINAL = (
    f"the encrypted secrets file needs its passphrase and there is no terminal to ask on: "
    f"give {FLAG} PATH or set {ENV_PASSPHRASE}"
)


class Refusal(Exception):
    """The command cannot go on: ``str()`` says why in one line, ``code`` is its exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class GivenPassphrase:
    text: str = field(repr=False)
    source: str  # in words, for messages: "--passphrase-file PATH", "WIX_SENDING_PASSPHRASE"


def given_passphrase(
    path: str | None, environ: Mapping[str, str] | None = None
) -> GivenPassphrase | None:
    """The passphrase given for this run, or None. Raises Refusal (exit 2) for a file that
    cannot be read or holds no passphrase."""
    environ = os.environ if environ is None else environ
    if path is not None:
        source = f"{FLAG} {quote(path, 200)}"
        text = _read_passphrase_file(path, source)
    elif environ.get(ENV_PASSPHRASE):
        source, text = ENV_PASSPHRASE, environ[ENV_PASSPHRASE]
        text = text.removesuffix("\n").removesuffix("\r")
    else:
        return None
    if not text:
        raise Refusal(f"{source}: the passphrase is empty")
    REDACTOR.add(text)
    return GivenPassphrase(text, source)


def _read_passphrase_file(path: str, source: str) -> str:
    if not path:
        raise Refusal(f"{FLAG}: the path is empty")
    try:
        # Not only regular files: a pipe (/dev/fd/3, <(pass show ...)) is a good place for it.
        with open(os.path.expanduser(path), "rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise Refusal(f"{source} cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise Refusal(f"{source} is not a passphrase file: over {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(f"{source} is not UTF-8 text") from None
    # One line: the newline an editor or `echo` adds is not part of the passphrase.
    return text.removesuffix("\n").removesuffix("\r")


def has_terminal() -> bool:
    """A terminal to ask on: stdin is one, or the process has a controlling terminal
    (getpass asks on /dev/tty even when stdin is a pipe)."""
    with contextlib.suppress(ValueError, OSError):
        if sys.stdin is not None and sys.stdin.isatty():
            return True
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


Ask = Callable[[str, bool], str]  # (prompt, hidden) -> the answer
Complain = Callable[[str], None]


def open_vault(
    vault: Vault,
    given: GivenPassphrase | None,
    *,
    ask: Ask,
    can_ask: bool,
    complain: Complain,
) -> None:
    """Unlock ``vault`` (or start a new one): with the passphrase given, else asked (three
    tries), else refused. Raises Refusal; a Ctrl-C at the prompt goes up as it is."""
    if vault.unlocked:
        return
    creating = not vault.exists
    if given is not None:
        try:
            vault.unlock(given.text)
        except WrongPassphrase:
            where = f"the passphrase from {given.source}"
            raise Refusal(f"{where} does not open {vault.path}") from None
        except VaultError as exc:
            # A new file's passphrase too short is bad input; a damaged file is not.
            code = EXIT_USAGE if creating else EXIT_FAILED
            raise Refusal(f"{given.source}: {exc}", code) from None
        return
    if not can_ask:
        raise Refusal(NO_TERMINAL)
    try:
        _ask_until_open(vault, creating, ask, complain)
    except TERMINAL_ERRORS:
        raise Refusal("cancelled: no passphrase was typed", EXIT_FAILED) from None


def _ask_until_open(vault: Vault, creating: bool, ask: Ask, complain: Complain) -> None:
    for _ in range(TRIES):
        first = ask("Passphrase for the encrypted secrets file: ", True)
        if creating and ask("The same passphrase again: ", True) != first:
            complain("the two passphrases differ; try again")
            continue
        try:
            vault.unlock(first)
        except WrongPassphrase as exc:
            complain(str(exc))
            continue
        except VaultError as exc:
            if creating:
                complain(str(exc))
                continue
            raise Refusal(str(exc), EXIT_FAILED) from None
        REDACTOR.add(first)
        return
    raise Refusal(f"{vault.path} stayed locked after {TRIES} tries", EXIT_FAILED)
