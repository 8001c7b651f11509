"""One real DNS world for the suite: NSD serving a zone per scenario, unbound and BIND caching in
front of it. Each test works in its own zone, so one test's questions (and unbound's one SOA per
zone, dns.md) cannot move another's countdowns.

The test modules skip themselves, naming what is missing, when the programs are not installed
(servers.require_programs), so nothing here starts unless they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.realdns.judge import MEASURED
from tests.realdns.servers import Authoritative, Bind, Unbound, Zone

# Where the records point: an ESP's zone, with the TXT (DKIM key) a verifier reads at the end of
# the CNAME, so questions that follow the CNAME get an answer.
ESP = Zone(
    "esp.test",
    records=[
        f'{label}.dkim TXT "v=DKIM1; k=rsa; p={label}"' for label in ("s1", "s2", "old", "new")
    ],
)
# One zone per scenario (the test that uses it is named in its module).
SCENARIOS = (
    "early.test",
    "cli.test",
    "stale.test",
    "soa.test",
    "soaself.test",
    "types.test",
    "txt.test",
    "deadpath.test",
    "servestale.test",
    # test_mailauth.py: a From domain, its SPF include targets, and a domain with too many.
    "mailauth.test",
    "spfhost.test",
    "toomany.test",
)
LONG_NEGATIVE = 86400  # a zone whose negatives outlive every resolver's cap
CAPPED = ("capped.test", "cost.test")


@dataclass
class World:
    auth: Authoritative
    unbound: Unbound
    bind: Bind
    root: Path

    @property
    def resolvers(self) -> dict[str, int]:
        return {"unbound": self.unbound.port, "bind": self.bind.port}


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("realdns")
    zones = [
        ESP,
        *(Zone(apex) for apex in SCENARIOS),
        *(Zone(apex, negative_ttl=LONG_NEGATIVE) for apex in CAPPED),
    ]
    auth = Authoritative(root / "nsd", zones)
    servers = [auth]
    try:
        auth.start()
        to_auth = {zone.apex: auth.port for zone in zones}
        unbound = Unbound(root / "unbound", to_auth)
        servers.append(unbound)
        unbound.start()
        bind = Bind(root / "bind", to_auth)
        servers.append(bind)
        bind.start()
        yield World(auth, unbound, bind, root)
    finally:
        for server in reversed(servers):
            server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if MEASURED:
        terminalreporter.section("realdns: the engine's countdowns against the real caches")
        for line in MEASURED:
            terminalreporter.write_line(line)
