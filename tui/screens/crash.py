"""What is printed when the app crashes: a traceback with no local variables, scrubbed.

Textual 8.2.8's ``App._fatal_error`` renders ``rich.traceback.Traceback(show_locals=True)``,
which prints every local of every frame: an API key in a local (or in a headers dict) would be
printed to the terminal (keyring.md §5, verified). Here the traceback is rendered without locals
to plain text first, then every registered secret and anything shaped like a Wix key is masked
(``REDACTOR.scrub``), which also covers a key quoted in an exception message or in the source
lines the traceback shows. Plain text loses the colours; on a crash, safe beats pretty.
"""

from __future__ import annotations

import io
from pathlib import Path

import rich
from rich.console import Console
from rich.text import Text

from tui.store.logs import REDACTOR

HEADLINE = "wix-sending stopped because of a bug."


def crash_text(error: BaseException, width: int) -> str:
    from rich.traceback import Traceback  # only a crash needs it

    """The traceback of ``error`` as plain text: no locals, secrets masked."""
    traceback = Traceback.from_exception(
        type(error),
        error,
        error.__traceback__,
        width=width,
        show_locals=False,
        suppress=[rich],
    )
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system=None,
        force_terminal=False,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
    console.print(traceback)
    return REDACTOR.scrub(buffer.getvalue())


def crash_report(error: BaseException | None, width: int, log_file: Path | None) -> Text:
    """The renderable Textual prints after the app has exited (a ``Text``: never markup)."""
    where = f" The same details are in {log_file}." if log_file else ""
    lines = [
        f"{HEADLINE} Local variables are left out and keys are masked, so this is safe to "
        f"share in a bug report.{where}",
        "",
    ]
    if error is None:
        lines.append("(the error itself was not available)")
    else:
        lines.append(crash_text(error, width))
    report = Text("\n".join(lines))
    report.stylize("bold red", 0, len(HEADLINE))
    return report
