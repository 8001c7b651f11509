"""The Doctor pane's pieces: the list of findings (grouped by domain, site-wide first, each with
its glyph and word, never colour alone) and the words for the highlighted one (its evidence,
its fix, and the key that runs that fix).

The list is an ``OptionList``: the group headings are disabled options, which the cursor skips;
it scrolls on its own once it is longer than its share of the pane. Every text from the network
(titles, evidence, fixes quote domain names and Wix's words) is plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.flow.findings import Action, ActionKind, Finding, Severity, SiteFacts
from tui.time_words import WORLD, clock_time
from tui.widgets.records import badge

SITE_WIDE = "Site-wide"
STYLE = {
    Severity.ERROR: "$text-error",
    Severity.WARNING: "$text-warning",
    Severity.INFO: "$text-muted",
}
WORD_WIDTH = max(len(s.word) for s in Severity)


def label(severity: Severity) -> str:
    """``✗ error``, ``▲ warning``, ``○ info``: glyph and word, padded to line up."""
    return f"{severity.glyph} {severity.word:<{WORD_WIDTH}}"


def grouped(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """(domain, its findings worst first), the site-wide ones ("") first, then the domains
    with the worst findings first (by name among equals): what needs the user comes first."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.domain, []).append(finding)
    for members in groups.values():
        members.sort(key=lambda f: -f.severity)  # stable: the doctor's order among equals
    return sorted(
        groups.items(),
        key=lambda item: (item[0] != "", -max(f.severity for f in item[1]), item[0]),
    )


def in_order(findings: Sequence[Finding]) -> list[Finding]:
    """The findings in the order the list shows them."""
    return [finding for _, members in grouped(findings) for finding in members]


def prompt(finding: Finding) -> Content:
    return Content.assemble(
        "  ", (label(finding.severity), STYLE[finding.severity]), "  ", Content(finding.title)
    )


class FindingList(OptionList):
    """The findings under their domain headings; Enter on one asks for its fix (``Chosen``)."""

    class Chosen(Message):
        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    class Moved(Message):
        """Another finding is highlighted (None: there is none)."""

        def __init__(self, finding: Finding | None) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.findings: list[Finding] = []

    def show(self, findings: Sequence[Finding]) -> None:
        """Show these findings; the highlighted one stays highlighted if it is still there."""
        kept = self.current
        self.findings = in_order(findings)
        options: list[Option] = []
        index = 0
        for domain, members in grouped(findings):
            options.append(Option(Content(domain or SITE_WIDE), disabled=True))
            for finding in members:
                options.append(Option(prompt(finding), id=str(index)))
                index += 1
        self.clear_options()
        self.add_options(options)
        again = next(
            (i for i, f in enumerate(self.findings) if kept and same(f, kept)),
            0 if self.findings else None,
        )
        if again is None:
            self.post_message(self.Moved(None))
        else:
            self.highlighted = self.get_option_index(str(again))
            self.post_message(self.Moved(self.current))

    @property
    def current(self) -> Finding | None:
        highlighted = self.highlighted
        if highlighted is None or not self.findings:
            return None
        option = self.get_option_at_index(highlighted)
        return self.findings[int(option.id)] if option.id is not None else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Moved(self.current))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        finding = self.current
        if finding is not None:
            self.post_message(self.Chosen(finding))


def same(a: Finding, b: Finding) -> bool:
    """The same problem, checked again (its evidence and times may differ)."""
    return (a.code, a.domain, a.title) == (b.code, b.domain, b.title)


# --- the words for the highlighted finding --------------------------------------------------


def heading(finding: Finding) -> str:
    """The whole title (the list cuts long ones), with its glyph and word."""
    return f"{finding.severity.glyph} {finding.severity.word}: {finding.title}"


def evidence(finding: Finding, now: datetime, *, world: bool) -> str:
    """What was seen (what · where · when), the first thing on the heading's line, the others
    under it. When all were seen at the same time, the time is said once, in the heading;
    world time is labelled once too."""
    seen = finding.evidence
    if not seen:
        return ""
    times = {e.when for e in seen}
    label_world = WORLD if world else ""
    shared = len(times) == 1 and None not in times
    if shared:
        when = seen[0].when
        assert when is not None
        head = f"Seen at {clock_time(when, now)}{label_world}:"
    else:
        head = f"Seen (times in{label_world}):" if world and times - {None} else "Seen:"
    lines = []
    for item in seen:
        parts = [item.seen, item.where]
        if item.when is not None and not shared:
            parts.append(clock_time(item.when, now))
        lines.append(" · ".join(part for part in parts if part))
    return "\n  ".join([f"{head} {lines[0]}", *lines[1:]])


def fix(finding: Finding) -> str:
    return f"Fix: {finding.fix}"


def where_it_goes(action: Action) -> str:
    """What running the action opens, for the key hint: the user knows before pressing."""
    kind = action.kind
    if kind is ActionKind.SHOW_DOMAIN:
        return f"Domains pane, {action.domain}" if action.domain else "Domains pane"
    if kind is ActionKind.AUTHENTICATE:
        return f"Domains pane, {action.domain} (asks first if the schedule says wait)"
    if kind is ActionKind.GUIDED_SENDER:
        return "the guided fix"
    if kind is ActionKind.SHOW_SENDERS:
        return "Senders pane"
    if kind is ActionKind.COPY:
        return action.text
    if kind is ActionKind.LOGIN:
        return "the login form"
    return "the check-up runs again"  # RECHECK


def key_hint(finding: Finding | None, fix_keys: str) -> str:
    """The line under the detail: the key, what it does, and where it goes."""
    if finding is None:
        return ""
    action = finding.action
    if action is None:
        return "No one-key fix for this one: the steps are above."
    return f"{fix_keys}: {action.label} → {where_it_goes(action)}"


# --- a healthy site ---------------------------------------------------------------------------


def plural(count: int, one: str) -> str:
    return f"{count} {one}{'' if count == 1 else 's'}"


def what_was_checked(facts: SiteFacts) -> str:
    """The healthy verdict's evidence: what the check-up looked at, in words."""
    details = facts.sender_details or ()
    default = next((d for d in details if d.default), None)
    parts = [
        plural(len(details), "sender details")
        + (f" (default {default.from_email_address})" if default else "")
    ]
    if facts.verified_emails:
        parts.append(plural(len(facts.verified_emails), "verified sender email"))
    if facts.account is not None:
        parts.append(f"the account ({facts.account.status_label})")
    lines = []
    for domain in facts.domains:
        found = domain.domain
        status = badge(found) if found is not None else "not read"
        line = f"  {domain.name}: {status}"
        if domain.report is not None:
            records, servers = len(domain.report.records), len(domain.report.resolvers)
            line += f", {plural(records, 'record')} checked at {plural(servers, 'DNS server')}"
        lines.append(line)
    parts.append(plural(len(facts.domains), "sending domain"))
    text = "Checked " + ", ".join(parts) + (":" if lines else ".")
    if lines:
        text += "\n" + "\n".join(lines)
    if any(d.mail is not None for d in facts.domains):
        text += "\nand what receivers see for them (DMARC, SPF, DKIM)."
    return text
