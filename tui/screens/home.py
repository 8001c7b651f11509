"""The main screen: the status line, the next step of the journey, and the panes (1 Senders,
2 Domains, 3 Doctor) in tabs, with the footer's keys and F1 for help on what is showing.

At 80x24 every row counts: one status line says who is signed in (profile, site), the SANDBOX
badge with its world time, and the connection; there is no header repeating it. The whole site
ID, where the key came from and the key masked are in F1 (and About).

The panes do the work (each follows who is signed in by itself); this screen mounts them at the
first sign-in, keeps the "next step" line in step with what they learn (``flow.journey``), and
shows the connection state they report.
"""

from __future__ import annotations

import gc

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane

from tui.flow.journey import DnsProgress, dns_progress, next_step
from tui.screens.help import HelpScreen, key_lines
from tui.screens.journey_keys import journey_keys
from tui.screens.keymap import live_keys
from tui.services import Session
from tui.store.credentials import ENV_KEY, ENV_SITE, Credentials
from tui.widgets.fields import Note
from tui.widgets.footer import PALETTE_ID, KeysFooter
from tui.widgets.host import UsesServices
from tui.widgets.pane import Connection, DnsChecked, DomainShown, JourneyData, Pane, ShowPane
from tui.widgets.status import READY, SIGNING_IN, StatusLine
from tui.wix.models import SenderDetails, SenderEmail, SendingDomain

ENVIRONMENT_NOTE = (
    f"Using {ENV_KEY}/{ENV_SITE} from the environment. They take precedence over saved "
    "profiles, so saving, switching and logging out are off while they are set."
)
GENERAL_HELP = (
    "wix-sending takes a Wix site from 'no sender' to 'email goes out from my own domain': "
    "add and verify a sender email, create sender details, wait for the sending domain, add its "
    "DNS records at your DNS host, watch them propagate, then authenticate."
)


def signed_in_line(credentials: Credentials) -> str:
    return (
        f"Signed in: profile {credentials.profile}, site {credentials.site_id}, key from "
        f"{credentials.source} (masked: {credentials.secret.masked()})"
    )


class PaneTabs(TabbedContent):
    """Tabs that only the user switches."""

    def on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        # TabbedContent switches to the tab of whatever got the focus. The panes only focus
        # their own widgets while their tab is chosen, but that news is queued: arriving after
        # the user chose another tab (2 pressed while the first list loads) it would undo the
        # choice. So a focus in another tab than the chosen one never switches.
        if event.tab_pane.id == self.active or not self.active:
            return
        event.prevent_default()
        event.stop()
        chosen = self.active_pane
        panes = chosen.query(Pane) if chosen is not None else None
        if panes:
            panes.first().focus_inside()


_frozen = False


def freeze_long_lived() -> None:
    """``gc.freeze()``, once per process, after the first frame with the panes.

    Python's full (oldest generation) collections scan every object that has survived the
    younger ones: here the app's 110-165k long-lived widgets, styles, bindings and module
    objects, which live until the app exits anyway. Each such scan paused the event loop for
    43-112 ms (measured), a freeze felt by whoever types or watches the grid. Frozen objects are
    moved to a permanent generation that no collection scans again; only what is made after
    start-up is. (The price: a reference cycle among the frozen objects is never freed, and
    those objects are the ones that live as long as the app.)"""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


class Panes(Vertical):
    """The tabs with the panes, mounted at the first sign-in."""

    def on_mount(self) -> None:
        # The panes and their children are mounted: freeze once the frame is painted.
        self.call_after_refresh(freeze_long_lived)

    def compose(self) -> ComposeResult:
        # Imported here, at the first sign-in: the first frame (often the login form) does
        # not wait for the panes' modules.
        from tui.screens.doctor import DoctorPane
        from tui.screens.domains import DomainsPane
        from tui.screens.senders import SendersPane

        with PaneTabs(id="panes", initial="senders"):
            with TabPane("1 Senders", id="senders"):
                yield SendersPane(id="senders-pane")
            with TabPane("2 Domains", id="domains"):
                yield DomainsPane(id="domains-pane")
            with TabPane("3 Doctor", id="doctor"):
                yield DoctorPane(id="doctor-pane")


class HomeScreen(UsesServices, Screen[None]):
    # No CSS_PATH: Textual does not read it for the app's default screen, so home.tcss (and the
    # panes' stylesheets) are in the app's CSS_PATH.
    # The actions live on the app, so the palette and these keys run the same code.
    BINDINGS = [
        # The footer shows F1 and q (and the palette's key) on every pane, on its right; the
        # rest are in F1 and the palette. The tabs show 1, 2 and 3 already.
        Binding(
            "1",
            "show_pane('senders')",
            "Senders",
            id="pane-senders",
            show=False,
            tooltip="Show the Senders pane",
        ),
        Binding(
            "2",
            "show_pane('domains')",
            "Domains",
            id="pane-domains",
            show=False,
            tooltip="Show the Domains pane",
        ),
        Binding(
            "3",
            "show_pane('doctor')",
            "Doctor",
            id="pane-doctor",
            show=False,
            tooltip="Show the Doctor pane: what is wrong with the site, and the fixes",
        ),
        Binding("f1", "help", "Help", id="help", tooltip="The keys here and what this pane is for"),
        Binding(
            "p",
            "app.switch_profile",
            "Switch profile",
            id="switch-profile",
            show=False,
            tooltip="Use another saved profile (another site)",
        ),
        Binding(
            "n",
            "app.add_profile",
            "Add profile",
            id="add-profile",
            show=False,
            tooltip="Log in to a site with its ID and an API key",
        ),
        Binding(
            "l",
            "app.logout",
            "Log out",
            id="logout",
            show=False,
            tooltip="Delete the current profile and its stored key",
        ),
        Binding(
            "i",
            "app.about",
            "About",
            id="about",
            show=False,
            tooltip="Where the files live, the keyring in use, versions, terminal",
        ),
        Binding("q", "app.quit", "Quit", id="quit", tooltip="Leave wix-sending"),
    ]

    def __init__(self) -> None:
        super().__init__(id="home")
        self._environment_problem = ""
        self._emails: list[SenderEmail] = []
        self._details: list[SenderDetails] = []
        self._domains: list[SendingDomain] = []
        self._dns: dict[str, DnsProgress] = {}  # domain name -> its last propagation check
        self._shown: str | None = None  # the domain the Domains pane shows
        self._keys: dict[str, str] | None = None  # binding id -> key, for "Next:"
        self._wanted_pane: str | None = None
        self._panes_ready = False
        self._signing_in = False  # the start's sign-in is under way

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Vertical(id="home-top"):
            yield Note("", id="environment-note", classes="notice")
            yield Note("", id="environment-problem", classes="problem")
            yield Note("", id="next-step", classes="hint")
        # The panes are mounted at the first sign-in: a new user's first frame is the login form
        # on top of this screen, and styling panes nobody sees yet costs startup time.
        yield Vertical(id="panes-holder")
        yield KeysFooter()

    def on_mount(self) -> None:
        if self._signing_in:
            self._status_line().show_connection(SIGNING_IN)
        self.follow_session(self._session_changed)

    # --- the session ----------------------------------------------------------------------

    def _session_changed(self, session: Session | None) -> None:
        # Another site's (or nobody's) journey: what the panes told us is about the old one.
        self._emails, self._details, self._domains, self._dns = [], [], [], {}
        self._shown = None
        self._render_session()
        holder = self.query_one("#panes-holder", Vertical)
        if session is not None and not holder.children:
            holder.mount(Panes())

    def show_environment_problem(self, problem: str) -> None:
        """WIX_API_KEY/WIX_SITE_ID were half set or unusable: said until the app restarts."""
        self._environment_problem = problem
        if self.is_mounted:
            self._render_session()

    def show_signing_in(self, on: bool) -> None:
        """At start, until the sign-in is done (it waits for the first frame)."""
        self._signing_in = on
        if self.is_mounted:
            self._status_line().show_connection(SIGNING_IN if on else READY)

    def _render_session(self) -> None:
        credentials = self.session.credentials if self.session is not None else None
        self._status_line().show(credentials)
        from_environment = bool(credentials and credentials.from_environment)
        note = self.query_one("#environment-note", Note)
        note.update(ENVIRONMENT_NOTE if from_environment else "")
        note.display = from_environment
        problem = self.query_one("#environment-problem", Note)
        text = self._environment_problem
        problem.update(f"Environment ignored: {text}" if text else "")
        problem.display = bool(text)
        self._render_next_step()

    def _status_line(self) -> StatusLine:
        line = self.query_one(StatusLine)
        line.watch_clock(self.services.clock if self.services.sandbox is not None else None)
        return line

    def _render_next_step(self) -> None:
        text = ""
        if self.session is not None:
            if self._keys is None:  # the config does not change while the app runs
                self._keys = journey_keys(self.app, self.services.config.keymap)
            found = next_step(
                self._emails,
                self._details,
                self._domains,
                self._dns,
                shown=self._shown,
                keys=self._keys,
            )
            text = f"Next: {found.sentence}"
        # show, not update: redrawn only when the text changes, and with a layout pass only
        # when its height does (every sweep reports here; most change nothing in this line).
        self.query_one("#next-step", Note).show(text)

    # --- what the panes report ------------------------------------------------------------

    def on_journey_data(self, message: JourneyData) -> None:
        if message.emails is not None:
            self._emails = list(message.emails)
        if message.details is not None:
            new_details = {d.id for d in message.details} - {d.id for d in self._details}
            self._details = list(message.details)
            if new_details:
                # New sender details make Wix create a sending domain: show it without
                # waiting for the user to switch tabs.
                for pane in self.query("#domains-pane").results(Pane):
                    pane.reload()
        if message.domains is not None:
            self._domains = list(message.domains)
        self._render_next_step()

    def on_domain_shown(self, message: DomainShown) -> None:
        self._shown = message.domain
        self._render_next_step()

    def on_dns_checked(self, message: DnsChecked) -> None:
        # The grid's check tells whether the records are there yet: the next step says so
        # ("all visible: authenticate", or the ETA) rather than "add them" forever.
        self._dns[message.domain] = dns_progress(message.report)
        self._render_next_step()

    def on_show_pane(self, message: ShowPane) -> None:
        """Another pane sends the user here (the Doctor's fixes)."""
        self.action_show_pane(message.pane)
        if message.domain and self._panes_ready:
            # Imported here as in Panes.compose (it is loaded by now: the panes exist).
            from tui.screens.domains import DomainsPane

            domains = self.query_one("#domains-pane", DomainsPane)
            domains.show_domain(message.domain, authenticate=message.authenticate)

    def on_connection(self, message: Connection) -> None:
        self._status_line().show_connection(message.text)

    def on_tabbed_content_tab_activated(self, _: TabbedContent.TabActivated) -> None:
        # The first one comes from the tabs' own start-up, queued behind any choice made
        # before it: only from now on does setting the active tab stick.
        if self._panes_ready:
            return
        self._panes_ready = True
        if self._wanted_pane is not None:
            wanted, self._wanted_pane = self._wanted_pane, None
            self.action_show_pane(wanted)
        else:
            # The pane's keys (a to add...) work only with the focus inside it: put it there
            # before the pane has anything to say, so the first key pressed is never lost.
            tabs = self.query_one(TabbedContent)
            self.query_one(f"#{tabs.active}-pane", Pane).focus_inside()

    # --- keys -----------------------------------------------------------------------------

    def action_show_pane(self, pane: str) -> None:
        if not self._panes_ready:
            # Pressed before the panes exist (right after sign-in), or before the tabs' own
            # start-up activation, which would undo the choice: shown once they are ready.
            self._wanted_pane = pane
            return
        self.query_one(TabbedContent).active = pane
        chosen = self.query_one(f"#{pane}-pane", Pane)
        self.call_after_refresh(chosen.focus_inside)

    def action_help(self) -> None:
        credentials = self.session.credentials if self.session is not None else None
        who = signed_in_line(credentials) if credentials else "Not signed in."
        keys = live_keys(self)
        palette = next((" or ".join(k.keys) for k in keys if k.id == PALETTE_ID), "")
        sections = [
            ("Keys in this pane", key_lines([k for k in keys if not k.app_wide])),
            ("Keys everywhere", key_lines([k for k in keys if k.app_wide])),
        ]
        tabs = self.query(TabbedContent)
        if tabs:
            pane = self.query_one(f"#{tabs.first().active}-pane", Pane)
            title, text = f"Help: {pane.TITLE}", f"{pane.HELP}\n\n{GENERAL_HELP}"
        else:
            title, text = "Help", GENERAL_HELP
        self.app.push_screen(HelpScreen(title, text, sections, who=who, palette=palette))
