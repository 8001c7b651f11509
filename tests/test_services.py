"""The services object's engine: the resolvers the grid asks, and what it says about a config
whose [resolvers] cannot be used."""

from __future__ import annotations

from tui.clock import SYSTEM_CLOCK
from tui.propagation.resolvers import BUILTIN_PUBLIC
from tui.services import Engine
from tui.store.config import Config


def test_a_bad_resolvers_table_falls_back_and_says_so() -> None:
    engine = Engine(SYSTEM_CLOCK, Config(resolvers={"remove": ["no-such-resolver"]}), None)
    keys = [r.key for r in engine.resolvers()]
    assert keys[-len(BUILTIN_PUBLIC) :] == [r.key for r in BUILTIN_PUBLIC]
    assert "[resolvers] is not usable" in engine.problem
    assert "no-such-resolver" in engine.problem


def test_a_good_resolvers_table_is_used_quietly() -> None:
    first = BUILTIN_PUBLIC[0].key
    engine = Engine(SYSTEM_CLOCK, Config(resolvers={"remove": [first]}), None)
    assert first not in [r.key for r in engine.resolvers()]
    assert engine.problem == ""
