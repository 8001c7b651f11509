"""What DNS says about a domain's records, as the doctor's findings: the propagation engine's
diagnoses, why authenticating would fail now (where the records are not seen, the negative
caches and their time left, the ETA, the retry schedule, the 48-hour advice), and records gone
from an authenticated domain's servers. Pure, like the rest of ``tui.flow``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from tui.flow.domains import records_served
from tui.flow.findings import (
    Action,
    ActionKind,
    DomainFacts,
    Evidence,
    Finding,
    Severity,
    SiteFacts,
)
from tui.flow.schedule import authenticate_decision
from tui.propagation.model import NO_SIGNAL, TIME_BOUND, Report, Role, Status
from tui.store.state import DomainState
from tui.time_words import clock_time, duration

PROPAGATION_LIMIT = timedelta(hours=48)  # Wix: "up to 48 h"; after it, re-check the records

# The engine's own diagnoses (tui.propagation.diagnose) become findings under "dns_<code>";
# these wait for a clock rather than for the user, so they are warnings, not errors.
WAITING_DIAGNOSES = frozenset(
    {"queried_too_early", "lagging_secondary", "stale_served", "nsec_denial", "lame_server"}
)


def dns_diagnoses(facts: DomainFacts) -> list[Finding]:
    if facts.report is None:
        return []
    return [
        Finding(
            f"dns_{d.code}",
            Severity.WARNING if d.code in WAITING_DIAGNOSES else Severity.ERROR,
            d.sentence.split(": ")[0].split(". ")[0].rstrip("."),
            d.sentence,
            domain=facts.name,
            evidence=tuple(Evidence(f"record {name}", d.zone) for name in d.records),
            action=Action(ActionKind.SHOW_DOMAIN, "Show its records", domain=facts.name),
        )
        for d in facts.report.diagnoses
    ]


SHOWN_NAMES = 4  # resolvers named in one line of evidence; the rest are counted


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    more = len(names) - SHOWN_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def _not_visible(report: Report) -> tuple[list[Evidence], list[Evidence]]:
    """Where the records are not seen yet (records with the same story in one line: the
    zone's own servers first, since nothing propagates before they serve them), and each
    resolver's cached negative with the longest time left."""
    rows = {r.key: r for r in report.resolvers}
    by_story: dict[tuple[str, ...], list[str]] = {}
    negatives: dict[str, tuple[float, bool]] = {}
    for record in report.records:
        bad = [
            cell
            for (name, _), cell in report.cells.items()
            if name == record.name and cell.status is not Status.OK and cell.status not in NO_SIGNAL
        ]
        auth = [
            c for c in bad if c.resolver in rows and rows[c.resolver].role is Role.AUTHORITATIVE
        ]
        story = tuple(
            ["@auth", *(rows[c.resolver].name for c in auth)]
            if auth
            else [rows[c.resolver].name if c.resolver in rows else c.resolver for c in bad]
        )
        if bad:
            by_story.setdefault(story, []).append(record.label)
        for cell in bad:
            if cell.status in TIME_BOUND and cell.remaining is not None:
                name = rows[cell.resolver].name if cell.resolver in rows else cell.resolver
                longest = negatives.get(name, (0.0, False))
                if cell.remaining >= longest[0]:
                    negatives[name] = (cell.remaining, cell.at_most)
    missing = []
    for story, records in by_story.items():
        which = _names(records)
        if story and story[0] == "@auth":
            seen = f"{which}: not served by the zone's own servers ({_names(story[1:])})"
        else:
            seen = f"{which}: not visible at {_names(story)}"
        missing.append(Evidence(seen, "", report.checked_at))
    cached = [
        Evidence(
            f"cached 'does not exist' for {'at most ' if at_most else ''}{duration(left)} more",
            name,
            report.checked_at,
        )
        for name, (left, at_most) in negatives.items()
    ]
    return missing, cached


def not_authenticated(facts: DomainFacts, site: SiteFacts) -> list[Finding]:
    history = facts.history or DomainState()
    if history.records_first_seen is None and facts.report and records_served(facts.report):
        # The pane keeps when the zone's servers first served the records; a doctor run
        # without that history (cron, another machine) knows at least that they do now.
        history = replace(history, records_first_seen=facts.report.checked_at)
        first_seen_now = True
    else:
        first_seen_now = False
    decision = authenticate_decision(
        now=site.now,
        records_first_seen=history.records_first_seen,
        marked_added=history.marked_added,
        last_attempt=history.last_auth_attempt,
        last_result=history.last_auth_result,
    )
    added = min(
        (t for t in (history.records_first_seen, history.marked_added) if t is not None),
        default=None,
    )
    world = site.world
    schedule = (
        Evidence(f"next attempt allowed {clock_time(decision.not_before, site.now, world=world)}")
        if decision.not_before is not None and not decision.allowed
        else Evidence("the retry schedule allows an attempt now" if decision.allowed else "")
    )
    last = (
        [
            Evidence(
                f"last attempt: {history.last_auth_result}",
                "Authenticate",
                history.last_auth_attempt,
            )
        ]
        if history.last_auth_attempt is not None
        else []
    )
    report = facts.report
    if report is None:
        return [
            Finding(
                "records_not_checked",
                Severity.WARNING,
                f"{facts.name} is not authenticated, and its records could not be checked in DNS",
                f"{facts.dns_error or 'No resolver answered.'} Check the network, then check "
                "again.",
                domain=facts.name,
                evidence=tuple(e for e in (schedule, *last) if e.seen),
                action=Action(ActionKind.RECHECK, "Check again"),
            )
        ]
    missing, negatives = _not_visible(report)
    overdue = added is not None and site.now - added > PROPAGATION_LIMIT
    zone = next(iter(report.zones.values()), None)
    host = zone.provider if zone is not None and zone.provider else "your DNS host"
    if missing and overdue:
        return [
            Finding(
                "records_not_found_48h",
                Severity.ERROR,
                f"{facts.name}'s records are still not visible everywhere, "
                f"{duration((site.now - added).total_seconds())} after they were added",  # type: ignore[operator]
                f"Propagation takes up to 48 h; after that the records themselves are wrong. "
                f"Check them at {host}"
                + (
                    f" (the zone {zone.apex} is served by {', '.join(zone.ns_names)})"
                    if zone and zone.ns_names
                    else ""
                )
                + ": names, values, and that they are CNAMEs.",
                domain=facts.name,
                evidence=(*missing, *negatives, *last),
                action=Action(ActionKind.SHOW_DOMAIN, "Show its records", domain=facts.name),
            )
        ]
    if missing:
        unserved = any("not served by the zone's own servers" in e.seen for e in missing)
        why = (
            "its DNS servers do not serve the records yet"
            if unserved
            else "not every resolver sees the records"
        )
        return [
            Finding(
                "records_not_visible",
                Severity.WARNING,
                f"Authenticating {facts.name} would fail now: {why}",
                f"{report.eta.sentence} Authenticate once they are visible"
                + (
                    " and the schedule allows it "
                    f"({clock_time(decision.not_before, site.now, world=world)})."
                    if decision.not_before is not None and not decision.allowed
                    else "."
                ),
                domain=facts.name,
                evidence=tuple(e for e in (*missing, *negatives, schedule, *last) if e.seen),
                action=Action(ActionKind.SHOW_DOMAIN, "Watch the records", domain=facts.name),
            )
        ]
    if first_seen_now:
        last = [
            Evidence(
                "records first seen by this check (no earlier sighting kept on this machine; "
                "the Domains pane keeps one)"
            ),
            *last,
        ]
    if not decision.allowed:
        return [
            Finding(
                "auth_wait",
                Severity.WARNING,
                f"{facts.name}'s records are visible; authenticate "
                + (
                    f"at {clock_time(decision.not_before, site.now, world=world)}"
                    if decision.not_before
                    else "after the wait"
                ),
                decision.reason,
                domain=facts.name,
                evidence=tuple(e for e in (schedule, *last) if e.seen),
                action=Action(ActionKind.SHOW_DOMAIN, "Show the domain", domain=facts.name),
            )
        ]
    return [
        Finding(
            "auth_ready",
            Severity.WARNING,
            f"{facts.name} is ready: its records are visible and the schedule allows an attempt",
            "Authenticate it now: until then mail is not sent from this domain.",
            domain=facts.name,
            evidence=tuple(e for e in (schedule, *last) if e.seen),
            action=Action(ActionKind.AUTHENTICATE, "Authenticate", domain=facts.name),
        )
    ]


def authenticated(facts: DomainFacts) -> list[Finding]:
    """AUTHENTICATED, but are the records still there? Wix checked them once; DNS hosts lose
    records (a zone moved, a panel "cleaned up"), and receivers then find no DKIM key."""
    report = facts.report
    if report is None:
        return []
    auth = {r.key: r for r in report.resolvers if r.role is Role.AUTHORITATIVE}
    # Records with the same story (what the servers said, which servers) in one line.
    stories: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for record in report.records:
        said: dict[str, list[str]] = {}
        for (name, key), cell in report.cells.items():
            if name != record.name or key not in auth or cell.status in NO_SIGNAL:
                continue
            if cell.status is not Status.OK:
                seen = "not there" if cell.status is Status.NOT_PUBLISHED else cell.status.value
                said.setdefault(seen, []).append(auth[key].name)
        for seen, servers in said.items():
            stories.setdefault((seen, tuple(sorted(servers))), []).append(record.label)
    gone = [
        Evidence(f"{_names(records)}: {seen}", ", ".join(servers), report.checked_at)
        for (seen, servers), records in stories.items()
    ]
    if not gone:
        return []
    zone = next(iter(report.zones.values()), None)
    host = zone.provider if zone is not None and zone.provider else "the DNS host"
    return [
        Finding(
            "records_removed",
            Severity.ERROR,
            f"{facts.name} is AUTHENTICATED, but its DNS servers no longer serve its records",
            f"Receivers find no DKIM key, so mail fails DKIM and DMARC. Add the records again at "
            f"{host}, exactly as Wix gives them.",
            domain=facts.name,
            evidence=tuple(gone),
            action=Action(ActionKind.SHOW_DOMAIN, "Show the records to add", domain=facts.name),
        )
    ]
