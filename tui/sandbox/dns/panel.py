"""How what a user types at a DNS host becomes records, mistakes included.

A DNS host's web panel takes a Host field relative to the zone (so pasting the full name makes
``NAME.zone.zone``, the commonest mistake of all) unless it ends with a dot, and a target that
is absolute with or without its final dot. A BIND-style panel instead treats a target without
the final dot as relative to the zone. :func:`mistaken` reproduces the usual newcomer mistakes
when publishing an ESP's CNAMEs (dns.md §4).
"""

from __future__ import annotations

from collections.abc import Callable

from tui.sandbox.dns.records import CNAME, TXT, Record, dkim_key, is_at_or_below, normalize
from tui.sandbox.errors import ControlError

WEB, BIND = "web", "bind"
PANELS = (WEB, BIND)

DOUBLE_SUFFIX = "double_suffix"
RELATIVE_TARGET = "relative_target"
TYPO_UNDERSCORE = "typo_underscore"
WRONG_TARGET = "wrong_target"
PROXIED = "proxied"
FLATTENED = "flattened"
CONFLICT = "conflict"
MISTAKES = (
    DOUBLE_SUFFIX,
    RELATIVE_TARGET,
    TYPO_UNDERSCORE,
    WRONG_TARGET,
    PROXIED,
    FLATTENED,
    CONFLICT,
)
PUBLISHED_TTL = 3600


def host_name(host: str, zone: str) -> str:
    """The owner name a panel stores for what the user typed in its Host field."""
    typed = host.strip()
    if typed in ("", "@"):
        return zone
    if typed.endswith("."):
        name = normalize(typed)
        if not is_at_or_below(name, zone):
            raise ControlError(400, f"host {typed!r} is not inside the zone {zone}")
        return name
    return f"{normalize(typed)}.{zone}"


def target_name(value: str, zone: str, panel: str = WEB) -> str:
    """The target a panel stores for a CNAME/MX value field."""
    typed = value.strip()
    if typed.endswith(".") or panel == WEB:
        return normalize(typed)
    return f"{normalize(typed)}.{zone}"  # BIND: a name without its final dot is relative


def without_underscore(name: str) -> str:
    """``s1._domainkey.x`` -> ``s1.domainkey.x``: the underscore a newcomer (or a host) drops."""
    return ".".join(label.lstrip("_") or label for label in name.split("."))


def typo(target: str) -> str:
    """A target with its last character lost in the copy-paste (``....ascendbywix.co``)."""
    return target[:-1]


def leftover_key(name: str) -> str:
    """The TXT a previous email provider's DKIM setup left at the name."""
    return dkim_key("leftover:" + name)


def mistaken(host: str, target: str, zone: str, mistake: str | None) -> list[Record]:
    """The records a user ends up with when publishing ``host CNAME target`` with ``mistake``."""
    makers: dict[str | None, Callable[[], list[Record]]] = {
        None: lambda: [Record(host, CNAME, target, PUBLISHED_TTL)],
        DOUBLE_SUFFIX: lambda: [Record(f"{host}.{zone}", CNAME, target, PUBLISHED_TTL)],
        RELATIVE_TARGET: lambda: [Record(host, CNAME, f"{target}.{zone}", PUBLISHED_TTL)],
        TYPO_UNDERSCORE: lambda: [Record(without_underscore(host), CNAME, target, PUBLISHED_TTL)],
        WRONG_TARGET: lambda: [Record(host, CNAME, typo(target), PUBLISHED_TTL)],
        PROXIED: lambda: [Record(host, CNAME, target, PUBLISHED_TTL, proxied=True)],
        FLATTENED: lambda: [Record(host, CNAME, target, PUBLISHED_TTL, flattened=True)],
        CONFLICT: lambda: [
            Record(host, CNAME, target, PUBLISHED_TTL),
            Record(host, TXT, leftover_key(host), PUBLISHED_TTL),
        ],
    }
    if mistake not in makers:
        raise ControlError(400, f"unknown mistake {mistake!r}; choose one of {', '.join(MISTAKES)}")
    return makers[mistake]()


def published_names(host: str, zone: str) -> set[str]:
    """Every name publishing ``host`` may have written to, whatever the mistake."""
    return {host, f"{host}.{zone}", without_underscore(host)}
