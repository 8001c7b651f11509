"""The Wix endpoints the sandbox serves: stable route names, methods and paths.

Route names are what fault injection targets (``POST /_sandbox/faults {"endpoint": ...}``), so
they never change once published. Order matters where paths overlap: the literal
``sender-details/default`` and ``sending-domains/query`` come before their ``{id}`` siblings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WixRoute:
    name: str
    method: str
    path: str


SENDER_EMAILS = "/sender-emails/v1/sender-emails"
SENDER_DETAILS = "/sender-details/v1/sender-details"
SENDING_DOMAINS = "/sending-domains/v1/sending-domains"

WIX_ROUTES: tuple[WixRoute, ...] = (
    WixRoute("sender-emails.create", "POST", SENDER_EMAILS),
    WixRoute("sender-emails.list", "GET", SENDER_EMAILS),
    WixRoute("sender-emails.get-or-create", "POST", f"{SENDER_EMAILS}/get-or-create"),
    WixRoute("sender-emails.get", "GET", f"{SENDER_EMAILS}/{{senderEmailId}}"),
    WixRoute(
        "sender-emails.send-verification-code",
        "POST",
        f"{SENDER_EMAILS}/{{senderEmailId}}/send-verification-code",
    ),
    WixRoute("sender-emails.verify", "POST", f"{SENDER_EMAILS}/{{senderEmailId}}/verify"),
    WixRoute("sender-emails.delete", "DELETE", f"{SENDER_EMAILS}/{{senderEmailId}}"),
    WixRoute("sender-details.create", "POST", SENDER_DETAILS),
    WixRoute("sender-details.list", "GET", SENDER_DETAILS),
    WixRoute("sender-details.get-default", "GET", f"{SENDER_DETAILS}/default"),
    WixRoute("sender-details.get", "GET", f"{SENDER_DETAILS}/{{senderDetailsId}}"),
    WixRoute("sender-details.update", "PATCH", f"{SENDER_DETAILS}/{{senderDetailsId}}"),
    WixRoute("sender-details.delete", "DELETE", f"{SENDER_DETAILS}/{{senderDetailsId}}"),
    WixRoute(
        "sender-details.mark-as-default",
        "POST",
        f"{SENDER_DETAILS}/{{senderDetailsId}}/mark-as-default",
    ),
    WixRoute("sending-domains.query", "POST", f"{SENDING_DOMAINS}/query"),
    WixRoute("sending-domains.get", "GET", f"{SENDING_DOMAINS}/{{sendingDomainId}}"),
    WixRoute(
        "sending-domains.authenticate",
        "POST",
        f"{SENDING_DOMAINS}/{{sendingDomainId}}/authenticate",
    ),
    WixRoute("account-details.get", "GET", "/email-marketing/v1/account-details"),
    WixRoute("oauth.token", "POST", "/oauth2/token"),
)

ROUTE_NAMES: tuple[str, ...] = tuple(route.name for route in WIX_ROUTES)
