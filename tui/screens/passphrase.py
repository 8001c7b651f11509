"""Asks for the passphrase of the encrypted secrets file, and opens it.

A wrong passphrase gets the vault's own sentence under the field and another try; Esc gives up
(the app then offers the login form instead).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input

from tui.store.vault import Vault, VaultError
from tui.widgets.fields import ErrorLine, Note, SecretInput
from tui.widgets.jobs import Job, RunsJobs, job


class PassphraseScreen(RunsJobs, ModalScreen[bool]):
    """Dismisses with True once ``vault`` is open, False if the user gives up."""

    # Focused as the screen is composed: a focus() in on_mount lands a moment later, and
    # keys typed at once (a paste, a fast typist) would go to the first field instead.
    AUTO_FOCUS = "#passphrase"

    CSS_PATH = "passphrase.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-passphrase")]

    class Opened(Message):
        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem  # "" when the vault opened

    def __init__(self, vault: Vault, profile: str) -> None:
        super().__init__(id="passphrase-screen")
        self.vault = vault
        self.profile = profile
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="passphrase-box", classes="modal-box"):
            yield Note("Unlock the encrypted secrets file", classes="title")
            yield Note(
                f"Profile {self.profile} keeps its key in {self.vault.path}. "
                "Enter the file's passphrase.",
                id="passphrase-why",
            )
            yield SecretInput(id="passphrase", placeholder="passphrase")
            yield ErrorLine(id="passphrase-error")
            yield Note("", id="passphrase-status", classes="hint")
            with Horizontal(id="passphrase-buttons"):
                yield Button("Unlock", id="unlock", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()

    @on(Input.Submitted)
    @on(Button.Pressed, "#unlock")
    def _submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.query_one("#passphrase-error", ErrorLine).clear()
        self.query_one("#passphrase-status", Note).update("Opening…")
        self._open(self.query_one("#passphrase", Input).value)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self._busy:
            self.dismiss(False)

    @job(
        "vault-unlock",
        "Opening the encrypted secrets file",
        "Type the passphrase and press Enter to try again.",
        thread=True,
    )
    def _open(self, passphrase: str) -> None:
        # scrypt is deliberately slow (~0.1 s): a thread keeps the screen responsive.
        try:
            self.vault.unlock(passphrase)
        except VaultError as exc:
            self.post_message(self.Opened(str(exc)))
        else:
            self.post_message(self.Opened(""))

    def on_passphrase_screen_opened(self, message: Opened) -> None:
        self._busy = False
        self.query_one("#passphrase-status", Note).update("")
        if not message.problem:
            self.dismiss(True)
            return
        self.query_one("#passphrase-error", ErrorLine).show(message.problem)
        field = self.query_one("#passphrase", Input)
        field.value = ""
        field.focus()

    def recover(self, failed: Job, error: BaseException) -> str | None:
        self._busy = False
        self.query_one("#passphrase-status", Note).update("")
        self.query_one("#passphrase-error", ErrorLine).show(
            f"{failed.what} failed: an unexpected error (in the log file)."
        )
        return None
