"""The Doctor pane (3) against the sandbox over real loopback HTTP and DNS: the findings grouped
by domain and worst first, each fix one key away (the Domains pane at the domain, the guided
fix, Authenticate through the Domains pane's own flow), the healthy verdict, the schedule that
pauses while the pane is hidden, and a failed check-up on the one error path.

The app shares the sandbox's clock, slowed to a crawl: nothing moves unless a test moves it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import TabbedContent

import tui.screens.doctor as doctor_module
from tests.support import SandboxControl
from tests.ui.conftest import messages, settle, signed_in_app
from tui.app import WixSendingApp
from tui.flow.findings import ActionKind, Finding, Severity
from tui.sandbox import SandboxServer
from tui.screens.authenticate import AuthPanel
from tui.screens.doctor import DoctorPane
from tui.screens.domains import DomainsPane
from tui.screens.guided_fix import GuidedFixScreen
from tui.screens.login import LoginScreen
from tui.store.credentials import SecretStores
from tui.store.paths import Paths
from tui.widgets.fields import Note
from tui.widgets.findings import SITE_WIDE, FindingList
from tui.widgets.pane import DoctorChecked
from tui.widgets.records import DomainList

SIZE = (80, 24)
CRAWL = 0.001  # the sandbox clock's speed: it moves only when told to
HOUR = 3600


@pytest.fixture
def server(sandbox_server: SandboxServer, control: SandboxControl) -> Iterator[SandboxServer]:
    control.time_scale(CRAWL)
    yield sandbox_server


async def wait_for(pilot: Pilot[None], what: Callable[[], object], limit: float = 15.0) -> None:
    for _ in range(int(limit / 0.05)):
        if what():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"still not true after {limit} s: {what}")


def doctor(app: WixSendingApp) -> DoctorPane:
    return app.home.query_one(DoctorPane)


def findings_list(app: WixSendingApp) -> FindingList:
    return doctor(app).query_one(FindingList)


def note(app: WixSendingApp, selector: str) -> str:
    return str(doctor(app).query_one(selector, Note).content)


def tab(app: WixSendingApp) -> str:
    return app.home.query_one(TabbedContent).active


def rows(app: WixSendingApp) -> list[str]:
    """The list as shown: headings and findings, one string per row."""
    listed = findings_list(app)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


async def checked(pilot: Pilot[None], count: int = 1) -> None:
    """Press 3 (once) and wait until ``count`` check-ups have ended."""
    app: WixSendingApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: app.screen is app.home and app.home.query(DoctorPane))
    if tab(app) != "doctor":
        await pilot.press("3")
    await wait_for(pilot, lambda: doctor(app).checks >= count and not doctor(app).checking)
    await pilot.pause()


async def highlight(pilot: Pilot[None], wanted: Callable[[Finding], bool]) -> Finding:
    """Move the cursor (Down, as a user does) to the first finding ``wanted`` accepts."""
    app: WixSendingApp = pilot.app  # type: ignore[assignment]
    listed = findings_list(app)
    for _ in range(len(listed.findings) + 1):
        current = listed.current
        if current is not None and wanted(current):
            return current
        await pilot.press("down")
    raise AssertionError(f"no such finding among {[f.code for f in listed.findings]}")


# --- problems: grouped, sorted, with glyph and word ----------------------------------------------


async def test_problems_are_grouped_by_domain_worst_first(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("agency")
    control.time_scale(CRAWL)
    # A site-wide error, above every domain.
    control.account(siteId=server.credentials[0].site_id, status="SUSPENDED")
    posted: list[Message] = []
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await checked(pilot)
        pane = doctor(app)
        shown = findings_list(app).findings
        assert shown, "the agency site has problems"
        # Site-wide first; then each domain's findings together, the domains with the worst
        # findings first; within a domain, worst first.
        assert shown[0].domain == "" and shown[0].code == "account_not_active"
        domains = [f.domain for f in shown if f.domain]
        groups = [d for i, d in enumerate(domains) if i == 0 or domains[i - 1] != d]
        assert len(groups) == len(set(groups)), "a domain's findings are together"
        worsts = [worst(shown, d) for d in groups]
        assert worsts == sorted(worsts, reverse=True), "the domains with the worst first"
        for name in groups:
            severities = [f.severity for f in shown if f.domain == name]
            assert severities == sorted(severities, reverse=True)
        # fresh-launch.example is INITIALIZING (information only): below the warnings, though
        # its name sorts first.
        assert domains[-1] == "fresh-launch.example"
        assert worst(shown, "fresh-launch.example") == Severity.INFO
        # What is on screen: headings, then glyph and word before each title (never colour
        # alone).
        listed = rows(app)
        assert listed[0] == SITE_WIDE
        assert listed[1].startswith("  ✗ error") and "suspended" in listed[1].lower()
        assert any(row.startswith("  ▲ warning") for row in listed)
        assert any(row.startswith("  ○ info") for row in listed)
        assert "cedar-lane.example" in listed and "northwind-studio.example" in listed
        # The headline: the worst finding; when it was checked and will be again.
        assert note(app, "#doctor-headline").startswith("✗ Error: The email marketing account")
        when = note(app, "#doctor-when")
        assert when.startswith("checked ") and " · next " in when
        # The highlighted finding's fix, and the key that runs it.
        assert note(app, "#finding-fix").startswith("Fix: Email marketing is suspended")
        assert note(app, "#doctor-keys").startswith("Enter/f: Copy the dashboard's address")
        # f runs the fix of the highlighted one: the dashboard's address, copied (OSC 52).
        await pilot.press("f")
        await wait_for(pilot, lambda: "Copied the dashboard's address:" in messages(app))
        assert app.clipboard == "https://manage.wix.com"
        # And the app heard of the check-up (bell, desktop notifications listen to it).
        heard = [m for m in posted if isinstance(m, DoctorChecked)]
        assert heard and list(heard[-1].findings) == pane.findings


def worst(findings: list[Finding], domain: str) -> Severity:
    return max(f.severity for f in findings if f.domain == domain)


async def test_evidence_says_what_where_and_when(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("agency")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await checked(pilot)
        found = await highlight(pilot, lambda f: f.code == "records_not_visible")
        seen = note(app, "#finding-evidence")
        assert seen.startswith("Seen at ")  # one sweep: its time, said once
        assert "s1._domainkey.northwind-studio.example" in seen
        assert "not served by the zone's own servers" in seen
        assert found.domain in note(app, "#doctor-keys")


# --- each fix one key away --------------------------------------------------------------------


async def test_enter_on_a_domain_finding_shows_that_domain(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("agency")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await checked(pilot)
        wanted = "northwind-studio.example"
        found = await highlight(
            pilot,
            lambda f: (
                f.action is not None
                and f.action.kind is ActionKind.SHOW_DOMAIN
                and f.domain == wanted
            ),
        )
        assert found.domain == wanted
        await pilot.press("enter")
        await wait_for(pilot, lambda: tab(app) == "domains")
        listing = app.home.query_one(DomainsPane).query_one(DomainList)
        await wait_for(pilot, lambda: listing.selected == wanted)
        await wait_for(pilot, lambda: wanted in str(app.home.query_one("#domain-summary").content))
        # 3 comes back to the doctor, its cursor where it was.
        await pilot.press("3")
        await wait_for(pilot, lambda: tab(app) == "doctor")
        assert findings_list(app).current == found


async def test_enter_on_the_sender_details_finding_opens_the_guided_fix(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("fresh")  # no sender details: Wix keeps the Sending Domains closed
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await checked(pilot)
        current = findings_list(app).current
        assert current is not None and current.code == "no_sender_details"
        assert current.action is not None and current.action.kind is ActionKind.GUIDED_SENDER
        assert note(app, "#doctor-keys").startswith("Enter/f: Open the guided fix")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, GuidedFixScreen))
        # Paused under the dialog: no check-up starts while it is open.
        before = doctor(app).checks
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.home)
        assert doctor(app).checks == before and tab(app) == "doctor"


async def test_authenticate_goes_through_the_domains_pane_and_its_schedule(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    """The first check-up sees cedar-lane.example's records at its DNS servers: the 1-hour
    wait starts (as the grid would have noted it). An hour later the doctor offers to
    authenticate; Enter does it through the Domains pane's own flow."""
    control.reset("agency")
    control.time_scale(CRAWL)
    domain = "cedar-lane.example"
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await checked(pilot)
        waiting = next(f for f in findings_list(app).findings if f.domain == domain)
        assert waiting.code == "auth_wait"
        assert app.services.state.domain(domain).records_first_seen is not None
        control.advance(HOUR + 60)
        await pilot.press("r")
        await checked(pilot, 2)
        found = await highlight(pilot, lambda f: f.domain == domain)
        assert found.code == "auth_ready"
        assert found.action is not None and found.action.kind is ActionKind.AUTHENTICATE
        await pilot.press("f")
        await wait_for(pilot, lambda: tab(app) == "domains")
        panel = app.home.query_one(DomainsPane).query_one(AuthPanel)
        await wait_for(pilot, lambda: "is authenticated" in messages(app))
        assert panel.domain is not None and panel.domain.domain == domain
        # The attempt is recorded for the retry schedule, as one made with t.
        assert app.services.state.domain(domain).last_auth_attempt is not None


async def test_a_refused_key_offers_the_login_form(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen is app.home and app.home.query(DoctorPane))

        # The other panes have read their lists (sender details among them) by now.
        def read() -> bool:
            listing = app.home.query(DomainList)
            status = app.home.query("#emails-status").results(Note)
            return bool(listing and listing.first().loaded) and any(
                "Reading" not in str(note.content) for note in status
            )

        await wait_for(pilot, read)
        await settle(pilot)
        control.fault("sender-details.list", "status", status=401)  # the check-up's first call
        await checked(pilot)
        current = findings_list(app).current
        assert current is not None and current.code == "credentials_rejected"
        assert note(app, "#doctor-keys").startswith("Enter/f: Log in again → the login form")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))


# --- healthy ------------------------------------------------------------------------------------


async def test_healthy_says_no_problem_and_what_was_checked(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("healthy")  # Maple Books: authenticated, SPF and DMARC published
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await checked(pilot)
        assert doctor(app).findings == []
        assert note(app, "#doctor-headline") == "✓ No problem found."
        summary = note(app, "#doctor-summary")
        assert "1 sender details (default hello@maple-books.example)" in summary
        assert "maple-books.example: ✓ authenticated" in summary
        assert "DNS server" in summary and "(DMARC, SPF, DKIM)" in summary
        assert not findings_list(app).display
        # r works here too (the focus is in the pane, on the summary).
        await pilot.press("r")
        await checked(pilot, 2)


# --- the schedule -----------------------------------------------------------------------------


async def test_checks_pause_while_the_pane_is_hidden(
    paths: Paths, keyring_stores: SecretStores, server: SandboxServer, control: SandboxControl
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen is app.home and app.home.query(DoctorPane))
        await pilot.pause(1.5)
        assert doctor(app).checks == 0, "nothing runs before the pane is first shown"
        await checked(pilot)
        await pilot.press("1")
        control.advance(doctor_module.CHECK_INTERVAL + 1)
        await pilot.pause(1.5)  # the pane's one-second timer has looked
        assert doctor(app).checks == 1 and not doctor(app).checking
        await pilot.press("3")  # due: it runs at once
        await checked(pilot, 2)


# --- a failed check-up --------------------------------------------------------------------------


class Planted(RuntimeError):
    pass


async def test_a_failed_check_up_is_said_and_the_pane_stays_usable(
    paths: Paths,
    keyring_stores: SecretStores,
    server: SandboxServer,
    control: SandboxControl,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    control.reset("midway")
    control.time_scale(CRAWL)
    real = doctor_module.gather
    armed = [True]

    async def gather(*args: object, **kwargs: object) -> object:
        if armed[0]:
            raise Planted("planted in the check-up")
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(doctor_module, "gather", gather)
    app = signed_in_app(paths, keyring_stores, server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen is app.home and app.home.query(DoctorPane))
        await pilot.press("3")
        head = "✗ The check-up of the site failed: an unexpected error, a bug in wix-sending"
        await wait_for(pilot, lambda: head in messages(app))
        line = next(x for x in messages(app).splitlines() if head in x)
        assert "Planted: planted in the check-up" in line and "It runs again at " in line
        pane = doctor(app)
        await wait_for(pilot, lambda: not pane.checking)
        problem = note(app, "#doctor-problem")
        assert problem.startswith("✗ The last check-up failed") and "r runs it now" in problem
        assert pane.due is not None, "it retries by itself"
        # Usable: r runs it again, and this time it works.
        armed[0] = False
        await pilot.press("r")
        await checked(pilot)
        assert not note(app, "#doctor-problem") and pane.findings
