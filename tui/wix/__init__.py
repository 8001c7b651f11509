"""The Wix REST client: models, errors, auth and retries.

Plain async Python; it must never import Textual, so the headless CLI reuses it. This face holds
only the light modules (standard library underneath), so a screen that needs a model or an
error does not pull the HTTP stack into the app's first frame. The client itself, which loads
httpx, is imported from its module: ``from tui.wix.client import WixClient, normalize_domain``.
"""

from tui.wix.auth import ApiKeyAuth, Auth, OAuthAuth
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
    UnreadableAnswer,
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
    "UnreadableAnswer",
    "WixApiError",
    "WixError",
    "WixProtocolError",
    "WixTimeout",
    "WixTransportError",
    "check_base_url",
]
