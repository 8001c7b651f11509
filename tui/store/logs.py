"""The log file: platform log dir, rotated, 0600, and scrubbed of secrets.

Every record passes a filter that replaces any registered secret (the keys and tokens in use)
and anything shaped like a Wix key (``IST.…``) or an Authorization header, so even a careless
log call cannot write a key to disk (keyring.md §5 "Logging")."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import threading

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


def setup_logging(paths: Paths, level: int = logging.INFO) -> logging.Handler:
    """Send the app's logs (``tui`` and libraries) to the rotating file; nothing to the
    terminal, which belongs to the TUI."""
    private_dir(paths.log_dir)
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    if os.name == "posix":
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
