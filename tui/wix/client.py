"""The async Wix client: every endpoint of the fact sheet (shared/reference/wix-api.md).

    async with WixClient(ApiKeyAuth(key, site_id)) as wix:
        email = await wix.get_or_create_sender_email("info@example.com")
        await wix.send_verification_code(email.id)

Each endpoint is an :class:`Operation` (name, method, path, idempotent) so that retries, logs,
errors and the sandbox's fault injection all speak of it the same way.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from tui.clock import SYSTEM_CLOCK, Clock
from tui.wix.auth import Auth
from tui.wix.errors import WixProtocolError
from tui.wix.models import (
    AccountDetails,
    Page,
    ParseError,
    SenderDetails,
    SenderEmail,
    SendingDomain,
)
from tui.wix.retry import RetryPolicy
from tui.wix.transport import (
    DEFAULT_TIMEOUT,
    WIX_BASE_URL,
    Operation,
    WixTransport,
    path_segment,
)

T = TypeVar("T")

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

QUERY_MAX_RESULTS = 50
"""Query Sending Domains returns at most 50 domains, so longer ``$in`` lists are split."""
MAX_PAGES = 1000
"""A bound on cursor paging, so a server that keeps sending cursors cannot loop us forever."""


class WixClient:
    """Async client for the Wix email-sending APIs. One instance per site (per credentials)."""

    def __init__(
        self,
        auth: Auth,
        *,
        base_url: str = WIX_BASE_URL,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Clock = SYSTEM_CLOCK,
        http: httpx.AsyncClient | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._t = WixTransport(
            auth,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            clock=clock,
            http=http,
            rng=rng,
        )

    @property
    def base_url(self) -> str:
        return self._t.base_url

    @property
    def auth(self) -> Auth:
        return self._t.auth

    async def aclose(self) -> None:
        await self._t.aclose()

    async def __aenter__(self) -> WixClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"WixClient(base_url={self.base_url!r}, auth={self.auth!r})"

    # --- Sender Emails --------------------------------------------------------------------

    async def create_sender_email(self, email_address: str) -> SenderEmail:
        body = {"senderEmail": {"emailAddress": email_address.strip()}}
        data = await self._t.call(SENDER_EMAILS_CREATE, body=body)
        return self._one(SENDER_EMAILS_CREATE, data, "senderEmail", SenderEmail.parse)

    async def get_sender_email(self, sender_email_id: str) -> SenderEmail:
        data = await self._t.call(
            SENDER_EMAILS_GET, path_params=[path_segment(sender_email_id, "sender email ID")]
        )
        return self._one(SENDER_EMAILS_GET, data, "senderEmail", SenderEmail.parse)

    async def list_sender_emails_page(
        self, *, email_address: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[SenderEmail]:
        """One page. With a cursor only the cursor and limit are sent: by Wix convention the
        cursor already carries the filter of the first request."""
        params = {"paging.limit": str(limit)}
        if cursor:
            params["paging.cursor"] = cursor
        elif email_address:
            params["emailAddress"] = email_address.strip()
        data = await self._t.call(SENDER_EMAILS_LIST, params=params)
        return self._page(SENDER_EMAILS_LIST, data, "senderEmails", SenderEmail.parse)

    async def iter_sender_emails(
        self, *, email_address: str | None = None, page_size: int = 50
    ) -> AsyncIterator[SenderEmail]:
        """Every sender email of the site, across all pages."""
        async for email in self._paged(
            SENDER_EMAILS_LIST,
            lambda cursor: self.list_sender_emails_page(
                email_address=email_address, limit=page_size, cursor=cursor
            ),
        ):
            yield email

    async def list_sender_emails(self, *, email_address: str | None = None) -> list[SenderEmail]:
        return [e async for e in self.iter_sender_emails(email_address=email_address)]

    async def get_or_create_sender_email(self, email_address: str) -> SenderEmail:
        body = {"emailAddress": email_address.strip()}
        data = await self._t.call(SENDER_EMAILS_GET_OR_CREATE, body=body)
        return self._one(SENDER_EMAILS_GET_OR_CREATE, data, "senderEmail", SenderEmail.parse)

    async def send_verification_code(self, sender_email_id: str) -> None:
        """Ask Wix to email a code to the address. Never retried after it may have been sent."""
        await self._t.call(
            SENDER_EMAILS_SEND_CODE,
            path_params=[path_segment(sender_email_id, "sender email ID")],
            body={},
        )

    async def verify_sender_email(self, sender_email_id: str, code: str) -> SenderEmail | None:
        """Submit the emailed code. Returns the sender email if Wix sent it back (the answer's
        shape is unconfirmed; re-read with :meth:`get_sender_email` to be sure)."""
        data = await self._t.call(
            SENDER_EMAILS_VERIFY,
            path_params=[path_segment(sender_email_id, "sender email ID")],
            body={"verificationCode": code.strip()},
        )
        return self._optional(SENDER_EMAILS_VERIFY, data, "senderEmail", SenderEmail.parse)

    async def delete_sender_email(self, sender_email_id: str) -> None:
        await self._t.call(
            SENDER_EMAILS_DELETE, path_params=[path_segment(sender_email_id, "sender email ID")]
        )

    # --- Sender Details -------------------------------------------------------------------

    async def create_sender_details(self, from_name: str, from_email_address: str) -> SenderDetails:
        body = {
            "senderDetails": {
                "fromName": from_name.strip(),
                "fromEmailAddress": from_email_address.strip(),
            }
        }
        data = await self._t.call(SENDER_DETAILS_CREATE, body=body)
        return self._one(SENDER_DETAILS_CREATE, data, "senderDetails", SenderDetails.parse)

    async def get_sender_details(self, sender_details_id: str) -> SenderDetails:
        data = await self._t.call(
            SENDER_DETAILS_GET, path_params=[path_segment(sender_details_id, "sender details ID")]
        )
        return self._one(SENDER_DETAILS_GET, data, "senderDetails", SenderDetails.parse)

    async def list_sender_details_page(
        self, *, limit: int = 50, cursor: str | None = None
    ) -> Page[SenderDetails]:
        params = {"paging.limit": str(limit)}
        if cursor:
            params["paging.cursor"] = cursor
        data = await self._t.call(SENDER_DETAILS_LIST, params=params)
        return self._page(SENDER_DETAILS_LIST, data, "senderDetails", SenderDetails.parse)

    async def iter_sender_details(self, *, page_size: int = 50) -> AsyncIterator[SenderDetails]:
        async for details in self._paged(
            SENDER_DETAILS_LIST,
            lambda cursor: self.list_sender_details_page(limit=page_size, cursor=cursor),
        ):
            yield details

    async def list_sender_details(self) -> list[SenderDetails]:
        return [d async for d in self.iter_sender_details()]

    async def update_sender_details(
        self,
        sender_details_id: str,
        *,
        from_name: str | None = None,
        from_email_address: str | None = None,
    ) -> SenderDetails:
        """Change the from-name and/or address; fields left as ``None`` are not sent."""
        segment = path_segment(sender_details_id, "sender details ID")
        changes: dict[str, Any] = {"id": sender_details_id.strip()}
        if from_name is not None:
            changes["fromName"] = from_name.strip()
        if from_email_address is not None:
            changes["fromEmailAddress"] = from_email_address.strip()
        if len(changes) == 1:
            raise ValueError("Nothing to update: give a new from-name or from-address.")
        data = await self._t.call(
            SENDER_DETAILS_UPDATE, path_params=[segment], body={"senderDetails": changes}
        )
        return self._one(SENDER_DETAILS_UPDATE, data, "senderDetails", SenderDetails.parse)

    async def delete_sender_details(self, sender_details_id: str) -> None:
        await self._t.call(
            SENDER_DETAILS_DELETE,
            path_params=[path_segment(sender_details_id, "sender details ID")],
        )

    async def mark_sender_details_as_default(self, sender_details_id: str) -> SenderDetails | None:
        data = await self._t.call(
            SENDER_DETAILS_MARK_DEFAULT,
            path_params=[path_segment(sender_details_id, "sender details ID")],
            body={},
        )
        return self._optional(
            SENDER_DETAILS_MARK_DEFAULT, data, "senderDetails", SenderDetails.parse
        )

    async def get_default_sender_details(self) -> SenderDetails:
        data = await self._t.call(SENDER_DETAILS_GET_DEFAULT)
        return self._one(SENDER_DETAILS_GET_DEFAULT, data, "senderDetails", SenderDetails.parse)

    # --- Sending Domains ------------------------------------------------------------------

    async def get_sending_domain(self, sending_domain_id: str) -> SendingDomain:
        data = await self._t.call(
            SENDING_DOMAINS_GET, path_params=[path_segment(sending_domain_id, "sending domain ID")]
        )
        return self._one(SENDING_DOMAINS_GET, data, "sendingDomain", SendingDomain.parse)

    async def query_sending_domains(
        self, *, domains: Sequence[str] = (), ids: Sequence[str] = ()
    ) -> list[SendingDomain]:
        """The sending domains with these names *or* these IDs (exactly one of the two).

        Wix answers an unfiltered query with SENDER_DETAILS_DO_NOT_EXIST, so we never send one.
        """
        if isinstance(domains, str) or isinstance(ids, str):
            raise TypeError("domains and ids are sequences of strings, not a single string")
        if bool(domains) == bool(ids):
            raise ValueError(
                "Query Sending Domains needs a filter: pass domain names or sending domain IDs "
                "(one of the two). Wix rejects a query without one."
            )
        field = "domain" if domains else "id"
        values = [normalize_domain(d) for d in domains] if domains else [i.strip() for i in ids]
        values = list(dict.fromkeys(v for v in values if v))
        if not values:
            raise ValueError("The domain names or IDs to query are all empty.")
        found: list[SendingDomain] = []
        for start in range(0, len(values), QUERY_MAX_RESULTS):
            chunk = values[start : start + QUERY_MAX_RESULTS]
            condition: object = {"$eq": chunk[0]} if len(chunk) == 1 else {"$in": chunk}
            body = {"query": {"filter": {field: condition}}}
            data = await self._t.call(SENDING_DOMAINS_QUERY, body=body)
            page = self._page(SENDING_DOMAINS_QUERY, data, "sendingDomains", SendingDomain.parse)
            found.extend(page.items)
        return found

    async def find_sending_domain(self, domain: str) -> SendingDomain | None:
        """The sending domain for ``domain`` (e.g. the part after @ of a sender email)."""
        wanted = normalize_domain(domain)
        for candidate in await self.query_sending_domains(domains=[wanted]):
            if normalize_domain(candidate.domain) == wanted:
                return candidate
        return None

    async def authenticate_sending_domain(self, sending_domain_id: str) -> SendingDomain:
        """Ask Wix to check the DNS records and authenticate the domain.

        The answer's shape is unconfirmed, so, as the fact sheet advises, the domain is read
        again afterwards; the answer itself is used only if that read fails.
        """
        segment = path_segment(sending_domain_id, "sending domain ID")
        data = await self._t.call(SENDING_DOMAINS_AUTHENTICATE, path_params=[segment], body={})
        try:
            from_answer = self._optional(
                SENDING_DOMAINS_AUTHENTICATE, data, "sendingDomain", SendingDomain.parse
            )
        except WixProtocolError:
            from_answer = None
        try:
            return await self.get_sending_domain(sending_domain_id)
        except Exception:
            if from_answer is not None:
                return from_answer
            raise

    # --- Account Details ------------------------------------------------------------------

    async def get_account_details(self) -> AccountDetails:
        data = await self._t.call(ACCOUNT_DETAILS_GET)
        return self._one(ACCOUNT_DETAILS_GET, data, "accountDetails", AccountDetails.parse)

    # --- parsing helpers ------------------------------------------------------------------

    def _one(
        self,
        op: Operation,
        data: Mapping[str, Any],
        key: str,
        parse: Callable[[object, str], T],
    ) -> T:
        if key not in data:
            raise self._protocol_error(op, f"the answer has no {key!r}")
        try:
            return parse(data[key], key)
        except ParseError as exc:
            raise self._protocol_error(op, str(exc)) from None

    def _optional(
        self,
        op: Operation,
        data: Mapping[str, Any],
        key: str,
        parse: Callable[[object, str], T],
    ) -> T | None:
        return self._one(op, data, key, parse) if data.get(key) else None

    def _page(
        self,
        op: Operation,
        data: Mapping[str, Any],
        key: str,
        parse: Callable[[object, str], T],
    ) -> Page[T]:
        try:
            return Page.parse(data, key, parse)
        except ParseError as exc:
            raise self._protocol_error(op, str(exc)) from None

    def _protocol_error(self, op: Operation, why: str) -> WixProtocolError:
        return WixProtocolError(
            f"Wix's answer was not in the documented shape: {why}.",
            hint="Wix may have changed this API; please report it with the log file.",
            operation=op.name,
            method=op.method,
            path=op.path.replace("{}", "…"),
            status=200,
        )

    async def _paged(self, op: Operation, fetch: Callable[[str | None], Any]) -> AsyncIterator[Any]:
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = await fetch(cursor)
            for item in page.items:
                yield item
            if page.next_cursor is None:
                return
            if page.next_cursor in seen:
                raise self._protocol_error(op, "the paging cursor repeats")
            seen.add(page.next_cursor)
            cursor = page.next_cursor
        raise self._protocol_error(op, f"more than {MAX_PAGES} pages")


def normalize_domain(domain: str) -> str:
    """``" Example.COM. "`` -> ``"example.com"``: how Wix spells the domains it reports."""
    return domain.strip().rstrip(".").lower()
