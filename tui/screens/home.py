"""The home screen: who is signed in, and what comes next.

A placeholder that the sender-emails issue replaces. It says honestly what the app can do so far
and never shows more of the key than ``Secret.masked()``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header

from tui.store.credentials import ENV_KEY, ENV_SITE, Credentials
from tui.widgets.fields import Note

ENVIRONMENT_NOTE = (
    f"Using {ENV_KEY}/{ENV_SITE} from the environment. They take precedence over saved "
    "profiles, so saving, switching and logging out are off while they are set."
)
NEXT_STEP = (
    "Next: sender emails (list, add, verify). That screen comes in the next release; for now "
    "you can switch profiles, add one, log out, or see where the files live (About). The keys "
    "are in the footer, and ctrl+p opens the command palette."
)


def signed_in_line(credentials: Credentials) -> str:
    return (
        f"Signed in: profile {credentials.profile}, site {credentials.site_id}, key from "
        f"{credentials.source} (masked: {credentials.secret.masked()})"
    )


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    # The actions live on the app, so the palette and these keys run the same code.
    BINDINGS = [
        Binding("p", "app.switch_profile", "Profiles", id="switch-profile"),
        Binding("n", "app.add_profile", "Add profile", id="add-profile"),
        Binding("l", "app.logout", "Log out", id="logout"),
        Binding("a", "app.about", "About", id="about"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="home")
        self._credentials: Credentials | None = None
        self._problem = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home-body"):
            yield Note("Not signed in.", id="signed-in")
            yield Note("", id="environment-note", classes="notice")
            yield Note("", id="environment-problem", classes="problem")
            yield Note("", id="next-step", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self._render_session()

    def show_session(self, credentials: Credentials | None, environment_problem: str = "") -> None:
        """Called by the app whenever who is signed in changes."""
        self._credentials = credentials
        self._problem = environment_problem
        if self.is_mounted:
            self._render_session()

    def _render_session(self) -> None:
        credentials = self._credentials
        line = signed_in_line(credentials) if credentials else "Not signed in."
        self.query_one("#signed-in", Note).update(line)
        note = self.query_one("#environment-note", Note)
        note.update(ENVIRONMENT_NOTE if credentials and credentials.from_environment else "")
        note.display = bool(credentials and credentials.from_environment)
        problem = self.query_one("#environment-problem", Note)
        problem.update(f"Environment ignored: {self._problem}" if self._problem else "")
        problem.display = bool(self._problem)
        self.query_one("#next-step", Note).update(NEXT_STEP if credentials else "")
