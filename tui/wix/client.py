"""The async Wix client: every endpoint of the fact sheet (shared/reference/wix-api.md).

    async with WixClient(ApiKeyAuth(key, site_id)) as wix:
        email = await wix.get_or_create_sender_email("info@example.com")
        await wix.send_verification_code(email.id)

Each endpoint is an :class:`Operation` (name, method, path, idempotent) so that retries, logs,
errors and the sandbox's fault injection all speak of it the same way.

Over 400 lines on purpose: one short method per documented endpoint (with its paging helpers),
so the client reads like the fact sheet; the HTTP work is in ``transport.py``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from tui.clock import SYSTEM_CLOCK, Clock
from tui.wix.auth import Auth
from tui.wix.endpoints import (
    ACCOUNT_DETAILS_GET,
    SENDER_DETAILS_CREATE,
    SENDER_DETAILS_DELETE,
    SENDER_DETAILS_GET,
    SENDER_DETAILS_GET_DEFAULT,
    SENDER_DETAILS_LIST,
    SENDER_DETAILS_MARK_DEFAULT,
    SENDER_DETAILS_UPDATE,
    SENDER_EMAILS_CREATE,
    SENDER_EMAILS_DELETE,
    SENDER_EMAILS_GET,
    SENDER_EMAILS_GET_OR_CREATE,
    SENDER_EMAILS_LIST,
    SENDER_EMAILS_SEND_CODE,
    SENDER_EMAILS_VERIFY,
    SENDING_DOMAINS_AUTHENTICATE,
    SENDING_DOMAINS_GET,
    SENDING_DOMAINS_QUERY,
)
from tui.wix.errors import (
    FailedPrecondition,
    SenderDetailsDoNotExist,
    WixError,
    WixProtocolError,
    explain_sender_refusal,
)
from tui.wix.models import (
    AccountDetails,
    DomainStatus,
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
log = logging.getLogger("tui.wix")

EMAIL_MAX_LENGTH = 254
"""The documented maximum of ``emailAddress`` (fact sheet §2.2)."""

QUERY_MAX_RESULTS = 50
"""Query Sending Domains returns at most 50 domains, so longer ``$in`` lists are split."""
MAX_PAGES = 1000
"""A bound on cursor paging, so a server that keeps sending cursors cannot loop us forever."""
CURSOR_MAX_LENGTH = 1000
"""The documented maximum of ``paging.cursor`` (fact sheet §2.1, §3.1): a longer one is refused
before it is sent, whether a caller gave it or a server's ``pagingMetadata`` did."""


@dataclass(frozen=True, slots=True)
class AuthAttempt:
    """What an Authenticate attempt came to: the domain as read afterwards (``None`` when it
    could not be read) and Wix's refusal, if it refused (``None`` after a 200)."""

    domain: SendingDomain | None
    refusal: FailedPrecondition | None

    @property
    def refused(self) -> bool:
        return self.refusal is not None


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
        body = {"senderEmail": {"emailAddress": _text(email_address, "email address")}}
        return await self._t.call(
            SENDER_EMAILS_CREATE, body=body, parse=_one("senderEmail", SenderEmail.parse)
        )

    async def get_sender_email(self, sender_email_id: str) -> SenderEmail:
        return await self._t.call(
            SENDER_EMAILS_GET,
            path_params=[path_segment(sender_email_id, "sender email ID")],
            parse=_one("senderEmail", SenderEmail.parse),
        )

    async def list_sender_emails_page(
        self, *, email_address: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[SenderEmail]:
        """One page. With a cursor only the cursor and limit are sent: by Wix convention the
        cursor already carries the filter of the first request."""
        params = _paging(limit, cursor)
        if not cursor and email_address:
            params["emailAddress"] = _text(
                email_address, "email address", max_length=EMAIL_MAX_LENGTH
            )
        return await self._t.call(
            SENDER_EMAILS_LIST, params=params, parse=_page("senderEmails", SenderEmail.parse)
        )

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
        body = {"emailAddress": _text(email_address, "email address")}
        return await self._t.call(
            SENDER_EMAILS_GET_OR_CREATE, body=body, parse=_one("senderEmail", SenderEmail.parse)
        )

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
        return await self._t.call(
            SENDER_EMAILS_VERIFY,
            path_params=[path_segment(sender_email_id, "sender email ID")],
            body={"verificationCode": _text(code, "verification code")},
            parse=_echo("senderEmail", SenderEmail.parse),
        )

    async def delete_sender_email(self, sender_email_id: str) -> None:
        await self._t.call(
            SENDER_EMAILS_DELETE, path_params=[path_segment(sender_email_id, "sender email ID")]
        )

    # --- Sender Details -------------------------------------------------------------------

    async def create_sender_details(self, from_name: str, from_email_address: str) -> SenderDetails:
        """Create sender details. Wix documents two 428s here without naming them (a plan
        that allows one sender, an address that is not verified), so on a 428 the cause is
        looked up in Wix's data (:meth:`_why_refused`), never guessed from the code."""
        address = _text(from_email_address, "from address")
        body = {
            "senderDetails": {
                "fromName": _text(from_name, "from-name"),
                "fromEmailAddress": address,
            }
        }
        try:
            return await self._t.call(
                SENDER_DETAILS_CREATE, body=body, parse=_one("senderDetails", SenderDetails.parse)
            )
        except SenderDetailsDoNotExist:
            raise
        except FailedPrecondition as error:
            refusal = error
        # Outside the except block: the reads below must not chain onto Wix's refusal.
        raise await self._why_refused(refusal, address)

    async def _why_refused(self, refusal: FailedPrecondition, address: str) -> FailedPrecondition:
        """A Create Sender Details 428 explained from Wix's data (fact sheet §3.1): the
        account's ``features.multipleSenderDetails``, then whether the site has a sender
        already, then whether ``address`` is a verified sender email. Each read is best
        effort: one that fails leaves its answer unknown, and the words say so."""
        multiple: bool | None = None
        account_error: WixError | None = None
        try:
            account = await self.get_account_details()
        except WixError as error:
            account_error = error
        else:
            multiple = account.features.multiple_sender_details
        has_senders: bool | None = None
        if multiple is False:
            try:
                has_senders = bool((await self.list_sender_details_page(limit=1)).items)
            except WixError as error:
                log.info("sender details could not be listed to explain a 428: %s", error.where)
        verified: bool | None = None
        if multiple is not False or has_senders is False:
            wanted = address.casefold()
            try:
                emails = await self.list_sender_emails(email_address=address)
            except (WixError, ValueError) as error:  # ValueError: too long to filter on
                log.info("sender emails could not be listed to explain a 428: %s", error)
            else:
                verified = any(e.verified for e in emails if e.email_address.casefold() == wanted)
        log.info(
            "create sender details refused (%s); multipleSenderDetails=%s, has senders=%s, "
            "address verified=%s",
            refusal.where,
            multiple,
            has_senders,
            verified,
        )
        return explain_sender_refusal(
            refusal,
            multiple_senders=multiple,
            account_error=account_error,
            has_senders=has_senders,
            address_verified=verified,
        )

    async def get_sender_details(self, sender_details_id: str) -> SenderDetails:
        return await self._t.call(
            SENDER_DETAILS_GET,
            path_params=[path_segment(sender_details_id, "sender details ID")],
            parse=_one("senderDetails", SenderDetails.parse),
        )

    async def list_sender_details_page(
        self, *, limit: int = 50, cursor: str | None = None
    ) -> Page[SenderDetails]:
        return await self._t.call(
            SENDER_DETAILS_LIST,
            params=_paging(limit, cursor),
            parse=_page("senderDetails", SenderDetails.parse),
        )

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
        changes: dict[str, Any] = {"id": segment}
        if from_name is not None:
            changes["fromName"] = _text(from_name, "from-name")
        if from_email_address is not None:
            changes["fromEmailAddress"] = _text(from_email_address, "from address")
        if len(changes) == 1:
            raise ValueError("Nothing to update: give a new from-name or from-address.")
        return await self._t.call(
            SENDER_DETAILS_UPDATE,
            path_params=[segment],
            body={"senderDetails": changes},
            parse=_one("senderDetails", SenderDetails.parse),
        )

    async def delete_sender_details(self, sender_details_id: str) -> None:
        await self._t.call(
            SENDER_DETAILS_DELETE,
            path_params=[path_segment(sender_details_id, "sender details ID")],
        )

    async def mark_sender_details_as_default(self, sender_details_id: str) -> SenderDetails | None:
        return await self._t.call(
            SENDER_DETAILS_MARK_DEFAULT,
            path_params=[path_segment(sender_details_id, "sender details ID")],
            body={},
            parse=_echo("senderDetails", SenderDetails.parse),
        )

    async def get_default_sender_details(self) -> SenderDetails:
        return await self._t.call(
            SENDER_DETAILS_GET_DEFAULT, parse=_one("senderDetails", SenderDetails.parse)
        )

    # --- Sending Domains ------------------------------------------------------------------

    async def get_sending_domain(self, sending_domain_id: str) -> SendingDomain:
        return await self._t.call(
            SENDING_DOMAINS_GET,
            path_params=[path_segment(sending_domain_id, "sending domain ID")],
            parse=_one("sendingDomain", SendingDomain.parse),
        )

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
        if domains:
            values = [normalize_domain(_text(d, "domain name")) for d in domains]
        else:
            values = [_text(i, "sending domain ID") for i in ids]
        values = list(dict.fromkeys(v for v in values if v))
        if not values:
            raise ValueError("The domain names or IDs to query are all empty.")
        found: list[SendingDomain] = []
        for start in range(0, len(values), QUERY_MAX_RESULTS):
            chunk = values[start : start + QUERY_MAX_RESULTS]
            condition: object = {"$eq": chunk[0]} if len(chunk) == 1 else {"$in": chunk}
            body = {"query": {"filter": {field: condition}}}
            page = await self._t.call(
                SENDING_DOMAINS_QUERY,
                body=body,
                parse=_page("sendingDomains", SendingDomain.parse),
            )
            found.extend(page.items)
        return found

    async def find_sending_domain(self, domain: str) -> SendingDomain | None:
        """The sending domain for ``domain`` (e.g. the part after @ of a sender email)."""
        wanted = normalize_domain(_text(domain, "domain name"))
        for candidate in await self.query_sending_domains(domains=[wanted]):
            if normalize_domain(candidate.domain) == wanted:
                return candidate
        return None

    async def authenticate_sending_domain(self, sending_domain_id: str) -> SendingDomain:
        """Ask Wix to check the DNS records and authenticate the domain.

        The answer's shape is unconfirmed, so, as the fact sheet advises, the domain is read
        again afterwards; the answer itself is used only if that read fails.

        When the attempt may have happened but its answer was lost (a timeout, a dropped
        connection, an unreadable answer, a 5xx), the domain is read too: if Wix did
        authenticate it, that is the answer, rather than an error that leaves the domain "not
        authenticated" and invites a second attempt. Otherwise the error is raised as it was.
        """
        segment = path_segment(sending_domain_id, "sending domain ID")
        try:
            from_answer = await self._t.call(
                SENDING_DOMAINS_AUTHENTICATE,
                path_params=[segment],
                body={},
                parse=_echo("sendingDomain", SendingDomain.parse),
            )
        except WixError as error:
            if not error.may_have_happened:
                raise
            lost = error
        else:
            try:
                return await self.get_sending_domain(segment)
            except WixError:
                if from_answer is not None:
                    return from_answer
                raise
        # Outside the except block, so the read's own failure does not hide the attempt's.
        try:
            now = await self.get_sending_domain(segment)
        except WixError:
            now = None
        if now is not None and now.status is DomainStatus.AUTHENTICATED:
            log.info(
                "authenticate %s: the answer was lost, but the domain is authenticated", segment
            )
            return now
        raise lost

    async def attempt_authentication(self, sending_domain_id: str) -> AuthAttempt:
        """Authenticate, and on a refusal read the domain again (fact sheet §1.6): a refusal
        while the domain is still INITIALIZING is "not ready yet", not a failed DNS check,
        and only the status afterwards tells the two apart (Wix names neither refusal's
        code). A 200 already comes with the domain as read afterwards, which may still be
        NOT_AUTHENTICATED: a failed check too. SENDER_DETAILS_DO_NOT_EXIST and every other
        error are raised as :meth:`authenticate_sending_domain` raises them."""
        segment = path_segment(sending_domain_id, "sending domain ID")
        try:
            domain = await self.authenticate_sending_domain(segment)
        except SenderDetailsDoNotExist:
            raise
        except FailedPrecondition as error:
            refusal = error
        else:
            return AuthAttempt(domain, None)
        try:
            now: SendingDomain | None = await self.get_sending_domain(segment)
        except WixError as error:
            log.info("authenticate %s refused; the domain could not be read: %s", segment, error)
            now = None
        return AuthAttempt(now, refusal)

    # --- Account Details ------------------------------------------------------------------

    async def get_account_details(self) -> AccountDetails:
        return await self._t.call(
            ACCOUNT_DETAILS_GET, parse=_one("accountDetails", AccountDetails.parse)
        )

    # --- paging ---------------------------------------------------------------------------

    async def _paged(
        self, op: Operation, fetch: Callable[[str | None], Awaitable[Page[T]]]
    ) -> AsyncIterator[T]:
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = await fetch(cursor)
            for item in page.items:
                yield item
            if page.next_cursor is None:
                return
            if page.next_cursor in seen:
                raise _paging_error(op, "the paging cursor repeats")
            if len(page.next_cursor) > CURSOR_MAX_LENGTH:
                # Not sent: Wix documents at most 1000 characters, so it would only be refused.
                raise _paging_error(
                    op,
                    f"its next-page cursor is {len(page.next_cursor)} characters long, and Wix "
                    f"allows at most {CURSOR_MAX_LENGTH}",
                )
            seen.add(page.next_cursor)
            cursor = page.next_cursor
        raise _paging_error(op, f"more than {MAX_PAGES} pages")


# --- parsing at the edge (run by the transport, which turns ParseError into a typed error) ---


def _one(key: str, parse: Callable[[object, str], T]) -> Callable[[Mapping[str, Any]], T]:
    def run(data: Mapping[str, Any]) -> T:
        if key not in data:
            raise ParseError(f"the answer has no {key!r}")
        return parse(data[key], key)

    return run


def _echo(key: str, parse: Callable[[object, str], T]) -> Callable[[Mapping[str, Any]], T | None]:
    """The object a write sends back, whose shape is unconfirmed. The write has already
    succeeded, so an echo we cannot read must not turn that success into an error."""

    def run(data: Mapping[str, Any]) -> T | None:
        value = data.get(key)
        if not value:
            return None
        try:
            return parse(value, key)
        except ParseError as exc:
            log.warning("ignoring an unreadable %s in a successful answer: %s", key, exc)
            return None

    return run


def _page(key: str, parse: Callable[[object, str], T]) -> Callable[[Mapping[str, Any]], Page[T]]:
    return lambda data: Page.parse(data, key, parse)


def _paging_error(op: Operation, why: str) -> WixProtocolError:
    return WixProtocolError(
        f"Wix's list answer cannot be followed: {why}.",
        hint="Wix may have changed this API; please report it with the log file.",
        operation=op.name,
        method=op.method,
        path=op.path,
        status=200,
    )


def _text(value: object, what: str, *, max_length: int | None = None) -> str:
    """A user-supplied string, stripped; refused early if it is not text at all."""
    if not isinstance(value, str):
        raise TypeError(f"The {what} must be a string, not {type(value).__name__}.")
    text = value.strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"The {what} contains characters that are not valid text.") from None
    if max_length is not None and len(text) > max_length:
        raise ValueError(
            f"The {what} is {len(text)} characters long; Wix allows at most {max_length}."
        )
    return text


def _paging(limit: int, cursor: str | None) -> dict[str, str]:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError("The page size must be an integer.")
    params = {"paging.limit": str(limit)}
    if cursor:
        params["paging.cursor"] = _text(cursor, "paging cursor", max_length=CURSOR_MAX_LENGTH)
    return params


def normalize_domain(domain: str) -> str:
    """``" Example.COM. "`` -> ``"example.com"``: how Wix spells the domains it reports."""
    return domain.strip().rstrip(".").lower()
