"""Every endpoint against every API fault, through the real client and the sandbox over loopback.

For each (endpoint x fault):

- a read survives a one-off fault by asking again, and a fault that persists ends in the right
  typed error after the policy's attempts;
- a write is sent exactly once (counted by the sandbox), except when nothing was sent (the
  connection timed out before the request left): then it is sent again, and reaches Wix once;
- a write either succeeds or raises the right typed error, whose ``may_have_happened`` is true
  exactly when Wix may have done it; and the sandbox's state and mailbox show it was done at
  most once: no fault ever causes a second verification code or a second Authenticate.

The faults: 500, 502, 503, 504, 429 with and without Retry-After, a connect timeout, a read
timeout (Wix did it, the answer came too late), a connection reset mid-body, malformed JSON, an
empty body, an HTML error page (502, before Wix did anything) and an HTML page with 200 (after
Wix did it). (test_contract_auth_and_faults.py and test_retry.py keep the narrower cases:
OAuth, rate limits, Retry-After arithmetic, and the policy itself.)

Fast: retries sleep on a ManualClock (no real waiting, Retry-After included), the timeouts are
a fraction of a second, and a connect timeout is a real one: the first attempt goes to a port
whose listen queue is full, so the kernel never answers the SYN.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import FAST_RETRY
from tests.support import SandboxControl
from tui.clock import ManualClock
from tui.sandbox import SandboxServer
from tui.wix import (
    ApiKeyAuth,
    RateLimited,
    ServerError,
    UnreadableAnswer,
    WixError,
    WixProtocolError,
    WixTimeout,
    WixTransportError,
)
from tui.wix.client import WixClient

READ_TIMEOUT = 0.25  # seconds; a loopback answer takes a few milliseconds
CONNECT_TIMEOUT = 0.1
STALL_MS = 1500  # how long a "read timeout" fault holds the answer: well past READ_TIMEOUT
PERSISTENT = 100  # a fault count no retry policy here uses up

BILLING = "billing@northwind-studio.example"  # the agency site's one unverified address


# --- the faults ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    name: str
    spec: dict[str, Any] | None  # the sandbox fault; None: the connection never gets there
    processed: bool  # the sandbox carries the request out behind the fault
    error: type[WixError]  # what a call raises when the fault persists
    empty_ok_succeeds: bool = False  # a write whose documented answer is {} succeeds

    @property
    def connect(self) -> bool:
        return self.spec is None


def _status(code: int, **extra: Any) -> dict[str, Any]:
    return {"kind": "status", "status": code, **extra}


FAULTS = [
    Fault("500", _status(500), processed=False, error=ServerError),
    Fault("502", _status(502), processed=False, error=ServerError),
    Fault("503", _status(503), processed=False, error=ServerError),
    Fault("504", _status(504), processed=False, error=ServerError),
    Fault("429", _status(429), processed=False, error=RateLimited),
    Fault("429-retry-after", _status(429, retryAfter=1), processed=False, error=RateLimited),
    Fault("connect-timeout", None, processed=False, error=WixTransportError),
    Fault(
        "read-timeout",
        {"kind": "stall", "latencyMs": STALL_MS},
        processed=True,
        error=WixTimeout,
    ),
    Fault("reset-mid-body", {"kind": "drop", "phase": "after"}, True, WixTransportError),
    Fault("malformed-json", {"kind": "malformed"}, processed=True, error=WixProtocolError),
    Fault(
        "empty-body",
        {"kind": "empty"},
        processed=True,
        error=WixProtocolError,
        empty_ok_succeeds=True,
    ),
    Fault("html-502", {"kind": "html"}, processed=False, error=ServerError),
    Fault(
        "html-200",
        {"kind": "html", "status": 200, "phase": "after"},
        processed=True,
        error=WixProtocolError,
    ),
]


# --- a real connect timeout ----------------------------------------------------------------


@pytest.fixture(scope="session")
def unanswered_port() -> Iterator[int]:
    """A port whose listen queue is full and never accepted: the kernel drops every new SYN,
    so connecting to it times out (it is not refused)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):  # the handshake finishes in the kernel
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


class FirstAttemptsUnanswered(httpx.AsyncBaseTransport):
    """Real HTTP to the sandbox, except that the first ``unanswered`` connections are made to
    the unanswered port instead: httpx raises a genuine ConnectTimeout for them."""

    # One TLS context for all (the sandbox is plain HTTP): building one costs ~25 ms.
    _tls = ssl.create_default_context()

    def __init__(self, unanswered_port: int, unanswered: int) -> None:
        self._real = httpx.AsyncHTTPTransport(verify=self._tls)
        self._port = unanswered_port
        self.unanswered = unanswered

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.unanswered > 0:
            self.unanswered -= 1
            request.url = request.url.copy_with(port=self._port)
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()


# --- the world and the client ---------------------------------------------------------------


@dataclass
class Case:
    wix: WixClient
    control: SandboxControl
    clock: ManualClock
    transport: FirstAttemptsUnanswered
    ids: dict[str, str] = field(default_factory=dict)

    def site(self) -> dict[str, Any]:
        return self.control.state()["sites"][0]


@pytest.fixture
async def case(sandbox_server: SandboxServer, unanswered_port: int) -> AsyncIterator[Case]:
    """The 'agency' site: verified and unverified addresses, seven senders, and
    cedar-lane.example NOT_AUTHENTICATED with its records published (Authenticate succeeds)."""
    control = SandboxControl(sandbox_server.base_url)
    control.reset("agency")
    control.time_scale(1.0)
    creds = sandbox_server.credentials[0]
    transport = FirstAttemptsUnanswered(unanswered_port, 0)
    clock = ManualClock()
    http = httpx.AsyncClient(
        transport=transport, timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
    )
    wix = WixClient(
        ApiKeyAuth(creds.api_key, creds.site_id),
        base_url=sandbox_server.base_url,
        retry=FAST_RETRY,
        clock=clock,
        http=http,
    )
    try:
        yield Case(wix, control, clock, transport)
    finally:
        await http.aclose()
        control.clear_faults()


def arm(case: Case, endpoint: str, fault: Fault, count: int) -> None:
    """Count the requests that reach ``endpoint``, and inject ``fault`` ``count`` times."""
    case.control.count_requests(endpoint)
    if fault.connect:
        case.transport.unanswered = count
    else:
        case.control.fault(endpoint, count=count, **(fault.spec or {}))


# --- the endpoints ----------------------------------------------------------------------------

Call = Callable[[Case], Awaitable[Any]]


def _by(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    return next(item for item in items if item[key] == value)


@dataclass(frozen=True)
class Read:
    endpoint: str
    call: Call
    check: Callable[[Any], bool]
    prepare: Callable[[Case], None] = lambda case: None


def _remember_ids(case: Case) -> None:
    site = case.site()
    case.ids["email"] = _by(site["senderEmails"], "emailAddress", "news@northwind-studio.example")[
        "id"
    ]
    case.ids["details"] = _by(site["senderDetails"], "fromName", "Alpine Tours")["id"]
    case.ids["domain"] = _by(site["sendingDomains"], "domain", "cedar-lane.example")["id"]


READS = [
    Read("sender-emails.list", lambda c: c.wix.list_sender_emails(), lambda r: len(r) == 8),
    Read(
        "sender-emails.get",
        lambda c: c.wix.get_sender_email(c.ids["email"]),
        lambda r: r.email_address == "news@northwind-studio.example",
        _remember_ids,
    ),
    Read("sender-details.list", lambda c: c.wix.list_sender_details(), lambda r: len(r) == 7),
    Read(
        "sender-details.get",
        lambda c: c.wix.get_sender_details(c.ids["details"]),
        lambda r: r.from_name == "Alpine Tours",
        _remember_ids,
    ),
    Read(
        "sender-details.get-default",
        lambda c: c.wix.get_default_sender_details(),
        lambda r: r.from_name == "Northwind Studio",
    ),
    Read(
        "sending-domains.query",
        lambda c: c.wix.query_sending_domains(domains=["cedar-lane.example"]),
        lambda r: [d.domain for d in r] == ["cedar-lane.example"],
    ),
    Read(
        "sending-domains.get",
        lambda c: c.wix.get_sending_domain(c.ids["domain"]),
        lambda r: r.domain == "cedar-lane.example",
        _remember_ids,
    ),
    Read(
        "account-details.get",
        lambda c: c.wix.get_account_details(),
        lambda r: r.package_id == "Ascend_Advanced",
    ),
]


@dataclass(frozen=True)
class Write:
    endpoint: str
    call: Call
    done: Callable[[Case], bool]  # from the sandbox's state: whether the write happened
    prepare: Callable[[Case], Awaitable[None]] | None = None
    empty_ok: bool = False  # the documented answer is {}, so an empty body is a success


def _emails(case: Case, address: str) -> list[dict[str, Any]]:
    return [e for e in case.site()["senderEmails"] if e["emailAddress"] == address]


def _details(case: Case, name: str) -> list[dict[str, Any]]:
    return [d for d in case.site()["senderDetails"] if d["fromName"] == name]


async def _billing(case: Case) -> None:
    case.ids["billing"] = _emails(case, BILLING)[0]["id"]


async def _billing_with_a_code(case: Case) -> None:
    await _billing(case)
    await case.wix.send_verification_code(case.ids["billing"])
    case.ids["code"] = case.control.latest_code(BILLING)


async def _sender(case: Case, name: str) -> None:
    case.ids["details"] = _details(case, name)[0]["id"]


async def _cedar_lane(case: Case) -> None:
    domain = _by(case.site()["sendingDomains"], "domain", "cedar-lane.example")
    assert domain["status"] == "NOT_AUTHENTICATED"
    case.ids["domain"] = domain["id"]


def _default_name(case: Case) -> str:
    return next(d["fromName"] for d in case.site()["senderDetails"] if d["default"])


WRITES = [
    Write(
        "sender-emails.create",
        lambda c: c.wix.create_sender_email("new@northwind-studio.example"),
        lambda c: len(_emails(c, "new@northwind-studio.example")) == 1,
    ),
    Write(
        "sender-emails.get-or-create",
        lambda c: c.wix.get_or_create_sender_email("other@northwind-studio.example"),
        lambda c: len(_emails(c, "other@northwind-studio.example")) == 1,
    ),
    Write(
        "sender-emails.send-verification-code",
        lambda c: c.wix.send_verification_code(c.ids["billing"]),
        lambda c: len(c.control.mailbox(BILLING)) == 1,
        _billing,
        empty_ok=True,
    ),
    Write(
        "sender-emails.verify",
        lambda c: c.wix.verify_sender_email(c.ids["billing"], c.ids["code"]),
        lambda c: _emails(c, BILLING)[0]["verified"] is True,
        _billing_with_a_code,
        empty_ok=True,
    ),
    Write(
        "sender-emails.delete",
        lambda c: c.wix.delete_sender_email(c.ids["billing"]),
        lambda c: _emails(c, BILLING) == [],
        _billing,
        empty_ok=True,
    ),
    Write(
        "sender-details.create",
        lambda c: c.wix.create_sender_details("Northwind News", "news@northwind-studio.example"),
        lambda c: len(_details(c, "Northwind News")) == 1,
    ),
    Write(
        "sender-details.update",
        lambda c: c.wix.update_sender_details(c.ids["details"], from_name="Alpine Treks"),
        lambda c: len(_details(c, "Alpine Treks")) == 1,
        lambda c: _sender(c, "Alpine Tours"),
    ),
    Write(
        "sender-details.delete",
        lambda c: c.wix.delete_sender_details(c.ids["details"]),
        lambda c: _details(c, "Old Harbor Co") == [],
        lambda c: _sender(c, "Old Harbor Co"),
        empty_ok=True,
    ),
    Write(
        "sender-details.mark-as-default",
        lambda c: c.wix.mark_sender_details_as_default(c.ids["details"]),
        lambda c: _default_name(c) == "Alpine Tours",
        lambda c: _sender(c, "Alpine Tours"),
        empty_ok=True,
    ),
    Write(
        "sending-domains.authenticate",
        lambda c: c.wix.authenticate_sending_domain(c.ids["domain"]),
        lambda c: (
            _by(c.site()["sendingDomains"], "domain", "cedar-lane.example")["status"]
            == "AUTHENTICATED"
        ),
        _cedar_lane,
        empty_ok=True,
    ),
]


def _ids(items: list[Any]) -> list[str]:
    return [item.endpoint if hasattr(item, "endpoint") else item.name for item in items]


# --- reads --------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=_ids(FAULTS))
@pytest.mark.parametrize("read", READS, ids=_ids(READS))
async def test_a_read_survives_a_one_off_fault(case: Case, read: Read, fault: Fault) -> None:
    read.prepare(case)
    arm(case, read.endpoint, fault, count=1)
    assert read.check(await read.call(case))
    # Asked twice: the faulty answer and the good one (a connect timeout never got there).
    assert case.control.requests(read.endpoint) == (1 if fault.connect else 2)
    if fault.name == "429-retry-after":
        assert case.clock.sleeps and case.clock.sleeps[0] >= 1  # waited as Wix asked


@pytest.mark.parametrize("fault", FAULTS, ids=_ids(FAULTS))
@pytest.mark.parametrize("read", [READS[0], READS[-1]], ids=_ids([READS[0], READS[-1]]))
async def test_a_read_under_a_lasting_fault_gives_the_typed_error(
    case: Case, read: Read, fault: Fault
) -> None:
    arm(case, read.endpoint, fault, count=PERSISTENT)
    with pytest.raises(fault.error) as info:
        await read.call(case)
    error = info.value
    assert error.write is False and error.may_have_happened is False
    assert error.operation == read.endpoint
    attempts = FAST_RETRY.max_attempts
    assert case.control.requests(read.endpoint) == (0 if fault.connect else attempts)
    if fault.connect:
        assert isinstance(error, WixTransportError) and error.sent is False


# --- writes -------------------------------------------------------------------------------


def expected_outcome(write: Write, fault: Fault) -> type[WixError] | None:
    """The error a write raises under a one-off ``fault``; None when it succeeds."""
    if fault.connect:
        return None  # nothing was sent, so it was sent again, and went through
    if fault.empty_ok_succeeds and write.empty_ok:
        return None  # the documented answer is {}: an empty body is that answer
    if write.endpoint == "sending-domains.authenticate" and fault.processed:
        return None  # the answer was lost, and reading the domain says it is authenticated
    if fault.error is WixProtocolError:
        return UnreadableAnswer
    return fault.error


@pytest.mark.parametrize("fault", FAULTS, ids=_ids(FAULTS))
@pytest.mark.parametrize("write", WRITES, ids=_ids(WRITES))
async def test_a_write_is_done_at_most_once_and_says_whether_it_may_have_been(
    case: Case, write: Write, fault: Fault
) -> None:
    if write.prepare is not None:
        await write.prepare(case)
    assert not write.done(case)
    codes_before = len(case.control.mailbox())
    arm(case, write.endpoint, fault, count=1)
    expected = expected_outcome(write, fault)

    if expected is None:
        await write.call(case)
    else:
        with pytest.raises(expected) as info:
            await write.call(case)
        error = info.value
        assert type(error) is expected or (
            expected is WixTransportError and isinstance(error, WixTransportError)
        )
        assert error.write is True
        # Wix may have done it exactly when the request got there and did not come back
        # with a refusal: every fault here but the 429s.
        assert error.may_have_happened is (expected is not RateLimited)
        if error.may_have_happened:
            assert "try again in a few minutes" not in error.user_message().lower()
        if isinstance(error, UnreadableAnswer):
            assert "Wix may have done it; check before trying again." in error.sentence
        if isinstance(error, WixTransportError):
            assert error.sent is True
            assert "may or may not have taken effect" in error.hint

    # Sent once (a connect timeout's first attempt never got there), and not one retry more.
    assert case.control.requests(write.endpoint) == 1
    # Done exactly when the sandbox carried the request out (or the retry after a connect
    # timeout did), never twice: the state says whether, the mailbox how many codes.
    assert write.done(case) is (fault.processed or fault.connect)
    new_codes = len(case.control.mailbox()) - codes_before
    sends_a_code = write.endpoint == "sender-emails.send-verification-code"
    assert new_codes == (1 if sends_a_code and write.done(case) else 0)


async def test_the_matrix_covers_every_endpoint_of_the_client(
    sandbox_server: SandboxServer,
) -> None:
    # A new endpoint must join the matrix (the OAuth token endpoint has its own tests).
    covered = {r.endpoint for r in READS} | {w.endpoint for w in WRITES}
    routes = set(sandbox_server.world.faults.route_names) - {"oauth.token"}
    assert covered == routes
