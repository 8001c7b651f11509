"""Which resolvers a sweep asks: the zone's own authoritative servers (found at run time), this
machine's resolver, and public operators (dns.md §2, unfiltered variants where they exist).

Users change the public list in the config (``add``/``remove``); ``--resolver`` and
``--authoritative`` replace it altogether (tests, private zones, the sandbox).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tui.propagation.model import Endpoint, Resolver, Role
from tui.propagation.names import InvalidInput, ServerAddress, parse_server


def _public(
    key: str, operator: str, addresses: Sequence[str], doh: str | None, name: str = ""
) -> Resolver:
    return Resolver(
        key=key,
        name=name or operator,
        operator=operator,
        role=Role.PUBLIC,
        endpoints=tuple(Endpoint(a) for a in addresses),
        doh_url=doh,
        anycast=True,
    )


# dns.md §2.2 "suggested default": about 14 operators in several jurisdictions, unfiltered
# variants, each with its own caches. All of them are anycast: a row reports the PoP nearest
# this machine, which is why those rows are sampled more than once.
BUILTIN_PUBLIC: tuple[Resolver, ...] = (
    _public("google", "Google Public DNS", ["8.8.8.8", "8.8.4.4"], "https://dns.google/dns-query"),
    _public(
        "cloudflare", "Cloudflare", ["1.1.1.1", "1.0.0.1"], "https://cloudflare-dns.com/dns-query"
    ),
    _public(
        "quad9",
        "Quad9",
        ["9.9.9.10", "149.112.112.10"],
        "https://dns10.quad9.net/dns-query",
        name="Quad9 (unfiltered)",
    ),
    _public(
        "opendns",
        "Cisco OpenDNS",
        ["208.67.222.222", "208.67.220.220"],
        "https://doh.opendns.com/dns-query",
    ),
    _public(
        "adguard",
        "AdGuard DNS",
        ["94.140.14.140", "94.140.14.141"],
        "https://unfiltered.adguard-dns.com/dns-query",
        name="AdGuard (unfiltered)",
    ),
    _public(
        "controld",
        "Control D",
        ["76.76.2.0", "76.76.10.0"],
        "https://freedns.controld.com/p0",
        name="Control D (unfiltered)",
    ),
    _public(
        "cleanbrowsing",
        "CleanBrowsing",
        ["185.228.168.9", "185.228.169.9"],
        "https://doh.cleanbrowsing.org/doh/security-filter/",
        name="CleanBrowsing (security)",
    ),
    _public("dnssb", "DNS.SB", ["185.222.222.222", "45.11.45.11"], "https://doh.dns.sb/dns-query"),
    _public(
        "dns4eu",
        "DNS4EU",
        ["86.54.11.100", "86.54.11.200"],
        "https://unfiltered.joindns4.eu/dns-query",
        name="DNS4EU (unfiltered)",
    ),
    _public(
        "yandex",
        "Yandex DNS",
        ["77.88.8.8", "77.88.8.1"],
        "https://common.dot.dns.yandex.net/dns-query",
    ),
    _public("alidns", "AliDNS", ["223.5.5.5", "223.6.6.6"], "https://dns.alidns.com/dns-query"),
    _public("dnspod", "DNSPod (Tencent)", ["119.29.29.29"], "https://doh.pub/dns-query"),
    _public("ultradns", "UltraDNS Public", ["64.6.64.6", "64.6.65.6"], None),
    _public("level3", "Level3 / Lumen", ["4.2.2.2", "4.2.2.1"], None),
)


def local_resolvers() -> list[Resolver]:
    """This machine's own resolver(s): what its mail client and browser see."""
    import dns.resolver  # here: it loads an HTTP stack (dnspython's DoH), 0.1 s

    try:
        configured = dns.resolver.Resolver(configure=True)
        addresses = [str(ns) for ns in configured.nameservers]
    except Exception:  # no resolv.conf, odd platforms: just no local row
        return []
    endpoints = tuple(Endpoint(a) for a in addresses[:3] if _is_ip(a))
    if not endpoints:
        return []
    return [
        Resolver(
            key="local",
            name=f"This machine ({endpoints[0]})",
            operator="your network's resolver",
            role=Role.LOCAL,
            endpoints=endpoints,
        )
    ]


def _is_ip(text: str) -> bool:
    try:
        parse_server(text)
    except InvalidInput:
        return False
    return True


def resolver_from_address(
    address: ServerAddress, role: Role, *, anycast: bool = False, name: str | None = None
) -> Resolver:
    endpoint = Endpoint(address.host, address.port)
    return Resolver(
        key=str(endpoint),
        name=name or str(endpoint),
        operator="given on the command line",
        role=role,
        endpoints=(endpoint,),
        anycast=anycast,
    )


def public_resolvers(config: Mapping[str, object] | None = None) -> list[Resolver]:
    """The built-in public list with the config's changes applied.

    ``config`` is the ``[resolvers]`` table: ``remove = ["yandex", ...]`` drops built-in keys,
    ``add = [{key, name, addresses, doh_url?, anycast?}, ...]`` appends entries.
    """
    resolvers = list(BUILTIN_PUBLIC)
    if not config:
        return resolvers
    remove = config.get("remove", [])
    if not isinstance(remove, list) or not all(isinstance(k, str) for k in remove):
        raise InvalidInput("resolvers.remove must be a list of resolver keys")
    known = {r.key for r in resolvers}
    unknown = [k for k in remove if k not in known]
    if unknown:
        raise InvalidInput(
            f"resolvers.remove names unknown resolvers {unknown}; known: {sorted(known)}"
        )
    resolvers = [r for r in resolvers if r.key not in set(remove)]
    add = config.get("add", [])
    if not isinstance(add, list):
        raise InvalidInput("resolvers.add must be a list of tables")
    for index, entry in enumerate(add):
        resolvers.append(_configured(entry, index))
    keys = [r.key for r in resolvers]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise InvalidInput(f"resolvers.add repeats the key(s) {duplicates}")
    return resolvers


def _configured(entry: object, index: int) -> Resolver:
    where = f"resolvers.add[{index}]"
    if not isinstance(entry, Mapping):
        raise InvalidInput(f"{where} must be a table with key, name and addresses")
    key, name, addresses = entry.get("key"), entry.get("name"), entry.get("addresses")
    if not isinstance(key, str) or not key.strip():
        raise InvalidInput(f"{where}.key must be a non-empty string")
    if not isinstance(addresses, list) or not addresses:
        raise InvalidInput(f"{where}.addresses must be a non-empty list of IP[:PORT]")
    endpoints = []
    for text in addresses:
        if not isinstance(text, str):
            raise InvalidInput(f"{where}.addresses must hold strings")
        server = parse_server(text)
        endpoints.append(Endpoint(server.host, server.port))
    doh = entry.get("doh_url")
    if doh is not None and (not isinstance(doh, str) or not doh.startswith("https://")):
        raise InvalidInput(f"{where}.doh_url must be an https:// URL")
    anycast = entry.get("anycast", False)
    if not isinstance(anycast, bool):
        raise InvalidInput(f"{where}.anycast must be true or false")
    return Resolver(
        key=key.strip(),
        name=name.strip() if isinstance(name, str) and name.strip() else key.strip(),
        operator=name.strip() if isinstance(name, str) and name.strip() else key.strip(),
        role=Role.PUBLIC,
        endpoints=tuple(endpoints),
        doh_url=doh,
        anycast=anycast,
    )
