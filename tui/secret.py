"""A wrapper that keeps a secret out of reprs, strings, logs and crash screens.

The API key (or an OAuth secret/token) is held in a :class:`Secret` from the moment it is read
until the moment it is written into an ``Authorization`` header. ``str()``, ``repr()``,
``format()`` and pickling all refuse to show it; only :meth:`reveal` does, and the code that
calls it is short and easy to audit.
"""

from __future__ import annotations

from typing import NoReturn

MASK = "••••••"


class Secret:
    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError("a Secret wraps a string")
        self.__value = value

    def reveal(self) -> str:
        """The secret itself. Call only where it goes on the wire or into the chosen store."""
        return self.__value

    def masked(self) -> str:
        """A hint for the user that says which key this is without giving it away."""
        value = self.__value
        if len(value) < 12:
            return MASK
        return f"{value[:4]}{MASK}{value[-2:]}"

    def __bool__(self) -> bool:
        return bool(self.__value.strip())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self.__value == other.__value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self.__value))

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")
