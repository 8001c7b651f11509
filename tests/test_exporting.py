"""The records as BIND zone lines, CSV and JSON, and files written atomically (no Textual)."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest

from tui import exporting
from tui.exporting import Format, Record

DOMAIN = "example.com"
RECORDS = [
    Record("s1._domainkey.example.com", "CNAME", "s1._domainkey.example.com.s004.ascendbywix.com"),
    Record("sg.example.com", "CNAME", "sg.example.com.s004.ascendbywix.com."),
]


def test_bind_lines_are_absolute_with_a_ttl() -> None:
    text = exporting.to_bind(DOMAIN, RECORDS)
    lines = text.splitlines()
    assert lines[0].startswith("; ") and DOMAIN in lines[0]
    assert lines[1] == (
        "s1._domainkey.example.com.\t3600\tIN\tCNAME\ts1._domainkey.example.com.s004.ascendbywix.com."
    )
    # A value that already ends with a dot does not get a second one.
    assert lines[2].endswith("\tsg.example.com.s004.ascendbywix.com.")


def test_csv_round_trips() -> None:
    rows = list(csv.reader(io.StringIO(exporting.to_csv(RECORDS))))
    assert rows[0] == ["host", "type", "value"]
    assert rows[1:] == [[r.host, r.type, r.value] for r in RECORDS]


def test_json_has_the_domain_and_the_records() -> None:
    data = json.loads(exporting.to_json(DOMAIN, RECORDS))
    assert data["domain"] == DOMAIN
    assert data["records"][1] == {
        "host": RECORDS[1].host,
        "type": "CNAME",
        "value": RECORDS[1].value,
    }


def test_file_names_are_safe() -> None:
    assert exporting.file_name("example.com", Format.BIND) == "example.com-dns-records.zone"
    assert exporting.file_name("../evil/x y", Format.CSV) == "_evil_x_y-dns-records.csv"


@pytest.mark.parametrize("fmt", list(Format))
def test_export_writes_into_the_directory(tmp_path: Path, fmt: Format) -> None:
    path = exporting.export(fmt, DOMAIN, RECORDS, directory=tmp_path)
    assert path == (tmp_path / exporting.file_name(DOMAIN, fmt)).resolve()
    assert path.read_text(encoding="utf-8") == exporting.render(fmt, DOMAIN, RECORDS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # public data, not a secret
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind


def test_export_replaces_an_older_file_whole(tmp_path: Path) -> None:
    old = tmp_path / exporting.file_name(DOMAIN, Format.CSV)
    old.write_text("stale and much longer than the new content " * 100, encoding="utf-8")
    path = exporting.export(Format.CSV, DOMAIN, RECORDS, directory=tmp_path)
    assert path.read_text(encoding="utf-8") == exporting.to_csv(RECORDS)


def test_export_falls_back_when_the_directory_cannot_be_written(tmp_path: Path) -> None:
    missing = tmp_path / "gone"  # no such directory: the write fails with an OSError
    fallback = tmp_path / "data" / "exports"
    path = exporting.export(Format.JSON, DOMAIN, RECORDS, directory=missing, fallback=fallback)
    assert path.parent == fallback.resolve()
    assert json.loads(path.read_text(encoding="utf-8"))["domain"] == DOMAIN


def test_export_without_a_fallback_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        exporting.export(Format.JSON, DOMAIN, RECORDS, directory=tmp_path / "gone")


def test_export_defaults_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = exporting.export(Format.BIND, DOMAIN, RECORDS)
    assert path.parent == Path(os.getcwd()).resolve()


# --- incomplete records and UNKNOWN_TYPE (fact sheet §1.2) ----------------------------------

INCOMPLETE = [
    RECORDS[0],
    Record("s2._domainkey.example.com", "CNAME", "", incomplete=True),
    Record("", "CNAME", "x.example", incomplete=True),
    RECORDS[1],
]


def test_bind_skips_an_incomplete_record_with_a_comment_saying_why() -> None:
    lines = exporting.to_bind(DOMAIN, INCOMPLETE).splitlines()
    records = [line for line in lines if not line.startswith(";")]
    assert records == [exporting.zone_line(RECORDS[0]), exporting.zone_line(RECORDS[1])]
    comments = lines[2:4]
    assert comments[0].startswith("; skipped: ") and "s2._domainkey.example.com" in comments[0]
    assert "without a value" in comments[0] and "read the" in comments[0]
    assert "without a host name" in comments[1]
    # Nothing in the file would be read as a record by a zone parser but the two good ones.
    assert all(line.startswith(";") or "\tIN\tCNAME\t" in line for line in lines)


def test_csv_skips_an_incomplete_record_with_a_line_saying_why() -> None:
    rows = list(csv.reader(io.StringIO(exporting.to_csv(INCOMPLETE))))
    assert rows[0] == ["host", "type", "value"]
    assert rows[1:3] == [[r.host, r.type, r.value] for r in RECORDS]
    assert len(rows) == 5
    assert all(row[0].startswith("# skipped: ") and len(row) == 1 for row in rows[3:])


def test_json_lists_the_skipped_records_apart() -> None:
    body = json.loads(exporting.to_json(DOMAIN, INCOMPLETE))
    assert [r["host"] for r in body["records"]] == [r.host for r in RECORDS]
    assert [s["host"] for s in body["skipped"]] == ["s2._domainkey.example.com", ""]
    assert all("skipped" in s["reason"] for s in body["skipped"])
    assert "skipped" not in json.loads(exporting.to_json(DOMAIN, RECORDS))


@pytest.mark.parametrize("raw", ["UNKNOWN_TYPE", "unknown_type", "", " "])
def test_unknown_type_is_never_written_into_a_zone_file(raw: str) -> None:
    record = Record("sg.example.com", raw, "sg.t.example")
    assert "\tIN\tCNAME\t" in exporting.zone_line(record)
    for fmt in Format:
        assert "UNKNOWN_TYPE" not in exporting.render(fmt, DOMAIN, [record]).upper()


@pytest.mark.parametrize("fmt", list(Format))
def test_a_file_of_only_incomplete_records_is_still_written(tmp_path: Path, fmt: Format) -> None:
    path = exporting.export(fmt, DOMAIN, INCOMPLETE[1:3], directory=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "skipped" in text and "x.example" not in text.replace("reason", "")
