"""Sending one DNS question: Do53 over UDP with TCP fallback, or DoH (RFC 8484) over httpx.

dnspython builds and parses the wire format; DoH is sent with the project's own httpx rather
than dnspython's DoH, because dnspython 2.9 only accepts an ``httpx2`` client (dns.md §5.1).
Nothing here raises for network trouble: every outcome comes back as an :class:`Exchange`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import dns.exception
import dns.flags
import dns.message
import dns.rdataclass
import dns.rdatatype

from tui.propagation.answers import Answer, read_answer
from tui.propagation.model import Endpoint
from tui.propagation.udp import Ignored, UdpMultiplexer, Unreadable

if TYPE_CHECKING:
    import httpx

# dns.asyncquery (with dns.query, which loads an HTTP stack for dnspython's own DoH: 0.15 s)
# and httpx are imported when first used: a sweep whose answers all come over the shared UDP
# sockets, and that uses no DoH, never loads them (``watch --once --resolver ...``).

EDNS_PAYLOAD = 1232  # DNS Flag Day 2020
DOH_MEDIA_TYPE = "application/dns-message"


@dataclass(frozen=True, slots=True)
class Exchange:
    answer: Answer | None  # None when nothing usable came back
    rtt_ms: float
    # "timeout", "connection failed: ...", "bad response: ...", TCP_RETRY_FAILED + ": ..."
    failure: str = ""
    transport: str = "udp"
    # With a timeout: what the server sent instead of an answer (packets with a wrong message
    # ID, answers to other questions), which were ignored; empty when it sent nothing.
    ignored: tuple[str, ...] = ()

    @property
    def timed_out(self) -> bool:
        return self.failure == "timeout"


@functools.lru_cache(maxsize=4096)
def query_wire(
    qname: str,
    rdtype: str,
    recursion: bool,
    cd: bool,
    dnssec: bool = False,
    rdclass: str = "IN",
) -> bytes:
    """A query in wire format, built once per question (bytes are immutable, so sharing them
    between concurrent questions is safe; the multiplexer writes a fresh ID per packet)."""
    return make_query(
        qname, rdtype, recursion=recursion, cd=cd, dnssec=dnssec, rdclass=rdclass
    ).to_wire()


def make_query(
    qname: str,
    rdtype: str,
    *,
    recursion: bool,
    cd: bool = False,
    dnssec: bool = False,
    rdclass: str = "IN",
) -> dns.message.Message:
    """``dnssec``: set DO (RFC 3225), so a resolver includes the NSEC records that prove a
    negative, which is how a denial synthesised from them (RFC 8198) is recognised."""
    flags = dns.flags.RD if recursion else 0
    query = dns.message.make_query(
        qname,
        dns.rdatatype.from_text(rdtype),
        dns.rdataclass.from_text(rdclass),
        use_edns=0,
        payload=EDNS_PAYLOAD,
        flags=flags,
        want_dnssec=dnssec,
    )
    if cd:
        query.flags |= dns.flags.CD
    return query


TCP_RETRY_FAILED = "truncated over UDP and the TCP retry failed"


async def ask(
    endpoint: Endpoint,
    qname: str,
    rdtype: str,
    *,
    recursion: bool,
    cd: bool = False,
    timeout: float = 2.0,
    udp: UdpMultiplexer | None = None,
    dnssec: bool = False,
    rdclass: str = "IN",
    streams: asyncio.Semaphore | None = None,
) -> Exchange:
    """Do53: UDP first (over the sweep's shared socket when given), TCP when the answer comes
    back truncated. Whatever the server does, the outcome is an :class:`Exchange`.

    ``streams`` bounds what costs a file descriptor each (a TCP retry), which the shared UDP
    sockets do not."""
    started = time.perf_counter()
    query = functools.partial(
        make_query, qname, rdtype, recursion=recursion, cd=cd, dnssec=dnssec, rdclass=rdclass
    )
    try:
        # dnspython's and the multiplexer's own timeouts cover the question; this bound is
        # for anything they might not cover (a safety net; it is not expected to fire).
        async with asyncio.timeout(timeout + 0.5):
            if udp is not None:
                wire = query_wire(qname, rdtype, recursion, cd, dnssec, rdclass)
                response = await udp.query(wire, endpoint.host, endpoint.port, timeout, read=qname)
                if isinstance(response, Answer):  # a plain answer, read from the wire
                    return Exchange(response, _ms(started), "", "udp")
            else:
                response = await _over_udp(endpoint, query(), timeout)
    except dns.message.Truncated:
        # The answer is bigger than UDP carries: only TCP can deliver it. A server that
        # truncates and then drops, refuses or garbles the TCP connection has failed the
        # exchange; dnspython raises EOFError, OSError, DNSException or anything its parser
        # trips on, and none of it may escape a sweep.
        try:
            async with contextlib.AsyncExitStack() as held:
                if streams is not None:
                    await held.enter_async_context(streams)
                async with asyncio.timeout(timeout + 0.5):
                    response = await _over_tcp(endpoint, query(), timeout)
        except Exception as exc:
            return Exchange(None, _ms(started), f"{TCP_RETRY_FAILED}: {why_failed(exc)}", "tcp")
        return Exchange(read_answer(response, qname), _ms(started), "", "tcp")
    except Ignored as exc:
        return Exchange(None, _ms(started), "timeout", "udp", tuple(exc.reasons))
    except (dns.exception.Timeout, TimeoutError):
        return Exchange(None, _ms(started), "timeout", "udp")
    except OSError as exc:
        return Exchange(None, _ms(started), f"connection failed: {exc.strerror or exc}", "udp")
    except dns.exception.DNSException as exc:
        return Exchange(None, _ms(started), f"bad response: {why_failed(exc)}", "udp")
    return Exchange(read_answer(response, qname), _ms(started), "", "udp")


async def _over_udp(
    endpoint: Endpoint, query: dns.message.Message, timeout: float
) -> dns.message.Message:
    """The UDP answer over its own socket; raises ``dns.message.Truncated`` when it has TC
    set. Answers from another address or port, with another ID, or to another question are
    skipped as the multiplexer skips them, so only the server's answer counts."""
    from dns import asyncquery

    return await asyncquery.udp(
        query,
        endpoint.host,
        timeout=timeout,
        port=endpoint.port,
        ignore_unexpected=True,
        ignore_errors=True,
        raise_on_truncation=True,
        one_rr_per_rrset=True,
    )


async def _over_tcp(
    endpoint: Endpoint, query: dns.message.Message, timeout: float
) -> dns.message.Message:
    from dns import asyncquery

    return await asyncquery.tcp(
        query,
        endpoint.host,
        timeout=timeout,
        port=endpoint.port,
        one_rr_per_rrset=True,
    )


def why_failed(exc: BaseException) -> str:
    """Why an exchange failed, in words (the cell's detail quotes them)."""
    if isinstance(exc, dns.exception.Timeout | TimeoutError):
        return "no answer in time"
    if isinstance(exc, EOFError):  # asyncio.IncompleteReadError is one too
        return "the server closed the connection before the whole answer arrived"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "the server reset the connection"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, Unreadable):
        return "the server sent bytes that are not a DNS message"
    query = sys.modules.get("dns.query")  # only ever raised by it, once it is loaded
    if query is not None and isinstance(exc, query.BadResponse):
        return "the answer is not about the question asked"
    return f"an answer that cannot be read ({type(exc).__name__})"


async def ask_doh(
    client: httpx.AsyncClient,
    url: str,
    qname: str,
    rdtype: str,
    *,
    cd: bool = False,
    timeout: float = 2.0,
    dnssec: bool = False,
    rdclass: str = "IN",
) -> Exchange:
    """RFC 8484 POST: the same wire format, carried over HTTPS."""
    import httpx

    query = make_query(qname, rdtype, recursion=True, cd=cd, dnssec=dnssec, rdclass=rdclass)
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
