"""Naming the DNS host from a zone's NS names, so a fix can say *where* to make it
("your DNS for example.com is served by Cloudflare"; dns.md §4 #5)."""

from __future__ import annotations

from collections.abc import Sequence

# (domain, or "label-prefix-" for names like ns-1.awsdns-01.org, provider). A domain matches an
# NS name equal to it or ending in "." + it (whole labels: ns1.apache.net is not he.net);
# a prefix matches the start of any label. Checked in order; first match wins.
_PROVIDERS: tuple[tuple[str, str], ...] = (
    ("ns.cloudflare.com", "Cloudflare"),
    ("domaincontrol.com", "GoDaddy"),
    ("awsdns-", "Amazon Route 53"),
    ("registrar-servers.com", "Namecheap"),
    ("wixdns.net", "Wix"),
    ("googledomains.com", "Google Domains / Squarespace"),
    ("squarespacedns.com", "Squarespace"),
    ("ns-cloud-", "Google Cloud DNS"),
    ("azure-dns.com", "Azure DNS"),
    ("azure-dns.net", "Azure DNS"),
    ("azure-dns.org", "Azure DNS"),
    ("azure-dns.info", "Azure DNS"),
    ("digitalocean.com", "DigitalOcean"),
    ("dnsimple.com", "DNSimple"),
    ("dnsimple-edge.net", "DNSimple"),
    ("dnsimple-edge.org", "DNSimple"),
    ("nsone.net", "NS1"),
    ("ovh.net", "OVHcloud"),
    ("hetzner.com", "Hetzner"),
    ("gandi.net", "Gandi"),
    ("name.com", "Name.com"),
    ("he.net", "Hurricane Electric"),
    ("bluehost.com", "Bluehost"),
    ("hostgator.com", "HostGator"),
    ("ui-dns.com", "IONOS"),
    ("ui-dns.de", "IONOS"),
    ("ui-dns.org", "IONOS"),
    ("ui-dns.biz", "IONOS"),
    ("porkbun.com", "Porkbun"),
    ("linode.com", "Akamai (Linode)"),
    ("vercel-dns.com", "Vercel"),
    ("dynect.net", "Oracle Dyn"),
    ("ultradns.net", "UltraDNS"),
    ("ultradns.com", "UltraDNS"),
    ("ultradns.org", "UltraDNS"),
    ("dns-parking.com", "Hostinger"),
    ("siteground.net", "SiteGround"),
    ("dreamhost.com", "DreamHost"),
    ("one.com", "one.com"),
    ("strato.de", "STRATO"),
)


def provider_for(ns_names: Sequence[str]) -> str:
    """The DNS host's name, or the NS names' own domain when we do not know the provider."""
    names = [n.lower().rstrip(".") for n in ns_names if n]
    for pattern, provider in _PROVIDERS:
        for name in names:
            if pattern.endswith("-"):
                if any(label.startswith(pattern) for label in name.split(".")):
                    return provider
            elif name == pattern or name.endswith("." + pattern):
                return provider
    if not names:
        return ""
    # Unknown host: its NS names' registered domain is still a useful hint ("dns-host.example").
    labels = names[0].split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else names[0]
