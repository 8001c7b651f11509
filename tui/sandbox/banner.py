"""What ``wix-sending sandbox`` (and ``demo``) prints once it accepts connections."""

from __future__ import annotations

import ipaddress
import textwrap

from tui.sandbox.server import SandboxServer


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


def banner(server: SandboxServer, *, demo: bool = False) -> str:
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
    if demo:
        lines.append("")
        lines += _wrap(
            "This is the demo backend. The README's 'Walk through the journey' takes you "
            "from a new sender email to an AUTHENTICATED domain with curl.",
            indent="",
        )
    lines.append("Ctrl-C stops the sandbox.")
    return "\n".join(lines)


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, width=78, initial_indent=indent, subsequent_indent=indent)
