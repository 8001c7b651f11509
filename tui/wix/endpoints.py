"""Every Wix endpoint the client calls, as an :class:`Operation`: a stable name (the same one
the sandbox uses for fault injection), the method, the path template (fact sheet
``shared/reference/wix-api.md``) and whether it is safe to retry.
"""

from __future__ import annotations

from tui.wix.transport import Operation

_SE = "/sender-emails/v1/sender-emails"
_SD = "/sender-details/v1/sender-details"
_DOM = "/sending-domains/v1/sending-domains"

SENDER_EMAILS_CREATE = Operation("sender-emails.create", "POST", _SE, idempotent=False)
SENDER_EMAILS_GET = Operation("sender-emails.get", "GET", _SE + "/{}", idempotent=True)
SENDER_EMAILS_LIST = Operation("sender-emails.list", "GET", _SE, idempotent=True)
SENDER_EMAILS_GET_OR_CREATE = Operation(
    "sender-emails.get-or-create", "POST", _SE + "/get-or-create", idempotent=False
)
SENDER_EMAILS_SEND_CODE = Operation(
    "sender-emails.send-verification-code",
    "POST",
    _SE + "/{}/send-verification-code",
    idempotent=False,
    empty_ok=True,
)
SENDER_EMAILS_VERIFY = Operation(
    "sender-emails.verify", "POST", _SE + "/{}/verify", idempotent=False, empty_ok=True
)
SENDER_EMAILS_DELETE = Operation(
    "sender-emails.delete", "DELETE", _SE + "/{}", idempotent=False, empty_ok=True
)

SENDER_DETAILS_CREATE = Operation("sender-details.create", "POST", _SD, idempotent=False)
SENDER_DETAILS_GET = Operation("sender-details.get", "GET", _SD + "/{}", idempotent=True)
SENDER_DETAILS_LIST = Operation("sender-details.list", "GET", _SD, idempotent=True)
SENDER_DETAILS_UPDATE = Operation("sender-details.update", "PATCH", _SD + "/{}", idempotent=False)
SENDER_DETAILS_DELETE = Operation(
    "sender-details.delete", "DELETE", _SD + "/{}", idempotent=False, empty_ok=True
)
SENDER_DETAILS_MARK_DEFAULT = Operation(
    "sender-details.mark-as-default",
    "POST",
    _SD + "/{}/mark-as-default",
    idempotent=False,
    empty_ok=True,
)
SENDER_DETAILS_GET_DEFAULT = Operation(
    "sender-details.get-default", "GET", _SD + "/default", idempotent=True
)

SENDING_DOMAINS_GET = Operation("sending-domains.get", "GET", _DOM + "/{}", idempotent=True)
# Query is a POST but only reads, so it is retried like a GET.
SENDING_DOMAINS_QUERY = Operation("sending-domains.query", "POST", _DOM + "/query", idempotent=True)
SENDING_DOMAINS_AUTHENTICATE = Operation(
    "sending-domains.authenticate",
    "POST",
    _DOM + "/{}/authenticate",
    idempotent=False,
    empty_ok=True,
)

ACCOUNT_DETAILS_GET = Operation(
    "account-details.get", "GET", "/email-marketing/v1/account-details", idempotent=True
)
