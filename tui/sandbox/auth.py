"""Who is calling: API keys with ``wix-site-id``, and OAuth client-credentials tokens.

Rules (fact sheet §5.1/§5.2, with the sandbox's choices marked [INFERRED]):

- No (or empty) ``Authorization`` -> 401 ``UNAUTHENTICATED``.
- Both ``wix-site-id`` and ``wix-account-id`` -> 400 ``INVALID_ARGUMENT`` [INFERRED code].
- API key that is not one of the world's keys (unknown, mistyped, or from before a reset) -> 401
  ``UNAUTHENTICATED``: the "Troubleshoot Auth Issues" page, the newer one, answers a revoked or
  invalid key with 401 (fact sheet §5.1; the older API-key pages said 403).
- Known API key, but missing ``wix-site-id``, an unknown site, or a site another account owns
  -> 403 ``PERMISSION_DENIED`` (the key is fine; it cannot act there). Each key carries the
  scopes it was created with; the caller checks the route's scope against them
  (:mod:`tui.sandbox.scopes`, also 403) once this module has said who is calling.
- OAuth token (raw or ``Bearer <token>``): identifies the site through its app instance, so
  ``wix-site-id`` is optional; if present it must name that site (else 403). Unknown or expired
  token -> 401 ``UNAUTHENTICATED``. A value is treated as a token when it has the ``Bearer``
  prefix or looks like one of ours (``OauthNG.JWS.``); anything else is judged as an API key.
  An API key sent as ``Bearer <key>`` is a 401 saying keys go raw (the docs never prefix keys).
- Tokens live ``expires_in`` = 14400 world seconds on the world clock, and carry every scope.
- ``/oauth2/token`` errors: missing/non-JSON body or missing fields -> 400 ``invalid_request``;
  grant other than ``client_credentials`` -> 400 ``unsupported_grant_type``; wrong
  ``client_id``/``client_secret`` -> 401 ``invalid_client``; unknown ``instance_id`` for the
  app -> 400 ``invalid_request`` [INFERRED].
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tui.sandbox.errors import OAuthError, SandboxError
from tui.sandbox.scopes import ALL_SCOPES

TOKEN_LIFETIME_SECONDS = 14400
TOKEN_PREFIX = "OauthNG.JWS."  # noqa: S105 - a token shape, not a secret


@dataclass
class IssuedToken:
    site_id: str
    expires_at: float  # world monotonic seconds


class TokenStore:
    """Access tokens issued by ``/oauth2/token``. Not locked: the world's lock covers it."""

    def __init__(self) -> None:
        self._tokens: dict[str, IssuedToken] = {}

    def issue(self, site_id: str, now: float) -> str:
        token = f"{TOKEN_PREFIX}sandbox.{secrets.token_urlsafe(32)}"
        self._tokens[token] = IssuedToken(site_id, now + TOKEN_LIFETIME_SECONDS)
        return token

    def site_for(self, token: str, now: float) -> str:
        issued = self._tokens.get(token)
        if issued is None:
            raise SandboxError(401, "UNAUTHENTICATED", "the access token is not valid")
        if now >= issued.expires_at:
            raise SandboxError(
                401, "UNAUTHENTICATED", "the access token has expired; request a new one"
            )
        return issued.site_id

    def expire_all(self, now: float) -> int:
        live = [t for t in self._tokens.values() if t.expires_at > now]
        for issued in live:
            issued.expires_at = now
        return len(live)

    def active(self, now: float) -> int:
        return sum(1 for t in self._tokens.values() if t.expires_at > now)

    def clear(self) -> None:
        self._tokens.clear()


@dataclass(frozen=True)
class SiteAccess:
    """What auth needs to know about a site."""

    site_id: str
    account_id: str
    instance_id: str


@dataclass(frozen=True)
class ApiKey:
    """An API key as the API Keys Manager made it: its owner's account and its permissions."""

    account_id: str
    scopes: frozenset[str] = ALL_SCOPES


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: the site it acts on and the scopes it holds."""

    site_id: str
    scopes: frozenset[str]


def authenticate(
    headers: Mapping[str, str],
    *,
    sites: Mapping[str, SiteAccess],
    api_keys: Mapping[str, ApiKey],
    tokens: TokenStore,
    now: float,
) -> Caller:
    """The site a request may act on and its scopes, or a :class:`SandboxError` (401/403/400).

    ``headers`` must have lower-case names.
    """
    authorization = (headers.get("authorization") or "").strip()
    if not authorization:
        raise SandboxError(401, "UNAUTHENTICATED", "missing Authorization header")
    site_header = (headers.get("wix-site-id") or "").strip()
    if site_header and (headers.get("wix-account-id") or "").strip():
        raise SandboxError(
            400, "INVALID_ARGUMENT", "send either wix-site-id or wix-account-id, not both"
        )
    scheme, _, rest = authorization.partition(" ")
    if scheme.lower() == "bearer" and rest.strip():
        if rest.strip() in api_keys:
            raise SandboxError(
                401, "UNAUTHENTICATED", "API keys are sent raw in Authorization, without 'Bearer '"
            )
        return _caller_from_token(rest.strip(), site_header, tokens, now)
    if authorization.startswith(TOKEN_PREFIX):
        return _caller_from_token(authorization, site_header, tokens, now)

    api_key = api_keys.get(authorization)
    if api_key is None:
        raise SandboxError(
            401, "UNAUTHENTICATED", "the API key is not valid (unknown, mistyped or revoked)"
        )
    if not site_header:
        raise SandboxError(
            403, "PERMISSION_DENIED", "wix-site-id header is required for site-level methods"
        )
    site = sites.get(site_header)
    if site is None:
        raise SandboxError(403, "PERMISSION_DENIED", f"site {site_header!r} is not accessible")
    if site.account_id != api_key.account_id:
        raise SandboxError(
            403, "PERMISSION_DENIED", f"this API key's account does not own site {site_header!r}"
        )
    return Caller(site.site_id, api_key.scopes)


def _caller_from_token(token: str, site_header: str, tokens: TokenStore, now: float) -> Caller:
    site_id = tokens.site_for(token, now)
    if site_header and site_header != site_id:
        raise SandboxError(
            403, "PERMISSION_DENIED", f"the access token is not valid for site {site_header!r}"
        )
    return Caller(site_id, ALL_SCOPES)


@dataclass(frozen=True)
class AppCredentials:
    app_id: str
    app_secret: str


def issue_token(
    body: Any,
    *,
    app: AppCredentials,
    instances: Mapping[str, str],
    tokens: TokenStore,
    now: float,
) -> dict[str, Any]:
    """Handle a client-credentials grant; ``instances`` maps instance id -> site id."""
    if not isinstance(body, dict):
        raise OAuthError(400, "invalid_request", "the body must be a JSON object")
    grant_type = body.get("grant_type")
    if not grant_type:
        raise OAuthError(400, "invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        raise OAuthError(
            400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported"
        )
    for name in ("client_id", "client_secret", "instance_id"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise OAuthError(400, "invalid_request", f"{name} is required")
    # compare_digest refuses str with non-ASCII characters (TypeError), so compare UTF-8 bytes;
    # "surrogatepass" because JSON can carry a lone surrogate ("\ud800") that strict UTF-8 refuses.
    if body["client_id"] != app.app_id or not secrets.compare_digest(
        body["client_secret"].encode("utf-8", "surrogatepass"), app.app_secret.encode("utf-8")
    ):
        raise OAuthError(401, "invalid_client", "client_id or client_secret is wrong")
    site_id = instances.get(body["instance_id"])
    if site_id is None:
        raise OAuthError(400, "invalid_request", "instance_id is not an installation of this app")
    return {
        "access_token": tokens.issue(site_id, now),
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
    }
