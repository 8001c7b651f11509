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
- ``html``: answers a 502 ``text/html`` gateway page without processing.
- ``empty``: processes, then answers 200 with an empty body.

``count`` limits a fault to the next N matching requests; ``probability`` makes each matching
request fire with that chance. Neither given means "the next request only". Numbers must be
finite and in range (``count`` 1-1000000, ``probability`` 0-1, ``latencyMs`` 0-120000,
``retryAfter`` 0-86400, ``status`` 400-599), else the control route answers 400.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

from tui.sandbox.bounds import checked_number
from tui.sandbox.errors import ControlError, SandboxError, canonical_code

FAULT_KINDS = ("latency", "status", "drop", "malformed", "html", "empty")
PHASES = ("before", "after")
MAX_LATENCY_MS = 120_000
MAX_COUNT = 1_000_000
MAX_RETRY_AFTER = 86_400
ANY_ROUTE = "*"


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

    @property
    def before_processing(self) -> bool:
        return self.kind in ("status", "html") or (self.kind == "drop" and self.phase == "before")

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
        }


@dataclass(frozen=True)
class Firing:
    """The faults that fire for one request: summed latency plus at most one other action."""

    latency_seconds: float = 0.0
    action: Fault | None = None


def _integer(spec: Mapping[str, Any], key: str, low: int, high: int) -> int:
    return int(checked_number(key, spec[key], low, high, integer=True))


class FaultRegistry:
    """Active faults, thread-safe (the control route and request handlers share it)."""

    def __init__(self, route_names: Iterable[str], seed: int = 0) -> None:
        self.route_names = tuple(route_names)
        self._seed = seed
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1
        self._rng = random.Random(seed)  # seeded: probabilistic faults replay the same way

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
        phase = spec.get("phase", "after")
        if phase not in PHASES:
            raise ControlError(400, "phase must be 'before' or 'after'")
        has_count, has_probability = "count" in spec, "probability" in spec
        count = _integer(spec, "count", 1, MAX_COUNT) if has_count else None
        probability = (
            float(checked_number("probability", spec["probability"], 0, 1))
            if has_probability
            else 1.0
        )
        if not has_count and not has_probability:
            count = 1
        # Only error statuses: a "fault" answering 1xx-3xx would not be one, and the Wix error
        # envelope it is rendered in would be nonsense on a success status.
        status = _integer(spec, "status", 400, 599) if "status" in spec else 503
        latency_ms = 1500
        if "latencyMs" in spec:
            latency_ms = int(checked_number("latencyMs", spec["latencyMs"], 0, MAX_LATENCY_MS))
        retry_after = None
        if spec.get("retryAfter") is not None:
            retry_after = _integer(spec, "retryAfter", 0, MAX_RETRY_AFTER)
        return Fault(0, endpoint, kind, probability, count, status, latency_ms, retry_after, phase)

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


def before_response(fault: Fault) -> Response:
    """The answer for a fault that replaces processing entirely."""
    if fault.kind == "html":
        return HTMLResponse(GATEWAY_PAGE, status_code=502)
    if fault.kind == "drop":
        placeholder = JSONResponse({"message": "sandbox placeholder, never delivered"})
        return DroppingResponse(placeholder, keep_bytes=0)
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
    error = SandboxError(
        fault.status, canonical_code(fault.status), f"sandbox fault: injected HTTP {fault.status}"
    )
    return JSONResponse(error.body(), status_code=fault.status, headers=headers)


def after_response(fault: Fault, real: Response) -> Response:
    """Damage the real (already processed) response according to the fault."""
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
