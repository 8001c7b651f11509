"""DNS propagation: where each record is visible, why not yet, and when it will be.

Plain async Python (dnspython for the wire format, httpx for DoH); never imports Textual, so
the ``watch`` command and the TUI share it.
"""

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
from tui.propagation.resolvers import (
    BUILTIN_PUBLIC,
    local_resolvers,
    public_resolvers,
    resolver_from_address,
)
from tui.propagation.sweep import Prober

__all__ = [
    "BUILTIN_PUBLIC",
    "Cell",
    "Diagnosis",
    "Endpoint",
    "Eta",
    "ExpectedRecord",
    "InvalidInput",
    "Name",
    "Prober",
    "RecordSpec",
    "Report",
    "Resolver",
    "Role",
    "ServerAddress",
    "Status",
    "ZoneInfo",
    "local_resolvers",
    "parse_name",
    "parse_named_server",
    "parse_record_spec",
    "parse_server",
    "public_resolvers",
    "resolver_from_address",
    "to_json",
]
