"""Unit tests: what users type as names, records and server addresses."""

from __future__ import annotations

import pytest

from tui.propagation import InvalidInput, parse_name, parse_record_spec, parse_server


def test_names_are_normalised() -> None:
    name = parse_name("  S1._DomainKey.Example.COM.  ")
    assert name.ascii == "s1._domainkey.example.com"
    assert not name.is_idn


def test_idn_is_punycode_on_the_wire_and_shown_both_ways() -> None:
    name = parse_name("s1._domainkey.Bücher.example")
    assert name.ascii == "s1._domainkey.xn--bcher-kva.example"
    assert name.display == "s1._domainkey.bücher.example"
    assert str(name) == "s1._domainkey.bücher.example (s1._domainkey.xn--bcher-kva.example)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a..b", "empty label"),
        ("has space.example", "spaces"),
        ("-bad.example", "invalid label"),
        ("bad-.example", "invalid label"),
        ("a" * 64 + ".example", "longer than 63"),
        (".".join(["abcdefghi"] * 26), "at most 253"),
        ("semi;colon.example", "invalid label"),
    ],
)
def test_bad_names(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_name(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just-a-name.example", "not HOST=TARGET"),
        ("a.example=b.example=c", "more than one"),
        ("=b.example", "host is empty"),
        ("a.example=", "target is empty"),
    ],
)
def test_bad_record_specs(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_record_spec(text)


def test_record_spec() -> None:
    spec = parse_record_spec("S1._domainkey.example.com.=s1.Dkim.ESP.example.")
    assert spec.host.ascii == "s1._domainkey.example.com"
    assert spec.target.ascii == "s1.dkim.esp.example"


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("9.9.9.9", "9.9.9.9", 53),
        ("127.0.0.1:5353", "127.0.0.1", 5353),
        ("::1", "::1", 53),
        ("[::1]:5353", "::1", 5353),
        ("[2606:4700:4700::1111]", "2606:4700:4700::1111", 53),
    ],
)
def test_servers(text: str, host: str, port: int) -> None:
    server = parse_server(text)
    assert (server.host, server.port) == (host, port)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dns.google", "not an IP address"),
        ("1.2.3.4:0", "invalid port"),
        ("1.2.3.4:65536", "invalid port"),
        ("1.2.3.4:http", "invalid port"),
        ("[::1", "write IPv6 as"),
        ("999.1.1.1", "not an IP address"),
    ],
)
def test_bad_servers(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_server(text)
