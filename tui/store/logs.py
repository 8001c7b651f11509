"""The log file: platform log dir, rotated, 0600, and scrubbed of secrets.

Every record passes a filter that replaces any registered secret (the keys and tokens in use)
and anything shaped like a Wix key (``IST.…``) or an Authorization header, so even a careless
log call cannot write a key to disk (keyring.md §5 "Logging").

A log file that cannot be written (a full disk) never takes the app down: the handler says so
once (to whoever listens, the app shows it as a notification) and then drops records quietly.
Python's default would print a traceback to stderr for every record, drawn over the TUI, and
the final flush at exit would raise out of the app.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import sys
import threading
from collections.abc import Callable
from typing import IO, Any

from tui.store.paths import Paths, private_dir

MAX_BYTES = 1_000_000
BACKUPS = 3
MASK = "***"
_PATTERNS = (
    re.compile(r"IST\.[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)"),
    re.compile(r"(?i)(client_secret['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)"),
)


class Redactor(logging.Filter):
    """Masks secrets in a record's final message (arguments included) and its traceback."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        if secret and len(secret) >= 4:
            with self._lock:
                self._secrets.add(secret)

    def scrub(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, MASK)
        text = _PATTERNS[0].sub(MASK, text)
        for pattern in _PATTERNS[1:]:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrub(record.getMessage())
        record.args = ()
        if record.exc_info:
            # Render the traceback now, scrubbed; the handler must not render it again.
            formatter = logging.Formatter()
            record.exc_text = self.scrub(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


REDACTOR = Redactor()


def _private(path: str, flags: int) -> int:
    """``open``'s opener: a new log file is 0600 from the start, the ones rotation makes too."""
    return os.open(path, flags, 0o600)


class LogFileHandler(logging.handlers.RotatingFileHandler):
    """The rotating log file, which never raises into the app and never writes to stderr.

    On the first failure (``ENOSPC``, say) ``failure`` gets a sentence and ``on_failure`` (if
    set) is called with it, once; after that, records are dropped without a word. Writing is
    still tried, so logging resumes when space is freed."""

    def __init__(self, filename: str | os.PathLike[str]) -> None:
        super().__init__(filename, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        self.failure = ""
        self.on_failure: Callable[[str], None] | None = None

    def _open(self) -> IO[Any]:
        return open(
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=_private,
        )

    def handleError(self, record: logging.LogRecord) -> None:
        self._failed(sys.exc_info()[1])

    def _failed(self, error: BaseException | None) -> None:
        if self.failure:
            return
        reason = getattr(error, "strerror", None) or type(error).__name__
        self.failure = (
            f"The log file {self.baseFilename} cannot be written ({reason}); the app goes on "
            "without a log."
        )
        callback = self.on_failure
        if callback is None:
            # Nobody listens (no app running yet): one line on stderr, never a traceback.
            with contextlib.suppress(Exception):
                print(f"wix-sending: {self.failure}", file=sys.stderr)
            return
        with contextlib.suppress(Exception):  # a failing listener must not fail logging
            callback(self.failure)

    def flush(self) -> None:
        try:
            super().flush()
        except (OSError, ValueError) as exc:  # ValueError: flushing a closed stream
            self._failed(exc)

    def close(self) -> None:
        # Closing flushes what is buffered: on a full disk that raises, and would do so out of
        # the app's exit.
        try:
            super().close()
        except (OSError, ValueError) as exc:
            self._failed(exc)


def setup_logging(paths: Paths, level: int = logging.INFO) -> LogFileHandler:
    """Send the app's logs (``tui`` and libraries) to the rotating file; nothing to the
    terminal, which belongs to the TUI."""
    private_dir(paths.log_dir)
    handler = LogFileHandler(paths.log_file)
    if os.name == "posix":
        # A file left by an older version may be more open than 0600.
        os.chmod(paths.log_file, 0o600)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(REDACTOR)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; harmless, but noisy: keep warnings only.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return handler
