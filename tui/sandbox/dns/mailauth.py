"""The mail-authentication TXT records a domain publishes besides Wix's CNAMEs: SPF and DMARC.

One place for their texts, so the ``healthy`` scenario (:mod:`tui.sandbox.dns.healthy`) and the
problems ``POST /_sandbox/break`` puts into a zone (:mod:`tui.sandbox.dns.breakage`) agree on
what a good record is and how each bad one differs from it.

The SPF includes point at ``mailhost.example``, a mailbox provider's zone the sandbox serves:
``_spf.mailhost.example`` and ten more names, each a valid SPF made of ``ip4`` terms only, so a
checker that follows includes finds exactly one problem per break and no other. Values follow
RFC 7208 (SPF) and RFC 7489 (DMARC); the addresses are documentation ranges (RFC 5737).
"""

from __future__ import annotations

from tui.sandbox.dns.records import TXT, Record

MAILHOST_ZONE = "mailhost.example"
MAILHOST_SPF = f"_spf.{MAILHOST_ZONE}"
# RFC 7208 §4.6.4: at most 10 terms that query DNS; one include more is a permerror.
SPF_LOOKUP_LIMIT = 10
EXTRA_INCLUDES = tuple(f"s{i:02d}.{MAILHOST_SPF}" for i in range(1, SPF_LOOKUP_LIMIT + 1))
TOO_MANY_INCLUDES = (MAILHOST_SPF, *EXTRA_INCLUDES)  # 11 lookups
# Short, so a change reaches resolvers that cached the old answer within minutes.
TXT_TTL = 300
PROVIDER_TTL = 3600

GOOD_SPF = f"v=spf1 include:{MAILHOST_SPF} ~all"
SECOND_SPFS = ("v=spf1 a mx ~all", "v=spf1 a ~all")  # the first that differs is added
TOO_MANY_SPF = "v=spf1 " + " ".join(f"include:{name}" for name in TOO_MANY_INCLUDES) + " ~all"
BAD_DMARC = "v=DMARC1; p=maybe"  # p must be none, quarantine or reject (RFC 7489 §6.3)

# What the ESP serves behind a healthy domain's CNAMEs (the other scenarios keep the short
# placeholder keys of :func:`tui.sandbox.dns.records.dkim_key`): at each DKIM selector's target
# a real 2048-bit RSA public key (RFC 6376 §3.6.1; its private half was thrown away), served as
# two strings like any key that long; at the ``sg`` (return-path) target, the ESP's own SPF.
DKIM_KEY = (
    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApiIE1+zHj81woez8ajjW4kPXWk4L"
    "1AORKmukGytE6Ptx6D0RBcvSwONQd7nGza8iad527FIFsCXHJikG8GU8cPTddwGUMn/GDwtfoG8n0se1mnHajUq1/"
    "Ypj8N7vlHtEAnMXZyZD3+IYFx8wqcQhvtugompug1B/nwc2yUvOudTRCPQxg4HaEzvwGSIcNeSu3CYgs8CuTskmJz9"
    "Z3uVaWpJSVVT9XcNc73DwqutEOMR8hHcedvDHEqx5dVP5cMBIVAWuTEhbNlCgy+Krd5fBckILRLvckLwF17/e+mpGU"
    "WsXgQ653zqtBZB/iID6satLONg/7VbYMO8UH+X1iEQdsQIDAQAB"
)
ESP_SPF = "v=spf1 ip4:192.0.2.0/24 -all"  # the ESP's sending addresses (esp_address)
RETURN_PATH_PREFIX = "sg."


def dmarc_name(domain: str) -> str:
    return f"_dmarc.{domain}"


def good_dmarc(domain: str) -> str:
    """Monitoring policy; reports go to the domain itself, so no external authorization
    record is needed (RFC 7489 §7.1 applies only to a rua on another domain)."""
    return f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}"


def second_dmarcs(domain: str) -> tuple[str, ...]:
    """Candidates for a second, different DMARC record (the first that differs is added)."""
    return (
        f"v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}",
        f"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}",
    )


def is_spf(value: str) -> bool:
    """An SPF record: exactly ``v=spf1``, or it followed by a space (RFC 7208 §4.5)."""
    lowered = value.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def is_dmarc(value: str) -> bool:
    """A DMARC record starts with ``v=DMARC1`` (RFC 7489 §6.6.3 step 4), well formed or not."""
    return value.strip().upper().startswith("V=DMARC1")


def provider_records() -> list[Record]:
    """``mailhost.example``'s SPF includes: one for its customers, and ten more services'."""
    records = [Record(MAILHOST_SPF, TXT, "v=spf1 ip4:198.51.100.0/24 ~all", PROVIDER_TTL)]
    records += [
        Record(name, TXT, f"v=spf1 ip4:203.0.113.{64 + 8 * i}/29 ~all", PROVIDER_TTL)
        for i, name in enumerate(EXTRA_INCLUDES, start=1)
    ]
    return records
