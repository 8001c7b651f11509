"""DNS propagation: where each record is visible, why not yet, and when it will be.

Plain async Python (dnspython for the wire format, httpx for DoH); never imports Textual, so
the ``watch`` command and the TUI share it.

This face re-exports only the light part: the data model, names as users type them, how a cell
reads, and the JSON report. The engine, which loads dnspython and httpx, is imported from its
own modules where it runs (``tui.propagation.sweep.Prober``, ``tui.propagation.resolvers``), so
a screen or flow that only reads a report does not pay for it.
"""

from tui.propagation.labels import CellView, cell_view, column_headers, row_label
from tui.propagation.model import (
    Cell,
    Diagnosis,
    Endpoint,
    Eta,
    ExpectedRecord,
    Report,
    Resolver,
    Role,
    Status,
    TypeCheck,
    Unanswered,
    ZoneInfo,
)
from tui.propagation.names import (
    InvalidInput,
    Name,
    RecordSpec,
    ServerAddress,
    parse_name,
    parse_named_server,
    parse_record_spec,
    parse_server,
)
from tui.propagation.report import to_json

__all__ = [
    "Cell",
    "CellView",
    "Diagnosis",
    "Endpoint",
    "Eta",
    "ExpectedRecord",
    "InvalidInput",
    "Name",
    "RecordSpec",
    "Report",
    "Resolver",
    "Role",
    "ServerAddress",
    "Status",
    "TypeCheck",
    "Unanswered",
    "ZoneInfo",
    "cell_view",
    "column_headers",
    "parse_name",
    "parse_named_server",
    "parse_record_spec",
    "parse_server",
    "row_label",
    "to_json",
]
