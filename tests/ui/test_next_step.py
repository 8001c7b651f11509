""" "Next:" agrees with the pane: it names the domain the Domains pane shows, the key the user
really has for an action (after the config's [keymap]), and the fix a diagnosis gives. At
80x24, against the sandbox over loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import SandboxControl
from tests.ui.test_domains import (
    CRAWL,
    SIZE,
    grid,
    note,
    open_domains,
    pane,
    publish,
    wait_for,
    watch,
)
from tui.app import WixSendingApp
from tui.demo import SandboxLink
from tui.launch import demo_app
from tui.sandbox import SandboxServer
from tui.store.config import Config
from tui.store.credentials import SecretStores
from tui.store.paths import Paths
from tui.widgets.fields import Note
from tui.widgets.records import DomainTable


@pytest.fixture
def server(sandbox_server: SandboxServer, control: SandboxControl) -> Iterator[SandboxServer]:
    control.time_scale(CRAWL)
    yield sandbox_server


def app_with(
    paths: Paths, stores: SecretStores, server: SandboxServer, config: Config | None = None
) -> WixSendingApp:
    return demo_app(
        paths,
        SandboxLink.from_server(server),
        server.credentials[0],
        clock=server.clock,
        scenario="test",
        stores=stores,
        config=config,
    )


def next_line(app: WixSendingApp) -> str:
    return str(app.home.query_one("#next-step", Note).content)


def shown(app: WixSendingApp) -> str:
    domain = pane(app)._domain
    return domain.domain if domain is not None else ""


async def test_next_names_the_domain_the_pane_shows(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("agency")
    app = app_with(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        table = pane(app).query_one(DomainTable)
        assert table.row_count >= 2
        seen = set()
        for _ in range(table.row_count):
            await wait_for(pilot, lambda: shown(app) and f"{shown(app)}" in next_line(app))
            seen.add(shown(app))
            table.focus()
            await pilot.press("down")
            await pilot.pause()
        assert len(seen) >= 2  # the line followed the selection, domain after domain


async def test_next_names_the_remapped_key(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("fresh")
    config = Config(keymap={"senders-add": "f6"})
    app = app_with(paths, keyring_stores, server, config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Add the address" in next_line(app))
        assert "press f6 in Senders" in next_line(app)
        assert "press a" not in next_line(app)

        # The pane's own hint names the same key.
        def hint() -> str:
            found = app.screen.query("#emails-status").results(Note)
            return " ".join(str(n.content) for n in found)

        await wait_for(pilot, lambda: "press f6 to add" in hint())
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "emails-table")
        await pilot.press("f6")  # and the key it names does what it says
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "new-email")


async def test_next_says_the_diagnosis_fix(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    app = app_with(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await open_domains(pilot)
        await wait_for(pilot, lambda: grid(app).report is not None and not watch(app).sweeping)
        await publish(pilot, variant=5)  # "with the underscore missing (s1.domainkey)"
        assert "[typo_underscore]" in note(app, "#diagnoses")
        await wait_for(pilot, lambda: "Rename the host" in next_line(app))
        line = next_line(app)
        # The diagnosis names long hosts in full, so "Next:" says its fix in short.
        assert line.startswith(f"Next: {shown(app)}: Rename the host: ")
        assert "Add them at" not in line and "The same goes for" not in line
