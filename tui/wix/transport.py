"""One Wix call on the wire: auth headers, timeouts, retries, and errors mapped to types.

``WixTransport`` knows HTTP and Wix's JSON envelope and nothing of the individual endpoints;
``WixClient`` (client.py) describes each endpoint as an :class:`Operation` and parses results.

Keeping the key out of tracebacks: Textual's crash screen (and any ``show_locals`` traceback)
prints every local variable of every frame of the traceback. The revealed key only ever lives
in :meth:`WixTransport._send`, which scrubs its locals in a ``finally`` and never lets an httpx
exception out; errors are raised *after* the ``except`` blocks, so no httpx exception (whose
``request`` holds the headers) hangs off ``__context__``.

Over 400 lines on purpose: one call's whole life (auth headers, sending, retries, reading the
answer, turning every failure into a typed error) is one job, and splitting it would spread the
rules about the key across modules.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from tui import __version__
from tui.clock import SYSTEM_CLOCK, Clock
from tui.sanitize import visible
from tui.secret import Secret
from tui.wix.auth import Auth, OAuthAuth, Token
from tui.wix.errors import (
    MAY_HAVE_DONE_IT,
    Unauthorized,
    UnreadableAnswer,
    WixApiError,
    WixError,
    WixProtocolError,
    WixTimeout,
    WixTransportError,
    error_from_response,
)
from tui.wix.models import ParseError, is_wix_id
from tui.wix.retry import NO_RETRY, RetryPolicy
from tui.wix.urls import WIX_BASE_URL, check_base_url

log = logging.getLogger("tui.wix")

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0, pool=5.0)
_MAYBE_SENT_HINT = "The request may or may not have taken effect; refresh to see the state."


@dataclass(frozen=True, slots=True)
class Operation:
    """One endpoint: a stable name (used in logs, errors and sandbox faults), the HTTP method,
    the path template, and whether it is safe to retry."""

    name: str
    method: str
    path: str
    idempotent: bool
    authenticated: bool = True
    empty_ok: bool = False
    """True when the documented answer is ``{}``, so an empty body is not an error."""


TOKEN = Operation("oauth.token", "POST", "/oauth2/token", idempotent=True, authenticated=False)


def path_segment(value: object, what: str) -> str:
    """An ID checked to be safe in a path: it can only ever address that one object."""
    if not isinstance(value, str):
        raise TypeError(f"The {what} must be a string, not {type(value).__name__}.")
    text = value.strip()
    if not text:
        raise ValueError(f"The {what} is empty.")
    # The same rule the parsers apply to every ID Wix sends (models.is_wix_id).
    if not is_wix_id(text):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise ValueError(
            f"{shown!r} is not a valid {what}: Wix IDs are GUIDs such as "
            "3f1c2a8e-5b7d-4c11-9a3e-2d6f8b9c0a11 (letters, digits and dashes)."
        )
    return text


@dataclass(frozen=True, slots=True)
class _Parsed(Generic[T]):
    """A parsed 2xx answer (a wrapper, since the value itself may be None)."""

    value: T


def _unreadable(sentence: str, *, hint: str, write: bool, **where: Any) -> WixProtocolError:
    """The error for an answer that came back but cannot be read. To a write it is an
    :class:`UnreadableAnswer`: the request reached Wix, so the sentence says it may have
    happened rather than inviting a second one."""
    if write:
        return UnreadableAnswer(f"{sentence} {MAY_HAVE_DONE_IT}", hint=hint, **where)
    return WixProtocolError(sentence, hint=f"Try again. {hint}", **where)


@dataclass(frozen=True, slots=True)
class _Reply:
    """What came back, without the httpx objects (their ``request`` holds our headers)."""

    status: int
    content: bytes
    content_type: str
    retry_after: str | None
    auth_generation: int


class WixTransport:
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
        self.base_url = check_base_url(base_url)
        self.auth = auth
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self._rng = rng or random.Random()
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        # httpx applies its timeouts per phase (connect, each read...); a server that dribbles
        # bytes could hold a call forever, so each attempt also gets one overall deadline.
        phases = [t for t in (self._timeout.connect, self._timeout.read) if t]
        self._attempt_deadline = sum(phases) + 5.0 if phases else None
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=self._timeout,
            headers={"User-Agent": f"wix-sending/{__version__}"},
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # --- the call ---------------------------------------------------------------------------

    async def call(
        self,
        op: Operation,
        *,
        path_params: Sequence[str] = (),
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        parse: Callable[[Mapping[str, Any]], T] | None = None,
        retry: RetryPolicy | None = None,
    ) -> T:
        """Perform ``op`` with retries; the 2xx answer's JSON object, through ``parse``."""
        policy = retry or self.retry
        path = op.path.format(*path_params)
        started = self.clock.monotonic()
        attempt = 0
        refreshed_auth = False
        while True:
            attempt += 1
            generation = -1
            try:
                reply = await self._send(op, path, body, params)
            except WixError as auth_failure:  # the OAuth token could not be fetched
                outcome: _Reply | WixError = auth_failure
            else:
                outcome = reply
            if isinstance(outcome, _Reply):
                generation = outcome.auth_generation
                if 200 <= outcome.status < 300:
                    decoded = self._decode(op, path, outcome, parse)
                    if not isinstance(decoded, WixProtocolError):
                        return decoded.value
                    error: WixError = decoded
                else:
                    error = self._api_error(op, path, outcome)
            else:
                error = outcome
            # Raised below, outside every except block, so no httpx exception is chained on.
            if (
                isinstance(error, Unauthorized)
                and error.operation == op.name
                and op.authenticated
                and self.auth.can_refresh
                and not refreshed_auth
            ):
                # An expired OAuth token: fetch a new one and try once more. Wix rejected the
                # request, so even a write had no effect and is safe to send again.
                refreshed_auth = True
                self.auth.invalidate(generation)
                attempt -= 1
                log.info("%s %s: 401, fetching a new OAuth token", op.method, path)
                continue
            # Nothing was sent when the token fetch failed, so even a write may be retried.
            idempotent = op.idempotent or error.operation == TOKEN.name
            if not self._may_retry(policy, error, idempotent, attempt, started):
                raise error
            delay = policy.delay(error, attempt, self._rng)
            if self.clock.monotonic() - started + delay > policy.max_total:
                raise error
            log.info(
                "%s %s failed (%s); retry %d of %d in %.1f s",
                op.method,
                path,
                error.where,
                attempt,
                policy.max_attempts - 1,
                delay,
            )
            await self.clock.sleep(delay)

    def _may_retry(
        self, policy: RetryPolicy, error: WixError, idempotent: bool, attempt: int, started: float
    ) -> bool:
        if attempt >= policy.max_attempts:
            return False
        if self.clock.monotonic() - started >= policy.max_total:
            return False
        return policy.should_retry(error, idempotent=idempotent)

    async def _send(
        self,
        op: Operation,
        path: str,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> _Reply | WixError:
        """One HTTP exchange. The only place the revealed key or token exists; see the module
        docstring. Transport problems come back as a value, never as an exception."""
        where: dict[str, Any] = {
            "operation": op.name,
            "method": op.method,
            "path": path,
            "write": not op.idempotent,
        }
        headers: dict[str, str] = {"Accept": "application/json"}
        content: bytes | None = None
        response: httpx.Response | None = None
        failure: WixError | None = None
        try:
            generation = self.auth.generation
            if op.authenticated:
                headers.update(await self.auth.headers(self._fetch_token))
                generation = self.auth.generation
            if body is not None:
                headers["Content-Type"] = "application/json"
                content = json.dumps(body, separators=(",", ":"), default=_reveal).encode()
            began = time.perf_counter()
            try:
                async with asyncio.timeout(self._attempt_deadline):
                    response = await self._http.request(
                        op.method,
                        self.base_url + path,
                        params=params,
                        content=content,
                        headers=headers,
                    )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError):
                # Nothing reached the server: a later attempt cannot duplicate anything.
                failure = WixTransportError(
                    f"Could not connect to Wix at {self.base_url}.",
                    sent=False,
                    hint="Check the network connection (and any proxy) and try again.",
                    **where,
                )
            except (httpx.TimeoutException, TimeoutError):
                failure = WixTimeout(
                    "Wix did not answer in time.", sent=True, hint=_MAYBE_SENT_HINT, **where
                )
            except httpx.DecodingError:
                failure = _unreadable(
                    "Wix's answer could not be decoded (a broken compressed body).",
                    hint="A proxy may be in the way.",
                    **where,
                )
            except httpx.HTTPError as exc:
                failure = WixTransportError(
                    "The connection to Wix broke before the answer arrived "
                    f"({type(exc).__name__}).",
                    sent=True,
                    hint=_MAYBE_SENT_HINT,
                    **where,
                )
            except (httpx.InvalidURL, UnicodeError) as exc:
                failure = WixTransportError(
                    f"The request could not be built ({type(exc).__name__}): an ID or a "
                    "filter value is too long or not valid text.",
                    sent=False,
                    **where,
                )
            if failure is not None:
                return failure
            assert response is not None
            log.debug(
                "%s %s -> %d in %.0f ms",
                op.method,
                path,
                response.status_code,
                (time.perf_counter() - began) * 1000,
            )
            return _Reply(
                status=response.status_code,
                content=response.content,
                content_type=response.headers.get("content-type", ""),
                retry_after=response.headers.get("retry-after"),
                auth_generation=generation,
            )
        finally:
            # Scrub the secrets from this frame, whatever happens (even cancellation).
            headers.clear()
            content = None
            response = None

    def _api_error(self, op: Operation, path: str, reply: _Reply) -> WixApiError:
        return error_from_response(
            operation=op.name,
            method=op.method,
            path=path,
            status=reply.status,
            body=reply.content,
            content_type=reply.content_type,
            retry_after=reply.retry_after,
            now=self.clock.now(),
            secrets=self.auth.secrets(),
            write=not op.idempotent,
        )

    def _decode(
        self,
        op: Operation,
        path: str,
        reply: _Reply,
        parse: Callable[[Mapping[str, Any]], T] | None,
    ) -> _Parsed[T] | WixProtocolError:
        """The 2xx answer through ``parse``, or the error saying why it could not be read
        (returned, not raised: the retry loop decides what happens next)."""
        where = {
            "operation": op.name,
            "method": op.method,
            "path": path,
            "status": reply.status,
            "write": not op.idempotent,
        }
        data: Any = None
        problem = ""
        if not reply.content.strip():
            if not op.empty_ok:
                problem = "Wix sent an empty answer where data was expected."
            data = {}
        else:
            try:
                data = json.loads(reply.content)
            except (ValueError, UnicodeDecodeError, RecursionError):
                looks_html = reply.content.lstrip()[:1] == b"<"
                what = "an HTML page" if looks_html else "data that is not valid JSON"
                problem = f"Wix sent {what} where JSON was expected."
        if not problem and not isinstance(data, Mapping):
            problem = "Wix sent JSON of an unexpected shape (not an object)."
        if not problem:
            if parse is None:
                return _Parsed(data)
            try:
                return _Parsed(parse(data))
            except (ParseError, TypeError, ValueError, KeyError, AttributeError) as exc:
                # visible(): a message of Python's may quote a value from the answer.
                problem = f"Wix's answer was not in the documented shape: {visible(str(exc))}."
        return _unreadable(
            problem,
            hint="If it keeps happening, Wix may have changed this API "
            "(the log file has the details).",
            **where,
        )

    # --- OAuth --------------------------------------------------------------------------------

    async def _fetch_token(self, auth: OAuthAuth) -> Token:
        # One attempt only: the call that needs the token has its own retry loop, and nesting
        # two loops would multiply the attempts.
        try:
            return await self.call(
                TOKEN, body=auth.token_request(), parse=_parse_token, retry=NO_RETRY
            )
        except WixApiError as error:
            if error.status not in (400, 401, 403):
                raise
            failure = Unauthorized(
                "Wix did not issue an access token for this app.",
                hint="Check the app ID, the app secret and the instance ID "
                "(the app must be installed on the site).",
                operation=error.operation,
                method=error.method,
                path=error.path,
                status=error.status,
                code=error.code,
                server_message=error.server_message,
            )
        raise failure

    def __repr__(self) -> str:
        return f"WixTransport(base_url={self.base_url!r}, auth={self.auth!r})"


def _reveal(value: object) -> str:
    """JSON encoder hook: Secrets travel in request bodies (the OAuth client secret) as text."""
    if isinstance(value, Secret):
        return value.reveal()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _parse_token(data: Mapping[str, Any]) -> Token:
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise ParseError("the token answer has no access_token")
    expires_in = data.get("expires_in", 14400)
    if (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, int | float)
        or not math.isfinite(expires_in)
    ):
        expires_in = 14400
    return Token(value=Secret(token), expires_in=max(float(expires_in), 1.0))
