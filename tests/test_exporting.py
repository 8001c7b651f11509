"""The records as BIND zone lines, CSV and JSON, and files written atomically (no Textual)."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from tui import exporting
from tui.exporting import Format, Record
from tui.store import paths as store_paths
from tui.store.paths import Paths, app_paths, export_directory

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


def test_export_never_replaces_an_older_file(tmp_path: Path) -> None:
    old = tmp_path / exporting.file_name(DOMAIN, Format.CSV)
    old.write_text("the user's own edits", encoding="utf-8")
    path = exporting.export(Format.CSV, DOMAIN, RECORDS, directory=tmp_path)
    assert path.name == "example.com-dns-records-2.csv"
    assert path.read_text(encoding="utf-8") == exporting.to_csv(RECORDS)
    assert old.read_text(encoding="utf-8") == "the user's own edits"
    third = exporting.export(Format.CSV, DOMAIN, RECORDS, directory=tmp_path)
    assert third.name == "example.com-dns-records-3.csv"
    assert {p.name for p in tmp_path.iterdir()} == {old.name, path.name, third.name}


def test_export_without_hard_links_still_never_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some file systems (FAT, some network mounts) refuse hard links: the name is then
    reserved with an exclusive create."""

    def no_links(source: object, target: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(exporting.os, "link", no_links)
    old = tmp_path / exporting.file_name(DOMAIN, Format.JSON)
    old.write_text("mine", encoding="utf-8")
    path = exporting.export(Format.JSON, DOMAIN, RECORDS, directory=tmp_path)
    assert path.name == "example.com-dns-records-2.json"
    assert json.loads(path.read_text(encoding="utf-8"))["domain"] == DOMAIN
    assert old.read_text(encoding="utf-8") == "mine"
    assert {p.name for p in tmp_path.iterdir()} == {old.name, path.name}


def test_export_falls_back_when_the_directory_cannot_be_written(tmp_path: Path) -> None:
    missing = tmp_path / "gone"  # no such directory: the write fails with an OSError
    fallback = tmp_path / "data" / "exports"
    path = exporting.export(Format.JSON, DOMAIN, RECORDS, directory=missing, fallback=fallback)
    assert path.parent == fallback.resolve()
    assert json.loads(path.read_text(encoding="utf-8"))["domain"] == DOMAIN
    assert stat.S_IMODE(fallback.stat().st_mode) == 0o700  # made by us: private
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_a_failed_export_says_where_and_why(tmp_path: Path) -> None:
    with pytest.raises(OSError) as raised:
        exporting.export(Format.JSON, DOMAIN, RECORDS, directory=tmp_path / "gone")
    assert "No such file or directory" in exporting.reason(raised.value)
    assert str(tmp_path / "gone") in exporting.reason(raised.value)
    # Files where folders should be (permissions would not stop root, who runs CI here).
    not_a_folder = tmp_path / "downloads"
    not_a_folder.write_text("a file, not a folder", encoding="utf-8")
    blocked = not_a_folder / "exports"
    with pytest.raises(OSError) as raised:
        exporting.export(Format.JSON, DOMAIN, RECORDS, directory=not_a_folder, fallback=blocked)
    said = exporting.reason(raised.value)
    assert f"Not a directory in {not_a_folder}, and Not a directory in {blocked}" == said


def test_export_needs_a_directory() -> None:
    """No default: the current directory is never written by surprise."""
    with pytest.raises(TypeError):
        exporting.export(Format.BIND, DOMAIN, RECORDS)  # type: ignore[call-arg]


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


# --- where exports go: downloads, else documents, else the app's data folder ---------------------


def user_paths(home: Path) -> Paths:
    """Paths as a real user's are: no ``exports_dir`` of their own, so the platform's folders
    are looked up."""
    return Paths(home / "config", home / "data", home / "state", home / "logs")


def test_exports_go_to_the_downloads_folder(tmp_path: Path) -> None:
    downloads, documents = tmp_path / "Downloads", tmp_path / "Documents"
    downloads.mkdir()
    documents.mkdir()
    chosen = export_directory(user_paths(tmp_path), folders=lambda: [downloads, documents])
    assert chosen == downloads


def test_without_downloads_exports_go_to_documents(tmp_path: Path) -> None:
    downloads, documents = tmp_path / "Downloads", tmp_path / "Documents"
    documents.mkdir()
    chosen = export_directory(user_paths(tmp_path), folders=lambda: [downloads, documents])
    assert chosen == documents
    assert not downloads.exists()  # the user's folders are never made by us


def test_without_either_exports_go_to_a_private_data_folder(tmp_path: Path) -> None:
    """A server over SSH: no ~/Downloads, no ~/Documents."""
    paths = user_paths(tmp_path / "home")
    where = export_directory(paths, create=False, folders=lambda: [tmp_path / "nope"])
    assert where == paths.data_dir / "exports" and not where.exists()  # only said
    made = export_directory(paths, folders=lambda: [tmp_path / "nope"])
    assert made == paths.data_dir / "exports" and made.is_dir()
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert stat.S_IMODE(paths.data_dir.stat().st_mode) == 0o700


def test_a_folder_xdg_disabled_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """XDG turns a user dir off by pointing it at $HOME: files then do not land in ~."""
    monkeypatch.setenv("HOME", str(tmp_path))
    paths = user_paths(tmp_path / "app")
    assert export_directory(paths, folders=lambda: [tmp_path]) == paths.data_dir / "exports"


def test_the_platform_folders_come_from_platformdirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = tmp_path / "Téléchargements"
    downloads.mkdir()
    monkeypatch.setattr(store_paths.platformdirs, "user_downloads_path", lambda: downloads)
    monkeypatch.setattr(store_paths.platformdirs, "user_documents_path", lambda: tmp_path / "x")
    assert export_directory(user_paths(tmp_path / "app")) == downloads

    def broken() -> Path:
        raise ValueError("unreadable user-dirs.dirs")

    monkeypatch.setattr(store_paths.platformdirs, "user_downloads_path", broken)
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(store_paths.platformdirs, "user_documents_path", lambda: documents)
    assert export_directory(user_paths(tmp_path / "app")) == documents


def test_the_real_lookup_with_a_temporary_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """platformdirs itself, on this platform, with HOME pointing at an empty folder."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("XDG_CONFIG_HOME", "XDG_DOWNLOAD_DIR", "XDG_DOCUMENTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    paths = user_paths(tmp_path / "app")
    assert export_directory(paths) == paths.data_dir / "exports"
    (tmp_path / "Downloads").mkdir()
    assert export_directory(paths) == tmp_path / "Downloads"


def test_a_wix_sending_home_keeps_exports_inside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIX_SENDING_HOME", str(tmp_path / "portable"))
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    paths = app_paths()
    assert export_directory(paths, folders=lambda: [downloads]) == tmp_path / "portable/exports"
