"""A simulated Wix backend served as real HTTP on loopback, for the demo and the tests.

It implements the documented wire format of the Wix endpoints the app uses (Sender Emails,
Sender Details, Sending Domains, Account Details, OAuth client credentials) independently of the
app's own client in ``tui.wix`` -- it never imports it -- so contract tests catch disagreements.

    from tui.sandbox import SandboxServer

    with SandboxServer(scenario="fresh", time_scale=60) as server:
        creds = server.credentials[0]
        # call server.base_url with Authorization: creds.api_key, wix-site-id: creds.site_id
        # read verification codes at GET {base_url}/_sandbox/mailbox

It also serves a DNS world (:mod:`tui.sandbox.dns`) as real UDP+TCP servers on loopback:
``server.dns.authoritative`` (primary, secondary), ``server.dns.parent`` (the root and TLDs),
``server.dns.resolvers`` (caching resolvers with RFC 2308 negative caching, behaviours and
options) and ``server.dns.verifier``, the resolver the sandbox's Authenticate asks -- so
authenticating too early fails for a while, as in real life.

Everything in the world reads one :class:`~tui.clock.ScaledClock` (``server.clock``), so an
hour of DNS waiting can pass in a minute. ``GET /_sandbox/`` lists the scenario, the credentials
and every control route; ``python -m tui.sandbox`` serves it in the foreground.
"""

from tui.sandbox.dns.serve import DnsInfo, ResolverInfo
from tui.sandbox.dns.verifier import InProcessVerifierCheck, WireVerifierCheck
from tui.sandbox.dnscheck import DnsCheck, DnsCheckResult
from tui.sandbox.errors import SandboxError
from tui.sandbox.routes import ROUTE_NAMES
from tui.sandbox.scenarios import SCENARIOS, Scenario, SiteCredentials
from tui.sandbox.server import SandboxServer
from tui.sandbox.world import World

__all__ = [
    "ROUTE_NAMES",
    "SCENARIOS",
    "DnsCheck",
    "DnsCheckResult",
    "DnsInfo",
    "InProcessVerifierCheck",
    "ResolverInfo",
    "SandboxError",
    "SandboxServer",
    "Scenario",
    "SiteCredentials",
    "WireVerifierCheck",
    "World",
]
