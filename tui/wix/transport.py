"""One Wix call on the wire: auth headers, timeouts, retries, and errors mapped to types.

``WixTransport`` knows HTTP and Wix's JSON envelope and nothing of the individual endpoints;
``WixClient`` (client.py) describes each endpoint as an :class:`Operation` and parses results.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from tui import __version__
from tui.clock import SYSTEM_CLOCK, Clock
from tui.secret import Secret
from tui.wix.auth import Auth, OAuthAuth, Token
from tui.wix.errors import (
    Unauthorized,
    WixApiError,
    WixError,
    WixProtocolError,
    WixTimeout,
    WixTransportError,
    error_from_response,
)
from tui.wix.retry import RetryPolicy

log = logging.getLogger("tui.wix")

WIX_BASE_URL = "https://www.wixapis.com"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0, pool=5.0)


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


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash, refusing plain HTTP except on loopback."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"{base_url!r} is not a valid URL: {exc}") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise ValueError(
            f"{base_url!r} is not a usable base URL: it needs https:// and a host name, "
            "e.g. https://www.wixapis.com."
        )
    if url.scheme == "http" and not _is_loopback(url.host):
        raise ValueError(
            f"Refusing {base_url!r}: plain http:// would send the API key unencrypted. "
            "Use https://, or http:// only on loopback (127.0.0.1, ::1, localhost), "
            "which is what the sandbox uses."
        )
    if url.query or url.fragment:
        raise ValueError(f"{base_url!r} should not have a query string or fragment.")
    return str(url).rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def path_segment(value: str, what: str) -> str:
    """An ID made safe to put in a path: never empty, never able to climb to another route."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"The {what} is empty.")
    return quote(value.strip(), safe="")


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
    ) -> Mapping[str, Any]:
        """Perform ``op`` with retries; the decoded JSON object of a 2xx answer."""
        path = op.path.format(*path_params)
        started = self.clock.monotonic()
        attempt = 0
        refreshed_auth = False
        while True:
            attempt += 1
            try:
                return await self._attempt(op, path, body, params)
            except Unauthorized:
                # An expired OAuth token: fetch a new one and try once more. Wix rejected the
                # request, so even a write had no effect and is safe to send again.
                if op.authenticated and self.auth.can_refresh and not refreshed_auth:
                    refreshed_auth = True
                    self.auth.invalidate()
                    attempt -= 1
                    log.info("%s %s: 401, fetching a new OAuth token", op.method, path)
                    continue
                raise
            except WixError as error:
                if not self._may_retry(op, error, attempt, started):
                    raise
                delay = self.retry.delay(error, attempt, self._rng)
                if self.clock.monotonic() - started + delay > self.retry.max_total:
                    raise
                log.info(
                    "%s %s failed (%s); retry %d/%d in %.1f s",
                    op.method,
                    path,
                    error.where,
                    attempt,
                    self.retry.max_attempts - 1,
                    delay,
                )
                await self.clock.sleep(delay)

    def _may_retry(self, op: Operation, error: WixError, attempt: int, started: float) -> bool:
        if attempt >= self.retry.max_attempts:
            return False
        if self.clock.monotonic() - started >= self.retry.max_total:
            return False
        return self.retry.should_retry(error, idempotent=op.idempotent)

    async def _attempt(
        self,
        op: Operation,
        path: str,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> Mapping[str, Any]:
        headers = {"Accept": "application/json"}
        if op.authenticated:
            headers.update(await self.auth.headers(self._fetch_token))
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":")).encode()
        where = {"operation": op.name, "method": op.method, "path": path}
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
            raise WixTransportError(
                f"Could not connect to Wix at {self.base_url}.",
                sent=False,
                hint="Check the network connection (and any proxy) and try again.",
                **where,
            ) from None
        except (httpx.TimeoutException, TimeoutError):
            raise WixTimeout(
                "Wix did not answer in time.",
                sent=True,
                hint="The request may or may not have taken effect; refresh to see the state.",
                **where,
            ) from None
        except httpx.TransportError as exc:
            raise WixTransportError(
                f"The connection to Wix broke before the answer arrived ({type(exc).__name__}).",
                sent=True,
                hint="The request may or may not have taken effect; refresh to see the state.",
                **where,
            ) from None
        elapsed_ms = (time.perf_counter() - began) * 1000
        log.debug("%s %s -> %d in %.0f ms", op.method, path, response.status_code, elapsed_ms)
        if response.is_success:
            return _decode_success(response, op, where)
        raise error_from_response(
            status=response.status_code,
            body=response.content,
            content_type=response.headers.get("content-type", ""),
            retry_after=response.headers.get("retry-after"),
            **where,
        )

    # --- OAuth --------------------------------------------------------------------------------

    async def _fetch_token(self, auth: OAuthAuth) -> Token:
        try:
            data = await self.call(TOKEN, body=auth.token_request())
        except WixApiError as error:
            if error.status in (400, 401, 403):
                raise Unauthorized(
                    "Wix did not issue an access token for this app.",
                    hint="Check the app ID, the app secret and the instance ID "
                    "(the app must be installed on the site).",
                    operation=error.operation,
                    method=error.method,
                    path=error.path,
                    status=error.status,
                    code=error.code,
                    server_message=error.server_message,
                ) from None
            raise
        token = data.get("access_token")
        expires_in = data.get("expires_in", 14400)
        if not isinstance(token, str) or not token:
            raise WixProtocolError(
                "Wix's token answer has no access_token.",
                operation=TOKEN.name,
                method=TOKEN.method,
                path=TOKEN.path,
                status=200,
            )
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
            expires_in = 14400
        return Token(value=Secret(token), expires_in=max(float(expires_in), 1.0))

    def __repr__(self) -> str:
        return f"WixTransport(base_url={self.base_url!r}, auth={self.auth!r})"


TOKEN = Operation("oauth.token", "POST", "/oauth2/token", idempotent=True, authenticated=False)


def _decode_success(response: httpx.Response, op: Operation, where: dict[str, str]) -> Mapping:
    raw = response.content
    if not raw.strip():
        if op.empty_ok:
            return {}
        raise WixProtocolError(
            "Wix sent an empty answer where data was expected.",
            hint="Try again; if it keeps happening, Wix may be having problems.",
            status=response.status_code,
            **where,
        )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        looks_html = raw.lstrip()[:1] == b"<"
        what = "an HTML page" if looks_html else "data that is not valid JSON"
        raise WixProtocolError(
            f"Wix sent {what} where JSON was expected.",
            hint="A proxy or captive portal may be in the way; try again.",
            status=response.status_code,
            **where,
        ) from None
    if not isinstance(data, Mapping):
        raise WixProtocolError(
            "Wix sent JSON of an unexpected shape (not an object).",
            status=response.status_code,
            **where,
        )
    return data
