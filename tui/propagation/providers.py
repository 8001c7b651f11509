"""Naming the DNS host from a zone's NS names, so a fix can say *where* to make it
("your DNS for example.com is served by Cloudflare"; dns.md §4 #5)."""

from __future__ import annotations

from collections.abc import Sequence

# (suffix or fragment of an NS name, provider). Checked in order; first match wins.
_PROVIDERS: tuple[tuple[str, str], ...] = (
    (".ns.cloudflare.com", "Cloudflare"),
    ("domaincontrol.com", "GoDaddy"),
    ("awsdns-", "Amazon Route 53"),
    ("registrar-servers.com", "Namecheap"),
    ("wixdns.net", "Wix"),
    ("googledomains.com", "Google Domains / Squarespace"),
    ("squarespacedns.com", "Squarespace"),
    ("ns-cloud-", "Google Cloud DNS"),
    ("azure-dns.", "Azure DNS"),
    ("digitalocean.com", "DigitalOcean"),
    ("dnsimple.com", "DNSimple"),
    ("dnsimple-edge.", "DNSimple"),
    ("nsone.net", "NS1"),
    ("ovh.net", "OVHcloud"),
    ("hetzner.com", "Hetzner"),
    ("gandi.net", "Gandi"),
    ("name.com", "Name.com"),
    ("he.net", "Hurricane Electric"),
    ("bluehost.com", "Bluehost"),
    ("hostgator.com", "HostGator"),
    ("ui-dns.", "IONOS"),
    ("porkbun.com", "Porkbun"),
    ("linode.com", "Akamai (Linode)"),
    ("vercel-dns.com", "Vercel"),
    ("dynect.net", "Oracle Dyn"),
    ("ultradns.", "UltraDNS"),
    ("hostinger.", "Hostinger"),
    ("siteground.net", "SiteGround"),
    ("dreamhost.com", "DreamHost"),
    ("one.com", "one.com"),
    ("strato.de", "STRATO"),
)


def provider_for(ns_names: Sequence[str]) -> str:
    """The DNS host's name, or the NS names' own domain when we do not know the provider."""
    names = [n.lower().rstrip(".") for n in ns_names if n]
    for fragment, provider in _PROVIDERS:
        if any(fragment in name for name in names):
            return provider
    if not names:
        return ""
    # Unknown host: its NS names' registered domain is still a useful hint ("dns-host.example").
    labels = names[0].split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else names[0]
