"""Errors the simulated Wix API raises, and the JSON envelopes they turn into.

The world raises :class:`SandboxError`; the HTTP layer renders it with :meth:`SandboxError.body`
in the Wix error envelope (fact sheet §5.3):

- business rejections: ``{"message", "details": {"applicationError": {"code", "description",
  "data"}}}``
- validation failures: ``{"message", "details": {"validationError": {"fieldViolations": [...]}}}``
- 5xx: ``{"message": "", "details": {}}`` (Wix sends system errors deliberately empty).

The OAuth endpoint is the one exception: it answers IETF OAuth bodies (:class:`OAuthError`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Canonical application-error codes per HTTP status, used when the sandbox has no more specific
# name (auth failures, injected status faults, unknown routes). [INFERRED from the gRPC-style
# status names Wix documents in its Errors article; 429 is RESOURCE_EXHAUSTED, the family the
# Errors article lists (fact sheet §5.4/§5.5).]
CANONICAL_CODES: Mapping[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    428: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
}


def canonical_code(status: int) -> str:
    return CANONICAL_CODES.get(status, "FAILED_PRECONDITION" if status < 500 else "INTERNAL")


class SandboxError(Exception):
    """A request the simulated Wix backend refuses, with everything needed to answer it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field_violations: Sequence[Mapping[str, Any]] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field_violations = [dict(v) for v in field_violations or ()]
        self.data = dict(data or {})
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The Wix error envelope for this error."""
        if self.status >= 500:
            return {"message": "", "details": {}}
        if self.field_violations:
            return {
                "message": self.message,
                "details": {"validationError": {"fieldViolations": self.field_violations}},
            }
        return {
            "message": self.message,
            "details": {
                "applicationError": {
                    "code": self.code,
                    "description": self.message,
                    "data": self.data,
                }
            },
        }


def violation(
    field: str, description: str, rule: str, data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One entry of ``validationError.fieldViolations``."""
    entry: dict[str, Any] = {"field": field, "description": description, "violatedRule": rule}
    if data:
        entry["data"] = dict(data)
    return entry


def invalid(violations: Sequence[Mapping[str, Any]], message: str | None = None) -> SandboxError:
    """A 400 validation error carrying one or more field violations."""
    first = violations[0]
    text = message or f"{first['field']}: {first['description']}"
    return SandboxError(400, "INVALID_ARGUMENT", text, field_violations=violations)


def not_found(kind: str, entity_id: str) -> SandboxError:
    return SandboxError(
        404, "NOT_FOUND", f"{kind} {entity_id!r} was not found", data={"id": entity_id}
    )


def failed_precondition(
    code: str, message: str, data: Mapping[str, Any] | None = None
) -> SandboxError:
    return SandboxError(428, code, message, data=data)


def conflict(code: str, message: str, data: Mapping[str, Any] | None = None) -> SandboxError:
    return SandboxError(409, code, message, data=data)


def bad_body(message: str) -> SandboxError:
    """The request body is not a JSON object where one is required."""
    return invalid([violation("body", message, "FORMAT")], message=message)


class OAuthError(Exception):
    """An ``/oauth2/token`` failure, rendered as an IETF OAuth error body (RFC 6749 §5.2)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class ControlError(ValueError):
    """A bad request to a ``/_sandbox/`` control route (plain ``{"message": ...}`` JSON), or a
    bad argument to the world's sandbox-only levers (e.g. an unknown scenario name)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
