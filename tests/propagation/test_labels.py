"""How a cell, a row and a column read: the one presentation the grid and ``watch`` share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.propagation.labels import (
    EMPTY,
    GLYPH,
    SHORT,
    UNASKED,
    WORD,
    CellView,
    cell_view,
    column_headers,
    ordered,
    row_label,
    type_summary,
)
from tui.propagation.model import (
    NO_SIGNAL,
    TIME_BOUND,
    Cell,
    Endpoint,
    Eta,
    ExpectedRecord,
    Report,
    Resolver,
    Role,
    Status,
    TypeCheck,
    ZoneInfo,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def cell(status: Status, *, eta: datetime | None = None, queried: bool = True) -> Cell:
    return Cell("s1.example.com", "r1", status, eta=eta, queried=queried)


def resolver(name: str, role: Role = Role.PUBLIC) -> Resolver:
    return Resolver(name, name, "x", role, (Endpoint("127.0.0.1"),))


def test_a_view_is_a_glyph_and_a_word() -> None:
    view = cell_view(cell(Status.OK), NOW, narrow=True)
    assert view == CellView("✓", "ok", "green")
    assert view.text == "✓ ok"


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_a_glyph_a_word_and_a_style(status: Status) -> None:
    wide = cell_view(cell(status), NOW, narrow=False)
    narrow = cell_view(cell(status), NOW, narrow=True)
    assert wide.glyph == narrow.glyph == GLYPH[status]
    assert wide.word == WORD[status]
    assert narrow.word == SHORT.get(status, WORD[status])
    if status not in TIME_BOUND:  # those show a countdown, tested below
        assert len(narrow.text) <= 9  # the grid's cell width
    expected = (
        "green"
        if status is Status.OK
        else "yellow"
        if status in TIME_BOUND or status is Status.STALE_SERVED  # clears by itself
        else "dim"
        if status in NO_SIGNAL
        else "red"
    )
    assert wide.style == narrow.style == expected


def test_time_bound_cells_count_down() -> None:
    stale = cell(Status.STALE, eta=NOW + timedelta(seconds=725))
    assert cell_view(stale, NOW, narrow=False) == CellView("↻", "12m05s", "yellow")
    assert cell_view(stale, NOW, narrow=True) == CellView("↻", "13m", "yellow")
    negative = cell(Status.CACHED_NEGATIVE, eta=NOW + timedelta(seconds=90))
    assert cell_view(negative, NOW, narrow=True).text == "⧗ 1m30s"
    # Without an ETA the word stays: there is nothing to count down to.
    assert cell_view(cell(Status.STALE), NOW, narrow=True).text == "↻ stale"


def test_unasked_and_missing_cells() -> None:
    held_back = cell(Status.UNREACHABLE, queried=False)
    assert cell_view(held_back, NOW, narrow=True) is UNASKED
    assert cell_view(held_back, NOW, narrow=False) is UNASKED
    assert UNASKED.text == "\u2013 unasked" and UNASKED.style == "dim"
    assert cell_view(None, NOW, narrow=True) is EMPTY
    assert EMPTY.text == ""


def test_row_labels() -> None:
    assert row_label(resolver("google")) == ("google", False)
    assert row_label(resolver("ns1.host.example", Role.AUTHORITATIVE)) == (
        "auth ns1.host.example",
        True,
    )
    long = row_label(resolver("ns1.a-very-long-dns-host-name.example", Role.AUTHORITATIVE))
    assert long == ("auth ns1.a-very-long-dn…", True)
    assert len(long[0]) == 24


def test_rows_put_the_authoritative_servers_first() -> None:
    rows = [resolver("p1"), resolver("l1", Role.LOCAL), resolver("a1", Role.AUTHORITATIVE)]
    rows.append(resolver("p2"))
    assert [r.name for r in ordered(rows)] == ["a1", "l1", "p1", "p2"]


def report(names: list[str], zones: dict[str, str]) -> Report:
    return Report(
        checked_at=NOW,
        records=tuple(ExpectedRecord(n, "t.esp.example") for n in names),
        resolvers=(),
        cells={},
        zones={n: ZoneInfo(apex) for n, apex in zones.items()},
        diagnoses=(),
        eta=Eta(None, "", "", ready=False),
    )


def test_column_headers_are_short_and_unique() -> None:
    names = ["s1._domainkey.example.com", "s2._domainkey.example.com", "sg.example.com"]
    assert column_headers(report(names, dict.fromkeys(names, "example.com"))) == [
        "s1",
        "s2",
        "sg",
    ]
    # First labels collide: the names without their zone.
    names = ["s1._domainkey.example.com", "s1.mail.example.com"]
    assert column_headers(report(names, dict.fromkeys(names, "example.com"))) == [
        "s1._domainkey",
        "s1.mail",
    ]


def test_column_headers_without_a_known_zone_keep_the_full_name() -> None:
    names = ["s1._domainkey.example.com", "s1._domainkey.example.org"]
    zones = {names[0]: "example.com"}  # the second record's zone was never found
    assert column_headers(report(names, zones)) == ["s1._domainkey", "s1._domainkey.example.org"]
    # Same first label and nothing else to tell them apart but the zone: full names.
    assert column_headers(report(names, dict.fromkeys(names, "x.invalid"))) == names


def test_a_cell_says_its_types_only_when_they_disagree() -> None:
    both = (
        TypeCheck("CNAME", Status.OK),
        TypeCheck("TXT", Status.CACHED_NEGATIVE),
    )
    mixed = Cell("s1.example.com", "r1", Status.CACHED_NEGATIVE, rdtype="TXT", types=both)
    assert type_summary(mixed) == "CNAME ✓ ok, TXT ⧗ cached-no"
    same = (TypeCheck("CNAME", Status.OK), TypeCheck("TXT", Status.OK))
    assert type_summary(Cell("s1.example.com", "r1", Status.OK, types=same)) == ""
    assert type_summary(cell(Status.OK)) == ""


def test_a_txt_negative_and_an_upper_bound_read_in_nine_columns() -> None:
    for left, at_most, narrow, wide in (
        (450, False, "⧗ TXT 8m", "⧗ TXT 7m30s"),
        (90, False, "⧗ T1m30s", "⧗ TXT 1m30s"),
        (7500, True, "⧗ T≤2h05m", "⧗ TXT ≤2h05m"),
        (7500, True, "⧗ ≤2h05m", "⧗ ≤2h05m"),
    ):
        rdtype = "CNAME" if wide.startswith("⧗ ≤") else "TXT"
        negative = Cell(
            "s1.example.com",
            "r1",
            Status.CACHED_NEGATIVE,
            eta=NOW + timedelta(seconds=left),
            at_most=at_most,
            rdtype=rdtype,
        )
        assert cell_view(negative, NOW, narrow=True).text == narrow
        assert len(narrow) <= 9
        assert cell_view(negative, NOW, narrow=False).text == wide
