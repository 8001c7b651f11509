"""``watch --domain``: the records to watch, taken from the Wix sending domain."""

from __future__ import annotations

import os
import sys

from tui.flow.domains import expected_records
from tui.propagation import ExpectedRecord
from tui.wix import ApiKeyAuth, DomainStatus, WixError
from tui.wix.client import WixClient
from tui.wix.urls import WIX_BASE_URL


async def records_for_domain(domain: str, base_url: str | None) -> list[ExpectedRecord] | str:
    """The domain's DNS records, or a sentence saying why there are none to watch."""
    key, site = os.environ.get("WIX_API_KEY", ""), os.environ.get("WIX_SITE_ID", "")
    if not key.strip() or not site.strip():
        return (
            "--domain needs Wix credentials: set WIX_API_KEY and WIX_SITE_ID in the "
            "environment (read -rs WIX_API_KEY; export WIX_API_KEY keeps it out of history)"
        )
    try:
        auth = ApiKeyAuth(key, site)
        async with WixClient(auth, base_url=base_url or WIX_BASE_URL) as wix:
            found = await wix.find_sending_domain(domain)
    except ValueError as exc:
        return str(exc)
    except WixError as exc:
        return exc.user_message()
    if found is None:
        return f"Wix has no sending domain {domain} for this site"
    if found.status is DomainStatus.INITIALIZING or not found.dns_records:
        return (
            f"{domain} is {found.status_label}: Wix has not made its DNS records yet; "
            "try again in a few minutes"
        )
    records, problems = expected_records(found)
    for problem in problems:  # the other records are still watched
        print(f"wix-sending watch: warning: {problem}", file=sys.stderr)
    if not records:
        return f"none of the records Wix gave for {domain} can be watched"
    return records
