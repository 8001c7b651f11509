"""One cell of the propagation grid in full (Enter on the cell): the question that was asked,
the server that was asked (name and address), its answer with the TTLs, the Extended DNS
Error text if the server sent one, when it was asked, and what the verdict means and what to
do about it. Everything comes from the engine's :class:`~tui.propagation.model.Cell` and its
report; all of it is plain text (DNS answers are never read as markup). Esc closes."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer

from tui.propagation.labels import GLYPH, UNASKED, WORD
from tui.propagation.model import TIME_BOUND, Cell, Report, Resolver, Role, Status
from tui.time_words import ago, clock_time, duration
from tui.widgets.fields import Note

# What each verdict means for the user, and what (if anything) to do: the cell's own detail
# and the diagnoses add the specifics.
MEANING: dict[Status, str] = {
    Status.OK: "The record is visible here with the value Wix expects. Nothing to do.",
    Status.NOT_PUBLISHED: (
        "This server says the record does not exist. At an authoritative server: the record "
        "is not (or not yet) at your DNS host, or it is under another name; add it as the "
        "records view (v) shows it."
    ),
    Status.CACHED_NEGATIVE: (
        "The resolver asked before the record existed and keeps that 'does not exist' until "
        "its negative-cache time runs out. Nothing to fix: it clears by itself."
    ),
    Status.STALE: (
        "The resolver still holds an older answer in its cache; it switches to the new one "
        "when that answer's TTL runs out. Nothing to fix: it clears by itself."
    ),
    Status.WRONG_TARGET: (
        "The name exists but points somewhere else than Wix expects: correct the record's "
        "value (target) at your DNS host."
    ),
    Status.PROXIED: (
        "The DNS host answers with its own proxy addresses instead of the CNAME (e.g. "
        "Cloudflare's orange cloud): switch the record to 'DNS only'."
    ),
    Status.FLATTENED: (
        "The DNS host flattens the CNAME into addresses, so the CNAME Wix looks for is not "
        "there: turn CNAME flattening off for this record."
    ),
    Status.DNSSEC_BOGUS: (
        "The resolver could not validate the zone's DNSSEC signatures, so it returns nothing: "
        "fix the zone's DS record or signing at the registrar or DNS host."
    ),
    Status.SERVFAIL: (
        "The resolver failed to get an answer (SERVFAIL). Often a broken delegation or "
        "unreachable name servers; if it persists, check the zone's name servers."
    ),
    Status.REFUSED: (
        "The server refused the question. This says nothing about your records (some "
        "resolvers only answer their own users)."
    ),
    Status.UNREACHABLE: (
        "No answer came back in time. This says nothing about your records; the next check "
        "asks again."
    ),
    Status.CANT_REACH_ZONE: (
        "The resolver cannot reach your zone's name servers, so its users cannot see the "
        "records. Check that the name servers answer from everywhere."
    ),
    Status.STALE_SERVED: (
        "The resolver served an expired cached answer (serve-stale): it could not refresh it. "
        "It usually clears at its next successful refresh."
    ),
}
UNASKED_MEANING = (
    "Not asked yet: public resolvers are asked only once every authoritative server serves the "
    "record. Asking sooner would make them cache 'does not exist' for the zone's negative TTL."
)
EDE_MARK = " (it says: "


def ede_text(detail: str) -> str:
    """The Extended DNS Error text the engine put in the detail (``… (it says: …)``)."""
    start = detail.rfind(EDE_MARK)
    if start < 0 or not detail.endswith(")"):
        return ""
    return detail[start + len(EDE_MARK) : -1]


def evidence(resolver: Resolver, cell: Cell, report: Report, now: datetime, world: bool) -> str:
    """The modal's text, one fact a line."""
    record = next((r for r in report.records if r.name == cell.record), None)
    lines = []
    asked = cell.rdtype
    types = ", ".join(t.rdtype for t in cell.types) if cell.types else asked
    lines.append(f"Question: {cell.record} {types}")
    if record is not None:
        lines.append(f"Expected: {record.rdtype} {record.target}")
    role = {
        Role.AUTHORITATIVE: "authoritative server of the zone",
        Role.LOCAL: "local resolver",
        Role.PUBLIC: "public resolver",
    }.get(resolver.role, str(resolver.role))
    operator = f", {resolver.operator}" if resolver.operator else ""
    lines.append(f"Server: {resolver.name} ({role}{operator})")
    addresses = ", ".join(str(e) for e in resolver.endpoints)
    via = resolver.doh_url or cell.transport.upper()
    lines.append(f"Address: {addresses} over {via}")
    if cell.samples > 1:
        lines.append(f"Anycast samples: {cell.samples_ok} of {cell.samples} answered ok")
    when = clock_time(report.checked_at, now, seconds=True, world=world)
    lines.append(f"Asked: {when} ({ago(report.checked_at, now)})")
    lines.append("")
    if not cell.queried:
        lines.append(f"Status: {UNASKED}")
        lines.append(UNASKED_MEANING)
        return "\n".join(lines)
    if cell.answer:
        ttl = f" (TTL {cell.ttl} s)" if cell.ttl is not None else ""
        lines.append(f"Answer{ttl}:")
        lines.extend(f"  {line}" for line in cell.answer)
    else:
        lines.append("Answer: none (no record of that name and type)")
    if cell.target and cell.target not in " ".join(cell.answer):
        lines.append(f"CNAME target: {cell.target}")
    if cell.rtt_ms is not None:
        lines.append(f"Round trip: {cell.rtt_ms:.0f} ms")
    if cell.soa_serial is not None:
        lines.append(f"Zone serial in the denial: {cell.soa_serial}")
    if ede := ede_text(cell.detail):
        lines.append(f"Extended DNS Error: {ede}")
    lines.append("")
    lines.append(f"Status: {GLYPH[cell.status]} {WORD[cell.status]}")
    if cell.detail:
        lines.append(cell.detail)
    if cell.status in TIME_BOUND and cell.eta is not None:
        left = duration((cell.eta - now).total_seconds())
        bound = f" ({cell.bound})" if cell.bound else ""
        at_most = "at most " if cell.at_most else ""
        eta = clock_time(cell.eta, now, seconds=True, world=world)
        lines.append(f"Clears in {at_most}{left}, by {eta}{bound}")
    for check in cell.types:
        extra = f" — {check.detail}" if check.detail and check.detail != cell.detail else ""
        lines.append(f"  {check.rdtype}: {GLYPH[check.status]} {WORD[check.status]}{extra}")
    lines.append(MEANING.get(cell.status, ""))
    for diagnosis in report.diagnoses:
        if cell.record in diagnosis.records:
            lines.append(f"Fix [{diagnosis.code}]: {diagnosis.sentence}")
    return "\n".join(line for line in lines if line is not None)


class CellEvidence(ModalScreen[None]):
    """The evidence behind one grid cell; Esc (or Enter, or q) closes."""

    CSS_PATH = "cell_evidence.tcss"
    BINDINGS = [
        Binding("escape,enter,q", "close", "Close", id="evidence-close"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(id="cell-evidence")
        self._title = title
        self._text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="evidence-box", classes="modal-box"):
            yield Note(self._title, classes="title")
            yield Note(self._text, id="evidence-body")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
