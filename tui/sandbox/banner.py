"""What ``wix-sending sandbox`` prints once it accepts connections."""

from __future__ import annotations

import ipaddress
import textwrap

from tui.sandbox.dns.serve import DnsInfo, ResolverInfo
from tui.sandbox.models import INITIALIZING
from tui.sandbox.server import SandboxServer

# Beyond this many resolvers (a benchmark world), the banner and the watch line show the first
# ones and point to GET /_sandbox/dns for the rest.
SHOWN_RESOLVERS = 12


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _describe_speed(scale: float) -> str:
    if scale == 1:
        return "real time"
    if scale >= 1:
        return f"{scale:g}x (an hour passes in {60 / scale:g} min)"
    return f"{scale:g}x (slower than real time)"


def banner(server: SandboxServer) -> str:
    """The banner, kept within 80 columns (only keys and URLs may not fit)."""
    world = server.world
    url = server.base_url
    # The first line ends with the URL so scripts can take the last word of it.
    lines = [f"Wix sandbox ({world.scenario.name}) serving at {url}"]
    lines += _wrap(world.scenario.description)
    lines += _wrap(
        f"World clock: {_describe_speed(server.clock.speed)}. A new sending domain stays "
        f"INITIALIZING for {world.initializing_seconds:g} s of world time."
    )
    if not _is_loopback(server.host):
        lines += _wrap(
            f"WARNING: listening on {server.host} exposes the sandbox and its control routes "
            "to the network. Use --host 127.0.0.1 unless that is what you want."
        )
    for creds in server.credentials:
        lines += [
            "",
            f"Site {creds.name!r}: sandbox credentials, valid only here",
            f"  wix-site-id          {creds.site_id}",
            f"  Authorization        {creds.api_key}",
            f"  login email          {creds.owner_email} (auto-verified)",
            f"  OAuth client_id      {creds.app_id}",
            f"  OAuth client_secret  {creds.app_secret}",
            f"  OAuth instance_id    {creds.instance_id}",
        ]
        if creds.restricted_api_key:
            lines += [
                f"  restricted key       {creds.restricted_api_key}",
                "    (lacks domain-authenticate and account-details permissions: 403s)",
            ]
    lines += _app_lines(server)
    lines += _dns_lines(server)
    lines += _doctor_lines(server)
    first = server.credentials[0]
    lines += [
        "",
        "Try it:",
        f"  curl -s {url}/email-marketing/v1/account-details \\",
        f"    -H 'Authorization: {first.api_key}' \\",
        f"    -H 'wix-site-id: {first.site_id}'",
        f"Codes the sandbox 'emailed':  {url}/_sandbox/mailbox",
        f"Control routes (clock, faults, DNS, reset):  {url}/_sandbox/",
    ]
    lines.append("Ctrl-C stops the sandbox.")
    return "\n".join(lines)


# The profile the banner's login makes: not "default", which may be the user's real site.
APP_PROFILE = "sandbox"


def app_base_url(server: SandboxServer) -> str | None:
    """The URL the real app reaches the sandbox at, or None when it would refuse it: the app
    sends the key over plain http:// only to loopback."""
    host = server.host.strip("[]")
    if _is_loopback(host):
        return server.base_url
    try:
        unspecified = ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return None
    if not unspecified:
        return None
    # Listening on every interface includes loopback.
    return f"http://[::1]:{server.port}" if ":" in host else f"http://127.0.0.1:{server.port}"


def login_arguments(server: SandboxServer) -> list[str] | None:
    """The arguments of ``wix-sending login`` for the first site, pointed at this sandbox
    (None: unreachable for the app, see :func:`app_base_url`)."""
    url = app_base_url(server)
    if url is None:
        return None
    site = server.credentials[0].site_id
    return ["login", "--profile", APP_PROFILE, "--wix-base-url", url, "--site-id", site]


def _app_lines(server: SandboxServer) -> list[str]:
    """How to log in to the sandbox with the real app, then open it on that profile."""
    first = server.credentials[0]
    arguments = login_arguments(server)
    if arguments is None:
        return [
            "",
            *_wrap(
                "The app sends keys over plain http:// only to loopback, so it cannot log in "
                f"to {server.base_url}: run the sandbox with --host 127.0.0.1 on the app's "
                "machine.",
                indent="",
            ),
        ]
    # Within 80 columns: login --profile sandbox \ / --wix-base-url URL \ / --site-id ID.
    head = " ".join(["wix-sending", *arguments[:3]])
    url, site = (" ".join(arguments[i : i + 2]) for i in (3, 5))
    lines = [
        "",
        "Log in to it with the real app, then open the app on that profile (the key is",
        f"asked for: paste the Authorization above, {first.api_key[:13]}...):",
        f"  {head} \\",
        f"    {url} \\",
        f"    {site}",
        "  wix-sending",
        "Or in a script (the key is the sandbox's own, nothing secret):",
        f"  printf '%s\\n' '{first.api_key}' |",
        f"    {head} --api-key-stdin \\",
        f"    {url} \\",
        f"    {site}",
    ]
    if server.serves_dns:
        lines += [
            "When the app shows a domain's records, publish them at the sandbox's DNS host:",
            f"  curl -s {app_base_url(server)}/_sandbox/dns/publish \\",
            '    -d \'{"domain": "DOMAIN"}\'',
        ]
    return lines


def _doctor_lines(server: SandboxServer) -> list[str]:
    """A ready-to-paste ``wix-sending doctor`` for the first site, on this sandbox's API and DNS
    world, the key given through the environment (the sandbox's own key: nothing secret)."""
    url = app_base_url(server)
    if url is None:
        return []
    first = server.credentials[0]
    flags = [f"wix-sending doctor --wix-base-url {url}"]
    options: list[str] = []
    if server.serves_dns:
        info = server.dns
        options += [f"--authoritative {_address(h, p)}" for h, p in info.authoritative]
        shown = info.resolvers[:SHOWN_RESOLVERS]
        options += [f"--resolver {r.name}={_address(r.host, r.port)}" for r in shown]
    if server.clock.speed != 1:
        # the negative caches count down on the sandbox's fast clock
        options.append(f"--time-scale {server.clock.speed:g}")
    flags += [" ".join(options[i : i + 2]) for i in range(0, len(options), 2)]
    lines = [
        "",
        "Ask the doctor what is wrong (exit 0 healthy, 1 a problem, 2 not checked;",
        "--json for scripts):",
        f"  WIX_API_KEY='{first.api_key}' \\",
        f"  WIX_SITE_ID={first.site_id} \\",
    ]
    lines += [f"    {flag} \\" for flag in flags[:-1]] + [f"    {flags[-1]}"]
    return lines


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, width=78, initial_indent=indent, subsequent_indent=indent)


def _dns_lines(server: SandboxServer) -> list[str]:
    if not server.serves_dns:
        return []
    info = server.dns
    primary, secondary = (_address(h, p) for h, p in info.authoritative)
    shown = info.resolvers[:SHOWN_RESOLVERS]
    lines = [
        "",
        "DNS world (real UDP+TCP DNS servers on loopback, on the world clock):",
        f"  authoritative  {primary} (primary), {secondary} (secondary)",
    ]
    if info.parent is not None:
        where = _address(*info.parent)
        lines.append(f"  parent         {where} (root and TLDs: the delegations)")
    entries = [
        f"{r.name} {_address(r.host, r.port)}"
        + ("" if r.behaviour in ("normal", r.name) else f" ({r.behaviour})")
        for r in shown
    ]
    lines += _packed(entries, first="  resolvers      ", rest=" " * 17)
    hidden = len(info.resolvers) - len(shown)
    if hidden:
        lines.append(f"  ... and {hidden} more resolvers: {server.base_url}/_sandbox/dns")
    lines.append(
        f"  Wix verifier   {_address(info.verifier.host, info.verifier.port)} "
        "(Authenticate asks it; it caches too)"
    )
    lines += _watch_lines(server, info, shown)
    return lines


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _packed(entries: list[str], first: str, rest: str, width: int = 78) -> list[str]:
    """Entries side by side, never split across lines."""
    lines: list[str] = []
    line, empty = first, True
    for entry in entries:
        if not empty and len(line) + 2 + len(entry) > width:
            lines.append(line)
            line, empty = rest, True
        line += ("" if empty else "  ") + entry
        empty = False
    return lines if empty else [*lines, line]


def _watch_lines(server: SandboxServer, info: DnsInfo, shown: list[ResolverInfo]) -> list[str]:
    """A ready-to-paste ``wix-sending watch`` for the first domain whose records are out."""
    with server.world.lock:
        domains = [
            d
            for site in server.world.sites.values()
            for d in site.sending_domains.values()
            if d.records and d.status != INITIALIZING
        ]
    if not domains:
        return _wrap(
            "No sending domain has records yet; once one has, watch them with "
            "'wix-sending watch HOST=TARGET ... --authoritative HOST:PORT --resolver HOST:PORT'.",
            indent="",
        )
    domain = domains[0]
    # One HOST=TARGET per line (they are long), flags two by two.
    parts = [f"{r.host_name}={r.value}" for r in domain.records]
    flags = [f"--authoritative {_address(h, p)}" for h, p in info.authoritative]
    flags += [f"--resolver {r.name}={_address(r.host, r.port)}" for r in shown]
    if server.clock.speed != 1:
        # watch must count the negative caches down on the same fast clock as the sandbox
        flags.append(f"--time-scale {server.clock.speed:g}")
    parts += [" ".join(flags[i : i + 2]) for i in range(0, len(flags), 2)]
    lines = ["", f"Watch {domain.domain}'s records propagate:", "  wix-sending watch \\"]
    lines += [f"    {part} \\" for part in parts[:-1]] + [f"    {parts[-1]}"]
    return lines
