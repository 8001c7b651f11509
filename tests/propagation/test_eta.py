"""The overall ETA's sentence when nothing counts down: silence is not success."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.propagation import Role, Status
from tui.propagation.classify import Truth
from tui.propagation.eta import overall
from tui.propagation.model import Cell

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
NAME = "s1._domainkey.example.com"
TRUTHS = {NAME: Truth(served=True, target="s1.esp.example")}
ROLES = {"ns1": Role.AUTHORITATIVE, "google": Role.PUBLIC}


def _cells(public: Status) -> list[Cell]:
    return [Cell(NAME, "ns1", Status.OK), Cell(NAME, "google", public)]


def test_records_visible_everywhere_that_answered_are_ready() -> None:
    eta = overall(_cells(Status.OK), TRUTHS, ROLES, NOW)
    assert eta.ready and "every resolver that answered" in eta.sentence


def test_only_the_authoritative_servers_answering_is_not_ready() -> None:
    eta = overall(_cells(Status.UNREACHABLE), TRUTHS, ROLES, NOW)
    assert not eta.ready
    assert "no public resolver answered" in eta.sentence
