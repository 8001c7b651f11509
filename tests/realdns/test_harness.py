"""The harness itself: servers come up on fresh ports when one was taken, and go away by PID."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.realdns import servers
from tests.realdns.conftest import World
from tests.realdns.servers import Blackhole, Unbound, answered, ask, require_programs

require_programs()


def test_a_taken_port_means_a_restart_on_fresh_ones(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between choosing a free port and binding it, another process may take it (the machine
    is shared): unbound then exits, and the harness starts it again on fresh ports."""
    taken = Blackhole()  # holds the port, UDP and TCP
    fresh = servers.free_port
    handed = iter([taken.port])
    monkeypatch.setattr(servers, "free_port", lambda: next(handed, None) or fresh())
    resolver = Unbound(tmp_path / "unbound", {"esp.test": world.auth.port})
    try:
        resolver.start()
        assert resolver.port != taken.port
        assert "could not open ports" in resolver.output()  # the first attempt's, kept in the log
        assert answered(ask(resolver.port, "s1.dkim.esp.test", "TXT"), "TXT")
        process = resolver.process
        assert process is not None
    finally:
        resolver.stop()
        taken.close()
    assert process.poll() is not None  # stopped, and reaped
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)
