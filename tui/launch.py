"""Building and running the app, in one place: for real use (``wix-sending``), for the demo
(``wix-sending demo``), and for the tests, the benchmarks and ``screenshots/generate.py``, which
build the app exactly as the demo does with :func:`demo_app`.

Real use, where the key comes from at start (keyring.md §0.4): ``WIX_API_KEY``/``WIX_SITE_ID``
first, then the last used profile's store, else the login screen (see ``tui/screens/signin.py``).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tui.app import WixSendingApp
from tui.clock import SYSTEM_CLOCK, Clock
from tui.screens.signin import Problem
from tui.secret import Secret
from tui.services import ClientFactory, build_services
from tui.store import config as config_store
from tui.store import profiles as profile_store
from tui.store.config import Config
from tui.store.credentials import Credentials, SecretStores
from tui.store.endpoint import Endpoint
from tui.store.logs import LogFileHandler, setup_logging
from tui.store.paths import Paths, app_paths
from tui.store.profiles import Profiles
from tui.wix.urls import WIX_BASE_URL

if TYPE_CHECKING:
    from tui.demo import SandboxLink

EXIT_OK = 0
EXIT_USAGE = 2


class DemoSite(Protocol):
    """A sandbox site's credentials (``SandboxServer.credentials[i]``, or a scenario's)."""

    site_id: str
    api_key: str


def build_app(
    paths: Paths,
    *,
    stores: SecretStores | None = None,
    base_url: str = WIX_BASE_URL,
    client_factory: ClientFactory | None = None,
    config: Config | None = None,
    profiles: Profiles | None = None,
    notices: Sequence[str] = (),
    clock: Clock = SYSTEM_CLOCK,
    sandbox: SandboxLink | None = None,
    initial_credentials: Credentials | Callable[[], Credentials] | None = None,
    app_class: type[WixSendingApp] = WixSendingApp,
    exit_on_signals: bool = False,
    base_url_from: str = "",
) -> WixSendingApp:
    """The app with its services. ``profiles`` defaults to the profiles file of ``paths``;
    ``app_class``: a subclass (the benchmarks add a probe to the app). ``base_url``: Wix's
    lets each profile's own base URL win; another one is used for every client (said in About
    as ``base_url_from``)."""
    services = build_services(
        paths,
        stores=stores,
        base_url=base_url,
        client_factory=client_factory,
        config=config,
        clock=clock,
        sandbox=sandbox,
        base_url_from=base_url_from,
    )
    return app_class(
        services,
        profiles=profiles if profiles is not None else profile_store.load(paths.profiles_file),
        notices=notices,
        initial_credentials=initial_credentials,
        exit_on_signals=exit_on_signals,
    )


def demo_paths(home: Path) -> Paths:
    """Every file of the app under ``home`` (the demo's throwaway home)."""
    return Paths(*(home / part for part in ("config", "data", "state", "logs")))


def demo_app(
    paths: Paths,
    link: SandboxLink,
    site: DemoSite | Callable[[], DemoSite],
    *,
    clock: Clock,
    scenario: str,
    stores: SecretStores | None = None,
    config: Config | None = None,
    signed_in: bool = True,
    app_class: type[WixSendingApp] = WixSendingApp,
    exit_on_signals: bool = False,
    notices: Sequence[str] = (),
) -> WixSendingApp:
    """The app as ``wix-sending demo`` runs it: on the sandbox's clock, with the sandbox link
    (its DNS servers, the mailbox, the DNS host), and signed in to ``site`` with no profile
    saved (a callable: called on a thread after the first frame, e.g. to start the sandbox).
    ``signed_in=False``: no profile at all, so the login form shows."""
    if not signed_in:
        return build_app(
            paths,
            stores=stores,
            base_url=link.base_url,
            base_url_from=DEMO_SOURCE,
            profiles=Profiles(),
            app_class=app_class,
            exit_on_signals=exit_on_signals,
            notices=notices,
        )

    def demo_credentials(site: DemoSite) -> Credentials:
        return Credentials(
            profile=f"demo ({scenario})",
            site_id=site.site_id,
            secret=Secret(site.api_key),
            source="the sandbox (demo, nothing is stored)",
        )

    # A callable: the sandbox starts after the first frame, and the site is known then.
    credentials: Credentials | Callable[[], Credentials] = (
        (lambda: demo_credentials(site()))  # type: ignore[operator]
        if callable(site)
        else demo_credentials(site)
    )
    return build_app(
        paths,
        stores=stores,
        base_url=link.base_url,
        base_url_from=DEMO_SOURCE,
        config=config or Config(),
        profiles=Profiles(),
        clock=clock,
        sandbox=link,
        initial_credentials=credentials,
        app_class=app_class,
        exit_on_signals=exit_on_signals,
        notices=notices,
    )


DEMO_SOURCE = "the demo's sandbox"

NO_TERMINAL = (
    "wix-sending: the app needs a terminal, and {what} is not one. To script, use the commands "
    "that need none: wix-sending watch, login, logout, profiles, paths (see --help)."
)


def _terminal_problem() -> str:
    """Why the app cannot be drawn here, or "": without a terminal it would draw escape codes
    into a pipe or a file, for ever, and wait for keys that never come."""
    for name, stream in (("standard input", sys.stdin), ("standard output", sys.stdout)):
        if stream is None or not stream.isatty():
            return NO_TERMINAL.format(what=name)
    return ""


def _no_core_dumps() -> None:
    """A core dump would hold the key in clear (keyring.md §5 "Memory")."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@contextlib.contextmanager
def _logging_to(
    paths: Paths, *, say_why: bool, app: WixSendingApp | None = None
) -> Iterator[logging.Handler]:
    """The log file while the app runs; without one (a read-only disk), a handler that drops
    everything: logging's last resort would otherwise write on the app's screen. A log file
    that fails later (a full disk) tells ``app`` once, as a notification, and goes quiet."""
    try:
        handler: logging.Handler = setup_logging(paths)
    except OSError as exc:
        if say_why:  # the app has not started: the terminal is still ours to print on
            print(f"wix-sending: no log file ({exc}); carrying on without one.", file=sys.stderr)
        handler = logging.NullHandler()
        logging.getLogger().addHandler(handler)
    if app is not None and isinstance(handler, LogFileHandler):
        report_log_failures(handler, app)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def report_log_failures(handler: LogFileHandler, app: WixSendingApp) -> None:
    """Show the log file's first failure in ``app`` (from any thread: post_message is
    thread-safe), as a warning: the app itself goes on."""
    handler.on_failure = lambda text: app.post_message(Problem(text, severity="warning"))


def run_app(paths: Paths | None = None, given: Endpoint | None = None) -> int:
    """Run the TUI until the user quits; the exit code for the command. ``given``: the base
    URL of ``--wix-base-url`` or ``WIX_BASE_URL``, for every profile; None: each profile's
    own, else Wix's."""
    paths = paths or app_paths()
    loaded = config_store.load(paths.config_file)
    try:
        app = build_app(
            paths,
            base_url=given.url if given else WIX_BASE_URL,
            base_url_from=given.source if given else "",
            config=loaded.config,
            notices=[loaded.problem],
            exit_on_signals=True,
        )
    except ValueError as exc:  # a base URL that is not a usable one
        print(f"wix-sending: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if problem := _terminal_problem():
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    _no_core_dumps()
    with _logging_to(paths, say_why=True, app=app):
        app.run()
    return app.return_code or EXIT_OK


def run_demo(scenario: str = "fresh", time_scale: float = 60.0, faults: str | None = None) -> int:
    """The app against the sandbox (Wix API and DNS world) started in this process on
    loopback, signed in to the scenario's site, with a throwaway home so nothing of the user's
    (profiles, state, keyring) is read or written. ``faults``: a sandbox fault preset
    ("flaky": see tui/sandbox/faults.py), to watch the app cope with a misbehaving Wix."""
    from tui.demo import DemoSandbox
    from tui.options import SCENARIO_NAMES

    if scenario not in SCENARIO_NAMES:
        print(
            f"wix-sending: unknown scenario {scenario!r}; choose one of: "
            f"{', '.join(sorted(SCENARIO_NAMES))}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if problem := _terminal_problem():
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="wix-sending-demo-") as home:
        paths = demo_paths(Path(home))
        # Started after the app's first frame, on a thread (the world and its DNS servers
        # take a few hundred ms to build); the app says "signing in…" until then.
        sandbox = DemoSandbox(scenario, time_scale, faults)
        notices = (
            [
                f"Demo with faults ({faults}): the simulated Wix fails some calls on purpose, "
                "to show how the app copes."
            ]
            if faults
            else []
        )
        try:
            app = demo_app(
                paths,
                sandbox.link,
                sandbox.start,
                clock=sandbox.clock,
                scenario=scenario,
                config=config_store.load(app_paths().config_file).config,
                notices=notices,
                exit_on_signals=True,
            )
            # Should a signal force the process out, the throwaway home still goes.
            app.forced_exit_cleanups.append(lambda: shutil.rmtree(home, ignore_errors=True))
            with _logging_to(paths, say_why=False, app=app):
                app.run()
        finally:
            sandbox.stop()
    return app.return_code or EXIT_OK
