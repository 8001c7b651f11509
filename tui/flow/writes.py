"""What to tell the user after a write to Wix failed (create, delete, send a code…).

Writes are never repeated by themselves (a second verification email or a second Authenticate
is harm, not a retry). When the request may have reached Wix, only a fresh look at the list can
tell whether it happened: the caller reads the list again and the user checks it before trying
again.
"""

from __future__ import annotations

from tui.wix.errors import WixError, WixTransportError


def may_have_happened(error: WixError) -> bool:
    """Whether Wix may have carried out the write despite ``error`` (the network failed after
    the request left)."""
    return isinstance(error, WixTransportError) and error.sent


def write_failure(error: WixError, what: str) -> str:
    """What happened to a write and what to do next; ``what`` completes "Wix may have …" and
    "Wix has not …" (e.g. "deleted it", "sent a code")."""
    if isinstance(error, WixTransportError):
        if error.sent:
            return (
                f"The network failed after the request left, so Wix may or may not have "
                f"{what}. The list is read again to find out; check it before trying again."
            )
        return f"The network failed before the request left, so Wix has not {what}. Try again."
    return error.user_message()
