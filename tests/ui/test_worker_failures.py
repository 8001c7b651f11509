"""One error path for every worker: each job of the app is made to fail with an unexpected
exception, and then

- one line says what failed, that it is a bug (never "the network"), and what happens next;
- the log file has the traceback;
- nothing on screen is a traceback;
- the widget that ran it works again (busy flags reset, a retry offered or scheduled).

Every job declared in the app (``tui.widgets.jobs.JOBS``) must have a case here: a new worker
without one fails ``test_every_job_has_a_case``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, RadioButton
from textual.worker import WorkerState

import tui.launch  # noqa: F401 - every module with jobs is imported, so JOBS is complete
import tui.propagation.sweep as sweep_module
import tui.screens.doctor as doctor_module
import tui.screens.domains as domains_module
import tui.screens.login as login_module
from tests.conftest import client_for, site
from tests.support import SandboxControl
from tests.ui.conftest import messages, paste_into, save_profile, signed_in_app, status_text
from tui.app import WixSendingApp
from tui.demo import SandboxLink
from tui.flow.findings import Finding, Severity
from tui.launch import build_app, demo_app
from tui.notify import Notifier
from tui.sandbox import SandboxServer
from tui.screens.about import AboutScreen
from tui.screens.authenticate import AuthPanel
from tui.screens.choice import ChoiceScreen
from tui.screens.code import CodeScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.doctor import DoctorPane
from tui.screens.domains import DomainsPane
from tui.screens.guided_fix import GuidedFixScreen
from tui.screens.login import LoginScreen
from tui.screens.passphrase import PassphraseScreen
from tui.screens.sender_details import CreateSenderDetailsScreen
from tui.screens.senders import SendersPane
from tui.store.config import NotifyConfig
from tui.store.credentials import SecretStores
from tui.store.logs import setup_logging
from tui.store.paths import Paths
from tui.store.profiles import Profile, Storage
from tui.widgets.email_form import AddEmailForm
from tui.widgets.fields import ErrorLine, Note
from tui.widgets.grid import PropagationWatch
from tui.widgets.jobs import JOBS
from tui.widgets.pane import DoctorChecked
from tui.widgets.records import DomainList

SIZE = (100, 40)
CRAWL = 0.001  # the sandbox clock: nothing moves by itself
MIDWAY_DOMAIN = "harbor-ceramics.example"


class Injected(RuntimeError):
    """The planted bug."""


class Trap:
    """Stands in for a function: raises :class:`Injected` while armed, else calls the real one."""

    def __init__(self, name: str, real: Callable[..., Any]) -> None:
        self.name, self.real, self.armed, self.sprung = name, real, True, 0

    def _spring(self) -> None:
        self.sprung += 1
        raise Injected(f"injected into {self.name}")

    def sync(self, *args: Any, **kwargs: Any) -> Any:
        if self.armed:
            self._spring()
        return self.real(*args, **kwargs)

    async def coro(self, *args: Any, **kwargs: Any) -> Any:
        if self.armed:
            self._spring()
        return await self.real(*args, **kwargs)


def trap(mp: pytest.MonkeyPatch, owner: object, attribute: str, *, coro: bool = False) -> Trap:
    """Replace ``owner.attribute`` (an instance's method, a module's function, or a class's
    method, which then still receives ``self``) by a :class:`Trap`."""
    real = getattr(owner, attribute)
    name = owner.__name__ if isinstance(owner, type) else type(owner).__name__
    found = Trap(f"{name}.{attribute}", real)
    replacement: Callable[..., Any] = found.coro if coro else found.sync
    if isinstance(owner, type):
        # A plain function, so that instances still bind it (a bound method would not).
        if coro:

            async def method(self: object, *args: Any, **kwargs: Any) -> Any:
                return await found.coro(self, *args, **kwargs)
        else:

            def method(self: object, *args: Any, **kwargs: Any) -> Any:
                return found.sync(self, *args, **kwargs)

        replacement = method
    mp.setattr(owner, attribute, replacement)
    return found


async def calm(pilot: Pilot[Any]) -> None:
    """Until no worker is pending or running (a failed one is fine: that is the point)."""
    for _ in range(200):
        await pilot.pause()
        if not any(
            w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers
        ):
            return
        await pilot.pause(0.05)


@dataclass
class World:
    pilot: Pilot[None]
    app: WixSendingApp
    mp: pytest.MonkeyPatch
    paths: Paths
    control: SandboxControl
    server: SandboxServer

    @property
    def client(self) -> Any:
        assert self.app.session is not None
        return self.app.session.client

    async def until(self, what: Callable[[], object], limit: float = 15.0) -> None:
        for _ in range(int(limit / 0.05)):
            if what():
                return
            await self.pilot.pause(0.05)
        raise AssertionError(f"still not true after {limit} s: {what} (screen {self.app.screen})")

    async def failed(self, job: str) -> str:
        """Wait for the one line of ``job``'s failure and check it, the log and the screen."""
        declared = JOBS[job]
        head = f"✗ {declared.what} failed: an unexpected error, a bug in wix-sending"
        await self.until(lambda: head in messages(self.app))
        line = next(line for line in messages(self.app).splitlines() if head in line)
        assert "Injected: injected into" in line
        assert "network" not in line and "cannot be reached" not in line
        assert "The details are in the log file." in line
        logged = self.paths.log_file.read_text(encoding="utf-8")
        assert f"{declared.what} failed (worker {job}" in logged
        assert "Traceback (most recent call last)" in logged and "Injected: injected" in logged
        assert "Traceback" not in self.app.export_screenshot()
        return line

    async def pane(self, key: str) -> None:
        """The home screen with pane 1 or 2 chosen and loaded."""
        await self.until(lambda: self.app.screen is self.app.home and self.app.home.query("#panes"))
        await self.pilot.press(key)
        await calm(self.pilot)


Case = Callable[[World], Awaitable[None]]
CASES: dict[str, tuple[str, Case]] = {}  # job name -> (scenario, case)


def case(job: str, scenario: str = "midway") -> Callable[[Case], Case]:
    def register(run: Case) -> Case:
        CASES[job] = (scenario, run)
        return run

    return register


def senders(w: World) -> SendersPane:
    return w.app.home.query_one(SendersPane)


def domains(w: World) -> DomainsPane:
    return w.app.home.query_one(DomainsPane)


# --- the app: profiles and the session ---------------------------------------------------------


@case("SignInApp._load_from_keyring", scenario="login")
async def _(w: World) -> None:
    # The app was started with a keyring profile whose read fails (see the fixture).
    await w.failed("SignInApp._load_from_keyring")
    await w.until(lambda: isinstance(w.app.screen, LoginScreen))
    assert w.app.screen.query_one("#site", Input).value == site(w.server).site_id


@case("SignInApp._prepare_start", scenario="fresh-start-fails")
async def _(w: World) -> None:
    # The demo's sandbox failed to start (after the first frame, on its thread).
    await w.failed("SignInApp._prepare_start")
    assert w.app.session is None
    assert "signing in" not in status_text(w.app)


@case("SignInApp._logout", scenario="login-ok")
async def _(w: World) -> None:
    await w.until(lambda: w.app.session is not None and w.app.screen is w.app.home)
    deleting = trap(w.mp, w.app.services.stores, "delete")
    await w.pilot.press("l")
    await w.until(lambda: isinstance(w.app.screen, ConfirmScreen))
    await w.pilot.press("y")
    await w.failed("SignInApp._logout")
    assert w.app.session is not None and "acme" in w.app.profiles.profiles  # kept
    deleting.armed = False
    await w.pilot.press("l")
    await w.until(lambda: isinstance(w.app.screen, ConfirmScreen))
    await w.pilot.press("y")
    await w.until(lambda: w.app.session is None and isinstance(w.app.screen, LoginScreen))


@case("SignInApp._save_profiles", scenario="login-ok")
async def _(w: World) -> None:
    await w.until(lambda: w.app.session is not None)
    writing = trap(w.mp, w.app, "_write_profiles")
    w.app._save_profiles()
    await w.failed("SignInApp._save_profiles")
    writing.armed = False
    w.app._save_profiles()
    await calm(w.pilot)
    assert writing.sprung == 1 and w.paths.profiles_file.exists()


@case("SignInApp._load_state")
async def _(w: World) -> None:
    # The app read state.json at start already; the same job run again, failing this time.
    await w.until(lambda: w.app.session is not None)
    loading = trap(w.mp, w.app.services.state, "load")
    w.app._load_state()
    await w.failed("SignInApp._load_state")
    loading.armed = False
    w.app._load_state()
    await calm(w.pilot)
    assert loading.sprung == 1 and w.app.services.state.domain("x.example") is not None


@case("WixSendingApp.close_client")
async def _(w: World) -> None:
    await w.until(lambda: w.app.session is not None)
    credentials = w.app.credentials
    assert credentials is not None
    trap(w.mp, w.client, "aclose", coro=True)
    w.app.sign_out()
    await w.failed("WixSendingApp.close_client")
    assert w.app.sign_in(credentials) and w.app.session is not None


# --- the Senders pane and its modals ------------------------------------------------------------


@case("SendersPane._load")
async def _(w: World) -> None:
    await w.pane("1")
    reading = trap(w.mp, w.client, "list_sender_emails", coro=True)
    await w.pilot.press("r")
    await w.failed("SendersPane._load")
    status = senders(w).query_one("#emails-status", Note)
    assert "could not be read (a bug)" in str(status.content)
    reading.armed = False
    await w.pilot.press("r")
    await w.until(lambda: "verified" in str(status.content))


@case("SendersPane._delete")
async def _(w: World) -> None:
    await w.pane("1")
    pane = senders(w)
    await w.until(lambda: pane.emails_table.row_count >= 1)
    count = pane.emails_table.row_count
    pane.emails_table.focus()
    deleting = trap(w.mp, w.client, "delete_sender_email", coro=True)
    await w.pilot.press("d")
    await w.until(lambda: isinstance(w.app.screen, ConfirmScreen))
    await w.pilot.press("y")
    line = await w.failed("SendersPane._delete")
    assert "read again" in line and not pane.busy
    deleting.armed = False
    await w.pilot.press("d")
    await w.until(lambda: isinstance(w.app.screen, ConfirmScreen))
    await w.pilot.press("y")
    await w.until(lambda: pane.emails_table.row_count == count - 1)


@case("SenderDetailsSection._mark_default")
async def _(w: World) -> None:
    await w.pane("1")
    pane = senders(w)
    await w.until(lambda: pane.details_table.row_count >= 1)
    details = next(d for d in pane.details_table.details.values() if d.default)
    marking = trap(w.mp, w.client, "mark_sender_details_as_default", coro=True)
    pane.details.busy = True
    pane.details._mark_default(details)
    await w.failed("SenderDetailsSection._mark_default")
    assert not pane.details.busy
    marking.armed = False
    pane.details_table.focus()
    await w.pilot.press("m")  # the key works again (it is the default already: it says so)
    await w.until(lambda: "is the default already" in messages(w.app))


async def _unverified_address(w: World) -> None:
    async with client_for(w.server, site(w.server)) as wix:
        await wix.create_sender_email("new@harbor-ceramics.example")
    await w.pane("1")
    await w.pilot.press("r")
    pane = senders(w)
    await w.until(lambda: pane.emails_table.find_address("new@harbor-ceramics.example"))
    found = pane.emails_table.find_address("new@harbor-ceramics.example")
    assert found is not None
    pane.emails_table.focus()
    pane.emails_table.select_key(found.id)


@case("CodeScreen._send")
async def _(w: World) -> None:
    await _unverified_address(w)
    sending = trap(w.mp, w.client, "send_verification_code", coro=True)
    await w.pilot.press("v")
    line = await w.failed("CodeScreen._send")
    screen = w.app.screen
    assert isinstance(screen, CodeScreen) and not screen.sending
    # Whether the code went out is unknown: the cooldown runs, so no second email unasked.
    assert "resend countdown started" in line
    assert screen.resend_wait.total_seconds() > 0
    assert screen.query_one("#code-resend", Button).disabled
    sending.armed = False
    await w.pilot.press("escape")
    await w.until(lambda: w.app.screen is w.app.home)


@case("CodeScreen._read_mailbox")
async def _(w: World) -> None:
    await _unverified_address(w)
    await w.pilot.press("v")  # sends the code, and reads it from the demo mailbox
    await w.until(lambda: isinstance(w.app.screen, CodeScreen))
    await calm(w.pilot)
    await w.pilot.press("escape")
    await w.until(lambda: w.app.screen is w.app.home)
    sandbox = w.app.services.sandbox
    assert sandbox is not None
    reading = trap(w.mp, sandbox, "latest_code", coro=True)
    await w.pilot.press("v")  # a code was sent already: only the mailbox is read
    await w.failed("CodeScreen._read_mailbox")
    screen = w.app.screen
    assert isinstance(screen, CodeScreen) and not screen.sending
    reading.armed = False
    code = w.control.latest_code("new@harbor-ceramics.example")
    await paste_into(w.pilot, "#code", code)
    await w.pilot.press("enter")
    await w.until(lambda: w.app.screen is w.app.home)


@case("CodeScreen._verify")
async def _(w: World) -> None:
    await _unverified_address(w)
    await w.pilot.press("v")
    await w.until(lambda: isinstance(w.app.screen, CodeScreen))
    await calm(w.pilot)
    checking = trap(w.mp, w.client, "verify_sender_email", coro=True)
    code = w.control.latest_code("new@harbor-ceramics.example")
    await paste_into(w.pilot, "#code", code)
    await w.pilot.press("enter")
    await w.failed("CodeScreen._verify")
    screen = w.app.screen
    assert isinstance(screen, CodeScreen) and not screen.verifying
    checking.armed = False
    await w.pilot.press("enter")
    await w.until(lambda: w.app.screen is w.app.home)
    await w.until(lambda: "is verified" in messages(w.app))


@case("CreateSenderDetailsScreen._create")
async def _(w: World) -> None:
    await w.pane("1")
    creating = trap(w.mp, w.client, "create_sender_details", coro=True)
    await w.pilot.press("c")
    await w.until(lambda: isinstance(w.app.screen, CreateSenderDetailsScreen))
    await paste_into(w.pilot, "#from-name", "Harbor News")
    await w.pilot.press("enter")
    await w.failed("CreateSenderDetailsScreen._create")
    screen = w.app.screen
    assert isinstance(screen, CreateSenderDetailsScreen) and not screen.busy
    error = screen.query_one("#details-form-error", ErrorLine)
    assert "may or may not have been created" in error.message
    creating.armed = False
    await w.pilot.press("enter")  # the form works again: this time Wix answers
    await w.until(lambda: w.app.screen is w.app.home or "may or may not" not in error.message)


@case("GuidedFixScreen._load")
async def _(w: World) -> None:
    await w.pane("1")
    reading = trap(w.mp, w.client, "list_sender_emails", coro=True)
    w.app.push_screen(GuidedFixScreen())
    await w.failed("GuidedFixScreen._load")
    reading.armed = False
    await w.pilot.press("n")
    await w.pilot.press("c")  # check again: works now (the site has sender details: it closes)
    await w.until(lambda: w.app.screen is w.app.home)


@case("AddEmailForm._create")
async def _(w: World) -> None:
    await w.pane("1")
    adding = trap(w.mp, w.client, "create_sender_email", coro=True)
    await w.pilot.press("a")
    await paste_into(w.pilot, "#new-email", "more@harbor-ceramics.example")
    await w.pilot.press("enter")
    await w.failed("AddEmailForm._create")
    form = w.app.home.query_one(AddEmailForm)
    assert not form.busy
    adding.armed = False
    await w.pilot.press("enter")
    pane = senders(w)
    await w.until(lambda: pane.emails_table.find_address("more@harbor-ceramics.example"))


# --- the Domains pane ----------------------------------------------------------------------------


async def _domains_loaded(w: World) -> DomainsPane:
    await w.pane("2")
    pane = domains(w)
    await w.until(lambda: pane.query_one(DomainList).domains)
    return pane


@case("DomainList._load")
async def _(w: World) -> None:
    pane = await _domains_loaded(w)
    reading = trap(w.mp, w.client, "query_sending_domains", coro=True)
    await w.pilot.press("R")
    await w.failed("DomainList._load")
    note = pane.query_one("#domains-message", Note)
    assert "a bug" in str(note.content) and "Press R" in str(note.content)
    reading.armed = False
    await w.pilot.press("R")
    await w.until(lambda: not str(note.content))


@case("DomainList._poll")
async def _(w: World) -> None:
    pane = await _domains_loaded(w)
    listing = pane.query_one(DomainList)
    polling = trap(w.mp, w.client, "query_sending_domains", coro=True)
    listing._poll(listing._generation, [MIDWAY_DOMAIN])
    await w.failed("DomainList._poll")
    assert listing.poll_due is None  # a bug is not retried by itself
    polling.armed = False
    listing._poll(listing._generation, [MIDWAY_DOMAIN])
    await calm(w.pilot)
    assert polling.sprung == 1


@case("DomainsPane._export")
async def _(w: World) -> None:
    pane = await _domains_loaded(w)
    exporting = trap(w.mp, domains_module.exporting, "export")
    w.mp.chdir(w.paths.data_dir.parent)
    await w.pilot.press("e")
    await w.until(lambda: isinstance(w.app.screen, ChoiceScreen))
    await w.pilot.press("1")
    await w.failed("DomainsPane._export")
    exporting.armed = False
    await w.pilot.press("e")
    await w.until(lambda: isinstance(w.app.screen, ChoiceScreen))
    await w.pilot.press("1")
    await w.until(lambda: "Exported" in str(pane.query_one("#export-note", Note).content))


@case("DomainsPane._sandbox_dns")
async def _(w: World) -> None:
    await _domains_loaded(w)
    sandbox = w.app.services.sandbox
    assert sandbox is not None
    publishing = trap(w.mp, sandbox, "publish", coro=True)
    await w.pilot.press("h")
    await w.until(lambda: isinstance(w.app.screen, ChoiceScreen))
    await w.pilot.press("1")
    await w.failed("DomainsPane._sandbox_dns")
    publishing.armed = False
    await w.pilot.press("h")
    await w.until(lambda: isinstance(w.app.screen, ChoiceScreen))
    await w.pilot.press("1")
    await w.until(lambda: "Published" in messages(w.app))


@case("PropagationWatch._sweep")
async def _(w: World) -> None:
    pane = await _domains_loaded(w)
    watch = pane.query_one(PropagationWatch)
    await w.until(lambda: watch.sweeps >= 1 and not watch.sweeping)
    sweeping = trap(w.mp, sweep_module.Prober, "sweep", coro=True)
    await w.pilot.press("r")
    await w.failed("PropagationWatch._sweep")
    # A bug is not a network problem, and not retried every 30 s: paused until r.
    assert watch.due is None and not watch.sweeping
    status = str(pane.query_one("#grid-status", Note).content)
    assert "a bug" in status and "r checks again" in status
    sweeping.armed = False
    before = watch.sweeps
    await w.pilot.press("r")
    await w.until(lambda: watch.sweeps > before)


@case("PropagationWatch.close_prober")
async def _(w: World) -> None:
    pane = await _domains_loaded(w)
    watch = pane.query_one(PropagationWatch)
    await w.until(lambda: watch.sweeps >= 1 and not watch.sweeping)
    trap(w.mp, sweep_module.Prober, "aclose", coro=True)
    records = list(watch.records)
    watch.unfollow()
    await w.failed("PropagationWatch.close_prober")
    watch.follow(MIDWAY_DOMAIN, records)
    before = watch.sweeps
    await w.pilot.press("r")
    await w.until(lambda: watch.sweeps > before)


@case("AuthPanel._attempt")
async def _(w: World) -> None:
    pane = await _domains_loaded(w)
    panel = pane.query_one(AuthPanel)
    await w.until(lambda: panel.domain is not None)
    asking = trap(w.mp, w.client, "authenticate_sending_domain", coro=True)
    assert panel.domain is not None
    panel._attempt(panel.domain)
    line = await w.failed("AuthPanel._attempt")
    assert "press R to read the domain's status" in line and not panel.attempting
    asking.armed = False
    await w.pilot.press("t")  # the key works again: the schedule asks first
    await w.until(lambda: isinstance(w.app.screen, ConfirmScreen))
    await w.pilot.press("n")


@case("AuthPanel.save")
async def _(w: World) -> None:
    await _domains_loaded(w)
    saving = trap(w.mp, w.app.services.state, "save")
    await w.pilot.press("m")
    await w.failed("AuthPanel.save")
    state = w.app.services.state.domain(MIDWAY_DOMAIN)
    assert state.marked_added is not None  # kept in memory
    saving.armed = False
    await w.pilot.press("m")  # marked already: it says so
    await w.until(lambda: "Already marked as added" in messages(w.app))


# --- the Doctor pane -----------------------------------------------------------------------------


def doctor(w: World) -> DoctorPane:
    return w.app.home.query_one(DoctorPane)


@case("DoctorPane._check_up")
async def _(w: World) -> None:
    checking = trap(w.mp, doctor_module, "gather", coro=True)
    await w.pane("3")
    line = await w.failed("DoctorPane._check_up")
    pane = doctor(w)
    # Said on the pane too, and retried by itself at the next check.
    assert "It runs again at" in line and not pane.checking and pane.due is not None
    assert "failed" in str(pane.query_one("#doctor-problem", Note).content)
    checking.armed = False
    await w.pilot.press("r")
    await w.until(lambda: pane.checks == 1 and not pane.checking)
    assert not str(pane.query_one("#doctor-problem", Note).content)


@case("DoctorPane._save_state")
async def _(w: World) -> None:
    # The records are served: the first check-up notes when they were first seen, and saves it.
    w.control.publish(MIDWAY_DOMAIN)
    saving = trap(w.mp, w.app.services.state, "save")
    await w.pane("3")
    await w.failed("DoctorPane._save_state")
    pane = doctor(w)
    assert pane.checks == 1  # the check-up itself went on
    assert w.app.services.state.domain(MIDWAY_DOMAIN).records_first_seen is not None  # kept
    saving.armed = False
    pane._save_state()
    await calm(w.pilot)
    assert saving.sprung == 1 and w.paths.state_file.exists()


# --- the login form, About and the passphrase ----------------------------------------------------


@case("LoginScreen._probe_keyring", scenario="login-form-broken-keyring")
async def _(w: World) -> None:
    await w.failed("LoginScreen._probe_keyring")
    screen = w.app.screen
    assert isinstance(screen, LoginScreen)
    button = screen.query_one("#storage-keyring", RadioButton)
    assert "could not be checked" in str(button.label)
    screen.query_one("#storage-session", RadioButton).value = True  # the others still work


@case("LoginScreen._check_and_save", scenario="login-form")
async def _(w: World) -> None:
    checking = trap(w.mp, login_module, "check_key", coro=True)
    await w.until(lambda: isinstance(w.app.screen, LoginScreen))
    screen = w.app.screen
    creds = site(w.server)
    await paste_into(w.pilot, "#site", creds.site_id)
    await paste_into(w.pilot, "#key", creds.api_key)
    screen.query_one("#storage-session", RadioButton).value = True
    await w.pilot.press("enter")
    await w.failed("LoginScreen._check_and_save")
    assert not screen.query_one("#submit", Button).disabled
    checking.armed = False
    await w.pilot.press("enter")
    await w.until(lambda: w.app.session is not None)


@case("AboutScreen._probe", scenario="login-ok")
async def _(w: World) -> None:
    await w.until(lambda: w.app.session is not None and w.app.screen is w.app.home)
    probing = trap(w.mp, w.app.services.stores.keyring, "status")
    await w.pilot.press("i")
    await w.failed("AboutScreen._probe")
    screen = w.app.screen
    assert isinstance(screen, AboutScreen)
    probing.armed = False
    await w.pilot.press("escape")
    await w.until(lambda: w.app.screen is w.app.home)


@case("PassphraseScreen._open")
async def _(w: World) -> None:
    await w.until(lambda: w.app.session is not None)
    vault = w.app.services.stores.vault
    opening = trap(w.mp, vault, "unlock")
    w.app.push_screen(PassphraseScreen(vault, "acme"))
    await w.until(lambda: isinstance(w.app.screen, PassphraseScreen))
    await calm(w.pilot)
    await paste_into(w.pilot, "#passphrase", "whatever-it-is")
    await w.pilot.press("enter")
    await w.failed("PassphraseScreen._open")
    screen = w.app.screen
    assert isinstance(screen, PassphraseScreen) and not screen._busy
    opening.armed = False
    await w.pilot.press("escape")
    await w.until(lambda: w.app.screen is w.app.home)


# --- notifications -----------------------------------------------------------------------------


@case("AnnouncesApp._reach_out")
async def _(w: World) -> None:
    await w.until(lambda: w.app.session is not None and w.app.screen is w.app.home)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    notify = NotifyConfig(webhook=f"http://127.0.0.1:{closed}/hook")
    w.app.services.config = replace(w.app.services.config, notify=notify)
    w.app._announcing = None  # read again, with the webhook
    reaching = trap(w.mp, Notifier, "reach_out", coro=True)
    w.app.post_message(DoctorChecked([]))  # the first check only sets what is known
    w.app.post_message(DoctorChecked([Finding("a", Severity.ERROR, "A", "fix a")]))
    await w.failed("AnnouncesApp._reach_out")
    # The next new problem is announced as usual (here: to a closed port, said in one line).
    reaching.armed = False
    w.app.post_message(DoctorChecked([Finding("b", Severity.ERROR, "B", "fix b")]))
    await w.until(lambda: "The notification was not sent: the webhook" in messages(w.app))


# --- running the cases ---------------------------------------------------------------------------


def test_every_job_has_a_case() -> None:
    assert set(JOBS) == set(CASES)


@pytest.fixture
def log_file(paths: Paths) -> Iterator[Path]:
    handler = setup_logging(paths)
    yield paths.log_file
    logging.getLogger().removeHandler(handler)
    handler.close()


def _app(
    scenario: str,
    paths: Paths,
    stores: SecretStores,
    server: SandboxServer,
    mp: pytest.MonkeyPatch,
) -> WixSendingApp:
    if scenario in ("midway", "fresh"):
        return signed_in_app(paths, stores, server)
    if scenario == "fresh-start-fails":

        class Starting:
            def start(self) -> Any:
                return server.credentials[0]

        starting = Starting()
        trap(mp, starting, "start")
        return demo_app(
            paths,
            SandboxLink.from_server(server),
            starting.start,
            clock=server.clock,
            scenario="test",
            stores=stores,
        )
    creds = site(server)
    if scenario in ("login", "login-ok"):
        stores.keyring.set(Profile("acme", creds.site_id).name, _secret(creds.api_key))
        save_profile(paths, Profile("acme", creds.site_id, storage=Storage.KEYRING))
        if scenario == "login":
            trap(mp, stores, "credentials")
    if scenario == "login-form-broken-keyring":
        trap(mp, stores.keyring, "status")
    return build_app(paths, stores=stores, base_url=server.base_url)


def _secret(key: str) -> Any:
    from tui.secret import Secret

    return Secret(key)


@pytest.mark.parametrize("job", sorted(CASES))
async def test_a_failed_job_is_said_logged_and_survived(
    job: str,
    paths: Paths,
    keyring_stores: SecretStores,
    sandbox_server: SandboxServer,
    control: SandboxControl,
    log_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario, run = CASES[job]
    control.reset("fresh" if scenario.startswith(("login", "fresh-")) else scenario)
    control.time_scale(CRAWL)
    app = _app(scenario, paths, keyring_stores, sandbox_server, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await calm(pilot)
        await run(World(pilot, app, monkeypatch, paths, control, sandbox_server))
