"""Is port 53 intercepted on this network? (dns.md §2.4)

Some ISPs and corporate networks silently redirect every UDP/TCP port 53 packet to their own
resolver, so every "public" row would really show the ISP's cache. Cloudflare's resolver
answers ``id.server`` (class CH, type TXT) with the code of the data centre that answered,
three capital letters such as ``FRA``; anything else coming back from 1.1.1.1 means somebody
else answered. Then the public rows switch to DoH, which cannot be redirected that way.
"""

from __future__ import annotations

import re

import dns.exception
import dns.message
import dns.rdataclass
import dns.rdatatype

from tui.propagation.model import Endpoint

CLOUDFLARE = Endpoint("1.1.1.1")
_COLO = re.compile(r"^[A-Z]{3}$")


async def intercepted(endpoint: Endpoint = CLOUDFLARE, timeout: float = 2.0) -> bool | None:
    """True when a non-Cloudflare server answered for ``endpoint``; None when nothing answered
    (blocked, not intercepted: the sweep's own timeouts deal with that)."""
    from dns import asyncquery  # here: it loads an HTTP stack (dnspython's DoH), 0.15 s

    query = dns.message.make_query("id.server", dns.rdatatype.TXT, dns.rdataclass.CH)
    try:
        response = await asyncquery.udp(query, endpoint.host, port=endpoint.port, timeout=timeout)
    except (dns.exception.Timeout, TimeoutError, OSError):
        return None
    except dns.exception.DNSException:
        return True  # something answered, and not like Cloudflare does
    texts = [
        b"".join(rdata.strings).decode("ascii", "replace")
        for rrset in response.answer
        if rrset.rdtype == dns.rdatatype.TXT
        for rdata in rrset
    ]
    return not (len(texts) == 1 and _COLO.match(texts[0]))
