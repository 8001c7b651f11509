"""Unit tests: Wix error bodies -> the typed hierarchy."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tui.wix import errors as e


def _map(status: int, body: object = b"", *, operation: str = "x.y", **kwargs: object):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return e.error_from_response(
        operation=operation, method="POST", path="/p/1", status=status, body=raw, **kwargs
    )


def _app_error(code: str, description: str = "desc", message: str = "msg") -> dict:
    return {
        "message": message,
        "details": {"applicationError": {"code": code, "description": description, "data": {}}},
    }


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, e.InvalidArgument),
        (401, e.Unauthorized),
        (403, e.PermissionDenied),
        (404, e.NotFound),
        (409, e.AlreadyExists),
        (428, e.FailedPrecondition),
        (429, e.RateLimited),
        (500, e.ServerError),
        (503, e.ServerError),
        (504, e.ServerError),
        (418, e.WixApiError),
    ],
)
def test_status_maps_to_class(status: int, cls: type) -> None:
    error = _map(status, {"message": "", "details": {}})
    assert type(error) is cls
    assert error.status == status
    assert error.method == "POST" and error.path == "/p/1" and error.operation == "x.y"
    assert error.sentence


def test_sender_details_do_not_exist_has_its_own_class_and_fix() -> None:
    error = _map(
        428, _app_error("SENDER_DETAILS_DO_NOT_EXIST", "cannot access requested sending domain")
    )
    assert isinstance(error, e.SenderDetailsDoNotExist)
    assert isinstance(error, e.FailedPrecondition)
    assert error.code == "SENDER_DETAILS_DO_NOT_EXIST"
    assert "sender details" in error.user_message()
    assert "create sender details" in error.hint


def test_failed_precondition_keeps_application_code_and_data() -> None:
    body = _app_error("DNS_RECORDS_NOT_FOUND", "no CNAME at s1._domainkey.example.com")
    body["details"]["applicationError"]["data"] = {"missing": ["s1._domainkey.example.com"]}
    error = _map(428, body, operation="sending-domains.authenticate")
    assert type(error) is e.FailedPrecondition
    assert error.code == "DNS_RECORDS_NOT_FOUND"
    assert error.data == {"missing": ["s1._domainkey.example.com"]}
    assert "DNS records" in error.sentence
    assert "4 hours" in error.hint
    assert "DNS_RECORDS_NOT_FOUND" in str(error)


def test_invalid_argument_keeps_field_violations() -> None:
    body = {
        "message": "bad",
        "details": {
            "validationError": {
                "fieldViolations": [
                    {
                        "field": "senderEmail.emailAddress",
                        "description": "must be a valid email",
                        "violatedRule": "FORMAT",
                    },
                    {"field": "x", "description": "too long", "violatedRule": "MAX", "data": {}},
                    "not an object",
                ]
            }
        },
    }
    error = _map(400, body)
    assert isinstance(error, e.InvalidArgument)
    assert [v.field for v in error.field_violations] == ["senderEmail.emailAddress", "x"]
    assert error.field_violations[0].violated_rule == "FORMAT"
    assert "senderEmail.emailAddress: must be a valid email" in error.sentence


def test_rate_limited_reads_retry_after_seconds_and_dates() -> None:
    assert _map(429, {}, retry_after="7").retry_after == 7.0
    assert "Wait 7 s" in _map(429, {}, retry_after="7").hint
    assert _map(429, {}).retry_after is None
    assert _map(429, {}, retry_after="soon").retry_after is None
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert e.parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert e.parse_retry_after("-5") == 0.0
    assert e.parse_retry_after("nan") is None


@pytest.mark.parametrize(
    ("body", "content_type", "why"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", "an HTML page"),
        (b"", "", "an empty body"),
        (b'{"message": "trunc', "application/json", "not JSON"),
        (b"[1, 2]", "application/json", "not an object"),
    ],
)
def test_unreadable_error_bodies_still_give_typed_errors(
    body: bytes, content_type: str, why: str
) -> None:
    error = _map(502, body, content_type=content_type)
    assert isinstance(error, e.ServerError)
    assert why in error.sentence
    error = _map(403, body, content_type=content_type)
    assert isinstance(error, e.PermissionDenied)


def test_oauth_style_error_body() -> None:
    error = _map(
        401, {"error": "invalid_client", "error_description": "bad secret"}, operation="oauth.token"
    )
    assert isinstance(error, e.Unauthorized)
    assert error.code == "invalid_client"
    assert error.server_message == "bad secret"


def test_operation_specific_sentences() -> None:
    wrong_code = _map(400, {"message": "", "details": {}}, operation="sender-emails.verify")
    assert "code is not right" in wrong_code.sentence
    already = _map(409, _app_error("ALREADY_VERIFIED"), operation="sender-emails.verify")
    assert isinstance(already, e.AlreadyExists) and "already verified" in already.sentence
    default = _map(428, _app_error("X"), operation="sender-details.delete")
    assert "default sender" in default.sentence and "another" in default.hint


def test_error_text_has_no_headers_and_repr_is_short() -> None:
    error = _map(401, _app_error("UNAUTHENTICATED"))
    text = f"{error!s} {error!r} {error.user_message()}"
    assert "POST /p/1" in text and "401" in text
    assert "Authorization" not in text


# --- 401 is about the key, 403 about permissions and the site (fact sheet §5.1, §5.4) -------


def test_401_says_check_the_key_and_not_the_permissions() -> None:
    error = _map(401, {"message": "", "details": {}})
    assert isinstance(error, e.Unauthorized)
    assert "Check the key" in error.hint
    assert "API Keys Manager" in error.hint
    assert "permissions this needs" not in error.hint and "site ID" not in error.hint


def test_403_says_permissions_and_site_and_that_the_key_may_be_revoked() -> None:
    error = _map(403, {"message": "", "details": {}})
    assert isinstance(error, e.PermissionDenied)
    assert "permissions" in error.hint and "site ID" in error.hint
    # Older Wix pages answer a revoked key with 403: the key's existence is checked too.
    assert "still exists" in error.hint
    assert "Check the key itself" not in error.hint


def test_no_verify_advice_for_an_unnamed_create_refusal() -> None:
    for code in ("PLAN_X", "WHATEVER", ""):
        error = _map(428, _app_error(code, "w"), operation="sender-details.create")
        assert "verif" not in error.user_message().lower(), code
        assert "plan" not in error.sentence.lower().replace("wix says", ""), code


def test_a_428_without_description_quotes_its_message() -> None:
    body = {"message": "not now", "details": {}}
    error = _map(428, body, operation="sender-details.create")
    assert error.sentence.endswith("Wix says: not now.")
    assert error.wix_says == "not now"
