"""Injected failures: what a flaky network or a struggling Wix backend looks like to a client.

A fault targets one route name (``sender-emails.create`` ...) or ``*`` and is one of:

- ``latency``: sleep ``latencyMs`` *real* milliseconds (it simulates the network, not the world,
  so it ignores the world clock's speed), then process normally. Stacks with one other fault.
- ``status``: answer ``status`` (default 503) in the Wix envelope without processing; 5xx bodies
  are the empty envelope; ``Retry-After`` is sent when ``retryAfter`` is given.
- ``drop``: phase ``after`` (default) processes the request -- state changes stick -- then sends
  the response head (with the full Content-Length) and half the body and kills the connection.
  Phase ``before`` sends the head of a placeholder response and kills the connection without
  processing anything. Either way the client sees a transport error, never a status.
- ``malformed``: processes, then answers 200 with the body cut in half (invalid JSON).
- ``html``: answers a ``text/html`` gateway page, status ``status`` (default 502; 200-599, so a
  captive portal's or a proxy's 200 page can be played too). Phase ``before`` (default) answers
  without processing; phase ``after`` processes first, so a write happened behind the page.
- ``empty``: processes, then answers 200 with an empty body.
- ``stall``: processes, then holds the (intact) answer for ``latencyMs`` real milliseconds
  before sending it: a client with a shorter read timeout gives up on a request that Wix
  carried out. (``latency`` delays *before* processing, so a write there happens only later.)
- ``body``: answers ``body`` (any JSON value, required) with status ``status`` (default 200;
  200-599): hostile text, odd shapes, an error that quotes the caller's credentials. Every
  ``{{authorization}}`` in its strings becomes the request's ``Authorization`` header, as a
  careless server that echoes the key would. Phase ``before`` (default) answers without
  processing; ``after`` processes first and replaces the answer.

Presets (:data:`FAULT_PRESETS`, ``SandboxServer(faults="flaky")``, ``wix-sending demo --faults
flaky``) install a named set of the kinds above, each firing with a probability drawn from the
registry's seeded random (so a run replays the same way). They come back after every reset
(they are part of how the server was started); ``DELETE /_sandbox/faults`` switches them off
until then.

- ``flaky``: every read (GET, and the Query POST) answers 503 with probability 0.10, drops the
  connection mid-answer with probability 0.04, and stalls 20 s before processing with
  probability 0.02 (longer than the app's 15 s read timeout: a real timeout); every write
  (not the OAuth token) is carried out and then answered with malformed JSON with probability
  0.08, so the app must say "Wix may have done it" and never send it again.

``count`` limits a fault to the next N matching requests; ``probability`` makes each matching
request fire with that chance. Neither given means "the next request only". Numbers must be
finite and in range (``count`` 1-1000000, ``probability`` 0-1, ``latencyMs`` 0-120000,
``retryAfter`` 0-86400, ``status`` 400-599, or 200-599 for ``html`` and ``body``), else the
control route answers 400. ``body`` is refused on other kinds and limited to 1 MB of JSON.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

from tui.sandbox.bounds import checked_number
from tui.sandbox.errors import ControlError, SandboxError, canonical_code
from tui.sandbox.routes import WIX_ROUTES, WixRoute

FAULT_KINDS = ("latency", "status", "drop", "malformed", "html", "empty", "stall", "body")
PHASES = ("before", "after")
MAX_LATENCY_MS = 120_000
MAX_COUNT = 1_000_000
MAX_RETRY_AFTER = 86_400
MAX_BODY_BYTES = 1_000_000
ANY_ROUTE = "*"
AUTHORIZATION_MARK = "{{authorization}}"
# Kinds that answer a page or a body of their own may play a success status (a proxy's 200
# page, a 200 whose JSON is hostile); the others render the Wix error envelope, which would be
# nonsense on a success status.
_SUCCESS_STATUS_KINDS = ("html", "body")
_DEFAULT_STATUS = {"html": 502, "body": 200}
# Where a kind can act either side of processing, the side it acts on when no phase is given
# (``drop`` kept its historical "after").
_DEFAULT_PHASE = {"html": "before", "body": "before"}


class DeliberateConnectionDrop(Exception):
    """Raised after a partial response so the server closes the connection mid-body."""


@dataclass
class Fault:
    id: int
    endpoint: str
    kind: str
    probability: float
    remaining: int | None  # None = unlimited (probability-driven)
    status: int
    latency_ms: int
    retry_after: int | None
    phase: str
    fired: int = 0
    body: Any = None  # the JSON value a ``body`` fault answers

    @property
    def before_processing(self) -> bool:
        if self.kind == "status":
            return True
        return self.kind in ("drop", "html", "body") and self.phase == "before"

    def to_json(self) -> dict[str, Any]:
        raw = asdict(self)
        return {
            "id": raw["id"],
            "endpoint": raw["endpoint"],
            "kind": raw["kind"],
            "probability": raw["probability"],
            "remaining": raw["remaining"],
            "status": raw["status"],
            "latencyMs": raw["latency_ms"],
            "retryAfter": raw["retry_after"],
            "phase": raw["phase"],
            "fired": raw["fired"],
            "body": raw["body"],
        }


@dataclass(frozen=True)
class Firing:
    """The faults that fire for one request: summed latency plus at most one other action."""

    latency_seconds: float = 0.0
    action: Fault | None = None


def _integer(spec: Mapping[str, Any], key: str, low: int, high: int) -> int:
    return int(checked_number(key, spec[key], low, high, integer=True))


# --- presets ------------------------------------------------------------------------------

# Reads by method, but for the one POST that only reads (Query Sending Domains).
_READ_ONLY_POSTS = frozenset({"sending-domains.query"})
_OAUTH_ROUTE = "oauth.token"


def _flaky(routes: Iterable[WixRoute]) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    for route in routes:
        if route.name == _OAUTH_ROUTE:
            continue  # the demo signs in with an API key; token failures have their own tests
        if route.method == "GET" or route.name in _READ_ONLY_POSTS:
            specs += [
                {"endpoint": route.name, "kind": "status", "status": 503, "probability": 0.10},
                {"endpoint": route.name, "kind": "drop", "probability": 0.04},
                {
                    "endpoint": route.name,
                    "kind": "latency",
                    "latencyMs": 20_000,
                    "probability": 0.02,
                },
            ]
        else:
            specs.append({"endpoint": route.name, "kind": "malformed", "probability": 0.08})
    return specs


FAULT_PRESETS: dict[str, Callable[[Iterable[WixRoute]], list[dict[str, Any]]]] = {"flaky": _flaky}
"""Preset name -> a function of the routes giving the fault specs (as POST /_sandbox/faults
takes them). The names are also listed in tui/options.py (FAULT_PRESET_NAMES), where the CLI
can read them without loading the server; a test keeps the two lists equal."""


def preset_specs(name: str, routes: Iterable[WixRoute] = WIX_ROUTES) -> list[dict[str, Any]]:
    if name not in FAULT_PRESETS:
        raise ValueError(
            f"unknown fault preset {name!r}; choose one of: {', '.join(sorted(FAULT_PRESETS))}"
        )
    return list(FAULT_PRESETS[name](routes))


class FaultRegistry:
    """Active faults, thread-safe (the control route and request handlers share it)."""

    def __init__(
        self, route_names: Iterable[str], seed: int = 0, preset: str | None = None
    ) -> None:
        self.route_names = tuple(route_names)
        self._seed = seed
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1
        self._rng = random.Random(seed)  # seeded: probabilistic faults replay the same way
        self.preset = preset
        self._preset_specs = preset_specs(preset) if preset is not None else []
        self.apply_preset()

    def apply_preset(self) -> None:
        """Install the preset's faults (again): at start and after every reset."""
        for spec in self._preset_specs:
            self.add(spec)

    def add(self, spec: Any) -> Fault:
        fault = self._parse(spec)
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def _parse(self, spec: Any) -> Fault:
        if not isinstance(spec, dict):
            raise ControlError(400, "the body must be a JSON object")
        endpoint = spec.get("endpoint")
        if endpoint != ANY_ROUTE and endpoint not in self.route_names:
            raise ControlError(
                400,
                f"endpoint must be '*' or one of: {', '.join(self.route_names)} (got {endpoint!r})",
            )
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            raise ControlError(400, f"kind must be one of {', '.join(FAULT_KINDS)}")
        phase = spec.get("phase", _DEFAULT_PHASE.get(kind, "after"))
        if phase not in PHASES:
            raise ControlError(400, "phase must be 'before' or 'after'")
        body = self._body(spec, kind)
        has_count, has_probability = "count" in spec, "probability" in spec
        count = _integer(spec, "count", 1, MAX_COUNT) if has_count else None
        probability = (
            float(checked_number("probability", spec["probability"], 0, 1))
            if has_probability
            else 1.0
        )
        if not has_count and not has_probability:
            count = 1
        lowest = 200 if kind in _SUCCESS_STATUS_KINDS else 400
        status = _DEFAULT_STATUS.get(kind, 503)
        if "status" in spec:
            status = _integer(spec, "status", lowest, 599)
        latency_ms = 1500
        if "latencyMs" in spec:
            latency_ms = int(checked_number("latencyMs", spec["latencyMs"], 0, MAX_LATENCY_MS))
        retry_after = None
        if spec.get("retryAfter") is not None:
            retry_after = _integer(spec, "retryAfter", 0, MAX_RETRY_AFTER)
        return Fault(
            0, endpoint, kind, probability, count, status, latency_ms, retry_after, phase, body=body
        )

    @staticmethod
    def _body(spec: Mapping[str, Any], kind: str) -> Any:
        if kind != "body":
            if "body" in spec:
                raise ControlError(400, "body is only for faults of kind 'body'")
            return None
        if "body" not in spec:
            raise ControlError(400, "a 'body' fault needs a body (any JSON value)")
        if len(json.dumps(spec["body"])) > MAX_BODY_BYTES:
            raise ControlError(400, f"body must be at most {MAX_BODY_BYTES} bytes of JSON")
        return spec["body"]

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.to_json() for fault in self._faults]

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._faults)
            self._faults.clear()
            self._rng = random.Random(self._seed)
            return cleared

    def draw(self, route_name: str) -> Firing:
        """Decide which faults fire for one request to ``route_name`` (consuming counts)."""
        latency = 0.0
        action: Fault | None = None
        with self._lock:
            for fault in list(self._faults):
                if fault.endpoint not in (ANY_ROUTE, route_name):
                    continue
                if fault.kind != "latency" and action is not None:
                    continue
                if self._rng.random() >= fault.probability:
                    continue
                fault.fired += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                if fault.kind == "latency":
                    latency += fault.latency_ms / 1000
                else:
                    action = replace(fault)
        return Firing(latency, action)


class DroppingResponse(Response):
    """Sends the head and part of the body, then raises so the server drops the connection.

    Uvicorn closes the transport when the app raises after the response started; the
    Content-Length promises more bytes than arrive, so the client sees a protocol error.
    """

    def __init__(self, template: Response, keep_bytes: int) -> None:
        super().__init__(status_code=template.status_code)
        self.body = template.body
        self.raw_headers = list(template.raw_headers)
        self.keep_bytes = keep_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if self.keep_bytes:
            partial = self.body[: self.keep_bytes]
            await send({"type": "http.response.body", "body": partial, "more_body": True})
        raise DeliberateConnectionDrop("sandbox fault: connection dropped mid-response")


class StallingResponse(Response):
    """Holds a finished answer back for a while, then sends it whole (if anyone still waits)."""

    def __init__(self, template: Response, seconds: float) -> None:
        super().__init__(status_code=template.status_code)
        self.template = template
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Real seconds, like ``latency``: it plays a slow network or backend, not world time.
        await asyncio.sleep(self.seconds)
        await self.template(scope, receive, send)


def body_response(fault: Fault, authorization: str) -> Response:
    """A ``body`` fault's answer, with the caller's Authorization echoed where it is marked."""
    text = json.dumps(fault.body)
    if AUTHORIZATION_MARK in text:
        # Escaped as a JSON string's content, so any header value keeps the JSON valid.
        text = text.replace(AUTHORIZATION_MARK, json.dumps(authorization)[1:-1])
    return Response(text.encode(), status_code=fault.status, media_type="application/json")


def before_response(fault: Fault, authorization: str = "") -> Response:
    """The answer for a fault that replaces processing entirely."""
    if fault.kind == "html":
        return HTMLResponse(GATEWAY_PAGE, status_code=fault.status)
    if fault.kind == "body":
        return body_response(fault, authorization)
    if fault.kind == "drop":
        placeholder = JSONResponse({"message": "sandbox placeholder, never delivered"})
        return DroppingResponse(placeholder, keep_bytes=0)
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
    error = SandboxError(
        fault.status, canonical_code(fault.status), f"sandbox fault: injected HTTP {fault.status}"
    )
    return JSONResponse(error.body(), status_code=fault.status, headers=headers)


def after_response(fault: Fault, real: Response, authorization: str = "") -> Response:
    """Damage the real (already processed) response according to the fault."""
    if fault.kind == "stall":
        return StallingResponse(real, fault.latency_ms / 1000)
    if fault.kind == "html":
        return HTMLResponse(GATEWAY_PAGE, status_code=fault.status)
    if fault.kind == "body":
        return body_response(fault, authorization)
    if fault.kind == "drop":
        return DroppingResponse(real, keep_bytes=len(real.body) // 2)
    if fault.kind == "malformed":
        broken = real.body[: max(1, len(real.body) // 2)]
        return Response(broken, status_code=200, media_type="application/json")
    if fault.kind == "empty":
        return Response(b"", status_code=200, media_type="application/json")
    return real


GATEWAY_PAGE = """<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>sandbox gateway (injected fault)</center>
</body>
</html>
"""
