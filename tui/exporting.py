"""A sending domain's DNS records as text: BIND zone lines, CSV or JSON, for the clipboard and
for files. Plain Python (no Textual), so a headless command can reuse it.

Where files go is the caller's choice (``store.paths.export_directory``: the user's downloads
folder, else documents, else the app's data folder; never the current directory by surprise),
with a fallback when that one cannot be written. Files are written atomically (temp file,
fsync, then linked into place), so a reader never sees half a file, and with the usual
permissions (DNS records are public, not secrets). An existing file is never replaced: the
export takes the next free name ("example.com-dns-records-2.zone").
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tui.store.paths import private_dir

# BIND lines carry an explicit TTL so a zone import does not fall back to the panel's default;
# one hour is what DNS hosts commonly suggest for CNAMEs and what Wix's own zones use.
ZONE_TTL = 3600


class Format(StrEnum):
    BIND = "bind"
    CSV = "csv"
    JSON = "json"


SUFFIX = {Format.BIND: "zone", Format.CSV: "csv", Format.JSON: "json"}
DESCRIPTION = {
    Format.BIND: "BIND zone lines (.zone): for a DNS host's zone import",
    Format.CSV: "CSV (.csv): host, type, value, for a spreadsheet",
    Format.JSON: "JSON (.json): for scripts",
}


@dataclass(frozen=True, slots=True)
class Record:
    """One record to publish, as Wix gives it (host name, type, value). ``incomplete``: Wix
    sent it without a host name or a value; it is never written as a record, only noted."""

    host: str
    type: str
    value: str
    incomplete: bool = False

    @property
    def skipped_because(self) -> str:
        """Why an incomplete record is not in an export, in one line."""
        lacks = " and ".join(
            what for what, text in (("a host name", self.host), ("a value", self.value)) if not text
        )
        host = f" for {self.host}" if self.host else ""
        return (
            f"skipped: Wix sent a record{host} without {lacks or 'all its parts'}; read the "
            "domain again later and export again"
        )


def publishable(records: Sequence[Record]) -> list[Record]:
    """The records an export writes: the complete ones."""
    return [r for r in records if not r.incomplete]


def zone_type(text: str) -> str:
    """The type a zone line gets: Wix documents only CNAME records, and its ``UNKNOWN_TYPE``
    (or no type at all) means no type was said, never a DNS type to write."""
    text = text.strip().upper()
    return "CNAME" if text in ("", "UNKNOWN_TYPE") else text


def _absolute(name: str) -> str:
    """A zone file reads a name without its final dot as relative to $ORIGIN (the classic
    "doubled suffix" mistake), so every name gets one."""
    name = name.strip()
    return name if name.endswith(".") else f"{name}."


def zone_line(record: Record) -> str:
    """The record as one BIND line; an incomplete record as a comment saying why it is not
    there (a zone line without a name or a target would be wrong, not just empty)."""
    if record.incomplete:
        return f"; {record.skipped_because}"
    rtype = zone_type(record.type)
    return f"{_absolute(record.host)}\t{ZONE_TTL}\tIN\t{rtype}\t{_absolute(record.value)}"


def to_bind(domain: str, records: Sequence[Record]) -> str:
    header = f"; DNS records Wix asks for to send email from {domain} (wix-sending)\n"
    return header + "".join(zone_line(r) + "\n" for r in records)


def to_csv(records: Sequence[Record]) -> str:
    """host, type, value rows; each incomplete record as one last line starting with "#",
    saying why it is not among them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["host", "type", "value"])
    for record in publishable(records):
        writer.writerow([record.host, zone_type(record.type), record.value])
    for record in records:
        if record.incomplete:
            writer.writerow([f"# {record.skipped_because}"])
    return out.getvalue()


def to_json(domain: str, records: Sequence[Record]) -> str:
    body: dict[str, object] = {
        "domain": domain,
        "records": [
            {"host": r.host, "type": zone_type(r.type), "value": r.value}
            for r in publishable(records)
        ],
    }
    skipped = [{"host": r.host, "reason": r.skipped_because} for r in records if r.incomplete]
    if skipped:
        body["skipped"] = skipped
    return json.dumps(body, indent=2) + "\n"


def render(fmt: Format, domain: str, records: Sequence[Record]) -> str:
    if fmt is Format.BIND:
        return to_bind(domain, records)
    if fmt is Format.CSV:
        return to_csv(records)
    return to_json(domain, records)


def file_name(domain: str, fmt: Format, number: int = 1) -> str:
    """``number`` > 1: the name an export takes when the plain one is taken already."""
    # The domain comes from Wix; keep only what is safe in a file name on every platform.
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in domain.strip(".")) or "domain"
    extra = f"-{number}" if number > 1 else ""
    return f"{safe}-dns-records{extra}.{SUFFIX[fmt]}"


# Enough for anyone who exports the same domain every day for a few years; past that the
# export fails and says why rather than counting forever.
MAX_NUMBER = 1000


def _claim(temp: str, directory: Path, names: Sequence[str]) -> Path:
    """Put the finished ``temp`` file in ``directory`` under the first of ``names`` that is
    free, without ever replacing a file: a hard link fails if the name exists. Where hard
    links are not allowed (some network and FAT file systems), the name is reserved with an
    exclusive create and the temp file renamed over that empty reservation."""
    for name in names:
        path = directory / name
        try:
            os.link(temp, path)
        except FileExistsError:
            continue
        except OSError:
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            except FileExistsError:
                continue
            os.replace(temp, path)
            return path
        os.unlink(temp)
        return path
    raise FileExistsError(
        f"{names[0]} and {len(names) - 1} numbered copies already exist in {directory}; "
        "move some away"
    )


def write_new(directory: Path, names: Sequence[str], text: str) -> Path:
    """Write ``text`` to the first free name of ``names`` in ``directory``: temp file, fsync,
    then into place. Never half a file, never over an existing one."""
    fd, temp = tempfile.mkstemp(prefix=".wix-sending-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file 0600; records are public, so the usual 0644. (Reading the
        # umask means setting it, which is process-wide and racy with other threads.)
        os.chmod(temp, 0o644)
        return _claim(temp, directory, names)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def export(
    fmt: Format,
    domain: str,
    records: Sequence[Record],
    *,
    directory: Path,
    fallback: Path | None = None,
) -> Path:
    """Write the records in ``fmt`` into ``directory`` (or, when it cannot be written,
    ``fallback``, made 0700 if this makes it); the absolute path written. Raises ``OSError``
    (its text says which directory and why) when neither can be."""
    text = render(fmt, domain, records)
    names = [file_name(domain, fmt, n) for n in range(1, MAX_NUMBER + 1)]
    try:
        return write_new(directory, names, text).resolve()
    except OSError as exc:
        if fallback is None or fallback == directory:
            raise _saying_where(exc, directory) from exc
        first = exc
    try:
        return write_new(private_dir(fallback), names, text).resolve()
    except OSError as exc:
        both = f"{_why(first)} in {directory}, and {_why(exc)} in {fallback}"
        raise _error(exc.errno, both) from exc


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _error(errno: int | None, text: str) -> OSError:
    """An OSError whose ``str`` is ``text`` plus its errno when there is one."""
    return OSError(errno, text) if errno else OSError(text)


def _saying_where(exc: OSError, directory: Path) -> OSError:
    return _error(exc.errno, f"{_why(exc)} in {directory}")


def reason(exc: OSError) -> str:
    """An export's failure in words, for the screen: without the "[Errno 13]" prefix, with
    the path it concerns."""
    text = _why(exc)
    if exc.filename and str(exc.filename) not in text:
        text += f": {exc.filename}"
    return text
