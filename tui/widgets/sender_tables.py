"""Keyed tables of sender emails and sender details.

Rows are keyed by the Wix id, so the cursor stays on the same address across reloads. Every
cell is a ``Text``: a plain string in a DataTable would be read as markup, and these strings
come from Wix. Status is a glyph and a word, never colour alone (NO_COLOR, screen readers).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowDoesNotExist

from tui.time_words import short_date
from tui.wix import SenderDetails, SenderEmail

VERIFIED = "✓ verified"
NOT_VERIFIED = "✗ not verified"
DEFAULT = "★ default"
NOT_DEFAULT = "·"
CREATED = "Created"
CREATED_WORLD = "Created (world time)"


def verified_word(email: SenderEmail) -> str:
    return VERIFIED if email.verified else NOT_VERIFIED


class _KeyedTable(DataTable):
    COLUMNS: tuple[tuple[str, str], ...] = ()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        for label, key in self.COLUMNS:
            self.add_column(label, key=key)

    @property
    def highlighted_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except (RowDoesNotExist, IndexError):
            return None
        return key.value

    def _refill(self, rows: Sequence[tuple[str, list[Text]]], select: str | None) -> None:
        keep = select or self.highlighted_key
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        self.select_key(keep)

    def select_key(self, key: str | None) -> bool:
        if key is None:
            return False
        try:
            self.move_cursor(row=self.get_row_index(key))
        except RowDoesNotExist:
            return False
        return True


class SenderEmailsTable(_KeyedTable):
    COLUMNS = (("Address", "address"), ("Status", "status"), (CREATED, "created"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.emails: dict[str, SenderEmail] = {}

    def show(
        self, emails: Sequence[SenderEmail], select: str | None = None, *, world: bool = False
    ) -> None:
        """Fill the table; ``select`` (an id) gets the cursor, else it stays where it was.
        ``world``: the dates come from the sandbox's fast world clock, and the column says so."""
        self.emails = {email.id: email for email in emails}
        label = CREATED_WORLD if world else CREATED
        column = self.columns[ColumnKey("created")]
        if column.label.plain != label:
            column.label = Text(label)
            column.content_width = max(column.content_width, column.label.cell_len)
        rows = [
            (
                email.id,
                [
                    Text(email.email_address),
                    Text(verified_word(email)),
                    Text(short_date(email.created_date)),
                ],
            )
            for email in emails
        ]
        self._refill(rows, select)

    @property
    def selected(self) -> SenderEmail | None:
        key = self.highlighted_key
        return self.emails.get(key) if key else None

    def find_address(self, address: str) -> SenderEmail | None:
        wanted = address.strip().casefold()
        for email in self.emails.values():
            if email.email_address.casefold() == wanted:
                return email
        return None


class SenderDetailsTable(_KeyedTable):
    COLUMNS = (("From-name", "name"), ("Address", "address"), ("Default", "default"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.details: dict[str, SenderDetails] = {}

    def show(self, details: Sequence[SenderDetails], select: str | None = None) -> None:
        self.details = {d.id: d for d in details}
        rows = [
            (
                d.id,
                [
                    Text(d.from_name),
                    Text(d.from_email_address),
                    Text(DEFAULT if d.default else NOT_DEFAULT),
                ],
            )
            for d in details
        ]
        self._refill(rows, select)

    @property
    def selected(self) -> SenderDetails | None:
        key = self.highlighted_key
        return self.details.get(key) if key else None
