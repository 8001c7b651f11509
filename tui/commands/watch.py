"""``wix-sending watch``: live propagation of any CNAMEs, no Wix account needed.

Exit codes: 0 every record is ok at every resolver that answered, 1 not yet, 2 a usage or
system error (nothing is queried when the input is wrong), 130 interrupted (Ctrl-C).

Notifications (``tui/notify.py``; the config's ``[notify]``, ``--bell`` ...): when every record
is visible (the watch then ends), and when a sweep finds a diagnosis the previous one had not
(the first sweep's are on screen as it starts).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from tui.clock import SYSTEM_CLOCK, ScaledClock
from tui.commands.unlock import Refusal
from tui.notify import Notifier, Settings, SweepAnnouncer, terminal_writer
from tui.propagation import (
    ExpectedRecord,
    InvalidInput,
    Report,
    Resolver,
    Role,
    ServerAddress,
    parse_name,
    parse_named_server,
    parse_record_spec,
    to_json,
)
from tui.propagation.intercept import CLOUDFLARE
from tui.propagation.labels import (
    LABEL_WIDTH,
    CellView,
    cell_view,
    column_headers,
    ordered,
    row_label,
    unanswered_words,
)
from tui.propagation.resolvers import local_resolvers, public_resolvers, resolver_from_address
from tui.propagation.sweep import Prober
from tui.store.config import Config, command_problem, webhook_problem
from tui.store.config import load as load_config
from tui.store.credentials import Credentials
from tui.store.endpoint import Endpoint
from tui.store.files import clip
from tui.time_words import ago, duration

EXIT_READY, EXIT_NOT_YET, EXIT_ERROR = 0, 1, 2


@dataclass
class WatchOptions:
    records: list[str] = field(default_factory=list)
    resolvers: list[str] = field(default_factory=list)
    authoritative: list[str] = field(default_factory=list)
    domain: str | None = None
    once: bool = False
    json: bool = False
    interval: float | None = None  # None: the config's (default 30 s)
    timeout: float | None = None  # None: the config's (default 2 s)
    check_anyway: bool = False
    wix_base_url: str | None = None
    time_scale: float = 1.0
    added: bool = False
    profile: str | None = None  # with --domain: the saved profile (default: the current one)
    passphrase_file: str | None = None  # with --domain: the encrypted file's passphrase
    bell: bool = False  # notifications (tui/notify.py), on top of the config's [notify]
    desktop_notify: bool = False
    webhook: str | None = None
    notify_command: str | None = None


def _fail(message: str) -> int:
    print(f"wix-sending watch: {message}", file=sys.stderr)
    return EXIT_ERROR


def parse_records(texts: Sequence[str]) -> list[ExpectedRecord]:
    records = []
    for text in texts:
        spec = parse_record_spec(text)
        records.append(
            ExpectedRecord(
                name=spec.host.ascii,
                target=spec.target.ascii,
                display_name=str(spec.host),
            )
        )
    names = [r.name for r in records]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InvalidInput(f"{', '.join(repeated)} is given more than once")
    return records


def run_watch(options: WatchOptions) -> int:
    try:
        records = parse_records(options.records)
        resolver_overrides = [parse_named_server(t) for t in options.resolvers]
        authoritative = [parse_named_server(t)[1] for t in options.authoritative]
        domain = parse_name(options.domain, "domain").ascii if options.domain else None
    except InvalidInput as exc:
        return _fail(str(exc))
    if not records and not domain:
        return _fail("give records as HOST=TARGET, or --domain DOMAIN to take them from Wix")
    if records and domain:
        return _fail("give either HOST=TARGET records or --domain, not both")
    if not domain:
        given = [
            flag
            for flag, value in (
                ("--profile", options.profile),
                ("--wix-base-url", options.wix_base_url),
                ("--passphrase-file", options.passphrase_file),
            )
            if value is not None
        ]
        if given:
            return _fail(f"{', '.join(given)} only apply with --domain (records from Wix)")
    wix: tuple[Credentials, Endpoint] | None = None
    if domain:
        from tui.commands.wix_records import domain_credentials

        try:
            # Before anything is asked of DNS: the keyring, or the encrypted file's passphrase.
            wix = domain_credentials(options.profile, options.wix_base_url, options.passphrase_file)
        except Refusal as exc:
            return _fail(str(exc))
    if options.interval is not None and not 1 <= options.interval <= 86400:
        return _fail("--interval must be between 1 and 86400 seconds")
    for flag, value, check in (
        ("--webhook", options.webhook, webhook_problem),
        ("--notify-command", options.notify_command, command_problem),
    ):
        if value is not None and (problem := check(value.strip())):
            return _fail(f"{flag} {problem}")
    loaded = load_config()
    if loaded.problem:
        print(f"wix-sending watch: warning: {loaded.problem}; using the defaults", file=sys.stderr)
    config = loaded.config
    options.interval = options.interval or config.watch_interval
    options.timeout = options.timeout or config.watch_timeout
    resolvers = configured_resolvers(resolver_overrides, config, "watch")
    settings = Settings.from_config(config.notify).with_flags(
        bell=options.bell,
        desktop=options.desktop_notify,
        webhook=options.webhook.strip() if options.webhook is not None else None,
        command=options.notify_command.strip() if options.notify_command is not None else None,
    )
    # Ctrl-C goes up to the command's handler: exit 130, as for every command.
    return asyncio.run(_watch(options, records, resolvers, authoritative, domain, wix, settings))


def configured_resolvers(
    overrides: Sequence[tuple[str | None, ServerAddress]], config: Config, command: str
) -> list[Resolver]:
    """Whom to ask: the ``--resolver`` ones only, else this machine's resolver and the
    config's public ones (the built-in list, with a warning, when the config's is unusable)."""
    try:
        # Read even with overrides: a broken [resolvers] is said either way.
        public = public_resolvers(config.resolvers)
    except InvalidInput as exc:
        # The error may quote the config's values (a list of unknown keys, an address): cut
        # short, as every message about a file is.
        print(
            f"wix-sending {command}: warning: {clip(f'{config.path}: {exc}')}; using the "
            "built-in resolvers",
            file=sys.stderr,
        )
        public = public_resolvers()
    if overrides:
        return [resolver_from_address(a, Role.PUBLIC, name=n) for n, a in overrides]
    return local_resolvers() + public


async def _watch(
    options: WatchOptions,
    records: list[ExpectedRecord],
    resolvers: list[Resolver],
    authoritative: Sequence[ServerAddress],
    domain: str | None,
    wix: tuple[Credentials, Endpoint] | None = None,
    settings: Settings | None = None,
) -> int:
    if domain:
        from tui.commands.wix_records import records_for_domain

        credentials, endpoint = wix if wix else (None, None)
        url = endpoint.url if endpoint else options.wix_base_url
        found = await records_for_domain(domain, url, credentials)
        if isinstance(found, str):
            return _fail(found)
        records = found
    clock = SYSTEM_CLOCK if options.time_scale == 1 else ScaledClock(options.time_scale)
    # The interception check only makes sense for the real public resolvers.
    check = None if options.resolvers else CLOUDFLARE
    prober = Prober(
        authoritative=authoritative,
        timeout=options.timeout or 2.0,
        clock=clock,
        interception=check,
    )
    console = Console()
    settings = settings or Settings()
    # The terminal is found before rich's Live takes over stdout and stderr.
    ringing = settings.bell or settings.desktop
    notifier = Notifier(settings, write=terminal_writer() if ringing else None)
    announcer = SweepAnnouncer(notifier, domain=domain or "", source="watch")
    try:
        if options.once:
            return await _once(prober, records, resolvers, options, console, announcer)
        if options.json:
            return await _json_lines(prober, records, resolvers, options, announcer)
        if not console.is_terminal:
            return await _frames(prober, records, resolvers, options, console, announcer)
        return await _live(prober, records, resolvers, options, console, announcer)
    finally:
        await prober.aclose()


async def _announce(announcer: SweepAnnouncer, report: Report) -> None:
    """What this sweep brings (everything visible, a new diagnosis), on the channels asked for;
    a webhook or command that failed is said on stderr and the watch goes on."""
    for failure in await announcer.sweep(report):
        print(f"wix-sending watch: notify: {failure}", file=sys.stderr, flush=True)


async def _once(
    prober: Prober,
    records: list[ExpectedRecord],
    resolvers: list[Resolver],
    options: WatchOptions,
    console: Console,
    announcer: SweepAnnouncer,
) -> int:
    report = await prober.sweep(records, resolvers, force=options.check_anyway, added=options.added)
    if options.json:
        sys.stdout.write(json.dumps(to_json(report), indent=2) + "\n")
    else:
        console.print(render(report, prober.clock.now(), live=False, speed=prober.clock.speed))
    sys.stdout.flush()
    await _announce(announcer, report)
    return EXIT_READY if report.all_ok else EXIT_NOT_YET


async def _json_lines(
    prober: Prober,
    records: list[ExpectedRecord],
    resolvers: list[Resolver],
    options: WatchOptions,
    announcer: SweepAnnouncer,
) -> int:
    """One compact JSON document per sweep (JSON Lines) until every record is visible."""
    while True:
        report = await prober.sweep(
            records, resolvers, force=options.check_anyway, added=options.added
        )
        sys.stdout.write(json.dumps(to_json(report), separators=(",", ":")) + "\n")
        sys.stdout.flush()
        await _announce(announcer, report)
        if report.all_ok:
            return EXIT_READY
        await SYSTEM_CLOCK.sleep(options.interval or 30.0)


async def _frames(
    prober: Prober,
    records: list[ExpectedRecord],
    resolvers: list[Resolver],
    options: WatchOptions,
    console: Console,
    announcer: SweepAnnouncer,
) -> int:
    """Not a terminal (a pipe, a log file): one plain frame per sweep, no redrawing."""
    while True:
        report = await prober.sweep(
            records, resolvers, force=options.check_anyway, added=options.added
        )
        console.print(render(report, prober.clock.now(), live=False, speed=prober.clock.speed))
        console.print()
        await _announce(announcer, report)
        if report.all_ok:
            return EXIT_READY
        await SYSTEM_CLOCK.sleep(options.interval or 30.0)


async def _live(
    prober: Prober,
    records: list[ExpectedRecord],
    resolvers: list[Resolver],
    options: WatchOptions,
    console: Console,
    announcer: SweepAnnouncer,
) -> int:
    report: Report | None = None
    with Live(Text("Checking…"), console=console, auto_refresh=False) as live:
        while True:
            # The next sweep starts when the previous one has finished: never two at once.
            report = await prober.sweep(
                records, resolvers, force=options.check_anyway, added=options.added
            )
            if report.all_ok:
                view = render(report, prober.clock.now(), live=False, speed=prober.clock.speed)
                live.update(view, refresh=True)
                await _announce(announcer, report)
                return EXIT_READY
            due = SYSTEM_CLOCK.monotonic() + (options.interval or 30.0)
            view = render(report, prober.clock.now(), due=due, speed=prober.clock.speed)
            live.update(view, refresh=True)  # on screen before a webhook is waited on
            await _announce(announcer, report)
            while SYSTEM_CLOCK.monotonic() < due:
                view = render(report, prober.clock.now(), due=due, speed=prober.clock.speed)
                live.update(view, refresh=True)
                await asyncio.sleep(1)


def as_text(view: CellView) -> Text:
    """A cell's view as rich text: its style is already a rich style name."""
    return Text(view.text, style=view.style)


def render(
    report: Report, now: datetime, due: float | None = None, live: bool = True, speed: float = 1.0
) -> Group:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("resolver", no_wrap=True, max_width=LABEL_WIDTH, overflow="ellipsis")
    for header in column_headers(report):
        table.add_column(header, no_wrap=True, overflow="ellipsis")
    for resolver in ordered(report.resolvers):
        label, bold = row_label(resolver)
        # The full words and countdowns to the second: a terminal table has the room.
        cells = (report.cells.get((r.name, resolver.key)) for r in report.records)
        table.add_row(
            Text(label, style="bold" if bold else ""),
            *(as_text(cell_view(c, now, narrow=False)) for c in cells),
        )
    parts: list[object] = [table, Text("")]
    if any(not c.queried for c in report.cells.values()):
        parts.append(
            Text(
                "unasked: resolvers are asked once the authoritative servers serve a record; "
                "asking sooner makes them cache 'does not exist' (--check-anyway to ask).",
                style="dim",
            )
        )
    zones = {z.apex: z for z in report.zones.values()}
    for zone in zones.values():
        if zone.provider:
            parts.append(Text(f"{zone.apex}: DNS hosted by {zone.provider}", style="dim"))
    parts.append(Text(report.eta.sentence, style="bold"))
    for diagnosis in report.diagnoses:
        parts.append(Text(f"• [{diagnosis.code}] {diagnosis.sentence}"))
    for warning in report.warnings:
        parts.append(Text(f"! {warning}", style="yellow"))
    if unanswered := unanswered_words(report):
        parts.append(
            Text(
                f"{unanswered} this check: a dead server, lost packets or rate limiting; "
                "counted, not taken as answers (--json lists them).",
                style="yellow",
            )
        )
    footer = f"checked {ago(report.checked_at, now)}"
    if speed != 1:
        footer += f" (clock {speed:g}x, as the sandbox's)"
    if due is not None:
        footer += f"; next check in {duration(due - SYSTEM_CLOCK.monotonic())}"
    parts.append(Text(footer + (" · Ctrl-C to stop" if live else ""), style="dim"))
    return Group(*parts)  # type: ignore[arg-type]
