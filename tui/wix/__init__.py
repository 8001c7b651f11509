"""The Wix REST client: models, errors, auth, retries and the async ``WixClient``.

Plain async Python (httpx); it must never import Textual, so the headless CLI reuses it.
Names are loaded on first use (PEP 562): importing ``tui.wix`` for a model or an error does not
pull httpx in, which keeps the app's first frame quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE: dict[str, str] = {
    "AccountDetails": "tui.wix.models",
    "AccountStatus": "tui.wix.models",
    "AlreadyExists": "tui.wix.errors",
    "ApiKeyAuth": "tui.wix.auth",
    "Auth": "tui.wix.auth",
    "DnsRecord": "tui.wix.models",
    "DomainStatus": "tui.wix.models",
    "FailedPrecondition": "tui.wix.errors",
    "FieldViolation": "tui.wix.errors",
    "InvalidArgument": "tui.wix.errors",
    "NO_RETRY": "tui.wix.retry",
    "NotFound": "tui.wix.errors",
    "OAuthAuth": "tui.wix.auth",
    "Page": "tui.wix.models",
    "PermissionDenied": "tui.wix.errors",
    "RateLimited": "tui.wix.errors",
    "RetryPolicy": "tui.wix.retry",
    "SenderDetails": "tui.wix.models",
    "SenderDetailsDoNotExist": "tui.wix.errors",
    "SenderEmail": "tui.wix.models",
    "SendingDomain": "tui.wix.models",
    "ServerError": "tui.wix.errors",
    "Unauthorized": "tui.wix.errors",
    "WIX_BASE_URL": "tui.wix.urls",
    "WixApiError": "tui.wix.errors",
    "WixClient": "tui.wix.client",
    "WixError": "tui.wix.errors",
    "WixProtocolError": "tui.wix.errors",
    "WixTimeout": "tui.wix.errors",
    "WixTransportError": "tui.wix.errors",
    "check_base_url": "tui.wix.urls",
    "normalize_domain": "tui.wix.client",
}

__all__ = [
    "NO_RETRY",
    "WIX_BASE_URL",
    "AccountDetails",
    "AccountStatus",
    "AlreadyExists",
    "ApiKeyAuth",
    "Auth",
    "DnsRecord",
    "DomainStatus",
    "FailedPrecondition",
    "FieldViolation",
    "InvalidArgument",
    "NotFound",
    "OAuthAuth",
    "Page",
    "PermissionDenied",
    "RateLimited",
    "RetryPolicy",
    "SenderDetails",
    "SenderDetailsDoNotExist",
    "SenderEmail",
    "SendingDomain",
    "ServerError",
    "Unauthorized",
    "WixApiError",
    "WixClient",
    "WixError",
    "WixProtocolError",
    "WixTimeout",
    "WixTransportError",
    "check_base_url",
    "normalize_domain",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tui.wix' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from tui.wix.auth import ApiKeyAuth, Auth, OAuthAuth
    from tui.wix.client import WixClient, normalize_domain
    from tui.wix.errors import (
        AlreadyExists,
        FailedPrecondition,
        FieldViolation,
        InvalidArgument,
        NotFound,
        PermissionDenied,
        RateLimited,
        SenderDetailsDoNotExist,
        ServerError,
        Unauthorized,
        WixApiError,
        WixError,
        WixProtocolError,
        WixTimeout,
        WixTransportError,
    )
    from tui.wix.models import (
        AccountDetails,
        AccountStatus,
        DnsRecord,
        DomainStatus,
        Page,
        SenderDetails,
        SenderEmail,
        SendingDomain,
    )
    from tui.wix.retry import NO_RETRY, RetryPolicy
    from tui.wix.urls import WIX_BASE_URL, check_base_url
