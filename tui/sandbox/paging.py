"""Cursor paging for the List (GET) endpoints: ``paging.limit`` / ``paging.cursor`` query params.

Cursors are opaque to clients: URL-safe base64 of a small JSON document naming the list they
belong to, the offset, and the filter of the first page (a cursor carries its filter, as in the
Wix query language, so later pages ignore a different ``emailAddress`` param).

Limits per the List pages (fact sheet §2.1, §3.1): ``paging.limit`` 0-100 (default 50 [INFERRED],
Wix's default is unconfirmed), ``paging.cursor`` at most 1000 characters; anything else is a 400
field violation. ``limit=0`` is accepted and answers a page of no items [INFERRED: what Wix
returns is unconfirmed]: ``count`` 0, ``hasNext`` true when there are items, and then a
``cursors.next`` that starts where this page did (so ``hasNext`` always comes with a cursor).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tui.sandbox.errors import invalid, violation

DEFAULT_LIMIT = 50
MIN_LIMIT = 0
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int
    filter: dict[str, Any]


def parse_limit(raw: str | None, field: str = "paging.limit") -> int:
    """A query-string limit ("" or absent: the default)."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise invalid([violation(field, "must be an integer", "FORMAT")]) from None
    return check_limit(limit, field)


def check_limit(limit: int, field: str) -> int:
    if limit < MIN_LIMIT:
        raise invalid(
            [violation(field, f"must be at least {MIN_LIMIT}", "MIN", {"threshold": MIN_LIMIT})]
        )
    if limit > MAX_LIMIT:
        raise invalid(
            [violation(field, f"must be at most {MAX_LIMIT}", "MAX", {"threshold": MAX_LIMIT})]
        )
    return limit


def check_cursor_length(cursor: str, field: str = "paging.cursor") -> None:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid(
            [
                violation(
                    field,
                    f"must be at most {MAX_CURSOR_LENGTH} characters",
                    "MAX",
                    {"threshold": MAX_CURSOR_LENGTH},
                )
            ]
        )


def encode_cursor(kind: str, offset: int, filter_: dict[str, Any]) -> str:
    raw = json.dumps({"k": kind, "o": offset, "f": filter_}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, field: str = "paging.cursor") -> tuple[int, dict]:
    check_cursor_length(cursor, field)
    bad = invalid([violation(field, "is not a valid cursor for this list", "FORMAT")])
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        doc = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if not isinstance(doc, dict) or doc.get("k") != kind:
        raise bad
    offset, filter_ = doc.get("o"), doc.get("f")
    if not isinstance(offset, int) or offset < 0 or not isinstance(filter_, dict):
        raise bad
    return offset, filter_


def page_request(
    kind: str, limit_raw: str | None, cursor_raw: str | None, filter_: dict[str, Any]
) -> PageRequest:
    limit = parse_limit(limit_raw)
    if cursor_raw:
        offset, filter_ = decode_cursor(kind, cursor_raw)
        return PageRequest(limit, offset, filter_)
    return PageRequest(limit, 0, filter_)


def page_of(kind: str, items: Sequence[T], request: PageRequest) -> tuple[list[T], dict[str, Any]]:
    """The slice for this page and its ``pagingMetadata``."""
    chunk = list(items[request.offset : request.offset + request.limit])
    next_offset = request.offset + len(chunk)
    has_next = next_offset < len(items)
    cursors: dict[str, str] = {}
    if has_next:
        cursors["next"] = encode_cursor(kind, next_offset, request.filter)
    return chunk, {"count": len(chunk), "cursors": cursors, "hasNext": has_next}
