"""``wix-sending doctor``: run the troubleshooting checks once (or every N seconds), print what
is wrong, the evidence and the fix.

The credentials and the API are found as for ``watch --domain`` (``WIX_API_KEY`` +
``WIX_SITE_ID``, else ``--profile``, else the current profile; ``--wix-base-url``, else
``WIX_BASE_URL``, else the profile's, else Wix's), DNS is asked as ``watch`` asks it, and the
history (when the records were first seen, the last Authenticate) is read from the state file,
never written. Nothing is written to Wix either: a check-up only reads (``tui/checkup.py``).

Output: the first line names the real cause (:func:`tui.flow.findings.headline`), then the
findings grouped by domain (site-wide first), each with its severity, the evidence (what was
seen, where, when) and the fix; wrapped to the terminal (80 columns when not one), coloured
only on a terminal without ``NO_COLOR``, every string from the network shown inert.
``--json``: one document (JSON Lines with ``--watch``), see :func:`document`.

Exit codes: 0 healthy (at most information), 1 a warning or an error, 2 the checks could not
run (Wix unreachable, the key refused, the domain not on the site: one finding says which; or a
usage error, no credentials: one line on stderr), 130 interrupted.

Notifications: a single run (cron) announces its warnings and errors, if any, on the channels
configured (``[notify]``, ``--bell``, ``--webhook`` ...); ``--watch N`` announces the first
check's, then only problems the previous check did not have (``tui/notify.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.clock import SYSTEM_CLOCK, Clock, ScaledClock
from tui.commands.unlock import Refusal
from tui.flow.findings import Finding, Severity, SiteFacts, exit_code, headline
from tui.notify import Notifier, ProblemTracker, Settings, problem_notice, terminal_writer
from tui.propagation import InvalidInput, ServerAddress, parse_name, parse_named_server
from tui.sanitize import visible
from tui.store.config import command_problem, webhook_problem
from tui.store.config import load as load_config
from tui.store.credentials import Credentials
from tui.store.endpoint import Endpoint
from tui.store.logs import REDACTOR
from tui.store.paths import app_paths
from tui.store.state import DomainState, peek
from tui.time_words import clock_time, duration

if TYPE_CHECKING:
    from tui.propagation.model import Resolver

log = logging.getLogger("tui.doctor")

EXIT_HEALTHY, EXIT_PROBLEMS, EXIT_NOT_CHECKED = 0, 1, 2
SCHEMA_VERSION = 1
WIDTH = 80  # when stdout is not a terminal
MAX_WIDTH = 100  # wider terminals: lines stay readable
MIN_WATCH, MAX_WATCH = 10.0, 86400.0
MAX_EVIDENCE = 6  # lines of evidence per finding in the text; --json has them all

_STYLES = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.INFO: "\x1b[36m",
}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


@dataclass
class DoctorOptions:
    domain: str | None = None
    json: bool = False
    profile: str | None = None
    wix_base_url: str | None = None
    passphrase_file: str | None = None
    resolvers: list[str] = field(default_factory=list)
    authoritative: list[str] = field(default_factory=list)
    timeout: float | None = None  # None: the config's (default 2 s)
    time_scale: float = 1.0
    watch: float | None = None  # re-check every N seconds, until Ctrl-C
    bell: bool = False
    desktop_notify: bool = False
    webhook: str | None = None
    notify_command: str | None = None


def _fail(message: str) -> int:
    print(f"wix-sending doctor: {message}", file=sys.stderr, flush=True)
    return EXIT_NOT_CHECKED


def _warn(message: str) -> None:
    print(f"wix-sending doctor: warning: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Setup:
    """What one run checks with (all but the client, built in the event loop)."""

    credentials: Credentials
    endpoint: Endpoint
    resolvers: list[Resolver]
    authoritative: list[ServerAddress]
    timeout: float
    clock: Clock
    history: Mapping[str, DomainState]
    domain: str
    settings: Settings
    check_interception: bool


def run_doctor(options: DoctorOptions) -> int:
    if not logging.getLogger().handlers:
        # No log file for a command; without a handler, Python would print warnings (with
        # their tracebacks) on stderr, under the report: what matters is said in one line.
        logging.getLogger().addHandler(logging.NullHandler())
    try:
        overrides = [parse_named_server(t) for t in options.resolvers]
        authoritative = [parse_named_server(t)[1] for t in options.authoritative]
        domain = parse_name(options.domain, "domain").ascii if options.domain else ""
    except InvalidInput as exc:
        return _fail(str(exc))
    if options.watch is not None and not MIN_WATCH <= options.watch <= MAX_WATCH:
        return _fail(f"--watch must be between {MIN_WATCH:g} and {MAX_WATCH:g} seconds")
    for flag, value, check in (
        ("--webhook", options.webhook, webhook_problem),
        ("--notify-command", options.notify_command, command_problem),
    ):
        if value is not None and (problem := check(value.strip())):
            return _fail(f"{flag} {problem}")
    from tui.commands.wix_records import domain_credentials

    try:
        # Before anything is asked of Wix or DNS: the keyring, or the encrypted file's
        # passphrase (asked at the terminal when there is one and it was not given).
        credentials, endpoint = domain_credentials(
            options.profile, options.wix_base_url, options.passphrase_file, command="doctor"
        )
    except Refusal as exc:
        # Always 2, whatever the refusal's own code: for a monitor, "not checked".
        return _fail(str(exc))
    REDACTOR.add(credentials.secret.reveal())
    loaded = load_config()
    if loaded.problem:
        _warn(f"{loaded.problem}; using the defaults")
    config = loaded.config
    from tui.commands.watch import configured_resolvers

    resolvers = configured_resolvers(overrides, config, "doctor")
    state = peek(app_paths().state_file)
    if state.notice:
        _warn(state.notice)
    settings = Settings.from_config(config.notify).with_flags(
        bell=options.bell,
        desktop=options.desktop_notify,
        webhook=options.webhook.strip() if options.webhook is not None else None,
        command=options.notify_command.strip() if options.notify_command is not None else None,
    )
    setup = Setup(
        credentials=credentials,
        endpoint=endpoint,
        resolvers=resolvers,
        authoritative=authoritative,
        timeout=options.timeout or config.watch_timeout,
        clock=SYSTEM_CLOCK if options.time_scale == 1 else ScaledClock(options.time_scale),
        history=state.state.domains,
        domain=domain,
        settings=settings,
        # The interception check only makes sense for the real public resolvers.
        check_interception=not overrides,
    )
    try:
        return asyncio.run(_doctor(options, setup))
    except (KeyboardInterrupt, BrokenPipeError):
        raise  # the command's handler: 130, or quiet when the reader went away
    except Exception as exc:  # a bug: one line, never a traceback (the key scrubbed from it)
        log.exception("doctor failed")
        reason = REDACTOR.scrub(f"{type(exc).__name__}: {exc}")
        return _fail(f"the checks failed unexpectedly, a bug in wix-sending ({visible(reason)})")


async def _doctor(options: DoctorOptions, setup: Setup) -> int:
    from tui.propagation.intercept import CLOUDFLARE
    from tui.propagation.sweep import Prober
    from tui.services import default_client_factory

    try:
        client = default_client_factory(setup.endpoint.url)(setup.credentials)
    except ValueError as exc:
        return _fail(str(exc))
    prober = Prober(
        authoritative=setup.authoritative,
        timeout=setup.timeout,
        clock=setup.clock,
        interception=CLOUDFLARE if setup.check_interception else None,
    )
    settings = setup.settings
    ringing = settings.bell or settings.desktop
    notifier = Notifier(settings, write=terminal_writer() if ringing else None)
    try:
        if options.watch is None:
            facts, findings = await _check(client, prober, setup)
            _show(options, setup, facts, findings)
            new = [f for f in findings if f.severity >= Severity.WARNING]
            if new:  # a single run (cron): its problems, every time
                await _announce(notifier, new, facts, setup)
            return exit_code(findings)
        tracker = ProblemTracker()  # the first check's problems are announced too
        while True:
            facts, findings = await _check(client, prober, setup)
            _show(options, setup, facts, findings, every=options.watch)
            new = tracker.update(findings)
            if new:
                await _announce(notifier, new, facts, setup)
            await SYSTEM_CLOCK.sleep(options.watch)
    finally:
        await prober.aclose()
        await client.aclose()


async def _check(client: Any, prober: Any, setup: Setup) -> tuple[SiteFacts, list[Finding]]:
    from tui.checkup import DnsSetup, gather
    from tui.flow.doctor import examine

    facts = await gather(
        client,
        DnsSetup(prober, setup.resolvers),
        now=setup.clock.now,
        history=setup.history,
        asked_domain=setup.domain,
        world=setup.clock.speed != 1,
    )
    return facts, examine(facts)


async def _announce(
    notifier: Notifier, new: Sequence[Finding], facts: SiteFacts, setup: Setup
) -> None:
    if not notifier.settings.on:
        return
    notice = problem_notice(new, facts.now, source="doctor", site=setup.credentials.site_id)
    for failure in await notifier.announce(notice):
        print(f"wix-sending doctor: notify: {failure}", file=sys.stderr, flush=True)


def _show(
    options: DoctorOptions,
    setup: Setup,
    facts: SiteFacts,
    findings: list[Finding],
    every: float | None = None,
) -> None:
    if options.json:
        doc = document(facts, findings, setup.credentials)
        if every is None:
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        else:  # JSON Lines: one compact document per check
            sys.stdout.write(json.dumps(doc, separators=(",", ":")) + "\n")
        sys.stdout.flush()
        return
    colour = use_colour(sys.stdout)
    text = render(
        facts,
        findings,
        site=setup.credentials.site_id,
        profile=None if setup.credentials.from_environment else setup.credentials.profile,
        width=output_width(sys.stdout),
        colour=colour,
    )
    if every is not None:
        text += "\n" + _paint(f"Next check in {duration(every)}; Ctrl-C stops.", _DIM, colour)
        text += "\n"
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- the JSON document --------------------------------------------------------------------------


def document(
    facts: SiteFacts, findings: Sequence[Finding], credentials: Credentials
) -> dict[str, Any]:
    """What ``--json`` prints: for cron and monitoring."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "checkedAt": facts.now.isoformat(),
        "site": {
            "id": credentials.site_id,
            "profile": None if credentials.from_environment else credentials.profile,
            "domains": [d.name for d in facts.domains],
        },
        "exitCode": exit_code(findings),
        "headline": headline(findings),
        "findings": [f.to_json() for f in findings],
    }


# --- the text -----------------------------------------------------------------------------------


def use_colour(stream: Any, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never with ``NO_COLOR`` (any value) or ``TERM=dumb``."""
    environ = os.environ if environ is None else environ
    if "NO_COLOR" in environ or environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def output_width(stream: Any) -> int:
    """The terminal's width (at most :data:`MAX_WIDTH`), else :data:`WIDTH`."""
    try:
        if stream.isatty():
            columns = shutil.get_terminal_size((WIDTH, 24)).columns
            return max(40, min(MAX_WIDTH, columns))
    except (AttributeError, ValueError, OSError):
        pass
    return WIDTH


def _paint(text: str, style: str, colour: bool) -> str:
    return f"{style}{text}{_RESET}" if colour and style else text


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    # Long words (an address, a URL, a record name) are never split: a copied one must work.
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _evidence_line(seen: str, where: str, when: datetime | None, facts: SiteFacts) -> str:
    extras = [visible(where)] if where else []
    if when is not None:
        extras.append(f"at {clock_time(when, facts.now, world=facts.world)}")
    return visible(seen) + (f" ({', '.join(extras)})" if extras else "")


def render(
    facts: SiteFacts,
    findings: Sequence[Finding],
    *,
    site: str,
    profile: str | None = None,
    width: int = WIDTH,
    colour: bool = False,
) -> str:
    """The findings as text: the headline first, then one block per domain (site-wide first),
    then what was checked. Every string that came from the network is shown inert."""
    worst = max((f.severity for f in findings), default=None)
    first = visible(headline(findings))
    style = _STYLES[worst] if worst is not None and worst >= Severity.WARNING else _BOLD
    lines = [_paint(line, style, colour) for line in _wrap(first, width, "", "  ")]
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.domain, []).append(finding)
    for domain, group in groups.items():
        lines.append("")
        lines.append(_paint(visible(domain) if domain else "Site-wide", _BOLD, colour))
        for finding in group:
            label = f"{finding.severity.glyph} {finding.severity.word}"
            head = _wrap(f"{label}: {visible(finding.title)}", width, "  ", "    ")
            head[0] = head[0].replace(label, _paint(label, _STYLES[finding.severity], colour), 1)
            lines += head
            evidence = [e for e in finding.evidence if e.seen]
            for e in evidence[:MAX_EVIDENCE]:
                # The domain is the block's heading: not said again as the place.
                where = "" if e.where == finding.domain else e.where
                seen = _evidence_line(e.seen, where, e.when, facts)
                lines += _wrap(seen, width, "    · ", "      ")
            if len(evidence) > MAX_EVIDENCE:
                more = len(evidence) - MAX_EVIDENCE
                lines.append(f"    · … and {more} more (--json lists them all)")
            lines += _wrap(f"Fix: {visible(finding.fix)}", width, "    ", "         ")
    lines.append("")
    summary = _summary(facts, findings, site, profile)
    lines += [_paint(line, _DIM, colour) for line in _wrap(summary, width, "", "")]
    return "\n".join(lines)


def _summary(facts: SiteFacts, findings: Sequence[Finding], site: str, profile: str | None) -> str:
    who = f"site {site}" + (f" (profile {visible(profile)})" if profile else "")
    when = clock_time(facts.now, world=facts.world)
    if any(f.blocks_checks for f in findings):
        return f"Not checked: {who}, at {when}. Exit code 2."
    names = [visible(d.name) for d in facts.domains]
    checked = (
        f"{len(names)} sending domain{'s' if len(names) != 1 else ''} ({', '.join(names)})"
        if names
        else "no sending domain"
    )
    counts = [
        f"{n} {severity.word}{'s' if n != 1 and severity is not Severity.INFO else ''}"
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if (n := sum(1 for f in findings if f.severity is severity))
    ]
    found = ", ".join(counts) if counts else "nothing to report"
    return f"Checked {who} and {checked} at {when}: {found}. Exit code {exit_code(findings)}."


__all__ = ["DoctorOptions", "document", "render", "run_doctor"]
