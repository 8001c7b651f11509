"""The Wix base URL and the check on any other one (stdlib only: the app checks the URL before
its first frame, and must not pull in the HTTP stack for that)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

WIX_BASE_URL = "https://www.wixapis.com"


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash, refusing plain HTTP except on loopback."""
    if not isinstance(base_url, str):
        raise ValueError(f"{base_url!r} is not a valid URL")
    text = base_url.strip()
    try:
        url = urlsplit(text)
        host = url.hostname
        url.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise ValueError(f"{base_url!r} is not a valid URL: {exc}") from None
    if url.scheme not in ("https", "http") or not host:
        raise ValueError(
            f"{base_url!r} is not a usable base URL: it needs https:// and a host name, "
            "e.g. https://www.wixapis.com."
        )
    if url.scheme == "http" and not is_loopback(host):
        raise ValueError(
            f"Refusing {base_url!r}: plain http:// would send the API key unencrypted. "
            "Use https://, or http:// only on loopback (127.0.0.1, ::1, localhost), "
            "which is what the sandbox uses."
        )
    if url.query or url.fragment:
        raise ValueError(f"{base_url!r} should not have a query string or fragment.")
    return text.rstrip("/")


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
