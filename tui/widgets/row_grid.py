"""A table that repaints only the rows that changed: Textual's Line API (``ScrollView`` and
``render_line``), one cached :class:`Strip` per row.

Textual's ``DataTable`` keys its render caches on one table-wide update counter: changing one
cell sends every visible cell back through Rich (27-31 ms for 32x6 cells, measured). Here each
row has its own version, bumped by :meth:`RowGrid.update_cell`; a row's strip is cached under
(version, where the cursor is in it, the widget's style, the width), and a changed cell refreshes
only its own line (``refresh_line``). A cell is one styled segment (its text, cropped or padded
to the column's width, one space either side), built without Rich's layout machinery.

The look is the ``DataTable``'s (the same component classes and colours): a bold header row, a
fixed first (label) column, the cell cursor. Keys as the ``DataTable``'s: arrows, PageUp/Down,
Home/End (first and last column), Ctrl+Home/End (first and last row), Enter
(:meth:`RowGrid.action_select_cursor`). Every cursor move posts :class:`RowGrid.CellHighlighted`.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

PADDING = 1  # spaces either side of a cell, as the DataTable's cell_padding


class Coordinate(NamedTuple):
    row: int
    column: int


class RowGrid(ScrollView, can_focus=True):
    """Rows of cells (``Text``) under a header, the first column fixed (see the module
    docstring). Rows and columns have string keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("right", "cursor_right", "Cursor right", show=False),
        Binding("left", "cursor_left", "Cursor left", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "scroll_top", "Top", show=False),
        Binding("ctrl+end", "scroll_bottom", "Bottom", show=False),
        Binding("home", "scroll_home", "Home", show=False),
        Binding("end", "scroll_end", "End", show=False),
    ]

    # The DataTable's component classes and colours: the same look.
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "datatable--header",
        "datatable--fixed",
        "datatable--cursor",
        "datatable--fixed-cursor",
        "datatable--header-cursor",
    }

    DEFAULT_CSS = """
    RowGrid {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .datatable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .datatable--header {
                background-tint: $foreground 5%;
            }
            & > .datatable--fixed-cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
            }
        }
        & > .datatable--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .datatable--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .datatable--fixed {
            background: $secondary-muted;
            color: $foreground;
        }
        & > .datatable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .datatable--fixed-cursor {
            background: $block-cursor-blurred-background;
            color: $foreground;
        }
        & > .datatable--header-cursor {
            background: $accent-darken-1;
            color: $foreground;
        }
    }
    """

    class CellHighlighted(Message):
        """The cursor moved to ``coordinate``."""

        def __init__(self, grid: RowGrid, coordinate: Coordinate) -> None:
            super().__init__()
            self.grid, self.coordinate = grid, coordinate

        @property
        def control(self) -> RowGrid:
            return self.grid

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.column_keys: list[str] = []
        self._headers: list[Text] = []
        self._widths: list[int] = []  # without the padding
        self.row_keys: list[str] = []
        self._rows: dict[str, list[Text]] = {}
        self._versions: dict[str, int] = {}
        self._index: dict[str, int] = {}  # row key -> row number
        self._columns: dict[str, int] = {}  # column key -> column number
        self._strips: dict[str, tuple[tuple, tuple[Strip, Strip]]] = {}  # row key -> (key, strips)
        self._cursor = Coordinate(0, 0)
        self._base = Style()  # the widget's rich style, read once a frame (render_lines)
        self._components: dict[str, Style] = {}
        self.rows_painted = 0  # row strips built: what a repaint costs

    # --- content --------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.row_keys)

    def clear(self) -> None:
        self.column_keys, self._headers, self._widths, self._columns = [], [], [], {}
        self.row_keys, self._rows, self._versions, self._index = [], {}, {}, {}
        self._strips = {}
        self._cursor = Coordinate(0, 0)
        self._resized()

    def set_table(
        self,
        columns: list[tuple[str, str | Text, int]],
        rows: list[tuple[str, list[Text]]],
    ) -> None:
        """The whole table at once: ``columns`` as (key, header, width), ``rows`` as (key,
        cells), the first cell being the fixed label column's. The cursor stays where it was,
        within bounds."""
        self.column_keys = [key for key, _, _ in columns]
        self._headers = [h if isinstance(h, Text) else Text(h) for _, h, _ in columns]
        self._widths = [width for _, _, width in columns]
        self._columns = {key: i for i, key in enumerate(self.column_keys)}
        self.row_keys = [key for key, _ in rows]
        self._rows = {key: list(cells) for key, cells in rows}
        self._versions = dict.fromkeys(self.row_keys, 0)
        self._index = {key: i for i, key in enumerate(self.row_keys)}
        self._strips = {}
        row, column = self._cursor
        self._cursor = Coordinate(
            max(0, min(row, len(rows) - 1)), max(0, min(column, len(columns) - 1))
        )
        self._resized()
        self.refresh()

    def get_cell(self, row: str, column: str) -> Text:
        return self._rows[row][self._columns[column]]

    def update_cell(self, row: str, column: str, value: Text) -> None:
        """Change one cell: only its row is built again, and only its line repainted."""
        self._rows[row][self._columns[column]] = value
        self._versions[row] += 1
        self._refresh_row(self._index[row])

    def _resized(self) -> None:
        width = sum(w + 2 * PADDING for w in self._widths)
        self.virtual_size = Size(width, len(self.row_keys) + 1 if self._widths else 0)

    # --- the cursor -----------------------------------------------------------------------

    @property
    def cursor_coordinate(self) -> Coordinate:
        return self._cursor

    def move_cursor(
        self, *, row: int | None = None, column: int | None = None, scroll: bool = True
    ) -> None:
        if not self.row_keys:
            return
        old = self._cursor
        row = old.row if row is None else max(0, min(row, len(self.row_keys) - 1))
        column = old.column if column is None else max(0, min(column, len(self._widths) - 1))
        self._cursor = Coordinate(row, column)
        if self._cursor == old:
            return
        self._refresh_row(old.row)
        self._refresh_row(row)
        if scroll:
            self._scroll_cursor_visible()
        self.post_message(self.CellHighlighted(self, self._cursor))

    def _refresh_row(self, row: int) -> None:
        """Repaint the line showing ``row``, if one does (under the header, scrolled)."""
        line = row + 1 - round(self.scroll_y)
        if 1 <= line < self.scrollable_content_region.height:
            # Not refresh_line: that one takes a line of the virtual (scrolled) area.
            self.refresh(Region(0, line, self.size.width, 1))

    def _scroll_cursor_visible(self) -> None:
        row, column = self._cursor
        shown = max(1, self.scrollable_content_region.height - 1)  # data rows on screen
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + shown:
            self.scroll_to(y=row - shown + 1, animate=False, immediate=True)
        if column >= 1:
            fixed = self._widths[0] + 2 * PADDING
            left = sum(w + 2 * PADDING for w in self._widths[1:column])
            right = left + self._widths[column] + 2 * PADDING
            room = max(1, self.scrollable_content_region.width - fixed)
            x = round(self.scroll_x)
            if left < x:
                self.scroll_to(x=left, animate=False, immediate=True)
            elif right > x + room:
                self.scroll_to(x=right - room, animate=False, immediate=True)

    def _on_focus(self, event: events.Focus) -> None:
        self._scroll_cursor_visible()

    def action_select_cursor(self) -> None:
        """Enter: for subclasses."""

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor.row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor.row + 1)

    def action_cursor_left(self) -> None:
        self.move_cursor(column=self._cursor.column - 1)

    def action_cursor_right(self) -> None:
        self.move_cursor(column=self._cursor.column + 1)

    def action_page_up(self) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        self.move_cursor(row=self._cursor.row - page)

    def action_page_down(self) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        self.move_cursor(row=self._cursor.row + page)

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self.row_keys) - 1)

    def action_scroll_home(self) -> None:
        self.move_cursor(column=0)

    def action_scroll_end(self) -> None:
        self.move_cursor(column=len(self._widths) - 1)

    def _on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        if "grid_row" not in meta:
            return
        row, column = meta["grid_row"], meta["grid_column"]
        if row < 0:
            return  # the header
        again = self._cursor == (row, column)
        self.move_cursor(row=row, column=column)
        if again:
            self.action_select_cursor()

    # --- painting -------------------------------------------------------------------------

    def _cell(self, text: Text, width: int, style: Style, post: Style | None) -> Segment:
        plain = text.plain
        if cell_len(plain) != width:
            plain = set_cell_size(plain, width)
        own = text.style
        if own:
            style = style + (own if isinstance(own, Style) else Style.parse(own))
        if post is not None:
            style = style + post
        pad = " " * PADDING
        return Segment(pad + plain + pad, style)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Once a frame, not once a line: the widget's style and the components' walk the DOM.
        self._base = self.rich_style
        self._components: dict[str, Style] = {}
        return super().render_lines(crop)

    def _component(self, name: str) -> Style:
        style = self._components.get(name)
        if style is None:
            style = self._components[name] = self.get_component_rich_style(name)
        return style

    def _build_row(self, row: int, base: Style, cursor_column: int) -> tuple[Strip, Strip]:
        """The fixed (label) cell and the rest of line ``row`` (-1: the header)."""
        get = self._component
        header = row < 0
        cells = self._headers if header else self._rows[self.row_keys[row]]
        segments: list[Segment] = []
        for column, (text, width) in enumerate(zip(cells, self._widths, strict=False)):
            if header:
                style = get("datatable--header")
            elif column == 0:
                style = get("datatable--fixed")
            else:
                style = base
            post = None
            if column == cursor_column:
                cursor = get("datatable--cursor")
                if header or column == 0:
                    cursor += get("datatable--fixed-cursor")
                style = style + cursor
                post = Style.from_color(cursor.color, cursor.bgcolor)
            meta = Style.from_meta({"grid_row": row, "grid_column": column})
            segments.append(self._cell(text, width, style + meta, post))
        if not segments:
            return Strip([]), Strip([])
        return Strip(segments[:1]), Strip(segments[1:])

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base
        if not self._widths:
            return Strip.blank(width, base)
        if y == 0:
            row, key, version, cursor_column = -1, "\0header", 0, -1  # no cursor in the header
        else:
            row = y - 1 + round(self.scroll_y)
            if row >= len(self.row_keys):
                return Strip.blank(width, base)
            key = self.row_keys[row]
            version = self._versions[key]
            cursor_column = self._cursor.column if row == self._cursor.row else -1
        cache_key = (row, version, cursor_column, base, self._widths[0])
        cached = self._strips.get(key)
        if cached is not None and cached[0] == cache_key:
            fixed, rest = cached[1]
        else:
            fixed, rest = self._build_row(row, base, cursor_column)
            self._strips[key] = (cache_key, (fixed, rest))
            self.rows_painted += 1
        x = round(self.scroll_x)
        room = max(0, width - fixed.cell_length)
        if x or rest.cell_length > room:
            rest = rest.crop(x, x + room)
        fill = self._header_fill() if row < 0 else base
        return Strip.join([fixed, rest]).adjust_cell_length(width, fill)

    def _header_fill(self) -> Style:
        """Right of the header's last column: its background faded, as the DataTable does."""
        header = self._component("datatable--header")
        if header.bgcolor is None:
            return Style.from_color(header.color)
        faded = Color.from_rich_color(header.bgcolor).blend(self.background_colors[1], 0.25)
        return Style.from_color(header.color, faded.rich_color)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = {}  # a theme or focus change: every row is built again
