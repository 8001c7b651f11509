"""The mail checks (DMARC, SPF, DKIM) against the sandbox's DNS world over loopback UDP, with
records put in place through its control API as a user of the sandbox would; and the pure
rules (organizational domain, alignment, signing domain) on their own."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import dns.resolver
import httpx
import pytest

from tui.propagation.mailauth import (
    MailAuth,
    aligned,
    check_mail_auth,
    dkim_signing_domain,
    organizational_domain,
)
from tui.propagation.model import Endpoint, Resolver, Role
from tui.sandbox import SandboxServer

# The agency scenario: this sending domain is authenticated, its CNAMEs published long ago
# (s1, s2 and sel1 under _domainkey, and sg), and its zone holds "v=spf1 mx ~all".
DOMAIN = "alpine-tours.example"
INCLUDES = "spf-host.example"  # a zone the tests create for SPF include targets
DMARC_OK = f"v=DMARC1; p=none; rua=mailto:dmarc@{DOMAIN}"


class Sandbox:
    """The sandbox, driven over HTTP: reset, DNS edits, resolver levers."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=f"{server.base_url}/_sandbox", timeout=10)

    def call(self, method: str, path: str, body: dict[str, Any]) -> Any:
        response = self.http.request(method, path, json=body)
        assert response.status_code < 400, response.text
        return response.json()

    def add(self, zone: str, host: str, rdtype: str, value: str, **more: Any) -> None:
        body = {"zone": zone, "host": host, "type": rdtype, "value": value, **more}
        self.call("POST", "dns/records", body)

    def delete(self, zone: str, host: str, rdtype: str) -> None:
        self.call("DELETE", "dns/records", {"zone": zone, "host": host, "type": rdtype})

    def create_zone(self, zone: str) -> None:
        self.call("POST", "dns/zones", {"zone": zone, "create": True})

    def resolver_behaves(self, name: str, behaviour: str) -> None:
        self.call("POST", "dns/resolvers", {"name": name, "behaviour": behaviour})

    def flush(self) -> None:
        self.call("POST", "dns/resolvers/flush", {})

    def resolvers(self) -> list[Resolver]:
        return [
            Resolver(
                info.name, info.name, "sandbox", Role.PUBLIC, (Endpoint(info.host, info.port),)
            )
            for info in self.server.dns.resolvers
        ]

    def dkim_names(self) -> list[str]:
        state = self.http.get("state").json()
        return [
            record["hostName"]
            for site in state["sites"]
            for entry in site["sendingDomains"]
            if entry["domain"] == DOMAIN
            for record in entry["dnsRecords"]
            if "._domainkey." in record["hostName"]
        ]

    async def check(self, domain: str = DOMAIN, **options: Any) -> MailAuth:
        resolvers = options.pop("resolvers", None) or self.resolvers()
        return await check_mail_auth(domain, self.dkim_names(), resolvers, **options)


@pytest.fixture(scope="module")
def agency() -> Iterator[SandboxServer]:
    server = SandboxServer(scenario="agency", port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(agency: SandboxServer) -> Iterator[Sandbox]:
    control = Sandbox(agency)
    control.call("POST", "reset", {"scenario": "agency"})
    try:
        yield control
    finally:
        control.http.close()


async def test_healthy_domain(sandbox: Sandbox) -> None:
    sandbox.add(DOMAIN, "_dmarc", "TXT", DMARC_OK)
    facts = await sandbox.check()
    assert (facts.domain, facts.organizational_domain, facts.resolver) == (DOMAIN, DOMAIN, "isp-1")
    dmarc = facts.dmarc
    assert dmarc.asked == dmarc.found_at == f"_dmarc.{DOMAIN}"
    assert dmarc.records == (DMARC_OK,)
    assert (dmarc.policy, dmarc.subdomain_policy, dmarc.adkim, dmarc.aspf) == ("none", "", "r", "r")
    assert (dmarc.problem, dmarc.error) == ("", "")
    assert any("p tag value of none" in w for w in dmarc.warnings)
    spf = facts.spf
    assert (spf.asked, spf.records) == (DOMAIN, ("v=spf1 mx ~all",))
    assert (spf.lookups, spf.void_lookups, spf.too_many_lookups, spf.problem) == (1, 0, False, "")
    names = sandbox.dkim_names()
    assert len(names) == 3 and [c.name for c in facts.dkim] == names
    for check in facts.dkim:
        assert check.found, check
        assert check.cname == f"{check.name}.s004.ascendbywix.com"
        assert (check.problem, check.error) == ("", "")


async def test_strict_alignment_and_subdomain_policy(sandbox: Sandbox) -> None:
    sandbox.add(DOMAIN, "_dmarc", "TXT", "v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=s")
    dmarc = (await sandbox.check()).dmarc
    assert (dmarc.policy, dmarc.subdomain_policy, dmarc.adkim, dmarc.aspf) == (
        "reject",
        "quarantine",
        "s",
        "s",
    )


async def test_no_dmarc(sandbox: Sandbox) -> None:
    dmarc = (await sandbox.check()).dmarc
    assert (dmarc.asked, dmarc.found_at, dmarc.records) == (f"_dmarc.{DOMAIN}", "", ())
    assert (dmarc.policy, dmarc.problem, dmarc.error) == ("", "", "")


async def test_a_subdomain_gets_the_organizational_domains_record(sandbox: Sandbox) -> None:
    sandbox.add(DOMAIN, "_dmarc", "TXT", "v=DMARC1; p=quarantine; sp=reject")
    facts = await sandbox.check(f"news.{DOMAIN}")
    assert facts.organizational_domain == DOMAIN
    assert facts.dmarc.asked == f"_dmarc.news.{DOMAIN}"
    assert facts.dmarc.found_at == f"_dmarc.{DOMAIN}"
    assert (facts.dmarc.policy, facts.dmarc.subdomain_policy) == ("quarantine", "reject")
    # Its own record, once there, is the one that applies.
    sandbox.add(DOMAIN, "_dmarc.news", "TXT", "v=DMARC1; p=none")
    sandbox.flush()
    facts = await sandbox.check(f"news.{DOMAIN}")
    assert (facts.dmarc.found_at, facts.dmarc.policy) == (f"_dmarc.news.{DOMAIN}", "none")


async def test_two_dmarc_records_are_kept_and_not_parsed(sandbox: Sandbox) -> None:
    second = "v=DMARC1; p=reject"
    sandbox.add(DOMAIN, "_dmarc", "TXT", DMARC_OK)
    sandbox.add(DOMAIN, "_dmarc", "TXT", second)
    sandbox.add(DOMAIN, "_dmarc", "TXT", "google-site-verification=abc")  # not DMARC: left out
    dmarc = (await sandbox.check()).dmarc
    assert sorted(dmarc.records) == sorted([DMARC_OK, second])
    assert dmarc.found_at == f"_dmarc.{DOMAIN}"
    assert dmarc.policy == "" and "2 DMARC records" in dmarc.problem
    assert "RFC 7489" in dmarc.problem


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("v=DMARC1; p=bogus", "Tag p must have one of the following values"),
        ("v=DMARC1 p=none", "at position 9"),
        ("v=DMARC1; p=none; p=reject", "Duplicate p tags"),
    ],
)
async def test_a_malformed_dmarc_record_says_why(
    sandbox: Sandbox, record: str, reason: str
) -> None:
    sandbox.add(DOMAIN, "_dmarc", "TXT", record)
    dmarc = (await sandbox.check()).dmarc
    assert dmarc.records == (record,)
    assert reason in dmarc.problem and "\n" not in dmarc.problem
    assert (dmarc.policy, dmarc.error) == ("", "")


def spf_includes(sandbox: Sandbox, count: int) -> str:
    """``count`` include targets in a zone of their own; the SPF record naming them all."""
    sandbox.create_zone(INCLUDES)
    for i in range(1, count + 1):
        sandbox.add(INCLUDES, f"i{i}", "TXT", f"v=spf1 ip4:192.0.2.{i} -all")
    terms = " ".join(f"include:i{i}.{INCLUDES}" for i in range(1, count + 1))
    return f"v=spf1 {terms} -all"


async def test_spf_with_more_than_ten_lookups(sandbox: Sandbox) -> None:
    record = spf_includes(sandbox, 12)
    sandbox.add(DOMAIN, "@", "TXT", record, replace=True)
    spf = (await sandbox.check()).spf
    assert spf.records == (record,)
    assert spf.too_many_lookups
    assert spf.lookups is not None and spf.lookups > 10
    assert "10 maximum DNS lookups" in spf.problem and spf.error == ""


async def test_spf_includes_are_counted(sandbox: Sandbox) -> None:
    record = spf_includes(sandbox, 4)
    sandbox.add(DOMAIN, "@", "TXT", record, replace=True)
    spf = (await sandbox.check()).spf
    assert (spf.lookups, spf.too_many_lookups, spf.problem) == (4, False, "")


async def test_two_spf_records(sandbox: Sandbox) -> None:
    sandbox.add(DOMAIN, "@", "TXT", "v=spf1 include:_spf.ascendbywix.com ~all")
    spf = (await sandbox.check()).spf
    assert len(spf.records) == 2 and "v=spf1 mx ~all" in spf.records
    assert "2 SPF records" in spf.problem and "permerror" in spf.problem
    assert spf.lookups is None and not spf.too_many_lookups


async def test_an_spf_include_without_a_record_is_a_problem(sandbox: Sandbox) -> None:
    sandbox.add(DOMAIN, "@", "TXT", f"v=spf1 include:nothing.{DOMAIN} -all", replace=True)
    spf = (await sandbox.check()).spf
    assert "nothing.alpine-tours.example" in spf.problem and "permerror" in spf.problem


async def test_a_recheck_sees_the_fixed_include(sandbox: Sandbox) -> None:
    """checkdmarc keeps answers for 30 minutes in a module-wide cache: the second check must
    not be given the first one's include target."""
    record = spf_includes(sandbox, 1)
    sandbox.add(DOMAIN, "@", "TXT", record, replace=True)
    assert (await sandbox.check()).spf.problem == ""
    sandbox.add(INCLUDES, "i1", "TXT", "v=spf1 ip4:not-an-address -all", replace=True)
    sandbox.flush()  # the resolvers' own caches: the world's TTLs would do it in time
    assert "not-an-address" in (await sandbox.check()).spf.problem


async def test_dkim_found_through_the_cname_and_missing_without_it(sandbox: Sandbox) -> None:
    first, second, third = sandbox.dkim_names()
    sandbox.delete(DOMAIN, first.removesuffix(f".{DOMAIN}"), "CNAME")
    by_name = {c.name: c for c in (await sandbox.check()).dkim}
    gone = by_name[first]
    assert (gone.found, gone.cname, gone.error) == (False, "", "")
    assert gone.problem.startswith("NXDOMAIN")
    assert by_name[second].found and by_name[third].found


async def test_dkim_problems_at_the_end_of_the_cname(sandbox: Sandbox) -> None:
    first, second, third = sandbox.dkim_names()
    sandbox.create_zone(INCLUDES)
    sandbox.add(INCLUDES, "www", "A", "192.0.2.80")
    host = lambda name: name.removesuffix(f".{DOMAIN}")  # noqa: E731
    # A target with an address but no key; a target that does not exist; a revoked key.
    sandbox.add(DOMAIN, host(first), "CNAME", f"www.{INCLUDES}.", replace=True)
    sandbox.add(DOMAIN, host(second), "CNAME", "gone.s004.ascendbywix.com.", replace=True)
    sandbox.delete(DOMAIN, host(third), "CNAME")
    sandbox.add(DOMAIN, host(third), "TXT", "v=DKIM1; k=rsa; p=")
    by_name = {c.name: c for c in (await sandbox.check()).dkim}
    assert by_name[first].cname == f"www.{INCLUDES}"
    assert by_name[first].problem == "no TXT at the end of the CNAME"
    assert by_name[second].cname == "gone.s004.ascendbywix.com"
    assert by_name[second].problem == "NXDOMAIN: nothing at the end of the CNAME"
    assert by_name[third].cname == "" and by_name[third].problem == "p= is empty (key revoked)"
    assert not any(c.found for c in by_name.values())


async def test_the_next_resolver_answers_when_one_fails(sandbox: Sandbox) -> None:
    sandbox.add(DOMAIN, "_dmarc", "TXT", DMARC_OK)
    sandbox.resolver_behaves("isp-1", "servfail")
    sandbox.resolver_behaves("isp-2", "dead")
    facts = await sandbox.check(timeout=0.3)
    assert facts.resolver == "isp-3"
    assert facts.dmarc.policy == "none" and all(c.found for c in facts.dkim)


async def test_when_no_resolver_answers_the_checks_say_so(sandbox: Sandbox) -> None:
    for name in ("isp-1", "isp-2", "isp-3"):
        sandbox.resolver_behaves(name, "refused")
    facts = await sandbox.check()
    assert facts.resolver == "isp-1"  # the first one asked, when nobody answered
    assert "REFUSED" in facts.dmarc.error and "REFUSED" in facts.spf.error
    assert all("REFUSED" in c.error and not c.found for c in facts.dkim)
    assert (facts.dmarc.problem, facts.spf.problem) == ("", "")


async def test_authoritative_servers_are_not_asked(sandbox: Sandbox) -> None:
    host, port = sandbox.server.dns.authoritative[0]
    authoritative = Resolver("ns", "ns", "sandbox", Role.AUTHORITATIVE, (Endpoint(host, port),))
    facts = await sandbox.check(resolvers=[authoritative, *sandbox.resolvers()])
    assert facts.resolver == "isp-1"
    with pytest.raises(ValueError, match="authoritative"):
        await sandbox.check(resolvers=[authoritative])


async def test_checkdmarc_never_asks_the_systems_resolver(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every lookup checkdmarc makes (SPF includes and mx, DMARC report destinations outside
    the domain) goes to our resolver: no resolver is built from /etc/resolv.conf."""
    built = dns.resolver.Resolver.__init__

    def init(self: dns.resolver.Resolver, *args: Any, **kwargs: Any) -> None:
        configure = kwargs.get("configure", args[1] if len(args) > 1 else True)
        assert not configure, "a resolver was configured from the system"
        built(self, *args, **kwargs)

    monkeypatch.setattr(dns.resolver.Resolver, "__init__", init)
    monkeypatch.setattr(dns.resolver, "default_resolver", None)
    record = spf_includes(sandbox, 2)
    sandbox.add(DOMAIN, "@", "TXT", record.replace(" -all", " mx a -all"), replace=True)
    sandbox.add(DOMAIN, "_dmarc", "TXT", f"v=DMARC1; p=none; rua=mailto:d@{INCLUDES}")
    facts = await sandbox.check()
    assert (facts.spf.lookups, facts.spf.problem) == (4, "")
    # The report destination is outside the domain and has not said it takes its reports:
    # checkdmarc asked the sandbox, which knows no such authorization record.
    assert any("does not indicate that it accepts" in w for w in facts.dmarc.warnings)
    assert dns.resolver.default_resolver is None


async def test_a_full_check_is_quick_and_never_blocks_the_event_loop(sandbox: Sandbox) -> None:
    sandbox.add(DOMAIN, "_dmarc", "TXT", DMARC_OK)
    sandbox.add(DOMAIN, "@", "TXT", spf_includes(sandbox, 4), replace=True)
    sandbox.add(DOMAIN, "s3._domainkey", "CNAME", "s3.elsewhere.example.")
    names = [*sandbox.dkim_names(), f"s3._domainkey.{DOMAIN}", f"s4._domainkey.{DOMAIN}"]
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    try:
        started = time.perf_counter()
        facts = await check_mail_auth(DOMAIN, names, sandbox.resolvers())
        took = time.perf_counter() - started
    finally:
        ticking.cancel()
    assert len(facts.dkim) == 5 and facts.spf.lookups == 4
    # The first check in a process imports checkdmarc (~0.7 s, in the worker thread).
    assert took < 2.0, took
    assert max(gaps) < 0.25, max(gaps)
    started = time.perf_counter()
    await check_mail_auth(DOMAIN, names, sandbox.resolvers())
    assert time.perf_counter() - started < 0.5


def test_importing_the_checks_does_not_import_checkdmarc() -> None:
    code = "import sys, tui.propagation.mailauth; print('checkdmarc' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


# --- the pure rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "organizational"),
    [
        ("example.com", "example.com"),
        ("mail.news.example.com", "example.com"),
        ("Example.COM.", "example.com"),
        ("shop.example.co.uk", "example.co.uk"),
        ("a.b.example", "b.example"),  # a TLD the list does not know: the last two labels
        ("s1._domainkey.mailauth.test", "mailauth.test"),
        ("blog.someone.github.io", "someone.github.io"),  # the list's private section counts
        ("co.uk", "co.uk"),
        ("", ""),
    ],
)
def test_organizational_domain(name: str, organizational: str) -> None:
    assert organizational_domain(name) == organizational


@pytest.mark.parametrize(
    ("signing", "sender", "mode", "expected"),
    [
        ("example.com", "example.com", "s", True),
        ("example.com", "EXAMPLE.com.", "s", True),
        ("mail.example.com", "example.com", "s", False),
        ("mail.example.com", "example.com", "r", True),
        ("mail.example.com", "news.example.com", "r", True),
        ("example.com.s004.ascendbywix.com", "example.com", "r", False),
        ("ascendbywix.com", "example.com", "r", False),
        ("example.co.uk", "other.co.uk", "r", False),
        ("a.someone.github.io", "b.someone.github.io", "r", True),
        ("someone.github.io", "other.github.io", "r", False),
        ("mail.example.com", "example.com", "x", True),  # an invalid mode reads as relaxed
        ("", "example.com", "r", False),
    ],
)
def test_aligned(signing: str, sender: str, mode: str, expected: bool) -> None:
    assert aligned(signing, sender, mode) is expected


def test_aligned_is_relaxed_by_default() -> None:
    assert aligned("mail.example.com", "example.com")


@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("s1._domainkey.example.com", "example.com"),
        ("S1._DomainKey.Example.com.", "example.com"),
        ("a.b._domainkey.news.example.com", "news.example.com"),
        ("sg.example.com", ""),
        ("_domainkey.example.com", ""),
        ("s1._domainkey", ""),
        ("", ""),
    ],
)
def test_dkim_signing_domain(name: str, domain: str) -> None:
    assert dkim_signing_domain(name) == domain
