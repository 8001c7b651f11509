"""The typed error hierarchy for Wix calls, and the mapping from Wix's error envelope.

Every error carries the operation, the HTTP method and path, the HTTP status, the application
code (when Wix sent one) and one human sentence, plus the fix where the docs give one. None of
them ever carries a header, and every string a server wrote (message, description, code,
violations, data) goes through :func:`server_text` when the envelope is read: the caller's own
key, secret and token and anything shaped like a Wix key are masked, and control characters
are made visible (tui/sanitize.py), so neither a key nor a terminal sequence reaches a screen.

    WixError
    ├── WixTransportError        no usable HTTP answer: connect failure, timeout, dropped
    │   └── WixTimeout
    ├── WixProtocolError         an answer we cannot read (HTML, truncated JSON, missing fields)
    │   └── UnreadableAnswer     ... to a write: it reached Wix, so it may have happened
    └── WixApiError              Wix answered with an error status
        ├── InvalidArgument      400, with the field violations
        ├── Unauthorized         401
        ├── PermissionDenied     403
        ├── NotFound             404
        ├── AlreadyExists        409
        ├── FailedPrecondition   428, with the application code
        │   └── SenderDetailsDoNotExist
        ├── RateLimited          429, with retry_after
        └── ServerError          5xx

Did a failed write happen? ``error.may_have_happened`` is the one answer, for every class:
True when the call was a write (``error.write``) and Wix may have carried it out anyway -- the
request left before the connection failed (``WixTransportError.sent``), an answer came back
that could not be read (``WixProtocolError.reached``; always an :class:`UnreadableAnswer`), or
Wix failed on its side (5xx: Wix sends those empty, saying nothing of what was done first).
False for reads and for refusals (4xx, 429): then the write did not happen. The client never
sends a write again when it may have happened; the caller re-reads the state and the user
checks it before trying again.

Over 400 lines on purpose: the hierarchy and the table of Wix's documented errors (one sentence
and one fix each) belong together, so a new error is added in one place.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from tui.sanitize import visible
from tui.secret import Secret
from tui.time_words import duration

SENDER_DETAILS_DO_NOT_EXIST = "SENDER_DETAILS_DO_NOT_EXIST"


@dataclass(frozen=True, slots=True)
class FieldViolation:
    field: str
    description: str
    violated_rule: str = ""
    data: Mapping[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.field}: {self.description}" if self.field else self.description


class WixError(Exception):
    """Base of every error the client raises."""

    def __init__(
        self,
        sentence: str,
        *,
        operation: str,
        method: str,
        path: str,
        status: int | None = None,
        code: str | None = None,
        hint: str = "",
        server_message: str = "",
        write: bool = False,
    ) -> None:
        self.sentence = sentence
        self.operation = operation
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.hint = hint
        self.server_message = server_message
        self.write = write
        """The call changes something at Wix (create, send a code, verify, authenticate...)."""
        super().__init__(sentence)

    @property
    def may_have_happened(self) -> bool:
        """Whether Wix may have carried out this (write) call despite the error: see the
        module docstring. The base case: Wix answered with a refusal, nothing happened."""
        return False

    @property
    def where(self) -> str:
        parts = [f"{self.method} {self.path}"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(self.code)
        return ", ".join(parts)

    def user_message(self) -> str:
        """The sentence and the fix, for a screen or a CLI error line."""
        return f"{self.sentence} {self.hint}".strip()

    def __str__(self) -> str:
        return f"{self.user_message()} [{self.where}]"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.sentence!r}, {self.where!r})"


class WixTransportError(WixError):
    """No usable HTTP answer. ``sent`` says whether the request may have reached Wix: when it
    is ``False`` the connection failed before anything was sent, so even a write is safe to
    retry."""

    def __init__(self, sentence: str, *, sent: bool, **kwargs: Any) -> None:
        self.sent = sent
        super().__init__(sentence, **kwargs)

    @property
    def may_have_happened(self) -> bool:
        return self.write and self.sent


class WixTimeout(WixTransportError):
    pass


class WixProtocolError(WixError):
    """Wix answered, but not with something we can read. ``reached`` is always True (an
    answer came back, so the request reached Wix); it is spelled out so that no caller has to
    know that. Reads are asked again (the answer was garbled on the way); writes never are."""

    def __init__(self, sentence: str, *, reached: bool = True, **kwargs: Any) -> None:
        self.reached = reached
        super().__init__(sentence, **kwargs)

    @property
    def may_have_happened(self) -> bool:
        return self.write and self.reached


class UnreadableAnswer(WixProtocolError):
    """The answer to a *write* could not be read: the write may have happened. Its sentence
    says so (:data:`MAY_HAVE_DONE_IT`), never "try again"."""

    def __init__(self, sentence: str, **kwargs: Any) -> None:
        kwargs["write"] = True
        super().__init__(sentence, **kwargs)


MAY_HAVE_DONE_IT = "Wix may have done it; check before trying again."


class WixApiError(WixError):
    """Wix answered with an error status."""

    def __init__(
        self,
        sentence: str,
        *,
        field_violations: tuple[FieldViolation, ...] = (),
        data: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
        wix_says: str = "",
        **kwargs: Any,
    ) -> None:
        self.field_violations = field_violations
        self.data = data or {}
        self.retry_after = retry_after
        """Seconds the server asked us to wait (Retry-After), on any status that sends it."""
        self.wix_says = wix_says
        """Wix's own reason (the envelope's description, else its message), made safe to show
        (secrets masked, control characters visible); "" when Wix gave none."""
        super().__init__(sentence, **kwargs)

    def reworded(self, sentence: str, hint: str) -> WixApiError:
        """The same error (class, status, code, everything Wix sent) in other words."""
        return type(self)(
            sentence,
            operation=self.operation,
            method=self.method,
            path=self.path,
            status=self.status,
            code=self.code,
            hint=hint,
            server_message=self.server_message,
            write=self.write,
            field_violations=self.field_violations,
            data=self.data,
            retry_after=self.retry_after,
            wix_says=self.wix_says,
        )


class InvalidArgument(WixApiError):
    pass


class Unauthorized(WixApiError):
    pass


class PermissionDenied(WixApiError):
    pass


class NotFound(WixApiError):
    pass


class AlreadyExists(WixApiError):
    pass


class FailedPrecondition(WixApiError):
    cause: str = ""
    """Why, where the client could find out from Wix's data rather than from a code name
    (see :func:`explain_sender_refusal`): one of the ``CAUSE_*`` words, or "" (not known)."""


class SenderDetailsDoNotExist(FailedPrecondition):
    pass


class RateLimited(WixApiError):
    pass


class ServerError(WixApiError):
    @property
    def may_have_happened(self) -> bool:
        # A 5xx says nothing of what Wix did before it failed (its system errors are empty).
        return self.write


_BY_STATUS: dict[int, type[WixApiError]] = {
    400: InvalidArgument,
    401: Unauthorized,
    403: PermissionDenied,
    404: NotFound,
    409: AlreadyExists,
    428: FailedPrecondition,
    429: RateLimited,
}

# --- the words ------------------------------------------------------------------------------

_KEY_HINT = (
    "Check the key itself (a 401 is about the key, not its permissions): that it is pasted "
    "whole, exactly as issued (no 'Bearer' prefix), and that it still exists in the API Keys "
    "Manager (https://manage.wix.com/account/api-keys)."
)
_PERMISSION_HINT = (
    "Check that the key has the permissions this needs (Sending Domains, Sender Emails, Email "
    "Marketing), that the site ID is right (the part after /dashboard/ in the dashboard URL), "
    "that the key was made by the account that owns the site, and that the key still exists "
    "in the API Keys Manager (some Wix pages answer a revoked key with 403 too)."
)
_SENDER_DETAILS_HINT = (
    "Verify a sender email on the domain and create sender details with it (or have the site "
    "owner do it in the Wix dashboard): Wix opens a sending domain only while sender details "
    "use an address on it, so deleting or changing them closes it."
)
_DNS_HINT = (
    "Check the CNAME records at your DNS host and how far they have propagated. Wix advises "
    "waiting at least 1 hour after adding them and 4 hours between attempts; propagation can "
    "take up to 48 hours."
)

# (operation, status) -> (sentence, hint). Operation "*" matches any operation.
_SITUATIONS: dict[tuple[str, int], tuple[str, str]] = {
    ("*", 401): ("Wix did not accept the credentials.", _KEY_HINT),
    ("*", 403): ("Wix refused this call for this site.", _PERMISSION_HINT),
    ("*", 429): (
        "Too many requests to Wix (the limit is 200 a minute per site).",
        "Wait a minute and try again.",
    ),
    ("*", 404): ("Wix could not find it; it may have been deleted.", "Refresh the list."),
    ("sender-details.get-default", 404): (
        "This site has no default sender yet.",
        "Create sender details from a verified sender email; the first one becomes the default.",
    ),
    ("sender-emails.create", 409): (
        "This address is already a sender email of the site.",
        "Use it from the list (or get-or-create) instead of adding it again.",
    ),
    ("sender-emails.send-verification-code", 409): (
        "This address is already verified; no code is needed.",
        "",
    ),
    ("sender-emails.send-verification-code", 428): (
        "Wix cannot send a code to this address right now.",
        "Wait a few minutes and try again; check the address is spelled right.",
    ),
    ("sender-emails.verify", 409): ("This address is already verified.", ""),
    ("sender-emails.verify", 400): (
        "That verification code is not right.",
        "Check the latest email from Wix (and the spam folder) and type the code again, "
        "or send a new code.",
    ),
    # Wix documents two 428s here without naming their codes (a plan that allows one sender,
    # an address that is not verified): the client finds out which from Wix's data
    # (explain_sender_refusal); this sentence guesses neither.
    ("sender-details.create", 428): (
        "Wix refused to create this sender: a condition it requires is not met.",
        "",
    ),
    # One documented 428, most likely (not documented) a new address that is not verified.
    ("sender-details.update", 428): (
        "Wix refused the change: a condition it requires is not met (most likely the new from "
        "address is not a verified sender email of this site).",
        "If the address changed, add it as a sender email and verify it first.",
    ),
    ("sender-details.create", 409): (
        "A sender with this name and address already exists.",
        "Use the existing one, or pick another from-name.",
    ),
    ("sender-details.delete", 428): (
        "The default sender cannot be deleted.",
        "Mark another sender as default first.",
    ),
    ("sending-domains.authenticate", 428): (
        "Wix could not authenticate the domain: it does not see the DNS records yet, or the "
        "domain is not ready for authentication.",
        _DNS_HINT,
    ),
}


def _describe(operation: str, status: int) -> tuple[str, str]:
    for key in ((operation, status), ("*", status)):
        if key in _SITUATIONS:
            return _SITUATIONS[key]
    if status == 400:
        return ("Wix rejected the request as invalid.", "")
    if status == 409:
        return ("Wix reports a conflict with the current state.", "Refresh and try again.")
    if status == 428:
        return ("A condition Wix requires for this is not met yet.", "")
    if status >= 500:
        return (
            f"Wix had an internal problem (HTTP {status}).",
            "It is on Wix's side; try again in a few minutes.",
        )
    return (f"Wix answered with HTTP {status}.", "")


# --- decoding -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Envelope:
    """What we could read of an error body."""

    message: str = ""
    code: str | None = None
    description: str = ""
    data: Mapping[str, Any] | None = None
    field_violations: tuple[FieldViolation, ...] = ()
    violation_count: int = 0  # how many Wix sent (only the first MAX_VIOLATIONS are kept)
    unreadable: str = ""  # why the body was not a Wix envelope ("an HTML page", ...)


# --- server text: secrets out, terminal sequences defused ----------------------------------

HIDDEN = "[secret hidden]"
# Shaped like a secret whoever's it is: a Wix API key, or a value after "Authorization:" or
# "client_secret=" (the same shapes the log file's filter masks, tui/store/logs.py).
_KEY_SHAPED = re.compile(r"IST\.[A-Za-z0-9._~+/=-]+")
_LABELLED = re.compile(r"(?i)((?:authorization|client_secret)['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)")
# Shorter "secrets" are not masked: replacing every "abc" in a message would garble it and
# hide nothing worth hiding.
_MIN_SECRET = 8


def scrub_secrets(text: str, secrets: Iterable[Secret] = ()) -> str:
    """``text`` with the caller's own ``secrets`` (the API key, the OAuth secret and token)
    and anything shaped like a key replaced by :data:`HIDDEN`. A server that quotes the key
    in an error must not put it on the screen or in the CLI's output."""
    for secret in secrets:
        value = secret.reveal()
        if len(value) >= _MIN_SECRET:
            text = text.replace(value, HIDDEN)
    text = _KEY_SHAPED.sub(HIDDEN, text)
    return _LABELLED.sub(lambda m: m.group(1) + HIDDEN, text)


Clean = Callable[[str], str]


def server_text(secrets: Iterable[Secret] = ()) -> Clean:
    """The one treatment of a string a server wrote: secrets out first (so cutting a long
    value cannot leave half a key behind), then made safe to show (tui/sanitize.py)."""
    kept = tuple(secrets)
    return lambda text: visible(scrub_secrets(text, kept))


# A form has a handful of fields; more violations than this are not a form's problems.
MAX_VIOLATIONS = 50
# How many of them the one-line sentence names (the rest are counted).
_VIOLATIONS_SAID = 5
# How deep the ``data`` of an error is kept: it carries a few flat values (a threshold, a
# retryAfterSeconds); anything nested deeper is dropped rather than walked.
_DATA_DEPTH = 8


def _data(value: object, clean: Clean, depth: int = 0) -> Any:
    """A copy of an error's ``data`` whose strings (keys too) went through ``clean``; numbers,
    bools and nulls are kept as they are, since callers read them (``retryAfterSeconds``)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, Mapping):
        if depth >= _DATA_DEPTH:
            return {}
        return {clean(str(k)): _data(v, clean, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        if depth >= _DATA_DEPTH:
            return []
        return [_data(v, clean, depth + 1) for v in value]
    return value


def decode_envelope(
    body: bytes, content_type: str = "", secrets: Iterable[Secret] = ()
) -> Envelope:
    """Read Wix's error envelope (or an OAuth-style error body) without ever raising. Every
    string in it goes through :func:`server_text` here, at the edge: the caller's ``secrets``
    and key-shaped text are masked, control sequences made visible."""
    clean = server_text(secrets)

    def _text(value: object) -> str:
        return clean(value) if isinstance(value, str) else ""

    if not body.strip():
        return Envelope(unreadable="an empty body")
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        looks_html = "html" in content_type.lower() or body.lstrip()[:1] == b"<"
        return Envelope(unreadable="an HTML page" if looks_html else "a body that is not JSON")
    if not isinstance(parsed, Mapping):
        return Envelope(unreadable="JSON that is not an object")
    message = _text(parsed.get("message"))
    # OAuth endpoints answer IETF-style: {"error": "invalid_client", "error_description": ...}
    if isinstance(parsed.get("error"), str):
        desc = parsed.get("error_description")
        return Envelope(
            message=_text(desc) if isinstance(desc, str) else message,
            code=_text(parsed["error"]) or None,
            description=_text(desc),
        )
    details = parsed.get("details")
    details = details if isinstance(details, Mapping) else {}
    app = details.get("applicationError")
    if isinstance(app, Mapping):
        data = app.get("data")
        return Envelope(
            message=message,
            code=_text(app.get("code")) or None,
            description=_text(app.get("description")),
            data=_data(data, clean) if isinstance(data, Mapping) else None,
        )
    validation = details.get("validationError")
    if isinstance(validation, Mapping):
        raw = validation.get("fieldViolations")
        items = raw if isinstance(raw, list) else []
        found = [v for v in items if isinstance(v, Mapping)]
        violations = tuple(_violation(v, _text, clean) for v in found[:MAX_VIOLATIONS])
        return Envelope(message=message, field_violations=violations, violation_count=len(found))
    return Envelope(message=message)


def _violation(
    raw: Mapping[str, Any], text: Callable[[object], str], clean: Clean
) -> FieldViolation:
    data = raw.get("data")
    return FieldViolation(
        field=text(raw.get("field")),
        description=text(raw.get("description")),
        violated_rule=text(raw.get("violatedRule")),
        data=_data(data, clean) if isinstance(data, Mapping) else None,
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime  # only for an HTTP date: rare

            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


# Where Wix's own description says more than our sentence can (which permission is missing,
# which precondition failed), it is quoted after ours.
_QUOTES_WIX = (FailedPrecondition, WixApiError, Unauthorized, PermissionDenied)


def error_from_response(
    *,
    operation: str,
    method: str,
    path: str,
    status: int,
    body: bytes,
    content_type: str = "",
    retry_after: str | None = None,
    now: datetime | None = None,
    secrets: Iterable[Secret] = (),
    write: bool = False,
) -> WixApiError:
    """Map an error answer to the typed hierarchy. ``secrets``: the caller's credentials, which
    no string of the error may carry even when the server quoted them; ``write``: the call
    changes something at Wix (see ``may_have_happened``)."""
    envelope = decode_envelope(body, content_type, secrets)
    wix_says = envelope.description or envelope.message
    sentence, hint = _describe(operation, status)
    # No cause is ever read from an application code Wix does not document: the code is kept
    # and logged, and Wix's own words are quoted.
    if envelope.code == SENDER_DETAILS_DO_NOT_EXIST:
        cls: type[WixApiError] = SenderDetailsDoNotExist
        # Wix's gate is per domain (fact sheet §1.7): the site may have sender details, on
        # another domain.
        sentence = "No sender details on this site use an address on this domain (yet)."
        hint = _SENDER_DETAILS_HINT
    elif status >= 500:
        cls = ServerError
    else:
        cls = _BY_STATUS.get(status, WixApiError)
    if envelope.field_violations:
        said = [str(v) for v in envelope.field_violations[:_VIOLATIONS_SAID]]
        if envelope.violation_count > _VIOLATIONS_SAID:
            said.append(f"and {envelope.violation_count - _VIOLATIONS_SAID} more")
        sentence = f"{sentence.rstrip('.')}: " + "; ".join(said)
        sentence = sentence if sentence.endswith(".") else sentence + "."
    elif envelope.unreadable and status >= 500:
        sentence = f"{sentence[:-1]}; the answer was {envelope.unreadable}."
    elif wix_says and cls in _QUOTES_WIX and (envelope.description or cls is FailedPrecondition):
        # Wix's own words help most for codes we have no sentence of our own for (a 428's
        # message too: its codes are mostly undocumented, so its words are all we have).
        sentence = f"{sentence} {quote_wix(wix_says)}"
    kwargs: dict[str, Any] = {
        "operation": operation,
        "method": method,
        "path": path,
        "status": status,
        "code": envelope.code,
        "hint": hint,
        "server_message": envelope.message or envelope.description,
        "field_violations": envelope.field_violations,
        "data": envelope.data,
        "retry_after": parse_retry_after(retry_after, now),
        "write": write,
        "wix_says": wix_says,
    }
    if cls is ServerError and write:
        # "Try again" could do it twice (a second code, a second Authenticate).
        kwargs["hint"] = (
            "It is on Wix's side, but Wix may have done it before failing; check before "
            "trying again."
        )
    if cls is RateLimited and kwargs["retry_after"] is not None:
        kwargs["hint"] = f"Wait {duration(kwargs['retry_after'])} and try again."
    return cls(sentence, **kwargs)


def quote_wix(words: str) -> str:
    """Wix's own words (already made safe by :func:`server_text`) as one quoted sentence."""
    words = words.strip().rstrip(".")
    return f"Wix says: {words}." if words else "Wix gave no reason."


# --- Create Sender Details: why the 428 ------------------------------------------------------

CAUSE_PLAN = "plan"  # the plan allows one sender and the site has one
CAUSE_UNVERIFIED = "unverified"  # the from address is not a verified sender email

_TWO_REASONS = (
    "Wix documents two reasons for this refusal: a plan that allows only one sender (Core and "
    "Advanced email-marketing plans allow more), and a from address that is not a verified "
    "sender email"
)


def explain_sender_refusal(
    error: FailedPrecondition,
    *,
    multiple_senders: bool | None,
    account_error: WixError | None = None,
    has_senders: bool | None = None,
    address_verified: bool | None = None,
) -> FailedPrecondition:
    """A Create Sender Details 428 in words decided from Wix's data, never from its code
    (fact sheet §3.1: Wix names neither of its two 428s). ``multiple_senders``:
    ``accountDetails.features.multipleSenderDetails`` (``None`` when Wix did not send it or
    the read failed, then ``account_error`` says why); ``has_senders``: whether the site has
    sender details already; ``address_verified``: whether the from address is a verified
    sender email of the site (``None``: not known). Wix's own words are always quoted.

    - the plan allows one sender (``False``) and the site has one (or that is not known):
      "your plan allows one sender";
    - else the address is known not to be verified: say so;
    - else Wix's words, with what could not be checked."""
    said = quote_wix(error.wix_says)
    cause = ""
    if multiple_senders is False and has_senders is not False:
        cause = CAUSE_PLAN
        already = " and this site has one already" if has_senders else ""
        sentence = f"Your email-marketing plan allows one sender{already}. {said}"
        hint = (
            "Upgrade to a Core or Advanced email-marketing plan in the Wix dashboard for more "
            "senders, or change the existing sender's name or address instead."
        )
    elif address_verified is False:
        cause = CAUSE_UNVERIFIED
        sentence = f"The from address is not a verified sender email of this site. {said}"
        hint = "Add it as a sender email and verify it with the emailed code first."
    else:
        sentence = f"Wix refused to create this sender. {said}"
        verified = "; this address is verified" if address_verified else ""
        if account_error is not None:
            hint = (
                "Whether the plan allows more than one sender could not be checked: Wix's "
                f"account details could not be read ({account_error.sentence.rstrip('.')}). "
                f"{_TWO_REASONS}{verified}."
            )
        elif multiple_senders is None:
            hint = (
                f"{_TWO_REASONS}{verified}; Wix's account details do not say whether the plan "
                "allows more than one sender."
            )
        elif multiple_senders:
            hint = "The plan allows more than one sender, so that is not the reason."
        else:  # one sender allowed, but the site has none: the plan is not the reason
            hint = (
                "The site has no sender yet, so the plan's one-sender limit is not the "
                f"reason{verified}."
            )
    explained = cast(FailedPrecondition, error.reworded(sentence, hint))
    explained.cause = cause
    return explained
