"""Reading ``/_sandbox/`` control bodies strictly: unknown keys, wrong types and blanks are 400s.

Numbers are checked by :mod:`tui.sandbox.bounds`; these cover the rest, so a typo in a test or
a README example fails loudly instead of silently doing nothing.
"""

from __future__ import annotations

from typing import Any

from tui.sandbox.errors import ControlError


def allow(body: dict[str, Any], *allowed: str) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ControlError(
            400, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
        )


def string(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise ControlError(400, f"{key} is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ControlError(400, f"{key} must be a non-empty string")
    return value.strip()


def string_list(body: dict[str, Any], key: str) -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ControlError(400, f"{key} must be a list of non-empty strings")
    return value


def boolean(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ControlError(400, f"{key} must be true or false")
    return value


def choice(body: dict[str, Any], key: str, options: tuple[str, ...]) -> str | None:
    value = string(body, key)
    if value is not None and value not in options:
        raise ControlError(400, f"{key} must be one of {', '.join(options)}, not {value!r}")
    return value
