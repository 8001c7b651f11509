"""Authenticate from the Domains pane: refused by the schedule, then allowed once the sandbox
clock (which is the app's) has moved on; the override's confirmation; Wix's refusal and the
4-hour rule; the times surviving a restart; and the journey to AUTHENTICATED."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support import SandboxControl
from tests.ui.conftest import messages, signed_in_app
from tests.ui.test_domains import (
    CRAWL,
    MIDWAY,
    SIZE,
    badges,
    note,
    open_domains,
    pane,
    publish,
    toast,
    wait_for,
    watch,
)
from tui.sandbox import SandboxServer
from tui.screens.authenticate import AuthPanel
from tui.screens.confirm import ConfirmScreen
from tui.store.credentials import SecretStores
from tui.store.paths import Paths

HOUR = 3600


@pytest.fixture
def server(sandbox_server: SandboxServer, control: SandboxControl) -> Iterator[SandboxServer]:
    """The session's sandbox in the midway scenario, its clock at a crawl (moved by hand)."""
    control.reset("midway")
    control.time_scale(CRAWL)
    yield sandbox_server


def saved(paths: Paths) -> dict[str, str]:
    """What state.json holds for the midway domain."""
    if not paths.state_file.exists():
        return {}
    data = json.loads(paths.state_file.read_text(encoding="utf-8"))
    return data["domains"].get(MIDWAY, {})


async def test_refused_by_the_schedule_then_allowed(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        assert "not yet" in note(app, "#auth-line")  # nothing seen, nothing marked
        await publish(pilot)
        await wait_for(pilot, lambda: "records_first_seen" in saved(paths))
        assert "allowed in" in note(app, "#auth-line")

        await pilot.press("t")  # too early: the override must be confirmed
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = str(app.screen.query_one("#confirm-body").content)
        assert "1 hour" in body and "The schedule allows the next attempt at" in body
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert "last_auth_attempt" not in saved(paths)

        control.advance(HOUR + 60)  # the schedule reads the app's clock, i.e. this one
        await wait_for(pilot, lambda: "allows an attempt now" in note(app, "#auth-line"))
        await pilot.press("t")  # no confirmation now
        await wait_for(pilot, lambda: badges(app)[MIDWAY] == "✓ authenticated")
        assert not isinstance(app.screen, ConfirmScreen)
        await toast(pilot, f"{MIDWAY} is authenticated")
        assert saved(paths)["last_auth_result"] == "authenticated"
        next_step = app.home.query_one("#next-step")
        await wait_for(pilot, lambda: "is authenticated" in str(next_step.content))


async def test_override_refusal_and_the_four_hours_survive_a_restart(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await pilot.press("m")  # "I added them" (they are not there: the wrong DNS host)
        await wait_for(pilot, lambda: "marked_added" in saved(paths))
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")  # try anyway
        await wait_for(pilot, lambda: "refused" in saved(paths).get("last_auth_result", ""))
        await toast(pilot, "4 hours between attempts")
        assert "Wix could not authenticate the domain" in messages(app)  # Wix's words
        assert badges(app)[MIDWAY] == "✗ not authenticated"

    # A new app on the same files: the attempt and its result are remembered.
    again = signed_in_app(paths, keyring_stores, server)
    async with again.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await wait_for(pilot, lambda: "allowed in" in note(again, "#auth-line"))
        assert "The last attempt failed" in note(again, "#auth-line")
        assert "Last attempt" in note(again, "#auth-last")
        assert "refused" in note(again, "#auth-last")

        control.advance(4 * HOUR + 60)
        await publish(pilot)
        await wait_for(pilot, lambda: "allows an attempt now" in note(again, "#auth-line"))
        await pilot.press("t")
        await wait_for(pilot, lambda: badges(again)[MIDWAY] == "✓ authenticated")
        assert saved(paths)["last_auth_result"] == "authenticated"


async def test_automatic_authentication_once_every_cell_is_ok(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        assert "off (u)" in note(app, "#auth-auto")
        await pilot.press("u")
        assert "on (u)" in note(app, "#auth-auto")
        await publish(pilot)  # two resolvers still cache 'does not exist': not yet
        assert badges(app)[MIDWAY] == "✗ not authenticated"
        control.advance(HOUR + 60)  # negatives expired and the hour waited
        before = watch(app).sweeps
        await pilot.press("r")
        await wait_for(pilot, lambda: watch(app).sweeps > before)
        await wait_for(pilot, lambda: badges(app)[MIDWAY] == "✓ authenticated")
        await toast(pilot, "authenticating")


async def test_an_unreadable_state_file_is_not_saved_over_and_the_app_says_so(
    paths: Paths,
    keyring_stores: SecretStores,
    server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    from tests.store.disk import make_unreadable

    paths.state_dir.mkdir(parents=True)
    paths.state_file.write_text(
        '{"schemaVersion": 1, "domains": '
        '{"other.example": {"marked_added": "2026-01-01T00:00:00+00:00"}}}'
    )
    before = paths.state_file.read_bytes()
    make_unreadable(paths.state_file, monkeypatch)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        assert "cannot be read" in messages(app)  # said at start
        await pilot.press("m")  # "I added them": a change to save
        await wait_for(pilot, lambda: "could not be written" in messages(app))
    monkeypatch.undo()
    os.chmod(paths.state_file, 0o600)
    assert paths.state_file.read_bytes() == before  # the other domain's time is still there


# --- issue 11: what an attempt was (fact sheet §1.6) -------------------------------------------


def _domain_id(app) -> str:
    panel = pane(app).query_one(AuthPanel)
    assert panel.domain is not None and panel.domain.domain == MIDWAY
    return panel.domain.id


async def _allowed(pilot, app, control: SandboxControl) -> None:
    await open_domains(pilot)
    await pilot.press("m")
    await wait_for(pilot, lambda: "marked_added" in saved(paths_of(app)))
    control.advance(HOUR + 60)
    await wait_for(pilot, lambda: "allows an attempt now" in note(app, "#auth-line"))


def paths_of(app) -> Paths:
    return app.services.paths


async def test_a_200_still_not_authenticated_says_the_dns_check_failed(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await _allowed(pilot, app, control)
        unchanged = {
            "sendingDomain": {
                "id": _domain_id(app),
                "domain": MIDWAY,
                "status": "NOT_AUTHENTICATED",
            }
        }
        control.fault("sending-domains.authenticate", "body", body=unchanged, status=200)
        await pilot.press("t")
        await wait_for(
            pilot, lambda: "DNS check failed" in saved(paths).get("last_auth_result", "")
        )
        await toast(pilot, "The DNS check failed")
        await toast(pilot, "4 hours between attempts")
        assert f"{MIDWAY} is authenticated" not in messages(app)
        assert badges(app)[MIDWAY] == "✗ not authenticated"
        await wait_for(pilot, lambda: "The last attempt failed" in note(app, "#auth-line"))


async def test_a_refusal_while_initializing_is_not_an_attempt(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await _allowed(pilot, app, control)
        domain_id = _domain_id(app)
        refusal = {"message": "not yet", "details": {"applicationError": {"code": "ANY_CODE"}}}
        control.fault("sending-domains.authenticate", "body", body=refusal, status=428)
        initializing = {
            "sendingDomain": {"id": domain_id, "domain": MIDWAY, "status": "INITIALIZING"}
        }
        control.fault("sending-domains.get", "body", body=initializing, status=200)
        await pilot.press("t")
        await toast(pilot, "not ready yet")
        assert "4-hour wait does not start" in messages(app)
        assert "last_auth_attempt" not in saved(paths)  # no DNS check: not an attempt
        await wait_for(pilot, lambda: badges(app)[MIDWAY] == "⧗ initializing")
