"""The profile switcher: a modal list of the saved profiles; Enter picks one, Esc closes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer

from tui.store.profiles import Profiles, Storage
from tui.widgets.fields import Note

STORAGE_WORDS = {
    Storage.KEYRING: "OS keyring",
    Storage.ENCRYPTED_FILE: "encrypted file",
    Storage.SESSION: "this session only",
}
CURRENT = "● in use"  # a glyph and a word: never colour alone


class ProfilesScreen(ModalScreen[str | None]):
    """Dismisses with the chosen profile's name, or None."""

    CSS_PATH = "profiles.tcss"
    BINDINGS = [Binding("escape", "close", "Close", id="close-profiles")]

    def __init__(self, profiles: Profiles, current: str | None) -> None:
        super().__init__(id="profiles")
        self.profiles = profiles
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="profiles-box", classes="modal-box"):
            yield Note("Profiles", classes="title")
            yield DataTable(id="profiles-table", cursor_type="row", zebra_stripes=True)
            yield Note("Enter switches to the highlighted profile; Esc closes.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # The API column only once a profile talks to another API than Wix's (the sandbox).
        elsewhere = any(p.base_url for p in self.profiles.profiles.values())
        table.add_columns("", "Profile", "Site ID", "Key kept in", *(["API"] if elsewhere else []))
        for name, profile in self.profiles.profiles.items():
            # Text cells: a DataTable would read plain strings as markup.
            cells = [
                Text(CURRENT if name == self.current else ""),
                Text(name),
                Text(profile.site_id),
                Text(STORAGE_WORDS[profile.storage]),
            ]
            if elsewhere:
                cells.append(Text(profile.base_url or "Wix"))
            table.add_row(*cells, key=name)
        if self.current in self.profiles.profiles:
            table.move_cursor(row=table.get_row_index(self.current))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)

    def action_close(self) -> None:
        self.dismiss(None)
