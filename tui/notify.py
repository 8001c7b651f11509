"""A word when it's done: the terminal's bell, a desktop notification, a webhook or a command,
when the records are all visible, a domain is authenticated, or a check finds a new problem.

DNS takes hours; nobody watches a grid that long. ``watch``, ``doctor --watch``, a cron'd
``doctor`` and the app say so when something happens, each the way the user configured:

- **bell**: BEL, the terminal's bell (a sound, a flash, or an urgent tab or window);
- **desktop**: a desktop notification through the terminal itself, with OSC 9 (iTerm2, Windows
  Terminal, WezTerm, Ghostty, kitty, foot) and OSC 777 (VTE terminals such as GNOME Terminal,
  rxvt-unicode). Both travel over SSH, as text; terminals that know neither ignore them (tmux
  needs ``allow-passthrough``);
- **webhook**: the event as JSON, POSTed (a short timeout; a failure is reported, never raised);
- **command**: a program run with the event as JSON on its stdin (a timeout; its failure is
  reported). Nothing from the event is in its arguments, and the API key and the passphrase
  are not in its environment.

All off by default: the config's ``[notify]`` table (``tui/store/config.py``) turns channels on,
the flags ``--bell``, ``--desktop-notify``, ``--webhook URL`` and ``--notify-command CMD`` of
``watch`` and ``doctor`` do for one run.

Text that goes to the terminal comes in part from the network (a domain name, a finding's title
quoting Wix): every control character is taken out of it (:func:`clean`), so a hostile string can
neither end the notification's sequence early nor start one of its own.

Plain Python, no Textual: the app hands :class:`Notifier` a way to write to its terminal
(``tui/widgets/announce.py``); the commands hand it their own (:func:`terminal_writer`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import shlex
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tui import __version__
from tui.flow.dns_findings import WAITING_DIAGNOSES
from tui.flow.findings import Finding, Severity
from tui.store.config import NotifyConfig

if TYPE_CHECKING:
    import httpx

    from tui.propagation.model import Report

log = logging.getLogger("tui.notify")

BEL = "\x07"
TITLE = "wix-sending"
MAX_TEXT = 200  # characters of a desktop notification's text; a webhook gets the whole event
MAX_ERROR = 200  # characters of a command's stderr in the failure line
# Never handed to a notify command: the key and the encrypted file's passphrase.
SECRET_VARIABLES = ("WIX_API_KEY", "WIX_SENDING_PASSPHRASE")


class Event(StrEnum):
    ALL_VISIBLE = "all_visible"  # every record visible at every resolver that answered
    AUTHENTICATED = "authenticated"  # a sending domain became AUTHENTICATED
    NEW_PROBLEM = "new_problem"  # a check found a warning or an error the previous one had not


@dataclass(frozen=True)
class Notice:
    """One thing to announce."""

    event: Event
    text: str  # one sentence: what happened
    at: datetime
    domain: str = ""
    findings: tuple[Finding, ...] = ()  # NEW_PROBLEM: the new ones, worst first
    source: str = ""  # "watch", "doctor", "app"
    site: str = ""  # the site ID, when known

    @property
    def title(self) -> str:
        return {
            Event.ALL_VISIBLE: f"{TITLE}: records visible",
            Event.AUTHENTICATED: f"{TITLE}: domain authenticated",
            Event.NEW_PROBLEM: f"{TITLE}: new problem",
        }[self.event]

    def to_json(self) -> dict[str, Any]:
        """What the webhook receives and the command reads on stdin. ``text`` is also what
        chat webhooks (Slack, Mattermost, Rocket.Chat) show as the message."""
        return {
            "source": TITLE,
            "version": __version__,
            "event": self.event.value,
            "title": self.title,
            "text": f"{self.title}: {self.text}",
            "domain": self.domain or None,
            "site": self.site or None,
            "command": self.source or None,
            "at": self.at.isoformat(),
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True)
class Settings:
    """Which channels are on for this run."""

    bell: bool = False
    desktop: bool = False
    webhook: str = ""
    command: str = ""
    timeout: float = 5.0
    events: frozenset[Event] = frozenset(Event)

    @classmethod
    def from_config(cls, config: NotifyConfig) -> Settings:
        return cls(
            bell=config.bell,
            desktop=config.desktop,
            webhook=config.webhook,
            command=config.command,
            timeout=config.timeout,
            events=frozenset(Event(e) for e in config.events),
        )

    def with_flags(
        self,
        *,
        bell: bool = False,
        desktop: bool = False,
        webhook: str | None = None,
        command: str | None = None,
    ) -> Settings:
        """The config's settings with this run's flags on top: a flag turns its channel on
        (a webhook or command given replaces the config's); none turns one off. A channel
        asked for by flag hears every event, whatever the config's ``events``."""
        flagged = bell or desktop or webhook is not None or command is not None
        return replace(
            self,
            bell=self.bell or bell,
            desktop=self.desktop or desktop,
            webhook=webhook if webhook is not None else self.webhook,
            command=command if command is not None else self.command,
            events=frozenset(Event) if flagged else self.events,
        )

    @property
    def on(self) -> bool:
        return bool(self.bell or self.desktop or self.webhook or self.command)

    @property
    def reaches_out(self) -> bool:
        """A webhook or a command is set (they leave this process, and take time)."""
        return bool(self.webhook or self.command)


# --- text made safe, and the terminal's sequences -----------------------------------------------

# C0 controls (ESC, BEL, newlines), DEL, C1 controls (0x9c ends an OSC on some terminals, 0x9d
# starts one), and the format characters that reorder or hide text (as tui/sanitize.py).
_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff]"
)


def clean(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` on one line with every control character taken out (a newline or a tab
    becomes a space), cut to ``limit`` characters."""
    flat = re.sub(r"[\t\n\r\v\f]+", " ", text)
    flat = " ".join(_CONTROLS.sub("", flat).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def terminal_sequence(notice: Notice, settings: Settings) -> str:
    """What to write to the terminal for ``notice``: BEL for the bell, OSC 9 and OSC 777 for a
    desktop notification ("" when neither is on)."""
    parts = []
    if settings.desktop:
        title = clean(notice.title, 60).replace(";", ",")  # OSC 777's fields are ;-separated
        body = clean(notice.text)
        # OSC 9 takes one text. ConEmu and Windows Terminal read "9;<digits>;" as another
        # command (4 is a progress bar): the text here always starts with the title's letters.
        parts.append(f"\x1b]9;{title}: {body}{BEL}")
        parts.append(f"\x1b]777;notify;{title};{body}{BEL}")
    if settings.bell:
        parts.append(BEL)
    return "".join(parts)


Write = Callable[[str], None]


def terminal_writer() -> Write | None:
    """Where a command rings: stderr or stdout if one is a terminal (stdout may be a JSON file
    being written), else the controlling terminal; None when there is none (cron)."""
    for stream in (sys.stderr, sys.stdout):
        with contextlib.suppress(ValueError, OSError, AttributeError):
            if stream is not None and stream.isatty():
                return _stream_writer(stream)
    try:
        fd = os.open("/dev/tty", os.O_WRONLY | os.O_NOCTTY)
    except OSError:
        return None

    def write(text: str) -> None:
        os.write(fd, text.encode("utf-8", "replace"))

    return write


def _stream_writer(stream: Any) -> Write:
    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    return write


# --- the webhook and the command ----------------------------------------------------------------


def origin(url: str) -> str:
    """``https://hooks.example.com``: how a webhook is named in messages. Its path and query
    often hold its token (Slack's, Discord's), so they are never shown or logged."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    host = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


async def post_webhook(
    url: str, payload: Mapping[str, Any], timeout: float, http: httpx.AsyncClient | None = None
) -> str:
    """POST ``payload`` as JSON; "" when the webhook took it (2xx), else a sentence saying why
    not (never the URL's path or query)."""
    import httpx

    where = f"the webhook at {origin(url)}"
    try:
        if http is None:
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
                response = await client.post(url, json=payload)
        else:
            response = await http.post(url, json=payload, timeout=timeout)
    except httpx.TimeoutException:
        return f"{where} did not answer within {timeout:g} s"
    except (httpx.HTTPError, OSError) as exc:
        reason = str(exc).replace(url, origin(url)) or type(exc).__name__
        return f"{where} could not be reached ({clean(reason, 120)})"
    if not 200 <= response.status_code < 300:
        return f"{where} answered HTTP {response.status_code}"
    return ""


def command_environment(event: Event, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The command's environment: this one without the secrets, with the event's name."""
    env = {k: v for k, v in (os.environ if environ is None else environ).items()}
    for name in SECRET_VARIABLES:
        env.pop(name, None)
    env["WIX_SENDING_EVENT"] = event.value
    return env


async def run_command(
    command: str, payload: Mapping[str, Any], timeout: float, event: Event
) -> str:
    """Run ``command`` (split as a shell would, run without one) with ``payload`` as JSON on its
    stdin; "" when it exits 0, else a sentence saying why not. Its output is not shown (the
    app's screen, a JSON report on stdout): the last line of its stderr goes in the sentence."""
    argv = shlex.split(command)
    name = clean(argv[0], 80)
    data = json.dumps(payload).encode("utf-8")
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=command_environment(event),
            start_new_session=True,  # Ctrl-C at the terminal is ours to handle, not its
        )
    except FileNotFoundError:
        return f"the notify command {name} was not found"
    except OSError as exc:
        return f"the notify command {name} could not be started ({exc.strerror or exc})"
    try:
        _, err = await asyncio.wait_for(process.communicate(data), timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        return f"the notify command {name} did not finish within {timeout:g} s (stopped)"
    except BaseException:
        # Cancelled (Ctrl-C, the app quitting): the command does not outlive us.
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        raise
    if process.returncode != 0:
        lines = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
        said = f": {clean(lines[-1], MAX_ERROR)}" if lines else ""
        return f"the notify command {name} exited with {process.returncode}{said}"
    return ""


# --- the notifier -------------------------------------------------------------------------------


class Notifier:
    """Delivers notices per :class:`Settings`. ``write``: how to write to the terminal (None:
    there is none; the bell and desktop notifications are then skipped)."""

    def __init__(
        self,
        settings: Settings,
        *,
        write: Write | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self.write = write
        self.http = http

    def wants(self, notice: Notice) -> bool:
        return self.settings.on and notice.event in self.settings.events

    def ring(self, notice: Notice) -> None:
        """The bell and the desktop notification (at once: they only write to the terminal)."""
        if not self.wants(notice):
            return
        sequence = terminal_sequence(notice, self.settings)
        if sequence and self.write is not None:
            try:
                self.write(sequence)
            except (OSError, ValueError) as exc:  # the terminal went away
                log.info("notify: the terminal could not be written to: %s", exc)
        elif sequence:
            log.info("notify: no terminal to ring for %s", notice.event.value)

    async def reach_out(self, notice: Notice) -> list[str]:
        """The webhook and the command (concurrently); the failures, one sentence each."""
        if not self.wants(notice) or not self.settings.reaches_out:
            return []
        payload = notice.to_json()
        timeout = self.settings.timeout
        calls = []
        if self.settings.webhook:
            calls.append(post_webhook(self.settings.webhook, payload, timeout, self.http))
        if self.settings.command:
            calls.append(run_command(self.settings.command, payload, timeout, notice.event))
        failures = [f for f in await asyncio.gather(*calls) if f]
        for failure in failures:
            log.info("notify: %s", failure)  # the caller says it, once
        return failures

    async def announce(self, notice: Notice) -> list[str]:
        """Every channel; the failures (the webhook's, the command's), one sentence each."""
        self.ring(notice)
        return await self.reach_out(notice)


# --- what is new since the last check -----------------------------------------------------------

Key = tuple[str, str]  # (code, domain): how two checks' findings are compared


def problems(findings: Iterable[Finding]) -> list[Finding]:
    """The findings worth a word: warnings and errors."""
    return [f for f in findings if f.severity >= Severity.WARNING]


class ProblemTracker:
    """Which problems a check found that the previous one had not (compared by code and
    domain). ``baseline``: the first check only sets what is known (the app shows it anyway);
    without it the first check's problems are all new (``doctor --watch``, as a cron run).

    A check that could not run (a finding with ``blocks_checks``: Wix unreachable, the key
    refused) is announced once, but does not replace what the last complete check found: when
    Wix answers again, only problems that are really new are announced, not all of them."""

    def __init__(self, *, baseline: bool = False) -> None:
        self._known: set[Key] | None = set() if not baseline else None

    def update(self, findings: Sequence[Finding]) -> list[Finding]:
        found = problems(findings)
        keys = {(f.code, f.domain) for f in found}
        if self._known is None:
            self._known = keys
            return []
        new = [f for f in found if (f.code, f.domain) not in self._known]
        if any(f.blocks_checks for f in findings):
            self._known |= keys
        else:
            self._known = keys
        return new


def problem_notice(
    new: Sequence[Finding], at: datetime, *, source: str = "", site: str = ""
) -> Notice:
    """One notice for the problems of one check, worst first."""
    ordered = sorted(new, key=lambda f: -f.severity)
    worst = ordered[0]
    where = f"{worst.domain}: " if worst.domain else ""
    more = f" (and {len(ordered) - 1} more)" if len(ordered) > 1 else ""
    domains = {f.domain for f in ordered}
    return Notice(
        Event.NEW_PROBLEM,
        f"{worst.severity.word}: {where}{worst.title}{more}",
        at,
        domain=worst.domain if len(domains) == 1 else "",
        findings=tuple(ordered),
        source=source,
        site=site,
    )


def visible_notice(domain: str, at: datetime, *, source: str = "", site: str = "") -> Notice:
    what = f"{domain}'s records are" if domain else "the records are"
    return Notice(
        Event.ALL_VISIBLE,
        f"{what} visible at every resolver that answered",
        at,
        domain=domain,
        source=source,
        site=site,
    )


def authenticated_notice(domain: str, at: datetime, *, source: str = "", site: str = "") -> Notice:
    return Notice(
        Event.AUTHENTICATED,
        f"{domain} is AUTHENTICATED: mail can go out from it",
        at,
        domain=domain,
        source=source,
        site=site,
    )


class SweepAnnouncer:
    """What ``watch`` announces of its sweeps: the first time every record is visible, and the
    engine's diagnoses that the previous sweep did not have (the first sweep's are on screen
    as it starts: they set what is known)."""

    def __init__(self, notifier: Notifier, *, domain: str = "", source: str = "watch") -> None:
        self.notifier = notifier
        self.domain = domain
        self.source = source
        self._known: set[tuple[str, str]] | None = None
        self._visible = False

    async def sweep(self, report: Report) -> list[str]:
        """Announce what ``report`` brings; the failures of the webhook or command."""
        failures: list[str] = []
        if not self.notifier.settings.on:
            return failures
        keys = {(d.code, d.zone) for d in report.diagnoses}
        if self._known is not None:
            new = [d for d in report.diagnoses if (d.code, d.zone) not in self._known]
            if new:
                findings = tuple(
                    Finding(
                        f"dns_{d.code}",
                        Severity.WARNING if d.code in WAITING_DIAGNOSES else Severity.ERROR,
                        d.sentence.split(": ")[0].split(". ")[0].rstrip("."),
                        d.sentence,
                        domain=d.zone,
                    )
                    for d in new
                )
                notice = problem_notice(findings, report.checked_at, source=self.source)
                failures += await self.notifier.announce(notice)
        self._known = keys
        if report.all_ok and not self._visible:
            self._visible = True
            notice = visible_notice(self.domain, report.checked_at, source=self.source)
            failures += await self.notifier.announce(notice)
        return failures


class AppEvents:
    """What the app announces, from what its panes report: a domain's records all visible
    (its grid's check turning all ok, once per domain per run), a domain turning AUTHENTICATED,
    and a Doctor check finding problems the previous one had not. What is seen first only sets
    what is known: the app shows it, and a bell at start would say nothing new."""

    def __init__(self, *, source: str = "app") -> None:
        self.source = source
        self._visible: dict[str, bool] = {}  # domain -> its last check was all ok
        self._announced: set[str] = set()  # domains whose records were announced visible
        self._statuses: dict[str, str] = {}  # domain -> its last status
        self.problems = ProblemTracker(baseline=True)

    def dns_checked(self, domain: str, all_ok: bool, at: datetime, site: str = "") -> Notice | None:
        before = self._visible.get(domain)
        self._visible[domain] = all_ok
        if all_ok and before is False and domain not in self._announced:
            self._announced.add(domain)
            return visible_notice(domain, at, source=self.source, site=site)
        return None

    def statuses(self, statuses: Mapping[str, str], at: datetime, site: str = "") -> list[Notice]:
        """``statuses``: each domain's status (its raw name, e.g. "AUTHENTICATED")."""
        notices = []
        for domain, status in statuses.items():
            before = self._statuses.get(domain)
            self._statuses[domain] = status
            if status == "AUTHENTICATED" and before is not None and before != status:
                notices.append(authenticated_notice(domain, at, source=self.source, site=site))
        return notices

    def doctor_checked(
        self, findings: Sequence[Finding], at: datetime, site: str = ""
    ) -> Notice | None:
        new = self.problems.update(findings)
        return problem_notice(new, at, source=self.source, site=site) if new else None
