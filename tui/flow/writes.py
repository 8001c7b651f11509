"""What to tell the user after a write to Wix failed (create, delete, send a code…).

Writes are never repeated by themselves (a second verification email or a second Authenticate
is harm, not a retry). When the request may have reached Wix, only a fresh look can tell whether
it happened: the caller reads again, and the user checks before trying again. The request may
have reached Wix when the network failed after it left, when Wix answered with something
unreadable (an empty body, broken JSON, an HTML page: an answer means Wix had the request), and
when Wix failed on its side (a 5xx says nothing of what was done first).
"""

from __future__ import annotations

from tui.wix.errors import WixError, WixProtocolError, WixTransportError

READ_AGAIN = "The list is read again to find out; check it before trying again."


def may_have_happened(error: WixError) -> bool:
    """Whether Wix may have carried out the write despite ``error``: the client's one answer
    (``WixError.may_have_happened``: the request left before the network failed, an answer
    came back unreadable, or Wix failed on its side with a 5xx, which says nothing of what it
    did first)."""
    return error.may_have_happened


def write_failure(error: WixError, what: str, check: str = READ_AGAIN) -> str:
    """What happened to a write and what to do next. ``what`` completes "Wix may have …" and
    "Wix has not …" (e.g. "deleted it", "sent a code"); ``check`` says how the caller finds
    out whether it happened."""
    if isinstance(error, WixTransportError):
        if error.sent:
            return (
                f"The network failed after the request left, so Wix may or may not have "
                f"{what}. {check}"
            ).rstrip()
        return f"The network failed before the request left, so Wix has not {what}. Try again."
    if isinstance(error, WixProtocolError):
        return (
            f"Wix answered, but with nothing readable, so it may or may not have {what}. {check}"
        ).rstrip()
    if error.may_have_happened:  # a 5xx on a write
        return (
            f"Wix failed on its side (HTTP {error.status}), so it may or may not have {what}. "
            f"{check}"
        ).rstrip()
    return error.user_message()
