"""How a call proves who it is: an API key for a site, or OAuth client credentials for an app.

API key (fact sheet §5.1): the raw key in ``Authorization`` (no ``Bearer``) plus ``wix-site-id``.
OAuth (§5.2): a token from ``POST /oauth2/token``, valid 4 h, cached until shortly before it
expires and fetched again once when Wix answers 401.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tui.clock import SYSTEM_CLOCK, Clock
from tui.secret import Secret

# Header values must not smuggle a second header in; httpx would refuse them too, but with an
# exception message that quotes the value.
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")


def _clean(value: str | Secret, what: str) -> str:
    text = value.reveal() if isinstance(value, Secret) else value
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a string")
    text = text.strip()
    if not text:
        raise ValueError(f"The {what} is empty. Paste it again.")
    if not _HEADER_SAFE.match(text):
        raise ValueError(
            f"The {what} contains spaces or characters that cannot be sent in an HTTP header. "
            "Copy it again, exactly as issued."
        )
    return text


@dataclass(frozen=True, slots=True)
class Token:
    value: Secret
    expires_in: float


TokenFetcher = Callable[["OAuthAuth"], Awaitable[Token]]


class ApiKeyAuth:
    """An API key from the site owner's account, scoped to one site."""

    can_refresh = False
    generation = 0

    def __init__(self, api_key: str | Secret, site_id: str) -> None:
        self._key = Secret(_clean(api_key, "API key"))
        self.site_id = _clean(site_id, "site ID")

    async def headers(self, fetch_token: TokenFetcher) -> dict[str, str]:
        return {"Authorization": self._key.reveal(), "wix-site-id": self.site_id}

    def invalidate(self, generation: int) -> None:
        """Nothing to refresh: a rejected key stays rejected."""

    def secrets(self) -> tuple[Secret, ...]:
        """What no text from a server may carry (errors.scrub_secrets masks it)."""
        return (self._key,)

    def __repr__(self) -> str:
        return f"ApiKeyAuth(site_id={self.site_id!r}, api_key={self._key.masked()!r})"


class OAuthAuth:
    """Client-credentials OAuth for a Wix app installed on a site (one app instance)."""

    can_refresh = True

    def __init__(
        self,
        app_id: str,
        app_secret: str | Secret,
        instance_id: str,
        *,
        site_id: str | None = None,
        clock: Clock = SYSTEM_CLOCK,
        refresh_margin: float = 300.0,
    ) -> None:
        self.app_id = _clean(app_id, "app ID")
        self._secret = Secret(_clean(app_secret, "app secret"))
        self.instance_id = _clean(instance_id, "instance ID")
        self.site_id = _clean(site_id, "site ID") if site_id else None
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._token: Secret | None = None
        self._expires_at = 0.0
        self._lock: asyncio.Lock | None = None
        self.tokens_fetched = 0

    @property
    def generation(self) -> int:
        """Which token is current: it changes with every token fetched, so a 401 for an old
        token does not throw away a new one that a concurrent call just fetched."""
        return self.tokens_fetched

    def token_request(self) -> dict[str, str | Secret]:
        """The body of ``POST /oauth2/token``. The secret stays wrapped: the transport reveals
        it only while encoding the body."""
        return {
            "grant_type": "client_credentials",
            "client_id": self.app_id,
            "client_secret": self._secret,
            "instance_id": self.instance_id,
        }

    async def headers(self, fetch_token: TokenFetcher) -> dict[str, str]:
        token = await self._current_token(fetch_token)
        # The docs pass the token in Authorization as is (like an API key); whether "Bearer" is
        # required is unconfirmed, and the raw form is what Wix's own CLI sends.
        headers = {"Authorization": token.reveal()}
        if self.site_id:
            headers["wix-site-id"] = self.site_id
        return headers

    async def _current_token(self, fetch_token: TokenFetcher) -> Secret:
        if self._valid():
            assert self._token is not None
            return self._token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # concurrent calls share one token request
            if not self._valid():
                token = await fetch_token(self)
                margin = min(self._refresh_margin, token.expires_in / 10)
                self._token = token.value
                self._expires_at = self._clock.monotonic() + token.expires_in - margin
                self.tokens_fetched += 1
            assert self._token is not None
            return self._token

    def _valid(self) -> bool:
        return self._token is not None and self._clock.monotonic() < self._expires_at

    def secrets(self) -> tuple[Secret, ...]:
        """What no text from a server may carry: the app secret and the current token."""
        return (self._secret,) if self._token is None else (self._secret, self._token)

    def invalidate(self, generation: int) -> None:
        """Wix answered 401 to a call made with token ``generation``: forget that token (if it
        is still the current one), so the next call fetches a new one."""
        if generation == self.generation:
            self._token = None
            self._expires_at = 0.0

    def __repr__(self) -> str:
        return (
            f"OAuthAuth(app_id={self.app_id!r}, instance_id={self.instance_id!r}, "
            f"app_secret={self._secret.masked()!r})"
        )


Auth = ApiKeyAuth | OAuthAuth
