"""About: where every file lives, which keyring is in use, where the key came from, which Wix API
it talks to, versions and the terminal facts a bug report over SSH needs (TERM, COLORTERM,
SSH_CONNECTION)."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui import __version__
from tui.store.credentials import Credentials, SecretStores
from tui.store.keyring_store import KeyringStatus
from tui.widgets.fields import Note
from tui.widgets.jobs import Job, RunsJobs, job


@dataclass(frozen=True)
class AboutFacts:
    stores: SecretStores
    config_file: Path
    credentials: Credentials | None
    problems: tuple[str, ...] = ()  # config, profiles or environment problems met at start
    api: str = ""  # the Wix API the key in use talks to, and why that one


def _file(path: Path) -> str:
    return f"{path}" if path.exists() else f"{path} (not created yet)"


def _package_version(name: str) -> str:
    # importlib.metadata is slow to import; only the About screen needs it.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _keyring_line(status: KeyringStatus | None, problem: str = "") -> str:
    if status is None:
        return problem or "checking…"
    # The backend's human name (keyring_store.FRIENDLY_NAMES), never its module path.
    if status.usable:
        return f"{status.backend}: works"
    line = f"{status.backend} ({status.state.value})"
    return f"{line}: {status.hint}" if status.hint else line


def about_rows(
    facts: AboutFacts, keyring: KeyringStatus | None, keyring_problem: str = ""
) -> list[tuple[str, str]]:
    """The facts as (label, value) rows: plain data, easy to test and to copy."""
    paths = facts.stores.paths
    credentials = facts.credentials
    source = (
        f"profile {credentials.profile}: {credentials.source} "
        f"(masked: {credentials.secret.masked()})"
        if credentials
        else "not signed in"
    )
    rows = [
        ("Config file", _file(facts.config_file)),
        ("Profiles file", _file(paths.profiles_file)),
        ("State file", _file(paths.state_file)),
        ("Log file", _file(paths.log_file)),
        ("Encrypted file", _file(paths.secrets_file)),
        ("OS keyring", _keyring_line(keyring, keyring_problem)),
        ("Key in use", source),
        # The status line shows the site ID's start only; here is all of it.
        ("Site", credentials.site_id if credentials else "not signed in"),
        ("Wix API", facts.api or "not signed in"),
        ("wix-sending", __version__),
        ("Textual", _package_version("textual")),
        ("Python", platform.python_version()),
        ("TERM", os.environ.get("TERM", "(not set)")),
        ("COLORTERM", os.environ.get("COLORTERM", "(not set)")),
        ("SSH_CONNECTION", "set (over SSH)" if os.environ.get("SSH_CONNECTION") else "not set"),
    ]
    rows += [("Problem", problem) for problem in facts.problems if problem]
    return rows


class AboutScreen(RunsJobs, Screen[None]):
    CSS_PATH = "about.tcss"
    BINDINGS = [Binding("escape", "close", "Back", id="close-about")]

    class KeyringProbed(Message):
        def __init__(self, status: KeyringStatus) -> None:
            super().__init__()
            self.status = status

    def __init__(self, facts: AboutFacts) -> None:
        super().__init__(id="about")
        self.facts = facts
        self.keyring: KeyringStatus | None = None
        self._keyring_problem = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="about-body"):
            yield Note("About wix-sending", classes="title")
            yield Static(id="about-table")
            yield Note("Esc goes back.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self._render_rows()
        self._probe()

    @job("keyring-probe", "Checking the OS keyring", "", thread=True)
    def _probe(self) -> None:
        # Cached after the first probe; the first one can block up to the keyring's timeout.
        self.post_message(self.KeyringProbed(self.facts.stores.keyring.status()))

    def on_about_screen_keyring_probed(self, message: KeyringProbed) -> None:
        self.keyring = message.status
        self._render_rows()

    def _render_rows(self) -> None:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for label, value in about_rows(self.facts, self.keyring, self._keyring_problem):
            # Text: paths are not markup. "fold": a path longer than the column is broken
            # over lines, never cut short with an ellipsis (it is there to be copied).
            table.add_row(Text(label), Text(value, overflow="fold"))
        self.query_one("#about-table", Static).update(table)

    def recover(self, failed: Job, error: BaseException) -> str | None:
        self._keyring_problem = f"could not be checked ({type(error).__name__}; in the log file)"
        self._render_rows()
        return None

    def action_close(self) -> None:
        self.dismiss(None)
