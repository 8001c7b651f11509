"""Sending one DNS question: Do53 over UDP with TCP fallback, or DoH (RFC 8484) over httpx.

dnspython builds and parses the wire format; DoH is sent with the project's own httpx rather
than dnspython's DoH, because dnspython 2.9 only accepts an ``httpx2`` client (dns.md §5.1).
Nothing here raises for network trouble: every outcome comes back as an :class:`Exchange`.
"""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rdatatype
import httpx

from tui.propagation.answers import Answer, read_answer
from tui.propagation.model import Endpoint
from tui.propagation.udp import UdpMultiplexer

EDNS_PAYLOAD = 1232  # DNS Flag Day 2020
DOH_MEDIA_TYPE = "application/dns-message"


@dataclass(frozen=True, slots=True)
class Exchange:
    answer: Answer | None  # None when nothing usable came back
    rtt_ms: float
    failure: str = ""  # "timeout", "connection failed: ...", "bad response: ..."
    transport: str = "udp"

    @property
    def timed_out(self) -> bool:
        return self.failure == "timeout"


@functools.lru_cache(maxsize=4096)
def query_wire(qname: str, rdtype: str, recursion: bool, cd: bool) -> bytes:
    """A query in wire format, built once per question (bytes are immutable, so sharing them
    between concurrent questions is safe; the multiplexer writes a fresh ID per packet)."""
    return make_query(qname, rdtype, recursion=recursion, cd=cd).to_wire()


def make_query(
    qname: str, rdtype: str, *, recursion: bool, cd: bool = False
) -> dns.message.Message:
    flags = dns.flags.RD if recursion else 0
    query = dns.message.make_query(
        qname, dns.rdatatype.from_text(rdtype), use_edns=0, payload=EDNS_PAYLOAD, flags=flags
    )
    if cd:
        query.flags |= dns.flags.CD
    return query


async def ask(
    endpoint: Endpoint,
    qname: str,
    rdtype: str,
    *,
    recursion: bool,
    cd: bool = False,
    timeout: float = 2.0,
    udp: UdpMultiplexer | None = None,
) -> Exchange:
    """Do53: UDP first (over the sweep's shared socket when given), TCP when the answer comes
    back truncated."""
    started = time.perf_counter()
    transport = "udp"
    query: dns.message.Message | None = None
    try:
        # The outer bound keeps a truncated answer followed by a stalled TCP leg from costing
        # more than two timeouts.
        async with asyncio.timeout(timeout * 2 + 0.5):
            if udp is None:
                query = make_query(qname, rdtype, recursion=recursion, cd=cd)
                response, used_tcp = await dns.asyncquery.udp_with_fallback(
                    query,
                    endpoint.host,
                    timeout=timeout,
                    port=endpoint.port,
                    one_rr_per_rrset=True,
                )
            else:
                wire = query_wire(qname, rdtype, recursion, cd)
                try:
                    response, used_tcp = (
                        await udp.query(wire, endpoint.host, endpoint.port, timeout),
                        False,
                    )
                except dns.message.Truncated:
                    query = make_query(qname, rdtype, recursion=recursion, cd=cd)
                    response, used_tcp = (
                        await dns.asyncquery.tcp(
                            query,
                            endpoint.host,
                            timeout=timeout,
                            port=endpoint.port,
                            one_rr_per_rrset=True,
                        ),
                        True,
                    )
        transport = "tcp" if used_tcp else "udp"
    except (dns.exception.Timeout, TimeoutError):
        return Exchange(None, _ms(started), "timeout", transport)
    except OSError as exc:
        return Exchange(None, _ms(started), f"connection failed: {exc.strerror or exc}", transport)
    except dns.exception.DNSException as exc:
        return Exchange(None, _ms(started), f"bad response: {type(exc).__name__}", transport)
    return Exchange(read_answer(response, qname), _ms(started), "", transport)


async def ask_doh(
    client: httpx.AsyncClient,
    url: str,
    qname: str,
    rdtype: str,
    *,
    cd: bool = False,
    timeout: float = 2.0,
) -> Exchange:
    """RFC 8484 POST: the same wire format, carried over HTTPS."""
    query = make_query(qname, rdtype, recursion=True, cd=cd)
    query.id = 0  # RFC 8484 §4.1: cache friendly
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout + 0.5):
            response = await client.post(
                url,
                content=query.to_wire(),
                headers={"content-type": DOH_MEDIA_TYPE, "accept": DOH_MEDIA_TYPE},
                timeout=timeout,
            )
    except (httpx.TimeoutException, TimeoutError):
        return Exchange(None, _ms(started), "timeout", "doh")
    except httpx.HTTPError as exc:
        return Exchange(None, _ms(started), f"connection failed: {type(exc).__name__}", "doh")
    if response.status_code != 200:
        return Exchange(None, _ms(started), f"bad response: HTTP {response.status_code}", "doh")
    try:
        message = dns.message.from_wire(response.content, one_rr_per_rrset=True)
    except Exception as exc:  # any garbage from the network
        return Exchange(None, _ms(started), f"bad response: {type(exc).__name__}", "doh")
    if not message.flags & dns.flags.QR or not query.is_response(message):
        return Exchange(None, _ms(started), "bad response: not an answer to our question", "doh")
    return Exchange(read_answer(message, qname), _ms(started), "", "doh")


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
