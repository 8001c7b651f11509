"""Which Wix-compatible API a command or the app talks to, and why.

In this order: ``--wix-base-url`` on the command line, then ``WIX_BASE_URL`` in the
environment, then the profile's (kept at login), then Wix's own ``https://www.wixapis.com``.
Every URL goes through the one check of ``tui.wix.urls.check_base_url``: https://, or plain
http:// on loopback only (the key would otherwise cross the network in clear).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from tui.store.profiles import Profile, check_api_url
from tui.wix.urls import WIX_BASE_URL

ENV_BASE_URL = "WIX_BASE_URL"
FLAG = "--wix-base-url"
DEFAULT_SOURCE = "Wix's API, the default"


class BadBaseUrl(ValueError):
    """A base URL given on the command line or in the environment that cannot be used; the
    message names where it came from."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    source: str  # in words: "--wix-base-url", "WIX_BASE_URL", "profile acme", the default

    def describe(self) -> str:
        return f"{self.url} ({self.source})"


def given_base_url(flag: str | None, environ: Mapping[str, str] | None = None) -> Endpoint | None:
    """The base URL given for this run (the flag, else ``WIX_BASE_URL``); None when neither
    is. Raises BadBaseUrl when the one given cannot be used."""
    environ = os.environ if environ is None else environ
    if flag is not None:
        text, source = flag, FLAG
    elif environ.get(ENV_BASE_URL, "").strip():
        text, source = environ[ENV_BASE_URL], ENV_BASE_URL
    else:
        return None
    try:
        return Endpoint(check_api_url(text), source)
    except ValueError as exc:
        raise BadBaseUrl(f"{source}: {exc}") from None


def endpoint_for(given: Endpoint | None, profile: Profile | None) -> Endpoint:
    """Where ``profile``'s client goes: the URL given for this run, else the profile's own,
    else Wix's."""
    if given is not None:
        return given
    if profile is not None and profile.base_url is not None:
        return Endpoint(profile.base_url, f"profile {profile.name}")
    return Endpoint(WIX_BASE_URL, DEFAULT_SOURCE)
