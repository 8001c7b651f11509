"""Done-when of issue 12: at 80x24, right after publishing with a mistake (the demo's h, then a
mistake), the grid's rows, the ETA and the first diagnosis are on screen, with no key pressed
to scroll or to reach them."""

from __future__ import annotations

import os

import pytest

from tests.e2e.tmux import Terminal, have_tmux

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")


def test_after_publishing_with_a_mistake_the_grid_eta_and_diagnosis_are_on_screen() -> None:
    # The environment goes along explicitly: a tmux server that is already running would
    # otherwise start the app with its own (e.g. without the checkout's PYTHONPATH).
    env = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else None
    term = Terminal("demo", "--scenario", "midway", env=env)
    try:
        term.wait_for("SANDBOX 60x")
        term.keys("2")
        term.wait_for("DNS records (c copies")
        term.wait_for("next check in", timeout=30)
        term.keys("h")
        term.wait_for("Publish")
        term.keys("2")  # with the domain typed into the Host field (doubled suffix)
        screen = term.wait_for("[double_suffix]", timeout=30)
        lines = screen.splitlines()
        assert len(lines) <= 24
        assert sum("auth " in line and "missing" in line for line in lines) >= 1, screen
        assert sum(line.lstrip().startswith("isp-") for line in lines) >= 4, screen
        assert any(line.lstrip().startswith("resolver ") for line in lines), screen
        assert "No ETA yet" in screen, screen
        assert "enter only 's1._domainkey'" in screen.replace("\n", " ").lower(), screen
        assert "Authenticate (t)" in screen, screen
    finally:
        term.kill()
