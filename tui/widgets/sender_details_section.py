"""The lower half of the Senders pane: the site's sender details (a from-name with a verified
address) and choosing the default.

The pane owns the keys (c, m: their ids are the pane's, for the config's [keymap]), reads both
lists and opens the create modal; this section shows the sender details, makes one the default
and then posts :class:`SenderDetailsSection.Changed` so the pane reads the site again.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message

from tui.flow.writes import write_failure
from tui.widgets.fields import Note
from tui.widgets.host import UsesServices
from tui.widgets.jobs import Job, RunsJobs, job
from tui.widgets.sender_tables import SenderDetailsTable
from tui.wix.errors import WixError
from tui.wix.models import SenderDetails

NO_DETAILS = "No sender details yet: verify an address, then press {key} to give it a from-name."


def summary(details: Sequence[SenderDetails], create_key: str = "c") -> str:
    """The line above the table: the default sender, or what is missing (naming the key that
    creates sender details as the user has it: the config's [keymap] may move it)."""
    if not details:
        return NO_DETAILS.format(key=create_key)
    default = next((d for d in details if d.default), None)
    if default is not None:
        return f"Default sender: {default.from_name} <{default.from_email_address}>."
    count = len(details)
    return f"{count} sender{'' if count == 1 else 's'}, none marked default."


class SenderDetailsSection(UsesServices, RunsJobs, Vertical):
    class Changed(Message):
        """A write ended (or may have happened): the site's lists should be read again."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.busy = False  # making one the default: one at a time

    def compose(self) -> ComposeResult:
        yield Note("Sender details", classes="section-title")
        yield Note("", id="details-status", classes="hint")
        yield SenderDetailsTable(id="details-table")

    @property
    def table(self) -> SenderDetailsTable:
        return self.query_one(SenderDetailsTable)

    def show(self, details: Sequence[SenderDetails], create_key: str = "c") -> None:
        self.table.show(details)
        self._status(summary(details, create_key))

    def clear(self) -> None:
        self.table.show([])
        self._status("")

    def _status(self, text: str) -> None:
        self.query_one("#details-status", Note).update(text)

    # --- make default ---------------------------------------------------------------------

    def mark_default(self) -> None:
        """Make the highlighted sender details the site's default."""
        details = self.table.selected
        if self.busy:
            return
        if details is None:
            self.app.notify("No sender details are highlighted.", markup=False)
            return
        if details.default:
            self.app.notify(
                f"★ {details.from_name} <{details.from_email_address}> is the default already.",
                markup=False,
            )
            return
        self.busy = True
        self._mark_default(details)

    @job("senders-write", "Making the sender details the default", "")
    async def _mark_default(self, details: SenderDetails) -> None:
        try:
            session = self.session
            if session is None:
                return
            try:
                await session.client.mark_sender_details_as_default(details.id)
            except WixError as exc:
                self.app.notify(
                    write_failure(exc, "changed the default"),
                    title="Make default",
                    severity="error",
                    markup=False,
                )
            else:
                self.app.notify(
                    f"★ {details.from_name} <{details.from_email_address}> is the default "
                    "sender now.",
                    markup=False,
                )
        finally:
            self.busy = False
        self.post_message(self.Changed())

    def recover(self, failed: Job, error: BaseException) -> str | None:
        self.busy = False
        # Whether Wix changed the default is only known by reading the lists again.
        self.post_message(self.Changed())
        return "The lists are read again: check them before trying again."
