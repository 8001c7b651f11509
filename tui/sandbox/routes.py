"""The Wix endpoints the sandbox serves: stable route names, methods and paths.

Route names are what fault injection targets (``POST /_sandbox/faults {"endpoint": ...}``), so
they never change once published. Each route names the permission scope the docs list for it
(fact sheet §1.1, §2, §3.1, §4). Order matters where paths overlap: the literal
``sender-details/default`` and ``sending-domains/query`` come before their ``{id}`` siblings.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.sandbox.scopes import (
    AUTOMATIONS,
    EMAIL_MARKETING,
    SENDING_DOMAINS_MANAGE,
    SENDING_DOMAINS_READ,
)


@dataclass(frozen=True)
class WixRoute:
    name: str
    method: str
    path: str
    scope: str | None  # the permission a caller needs (None: the OAuth endpoint, no caller yet)


SENDER_EMAILS = "/sender-emails/v1/sender-emails"
SENDER_DETAILS = "/sender-details/v1/sender-details"
SENDING_DOMAINS = "/sending-domains/v1/sending-domains"

WIX_ROUTES: tuple[WixRoute, ...] = (
    WixRoute("sender-emails.create", "POST", SENDER_EMAILS, AUTOMATIONS),
    WixRoute("sender-emails.list", "GET", SENDER_EMAILS, AUTOMATIONS),
    WixRoute("sender-emails.get-or-create", "POST", f"{SENDER_EMAILS}/get-or-create", AUTOMATIONS),
    WixRoute("sender-emails.get", "GET", f"{SENDER_EMAILS}/{{senderEmailId}}", AUTOMATIONS),
    WixRoute(
        "sender-emails.send-verification-code",
        "POST",
        f"{SENDER_EMAILS}/{{senderEmailId}}/send-verification-code",
        AUTOMATIONS,
    ),
    WixRoute(
        "sender-emails.verify", "POST", f"{SENDER_EMAILS}/{{senderEmailId}}/verify", AUTOMATIONS
    ),
    WixRoute("sender-emails.delete", "DELETE", f"{SENDER_EMAILS}/{{senderEmailId}}", AUTOMATIONS),
    WixRoute("sender-details.create", "POST", SENDER_DETAILS, AUTOMATIONS),
    WixRoute("sender-details.list", "GET", SENDER_DETAILS, AUTOMATIONS),
    WixRoute("sender-details.get-default", "GET", f"{SENDER_DETAILS}/default", AUTOMATIONS),
    WixRoute("sender-details.get", "GET", f"{SENDER_DETAILS}/{{senderDetailsId}}", AUTOMATIONS),
    WixRoute(
        "sender-details.update", "PATCH", f"{SENDER_DETAILS}/{{senderDetailsId}}", AUTOMATIONS
    ),
    WixRoute(
        "sender-details.delete", "DELETE", f"{SENDER_DETAILS}/{{senderDetailsId}}", AUTOMATIONS
    ),
    WixRoute(
        "sender-details.mark-as-default",
        "POST",
        f"{SENDER_DETAILS}/{{senderDetailsId}}/mark-as-default",
        AUTOMATIONS,
    ),
    WixRoute("sending-domains.query", "POST", f"{SENDING_DOMAINS}/query", SENDING_DOMAINS_READ),
    WixRoute(
        "sending-domains.get", "GET", f"{SENDING_DOMAINS}/{{sendingDomainId}}", SENDING_DOMAINS_READ
    ),
    WixRoute(
        "sending-domains.authenticate",
        "POST",
        f"{SENDING_DOMAINS}/{{sendingDomainId}}/authenticate",
        SENDING_DOMAINS_MANAGE,
    ),
    WixRoute("account-details.get", "GET", "/email-marketing/v1/account-details", EMAIL_MARKETING),
    WixRoute("oauth.token", "POST", "/oauth2/token", None),
)

ROUTE_NAMES: tuple[str, ...] = tuple(route.name for route in WIX_ROUTES)
