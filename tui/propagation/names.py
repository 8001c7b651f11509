"""Host names and server addresses as users type them, checked and normalised once.

A name is kept in its ASCII (punycode) form for the wire and in Unicode for display, so an IDN
like ``bücher.example`` shows as typed while ``xn--bcher-kva.example`` is what gets queried.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63
# Underscores are legal in DNS labels and required here (s1._domainkey); hostname rules would
# refuse them, so labels are checked against DNS rules, not hostname rules.
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$")


class InvalidInput(ValueError):
    """A name, record or server address the user typed that cannot be used."""


@dataclass(frozen=True, slots=True)
class Name:
    ascii: str  # lower case, no trailing dot, punycode
    display: str  # as a human reads it (Unicode for IDNs)

    @property
    def is_idn(self) -> bool:
        return self.ascii != self.display

    def __str__(self) -> str:
        return self.ascii if not self.is_idn else f"{self.display} ({self.ascii})"


def parse_name(text: str, what: str = "name") -> Name:
    """``" Bücher.Example. "`` -> Name("xn--bcher-kva.example", "bücher.example")."""
    if not isinstance(text, str):
        raise InvalidInput(f"the {what} must be text")
    raw = text.strip()
    raw = raw[:-1] if raw.endswith(".") else raw  # one final dot: the absolute form
    if not raw:
        raise InvalidInput(f"the {what} is empty")
    if any(c.isspace() for c in raw):
        raise InvalidInput(f"the {what} {text.strip()!r} contains spaces")
    labels = raw.split(".")
    if any(not label for label in labels):
        raise InvalidInput(f"the {what} {raw!r} has an empty label (two dots in a row)")
    ascii_labels = [_to_ascii(label, raw, what) for label in labels]
    ascii_name = ".".join(ascii_labels)
    if len(ascii_name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"the {what} is {len(ascii_name)} characters long; DNS allows at most {MAX_NAME_LENGTH}"
        )
    for label in ascii_labels:
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidInput(
                f"the label {label[:20]!r}... in the {what} is longer than {MAX_LABEL_LENGTH} "
                "characters"
            )
        if not _LABEL.match(label):
            raise InvalidInput(
                f"the {what} {raw!r} has an invalid label {label!r}: use letters, digits, "
                "hyphens and underscores, not starting or ending with a hyphen"
            )
    display = ".".join(_to_unicode(label) for label in ascii_labels)
    return Name(ascii=ascii_name, display=display)


def _to_ascii(label: str, whole: str, what: str) -> str:
    if label.isascii() and not label.lower().startswith("xn--"):
        return label.lower()
    # Imported here, for the rare international label: loading idna's tables costs more than
    # the rest of this package's light face together, and most names are plain ASCII.
    import idna

    if label.isascii():  # punycode: keep it, if it decodes
        label = label.lower()
        try:
            idna.decode(label)
        except (idna.IDNAError, UnicodeError):
            raise InvalidInput(f"the {what} {whole!r} has invalid punycode {label!r}") from None
        return label
    try:
        # IDNA 2008 with UTS 46 mapping (the idna package; the stdlib codec is IDNA 2003 and
        # would turn "ß" into "ss", a different name).
        return idna.encode(label, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise InvalidInput(f"the {what} {whole!r} is not a valid international name") from None


def _to_unicode(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    import idna  # see _to_ascii

    try:
        return idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return label


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """A record to watch: ``HOST=TARGET`` on the command line (always a CNAME here)."""

    host: Name
    target: Name
    rdtype: str = "CNAME"


def parse_record_spec(text: str) -> RecordSpec:
    host, sep, target = text.partition("=")
    if not sep:
        raise InvalidInput(
            f"{text!r} is not HOST=TARGET; e.g. s1._domainkey.example.com=s1.dkim.esp.example"
        )
    if "=" in target:
        raise InvalidInput(f"{text!r} has more than one '='")
    return RecordSpec(host=parse_name(host, "host"), target=parse_name(target, "target"))


@dataclass(frozen=True, slots=True)
class ServerAddress:
    host: str  # an IP address
    port: int = 53

    def __str__(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return shown if self.port == 53 else f"{shown}:{self.port}"


def parse_named_server(text: str) -> tuple[str | None, ServerAddress]:
    """``[NAME=]ADDR[:PORT]``: ``isp-1=127.0.0.1:5301`` labels the row "isp-1"."""
    name, sep, address = text.partition("=")
    if not sep:
        return None, parse_server(text)
    name = name.strip()
    if not name or len(name) > 40 or not name.isprintable():
        raise InvalidInput(f"{text!r}: the name before '=' must be 1-40 printable characters")
    return name, parse_server(address)


def parse_server(text: str) -> ServerAddress:
    """``1.1.1.1``, ``127.0.0.1:5353``, ``::1`` or ``[::1]:5353``; only IP addresses."""
    raw = text.strip()
    host, port_text = raw, ""
    if raw.startswith("["):
        host, sep, rest = raw[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise InvalidInput(f"{text!r} is not ADDR[:PORT]; write IPv6 as [::1]:5353")
        port_text = rest[1:]
    elif raw.count(":") == 1:
        host, _, port_text = raw.partition(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not an IP address (ADDR[:PORT], e.g. 9.9.9.9 or 127.0.0.1:5353); "
            "give the server's address, not its name"
        ) from None
    if address.is_unspecified or address.is_multicast or str(address) == "255.255.255.255":
        raise InvalidInput(f"{text!r} is not an address a DNS server can have")
    port = 53
    if raw.count(":") == 1 and not port_text and raw.endswith(":"):
        raise InvalidInput(f"{text!r} has an empty port")
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise InvalidInput(f"{text!r} has an invalid port {port_text!r} (1-65535)")
        port = int(port_text)
    return ServerAddress(host=str(address), port=port)
