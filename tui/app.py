"""The Textual app: who is signed in (a reactive the panes watch), bindings, the command
palette, the one path of worker failures, and the crash hook.

Everything it touches comes in as one :class:`~tui.services.Services` object (paths, secret
stores, config, clock, state, the client factory, the propagation engine, the demo's sandbox
link), built by ``tui/launch.py``, so tests hand it a temporary home, an in-memory keyring and
the sandbox. Signing in and out (profiles, the login form, log out) is in
``tui/screens/signin.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import textual.constants
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import WorkerFailed

from tui.screens.crash import crash_report
from tui.screens.home import HomeScreen
from tui.screens.keymap import keymap_conflicts, known_binding_ids
from tui.screens.palette import AppCommands
from tui.screens.signin import SignInApp
from tui.services import Services, Session
from tui.store.credentials import Credentials
from tui.store.profiles import Profiles
from tui.widgets.announce import AnnouncesApp
from tui.widgets.jobs import close_at_exit, declare, run_job
from tui.widgets.notices import NOTICE_BINDINGS, NoticesApp

if TYPE_CHECKING:
    from tui.wix.client import WixClient

log = logging.getLogger("tui.app")
EXIT_GRACE_SECONDS = 2.0  # after a signal, how long the normal exit may take
HERE = Path(__file__).parent

DEBUG_LOG_WARNING = (
    "Textual's debug log is on (TEXTUAL_LOG, or textual run --dev). It records every key press "
    "and paste, so a key typed or pasted into the login form would be in it. Turn it off "
    "unless you are debugging."
)
CLOSE_CLIENT = declare(
    "WixSendingApp.close_client",
    "close-client",
    "Closing the previous site's connection",
    "Nothing to do: the new site's connection is separate.",
)


def textual_debug_log_on(app: App[object]) -> bool:
    return bool(textual.constants.LOG_FILE) or app.devtools is not None


# NoticesApp: every notify()'s policy; AnnouncesApp: the bell, desktop notification, webhook or
# command of the config's [notify], from the panes' messages (tui/widgets/announce.py).
class WixSendingApp(AnnouncesApp, NoticesApp, SignInApp):
    TITLE = "wix-sending"
    # Textual 8.2.8 loads a screen's CSS_PATH when the screen is pushed, but not for the screen
    # get_default_screen() returns, and never a widget's: home's stylesheet and its panes' are
    # named here (which also puts them under `textual run --dev`'s live reload). Absolute,
    # because relative paths are read next to the module of the (sub)class that is running.
    CSS_PATH = [
        HERE / "app.tcss",
        *(
            HERE / "screens" / name
            for name in ("home.tcss", "senders.tcss", "domains.tcss", "doctor.tcss")
        ),
    ]
    # Only the app's own actions: Textual's system commands (themes, screenshots, its own Quit
    # and "Keys") would double ours and bury the journey's.
    COMMANDS = {AppCommands}
    BINDINGS: list[BindingType] = [
        Binding("ctrl+q", "quit", "Quit", id="quit-app", priority=True, show=False),
        # Textual adds ctrl+p itself, without an id; with one it can be remapped like any key,
        # and the footer finds it by id wherever it was moved.
        Binding(
            "ctrl+p",
            "command_palette",
            "Palette",
            id="command-palette",
            priority=True,
            show=False,
            tooltip="Every action of the screen, searchable",
        ),
        Binding("ctrl+c", "help_quit", show=False, system=True),
        *NOTICE_BINDINGS,
    ]

    def __init__(
        self,
        services: Services,
        *,
        profiles: Profiles | None = None,
        notices: Sequence[str] = (),
        initial_credentials: Credentials | Callable[[], Credentials] | None = None,
        exit_on_signals: bool = False,
    ) -> None:
        """``initial_credentials``: sign in to these at start (the demo; a callable: called on
        a thread after the first frame, to start the demo's sandbox); otherwise the
        environment's, else the last profile's, else the login form. ``exit_on_signals``: the
        command sets it, so SIGTERM, SIGHUP and SIGINT end the app as q does (tests leave the
        test runner's signals alone)."""
        super().__init__()
        self.exit_on_signals = exit_on_signals
        # What must still happen if the process has to end before the app finishes exiting
        # (launch.py adds the removal of the demo's throwaway home).
        self.forced_exit_cleanups: list[Callable[[], object]] = []
        self.services = services
        self.profiles = profiles if profiles is not None else Profiles()
        self.initial_credentials = initial_credentials
        # Problems met before the app started (config file, profiles file): said once, at start.
        self.notices = [notice for notice in (*notices, self.profiles.problem) if notice]
        self.environment_problem = ""
        self.home = HomeScreen()
        self._crash: BaseException | None = None
        # The config's [keymap] as applied (its conflicting entries left out): what the palette
        # shows for keys that are not live on the screen it was opened on.
        self.applied_keymap: dict[str, str] = {}

    @property
    def client(self) -> WixClient | None:
        return self.session.client if self.session is not None else None

    def get_default_screen(self) -> Screen[None]:
        # Home is always at the bottom of the stack; login and the modals go on top of it.
        return self.home

    # --- start ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.exit_on_signals:
            self._exit_on_signals()
        self._apply_config()
        if textual_debug_log_on(self):
            self.notices.append(DEBUG_LOG_WARNING)
        for notice in self.notices:
            self.notify(notice, title="At start", severity="warning", timeout=15, markup=False)
        self._load_state()  # in a thread; says what was wrong with state.json, if anything
        self.start_session(self.initial_credentials)

    def _apply_config(self) -> None:
        config = self.services.config
        if config.theme:
            if config.theme in self.available_themes:
                self.theme = config.theme
            else:
                known = ", ".join(sorted(self.available_themes))
                self.notices.append(
                    f"Unknown theme {config.theme!r} in the config; known: {known}."
                )
        if not config.keymap:
            return
        ids = known_binding_ids(WixSendingApp)
        unknown = sorted(set(config.keymap) - ids)
        if unknown:
            self.notices.append(
                f"The config's [keymap] names unknown binding id(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(ids))}."
            )
        conflicts = keymap_conflicts(WixSendingApp, config.keymap)
        for reason in conflicts.values():
            self.notices.append(f"The config's [keymap] entry {reason}: it was left out.")
        self.applied_keymap = {k: v for k, v in config.keymap.items() if k not in conflicts}
        self.set_keymap(self.applied_keymap)

    def _exit_on_signals(self) -> None:
        """SIGTERM (a kill, a service manager), SIGHUP (the SSH link or the terminal went away)
        and SIGINT from outside would otherwise end the process where it stands: the terminal
        left in the alternate screen with mouse reporting on, the demo's temporary home left
        behind. Here they end the app the normal way, which restores the terminal and lets
        every ``finally`` run. A second signal of the same kind is not waited on."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self._signalled, number)

    def _signalled(self, number: int) -> None:
        log.info("signal %s: exiting", signal.Signals(number).name)
        loop = asyncio.get_running_loop()
        loop.remove_signal_handler(number)  # a second one ends the process the usual way
        self.exit(return_code=128 + number)
        # With the terminal gone (SIGHUP), Textual 8.2.8's output thread dies on the first
        # write (EIO) and its shutdown then waits on that thread for ever. So the normal way
        # gets a few seconds; after that the process ends here, its own clean-ups done.
        watchdog = threading.Timer(EXIT_GRACE_SECONDS, self._exit_now, args=(number,))
        watchdog.daemon = True
        watchdog.start()

    def _exit_now(self, number: int) -> None:
        """The app did not finish exiting in time: run the clean-ups that matter (the demo's
        throwaway home, the log file) and end the process (runs on the watchdog thread)."""
        log.warning("exit after %s took over %s s: ending now", number, EXIT_GRACE_SECONDS)
        for cleanup in self.forced_exit_cleanups:
            with contextlib.suppress(Exception):
                cleanup()
        logging.shutdown()
        os._exit(128 + number)

    # --- the session ----------------------------------------------------------------------

    def watch_session(self, old: Session | None, new: Session | None) -> None:
        if old is not None and (new is None or new.client is not old.client):
            run_job(self, old.client.aclose(), CLOSE_CLIENT)
        if new is not None:
            credentials = new.credentials
            self.sub_title = f"profile {credentials.profile} · site {credentials.site_id}"
        elif old is not None:
            self.sub_title = "not signed in"

    async def on_unmount(self) -> None:
        if self.session is not None:
            await close_at_exit("Closing the Wix connection", self.session.client.aclose())
        sandbox = self.services.sandbox
        if sandbox is not None:
            await close_at_exit("Closing the sandbox connection", sandbox.aclose())

    # --- crashes --------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        # Keep the error: Textual's _fatal_error reads sys.exc_info(), which is empty when a
        # worker's failure is reported outside its except block.
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Replaces Textual 8.2.8's crash output, which shows every local variable of every
        frame (``show_locals=True``), so a key in a local would be printed. Ours has no locals
        and masks secrets; pinned by tests/ui/test_crash.py. Private API: re-check on upgrades."""
        error = self._crash if self._crash is not None else sys.exc_info()[1]
        if isinstance(error, WorkerFailed):
            error = error.error
        self.bell()
        log_file = None
        if error is not None and logging.getLogger().hasHandlers():
            # The log file's filter scrubs secrets; with no handler at all, logging would print
            # to stderr, under the running app.
            log.error("the app crashed", exc_info=(type(error), error, error.__traceback__))
            log_file = self.services.paths.log_file
        self.panic(crash_report(error, self.console.width, log_file))


__all__ = ["WixSendingApp"]
