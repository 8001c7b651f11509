"""The status line under the header: profile, site, the SANDBOX badge with its clock speed,
and the connection state. Glyph and word, never colour alone."""

from __future__ import annotations

from textual.widgets import Static

from tui.store.credentials import Credentials


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.credentials: Credentials | None = None
        self.sandbox_speed: float | None = None
        self.connection = "● ready"

    def show(self, credentials: Credentials | None) -> None:
        """Who is signed in (None: nobody)."""
        self.credentials = credentials
        self._redraw()

    def show_connection(self, text: str) -> None:
        """How the last API call went: "● online", "⚠ Wix cannot be reached; retrying…"."""
        self.connection = text
        self._redraw()

    def _redraw(self) -> None:
        parts = []
        if self.sandbox_speed is not None:
            speed = self.sandbox_speed
            parts.append(f"SANDBOX {speed:g}x" if speed != 1 else "SANDBOX")
        credentials = self.credentials
        if credentials is None:
            parts.append("not signed in")
        else:
            parts.append(f"profile {credentials.profile}")
            parts.append(f"site {credentials.site_id[:8]}…")
            if credentials.from_environment:
                parts.append("key from environment")
        parts.append(self.connection)
        self.update(" · ".join(parts))
