"""Unit tests: the built-in resolver set, config changes, providers from NS names."""

from __future__ import annotations

import pytest

from tui.propagation import InvalidInput
from tui.propagation.providers import provider_for
from tui.propagation.resolvers import BUILTIN_PUBLIC, public_resolvers


def test_builtin_list_follows_dns_md() -> None:
    keys = [r.key for r in BUILTIN_PUBLIC]
    assert len(keys) == len(set(keys)) == 14
    assert {"google", "cloudflare", "quad9", "opendns", "adguard"} <= set(keys)
    quad9 = next(r for r in BUILTIN_PUBLIC if r.key == "quad9")
    assert quad9.endpoint.host == "9.9.9.10"  # the unfiltered variant
    assert all(r.anycast and r.name and r.operator and r.endpoints for r in BUILTIN_PUBLIC)
    assert all(r.doh_url is None or r.doh_url.startswith("https://") for r in BUILTIN_PUBLIC)


def test_config_adds_and_removes() -> None:
    resolvers = public_resolvers(
        {
            "remove": ["yandex", "alidns"],
            "add": [{"key": "office", "name": "Office DNS", "addresses": ["10.0.0.53:5353"]}],
        }
    )
    keys = [r.key for r in resolvers]
    assert "yandex" not in keys and "alidns" not in keys
    office = resolvers[-1]
    assert office.key == "office" and office.endpoint.port == 5353 and not office.anycast


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"remove": ["nope"]}, "unknown resolvers"),
        ({"remove": "google"}, "must be a list"),
        ({"add": [{"key": "x"}]}, "addresses must be"),
        ({"add": [{"key": "x", "addresses": ["dns.google"]}]}, "not an IP address"),
        ({"add": [{"key": "google", "addresses": ["1.2.3.4"]}]}, "repeats the key"),
        ({"add": [{"key": "x", "addresses": ["1.2.3.4"], "doh_url": "http://x"}]}, "https://"),
        ({"add": ["x"]}, "must be a table"),
    ],
)
def test_bad_config(config: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        public_resolvers(config)


@pytest.mark.parametrize(
    ("names", "provider"),
    [
        (["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"], "Cloudflare"),
        (["ns07.domaincontrol.com"], "GoDaddy"),
        (["ns-1.awsdns-01.org"], "Amazon Route 53"),
        (["dns1.registrar-servers.com."], "Namecheap"),
        (["ns1.wixdns.net"], "Wix"),
        (["ns1.dns-host.example"], "dns-host.example"),
        ([], ""),
    ],
)
def test_provider_names(names: list[str], provider: str) -> None:
    assert provider_for(names) == provider
