"""How a status reads on a screen: always a glyph *and* a word, never colour alone (DESIGN.md),
shared by the ``watch`` table and the TUI grid."""

from __future__ import annotations

from tui.propagation.model import Status

GLYPH: dict[Status, str] = {
    Status.OK: "✓",
    Status.NOT_PUBLISHED: "✗",
    Status.CACHED_NEGATIVE: "⧗",
    Status.STALE: "↻",
    Status.WRONG_TARGET: "≠",
    Status.PROXIED: "☁",
    Status.FLATTENED: "▭",
    Status.DNSSEC_BOGUS: "⚠",
    Status.SERVFAIL: "!",
    Status.REFUSED: "⊘",
    Status.UNREACHABLE: "·",
}

WORD: dict[Status, str] = {
    Status.OK: "ok",
    Status.NOT_PUBLISHED: "missing",
    Status.CACHED_NEGATIVE: "cached-no",
    Status.STALE: "stale",
    Status.WRONG_TARGET: "wrong",
    Status.PROXIED: "proxied",
    Status.FLATTENED: "flattened",
    Status.DNSSEC_BOGUS: "dnssec",
    Status.SERVFAIL: "servfail",
    Status.REFUSED: "refused",
    Status.UNREACHABLE: "no answer",
}

MEANING: dict[Status, str] = {
    Status.OK: "visible with the right target",
    Status.NOT_PUBLISHED: "the authoritative servers do not serve it",
    Status.CACHED_NEGATIVE: "a cached 'does not exist'; clears when the countdown ends",
    Status.STALE: "an old target, cached; clears when its TTL ends",
    Status.WRONG_TARGET: "points somewhere else: fix the value",
    Status.PROXIED: "hidden behind a proxy (Cloudflare orange cloud)",
    Status.FLATTENED: "flattened into A records: the CNAME is hidden",
    Status.DNSSEC_BOGUS: "DNSSEC validation fails",
    Status.SERVFAIL: "the resolver failed to resolve it",
    Status.REFUSED: "the server refused to answer",
    Status.UNREACHABLE: "no answer in time (says nothing about propagation)",
}


def countdown(seconds: float) -> str:
    """``4521`` -> ``1h15m``, ``725`` -> ``12m05s``, ``9`` -> ``9s``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"
