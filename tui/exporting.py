"""A sending domain's DNS records as text: BIND zone lines, CSV or JSON, for the clipboard and
for files. Plain Python (no Textual), so a headless command can reuse it.

Where files go: the current directory first, because that is where a user who started the
app in a shell (often over SSH) looks for them; when it cannot be written (a read-only
directory, ``/``), the platform data directory's ``exports`` folder instead. Files are written
atomically (temp file, fsync, rename), so a reader never sees half a file, and with the usual
permissions (DNS records are public, not secrets).
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


def file_name(domain: str, fmt: Format) -> str:
    # The domain comes from Wix; keep only what is safe in a file name on every platform.
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in domain.strip(".")) or "domain"
    return f"{safe}-dns-records.{SUFFIX[fmt]}"


def write_atomic(path: Path, text: str) -> None:
    """Temp file next to ``path``, fsync, rename over it: never half a file."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file 0600; records are public, so the usual 0644. (Reading the
        # umask means setting it, which is process-wide and racy with other threads.)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def export(
    fmt: Format,
    domain: str,
    records: Sequence[Record],
    *,
    directory: Path | None = None,
    fallback: Path | None = None,
) -> Path:
    """Write the records in ``fmt``; the path written. ``directory`` defaults to the current
    one; ``fallback`` (created if needed) is used when ``directory`` cannot be written. Raises
    ``OSError`` when neither can."""
    text = render(fmt, domain, records)
    name = file_name(domain, fmt)
    first = directory if directory is not None else Path.cwd()
    try:
        path = first / name
        write_atomic(path, text)
        return path.resolve()
    except OSError:
        if fallback is None:
            raise
    fallback.mkdir(parents=True, exist_ok=True)
    path = fallback / name
    write_atomic(path, text)
    return path.resolve()
