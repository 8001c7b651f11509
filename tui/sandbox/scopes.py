"""Permission scopes: which calls a caller's permission set allows.

Wix API keys are created with a chosen permission set, and a call the key lacks the permission
for is a 403 (fact sheet §5.1 "Common errors", §7). Each Wix route needs the one scope the docs
name for it (§1.1, §2, §3.1, §4); the route table in :mod:`tui.sandbox.routes` says which.

OAuth tokens carry every scope: an app's permissions are granted when it is installed and the
sandbox app asks for all of them. The refusal's code and wording are the sandbox's [INFERRED].
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

from tui.sandbox.errors import SandboxError

SENDING_DOMAINS_READ = "SCOPE.SENDING-DOMAINS.READ"
SENDING_DOMAINS_MANAGE = "SCOPE.SENDING-DOMAINS.MANAGE"
AUTOMATIONS = "SCOPE.CRM.ACCESS-VERTICALS-BY-AUTOMATIONS"  # all sender-emails/-details routes
EMAIL_MARKETING = "SCOPE.DC-PROMOTE.EMAIL-MARKETING"  # account details

# The permission names the docs print next to each scope id; the 403 names both, so a user can
# find the permission in the API Keys Manager and a developer can grep for the id.
PERMISSION_NAMES: Mapping[str, str] = MappingProxyType(
    {
        SENDING_DOMAINS_READ: "Read Sending Domains",
        SENDING_DOMAINS_MANAGE: "Manage Sending Domains",
        AUTOMATIONS: "Access Verticals by Automations",
        EMAIL_MARKETING: "Manage Email Marketing",
    }
)

ALL_SCOPES: frozenset[str] = frozenset(PERMISSION_NAMES)


def require(granted: Collection[str], scope: str | None) -> None:
    """Refuse with 403 ``PERMISSION_DENIED`` unless ``scope`` (None: no scope needed) is granted.

    Only API keys can lack a scope (tokens carry all), hence the wording.
    """
    if scope is None or scope in granted:
        return
    raise SandboxError(
        403,
        "PERMISSION_DENIED",
        f"this API key lacks the permission {PERMISSION_NAMES[scope]} ({scope})",
    )
