"""The DNS check behind the sandbox's Authenticate: ask Wix's own caching resolver.

Like the real thing, it asks a *caching* resolver (``wix-verifier``) for each record's CNAME, so
pressing Authenticate before the records exist plants a negative answer there, and
Authenticate keeps failing after publishing until that negative expires -- the most asked-about
"bug" there is. Unlike the real thing, it says so: when the DNS host already serves a record the
verifier does not see, the reason names the cached negative and when it runs out.

:class:`WireVerifierCheck` asks over real loopback DNS (what ``SandboxServer`` uses);
:class:`InProcessVerifierCheck` asks the same resolver without sockets (a bare ``World``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import dns.asyncquery
import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from tui.sandbox.dns.records import CNAME, normalize
from tui.sandbox.dns.respond import respond
from tui.sandbox.dns.world import PRIMARY, VERIFIER, DnsWorld
from tui.sandbox.dnscheck import DnsCheckResult

TIMEOUT_SECONDS = 2.0  # real seconds; the verifier is on loopback and never slow


class VerifierCheck:
    def __init__(self, world: DnsWorld) -> None:
        self.world = world

    async def ask(self, host: str) -> dns.message.Message | None:
        """The verifier's response to ``host CNAME``; None when it did not answer."""
        raise NotImplementedError

    async def check(self, domain: str, records: Sequence[tuple[str, str]]) -> DnsCheckResult:
        answers = await asyncio.gather(*(self.ask(normalize(host)) for host, _ in records))
        missing: list[str] = []
        problems: list[str] = []
        for (host, expected), response in zip(records, answers, strict=True):
            problem = self.explain(normalize(host), normalize(expected), response)
            if problem is not None:
                missing.append(host)
                problems.append(problem)
        if not missing:
            return DnsCheckResult(True, (), f"all {len(records)} CNAME records of {domain} found")
        detail = f"{len(missing)} of {len(records)} CNAME records not found: " + "; ".join(problems)
        return DnsCheckResult(False, tuple(missing), detail)

    def explain(self, host: str, expected: str, response: dns.message.Message | None) -> str | None:
        """Why ``host`` does not pass (None when it does)."""
        if response is None:
            return f"the verifier got no answer for {host} (timed out)"
        rcode = response.rcode()
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return f"the verifier could not resolve {host} ({dns.rcode.to_text(rcode)})"
        owner = dns.name.from_text(host)
        found = [s for s in response.answer if s.name == owner and s.rdtype == dns.rdatatype.CNAME]
        served = self._served(host)
        if not found:
            soa = next((s for s in response.authority if s.rdtype == dns.rdatatype.SOA), None)
            if served and soa is not None:
                left = min(soa.ttl, soa[0].minimum)
                return (
                    f"the verifier still holds a cached 'does not exist' for {host}, "
                    f"which expires in {left} s"
                )
            return f"no CNAME at {host}"
        targets = [normalize(r.target.to_text()) for rrset in found for r in rrset]
        if targets == [expected]:
            return None
        if len(targets) > 1:
            listed = ", ".join(targets)
            return f"{host} has {len(targets)} CNAME records ({listed}), expected only {expected}"
        text = f"{host} points to {targets[0]}, expected {expected}"
        if served == [expected]:
            text += (
                f" (a cached answer that expires in {found[0].ttl} s; "
                f"the DNS host already serves {expected})"
            )
        return text

    def _served(self, host: str) -> list[str]:
        """The CNAME targets the primary authoritative server gives for ``host`` now."""
        truth = self.world.authoritative(PRIMARY, host, CNAME)
        owner = dns.name.from_text(host)
        return [
            normalize(r.target.to_text())
            for s in truth.answer
            if s.name == owner and s.rdtype == dns.rdatatype.CNAME
            for r in s
        ]


class WireVerifierCheck(VerifierCheck):
    """Asks ``wix-verifier`` over UDP (TCP on truncation) at the address ``address()`` gives."""

    def __init__(
        self,
        world: DnsWorld,
        address: Callable[[], tuple[str, int] | None],
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(world)
        self.address = address
        self.timeout = timeout

    async def ask(self, host: str) -> dns.message.Message | None:
        where = self.address()
        if where is None:
            return None
        query = dns.message.make_query(host, dns.rdatatype.CNAME, use_edns=0)
        try:
            # one_rr_per_rrset: two CNAMEs at a name stay two (dnspython would keep one).
            response, _ = await dns.asyncquery.udp_with_fallback(
                query, where[0], timeout=self.timeout, port=where[1], one_rr_per_rrset=True
            )
        except (dns.exception.DNSException, OSError):
            return None
        return response


class InProcessVerifierCheck(VerifierCheck):
    """Asks the same ``wix-verifier`` resolver state directly, for a world without servers."""

    async def ask(self, host: str) -> dns.message.Message | None:
        query = dns.message.make_query(host, dns.rdatatype.CNAME, use_edns=0)
        reply = respond(self.world, VERIFIER, query)
        return reply.message if reply is not None else None
