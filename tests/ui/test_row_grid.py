"""The row-cached grid (``tui.widgets.row_grid``): a changed cell rebuilds its row alone, the
cursor moves with the keys, and the look is the DataTable's (header, fixed column, cursor)."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from tui.widgets.grid import EdgeLeaving, LeavesAtEdges
from tui.widgets.row_grid import Coordinate, RowGrid

ROWS, COLUMNS = 32, 5


class Chosen(RowGrid):
    def __init__(self) -> None:
        super().__init__(id="grid")
        self.selected: list[Coordinate] = []

    def action_select_cursor(self) -> None:
        self.selected.append(self.cursor_coordinate)


class GridApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Chosen()

    def on_mount(self) -> None:
        grid = self.query_one(Chosen)
        columns = [("label", "resolver", 10)] + [(f"c{c}", f"r{c}", 9) for c in range(COLUMNS)]
        rows = [
            (f"k{r}", [Text(f"row {r}"), *(Text("✓ ok", style="green") for _ in range(COLUMNS))])
            for r in range(ROWS)
        ]
        grid.set_table(columns, rows)
        grid.focus()


def text_of(app: App[None], y: int) -> str:
    return app.query_one(Chosen).render_line(y).text


async def test_a_changed_cell_rebuilds_its_row_alone() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(Chosen)
        await pilot.pause()
        assert text_of(app, 0).split() == ["resolver", "r0", "r1", "r2", "r3", "r4"]
        assert text_of(app, 1).startswith(" row 0       ✓ ok ")
        painted = grid.rows_painted
        grid.update_cell("k3", "c2", Text("✗ wrong", style="red"))
        await pilot.pause()
        assert grid.rows_painted == painted + 1  # row 3 only
        assert "✗ wrong" in text_of(app, 4) and "✗" not in text_of(app, 3)
        assert str(grid.get_cell("k3", "c2")) == "✗ wrong"
        painted = grid.rows_painted
        for r in range(ROWS):  # every cell of every row
            for c in range(COLUMNS):
                grid.update_cell(f"k{r}", f"c{c}", Text("⧗ 10m", style="yellow"))
        await pilot.pause()
        shown = app.size.height - 1  # the rows on screen, under the header
        assert grid.rows_painted - painted <= shown + 1


async def test_keys_move_the_cursor_and_enter_chooses() -> None:
    app = GridApp()
    async with app.run_test(size=(80, 12)) as pilot:
        grid = app.query_one(Chosen)
        await pilot.press("down", "down", "right")
        assert grid.cursor_coordinate == (2, 1)
        await pilot.press("enter")
        assert grid.selected == [Coordinate(2, 1)]
        await pilot.press("ctrl+end")  # the last row: scrolled into view
        await pilot.pause()
        assert grid.cursor_coordinate.row == ROWS - 1
        assert grid.scroll_y > 0 and text_of(app, app.size.height - 1).startswith(" row 31")
        painted = grid.rows_painted
        grid.update_cell(f"k{ROWS - 1}", "c1", Text("✗ wrong", style="red"))
        await pilot.pause()
        assert grid.rows_painted == painted + 1  # the scrolled grid's last line
        assert "✗ wrong" in text_of(app, app.size.height - 1)
        await pilot.press("end", "home")
        assert grid.cursor_coordinate == (ROWS - 1, 0)
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert grid.cursor_coordinate.row == 0 and grid.scroll_y == 0


class EdgeTable(LeavesAtEdges):
    pass


class EdgeGrid(EdgeLeaving, Chosen):
    def _end_stays_inside(self) -> bool:
        return self.cursor_coordinate.column < len(self.column_keys) - 1


class EdgesApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.edges: list[tuple[str, bool]] = []

    def compose(self) -> ComposeResult:
        yield EdgeGrid()
        yield EdgeTable(id="table")

    def on_mount(self) -> None:
        grid = self.query_one(EdgeGrid)
        grid.set_table([("a", "a", 4), ("b", "b", 4)], [("k0", [Text("1"), Text("2")])])
        table = self.query_one(EdgeTable)
        table.add_columns("a", "b")
        table.add_row("1", "2")
        grid.focus()

    def on_leaves_at_edges_edge(self, message: LeavesAtEdges.Edge) -> None:
        self.edges.append((type(message.table).__name__, message.down))


async def test_both_tables_leave_at_their_edges_and_end_goes_to_the_last_column_first() -> None:
    app = EdgesApp()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("down", "up")  # one row: both edges at once
        assert app.edges == [("EdgeGrid", True), ("EdgeGrid", False)]
        await pilot.press("end")  # to the last column, inside the grid
        assert app.edges == [("EdgeGrid", True), ("EdgeGrid", False)]
        await pilot.press("end")
        assert app.edges[-1] == ("EdgeGrid", True)
        app.query_one(EdgeTable).focus()
        await pilot.press("down", "up")
        assert app.edges[-2:] == [("EdgeTable", True), ("EdgeTable", False)]
