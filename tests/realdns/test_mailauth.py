"""The mail checks (DMARC, SPF, DKIM) through real resolvers: unbound and BIND in front of NSD
must give the same facts, and the facts a receiving mail server would find.

Zones (in conftest.SCENARIOS, filled here before anyone asks about them): ``mailauth.test``, a
From domain with DMARC, an SPF record with includes and DKIM CNAMEs into ``esp.test``;
``spfhost.test``, the include targets; ``toomany.test``, an SPF record of 12 includes and two
DMARC records.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.realdns.conftest import World
from tests.realdns.judge import row
from tests.realdns.servers import require_programs
from tui.propagation.mailauth import MailAuth, check_mail_auth

require_programs()

DOMAIN, INCLUDES, TOO_MANY = "mailauth.test", "spfhost.test", "toomany.test"
SPF = f"v=spf1 mx include:a.{INCLUDES} include:b.{INCLUDES} ~all"
DMARC = f"v=DMARC1; p=quarantine; sp=reject; adkim=s; rua=mailto:dmarc@{DOMAIN}"
TWELVE = [f"include:i{i}.{INCLUDES}" for i in range(1, 13)]
ZONES = {
    DOMAIN: [
        f'@ TXT "{SPF}"',
        '@ TXT "google-site-verification=not-an-spf-record"',
        f"@ MX 10 mail.{DOMAIN}.",
        "mail A 192.0.2.25",
        f'_dmarc TXT "{DMARC}"',
        "s1._domainkey CNAME s1.dkim.esp.test.",
        "s2._domainkey CNAME s2.dkim.esp.test.",
        "gone._domainkey CNAME gone.dkim.esp.test.",
        'revoked._domainkey TXT "v=DKIM1; k=rsa; p="',
    ],
    INCLUDES: [
        'a TXT "v=spf1 ip4:192.0.2.1 -all"',
        'b TXT "v=spf1 a -all"',
        "b A 192.0.2.2",
        *(f'i{i} TXT "v=spf1 ip4:192.0.2.{i} -all"' for i in range(1, 13)),
    ],
    TOO_MANY: [
        # Over 255 characters: two strings in one TXT, joined without a space (RFC 7208 §3.3).
        f'@ TXT "v=spf1 {" ".join(TWELVE[:6])} " "{" ".join(TWELVE[6:])} -all"',
        '_dmarc TXT "v=DMARC1; p=none"',
        '_dmarc TXT "v=DMARC1; p=reject"',
    ],
}
DKIM = [f"{s}._domainkey.{DOMAIN}" for s in ("s1", "s2", "gone", "revoked", "s3")]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def mail_world(world: World) -> World:
    for apex, records in ZONES.items():
        world.auth.replace(apex, records)
    return world


async def both(world: World, domain: str, dkim: list[str]) -> tuple[MailAuth, MailAuth]:
    """The check through unbound, then through BIND; the same facts bar the resolver's key."""
    rows = [row(name, port) for name, port in world.resolvers.items()]
    unbound, bind = [await check_mail_auth(domain, dkim, [r], clock_now=NOW) for r in rows]
    assert [unbound.resolver, bind.resolver] == [r.key for r in rows]
    assert replace(unbound, resolver="") == replace(bind, resolver="")
    return unbound, bind


async def test_a_domain_with_everything_in_place(mail_world: World) -> None:
    started = time.perf_counter()
    facts, _ = await both(mail_world, DOMAIN, DKIM)
    assert time.perf_counter() - started < 3.0  # two full checks, checkdmarc's import too
    dmarc = facts.dmarc
    assert (dmarc.found_at, dmarc.records) == (f"_dmarc.{DOMAIN}", (DMARC,))
    assert (dmarc.policy, dmarc.subdomain_policy, dmarc.adkim, dmarc.aspf) == (
        "quarantine",
        "reject",
        "s",
        "r",
    )
    assert (dmarc.problem, dmarc.error) == ("", "")
    spf = facts.spf
    assert spf.records == (SPF,)
    # mx, include:a, include:b and b's own "a": RFC 7208 §4.6.4 counts every one.
    assert (spf.lookups, spf.void_lookups, spf.too_many_lookups, spf.problem) == (4, 0, False, "")
    s1, s2, gone, revoked, s3 = facts.dkim
    assert (s1.found, s1.cname, s2.found, s2.cname) == (
        True,
        "s1.dkim.esp.test",
        True,
        "s2.dkim.esp.test",
    )
    assert (gone.found, gone.cname, gone.problem) == (
        False,
        "gone.dkim.esp.test",
        "NXDOMAIN: nothing at the end of the CNAME",
    )
    assert (revoked.found, revoked.problem) == (False, "p= is empty (key revoked)")
    assert (s3.found, s3.cname, s3.problem) == (False, "", "NXDOMAIN: nothing at the name")
    assert not any(c.error for c in facts.dkim)


async def test_a_subdomain_falls_back_to_the_organizational_domain(mail_world: World) -> None:
    facts, _ = await both(mail_world, f"news.{DOMAIN}", [])
    assert facts.organizational_domain == DOMAIN
    assert facts.dmarc.asked == f"_dmarc.news.{DOMAIN}"
    assert (facts.dmarc.found_at, facts.dmarc.policy) == (f"_dmarc.{DOMAIN}", "quarantine")
    assert facts.spf.records == () and facts.spf.error == ""  # news.mailauth.test: NXDOMAIN


async def test_too_many_lookups_and_two_dmarc_records(mail_world: World) -> None:
    facts, _ = await both(mail_world, TOO_MANY, [])
    spf = facts.spf
    assert spf.records == (f"v=spf1 {' '.join(TWELVE)} -all",)
    assert spf.too_many_lookups and spf.lookups == 11  # where checkdmarc stops counting
    assert "10 maximum DNS lookups" in spf.problem
    dmarc = facts.dmarc
    assert sorted(dmarc.records) == ["v=DMARC1; p=none", "v=DMARC1; p=reject"]
    assert dmarc.policy == "" and "2 DMARC records" in dmarc.problem


async def test_the_doctor_reads_real_resolvers_facts_as_receivers_would(mail_world: World) -> None:
    """The doctor's receiver findings from facts real unbound and BIND gave: two DMARC records
    and 12 includes on one domain; a missing and a revoked DKIM key on the other."""
    from tui.flow.doctor import DomainFacts, SiteFacts, examine
    from tui.wix.models import DnsRecord, DomainStatus, SenderDetails, SendingDomain

    def site(domain: str, facts: MailAuth) -> SiteFacts:
        sending = SendingDomain(
            "d1", domain, DomainStatus.AUTHENTICATED, "AUTHENTICATED", (DnsRecord("x", "y"),)
        )
        sender = SenderDetails("s1", "Sender", f"hello@{domain}", default=True)
        return SiteFacts(
            now=NOW,
            sender_details=(sender,),
            domains=(DomainFacts(domain, sending, mail=facts),),
        )

    for facts in await both(mail_world, TOO_MANY, []):
        assert [f.code for f in examine(site(TOO_MANY, facts))] == [
            "dmarc_multiple",
            "spf_too_many_lookups",
        ]
    for facts in await both(mail_world, DOMAIN, DKIM):
        (found,) = examine(site(DOMAIN, facts))
        assert found.code == "dkim_key_missing"
        seen = " ".join(e.seen for e in found.evidence)
        assert "gone._domainkey" in seen and "key revoked" in seen
