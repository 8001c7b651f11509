"""The Done-when of the TUI, as a new user does it: the installed ``wix-sending demo`` in an
80x24 tmux pane, keys only, from a fresh site to an AUTHENTICATED domain. The user reads the
code off the screen (the demo mailbox toast), publishes the records at the sandbox's DNS host
and watches the grid turn green. The sandbox clock runs at 600x so an hour takes six seconds."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.tmux import Terminal, have_tmux

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")

ADDRESS = "hello@sunrise-bakery.example"
DOMAIN = "sunrise-bakery.example"


def type_text(term: Terminal, text: str) -> None:
    term.keys("-l", text)


def test_demo_from_a_fresh_site_to_an_authenticated_domain() -> None:
    term = Terminal("demo", "--time-scale", "600")
    try:
        term.wait_for("SANDBOX 600x")
        term.wait_for("press a to add")

        # The sender email.
        term.keys("a")
        term.wait_for("Address to send from")
        type_text(term, ADDRESS)
        term.keys("Enter")
        term.wait_for("✗ not verified")

        # The code: Wix emails it; the demo shows the sandbox mailbox in the code screen.
        term.keys("v")
        screen = term.wait_for("the latest code sent is")
        found = re.search(r"the latest code sent is (\w+)", screen)
        assert found, screen
        term.wait_for("Code from the email")
        type_text(term, found.group(1))
        term.keys("Enter")
        term.wait_for("✓ verified")

        # Sender details: Wix then prepares the sending domain.
        term.keys("c")
        term.wait_for("Create sender details")
        type_text(term, "Sunrise Bakery")
        term.keys("Enter")
        term.wait_for("Default sender: Sunrise Bakery")

        # The Domains pane: the records Wix made (INITIALIZING is over in a fraction of a second
        # at this speed), published at the sandbox's DNS host as a user would at theirs.
        term.keys("2")
        term.wait_for("DNS records (c copies")
        term.wait_for(f"s1._domainkey.{DOMAIN}", timeout=30)
        term.keys("h")
        term.wait_for("The mistakes show what the grid")
        term.keys("1")
        term.wait_for("Published")

        # The grid, further down the pane: Tab moves into it and scrolls it into view.
        time.sleep(1)
        term.keys("Tab")
        time.sleep(0.3)
        term.keys("Tab")
        term.wait_for("auth 127.0.0.1")
        term.wait_for("All records are visible", timeout=30)

        # An hour after the records were first seen (six seconds here) the schedule allows
        # Authenticate, and Wix's check passes.
        term.keys("Escape")
        time.sleep(6)
        for _ in range(10):  # a slow machine: the hour may not be over yet; then not now (n)
            term.keys("t")
            screen = term.wait_for_any(
                "is authenticated: email goes out from your own", "before the schedule allows?"
            )
            if "before the schedule allows?" not in screen:
                break
            term.keys("n")
            time.sleep(2)
        screen = term.wait_for("is authenticated: email goes out from your own", timeout=30)
        assert "Traceback" not in screen
        # Back at the top of the pane, the domain's badge says so too.
        term.keys("BTab")
        time.sleep(0.3)
        term.keys("BTab")
        term.wait_for("✓ authenticated")
    finally:
        term.kill()
