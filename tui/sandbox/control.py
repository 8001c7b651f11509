"""The ``/_sandbox/`` control routes: look inside the world and pull its levers.

No auth, JSON in and out, never rate limited, never subject to faults. Errors are
``{"message": ...}`` with a 4xx status (and a 500 in the same shape if a lever itself breaks).
Bodies are checked strictly (unknown keys are refused, numbers must be finite and in range, see
:mod:`tui.sandbox.bounds`) so a typo in a test or a README example fails loudly instead of
silently doing nothing -- or worse, leaving a world that no longer renders.
``siteId`` may be omitted whenever the world has exactly one site. The ``/dns`` routes live in
:mod:`tui.sandbox.dns.control`, ``/break`` (one realistic problem put into the world) in
:mod:`tui.sandbox.breaks`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui.sandbox import snapshot
from tui.sandbox.bodies import allow as _allow
from tui.sandbox.bodies import boolean as _boolean
from tui.sandbox.bodies import string as _string
from tui.sandbox.bounds import (
    MAX_ACCOUNT_NUMBER,
    MAX_ADVANCE_SECONDS,
    MAX_INITIALIZING_SECONDS,
    MAX_PER_MINUTE,
    MAX_TIME_SCALE,
    optional_number,
)
from tui.sandbox.breaks import BREAK_DOCS, BREAK_HANDLERS
from tui.sandbox.dns.control import DNS_DOCS, DNS_HANDLERS
from tui.sandbox.errors import ControlError, SandboxError
from tui.sandbox.models import DEFAULT_TRACKING_SETTINGS, iso
from tui.sandbox.world import FAILED_CHECK_ANSWERS, World

log = logging.getLogger(__name__)

PREFIX = "/_sandbox"

ControlHandler = Callable[[World, Request, dict[str, Any]], Any]

# (method, path, one-line description) -- also served by the index for humans.
CONTROL_DOCS: list[tuple[str, str, str]] = [
    ("GET", "/", "this index: scenario, clock, sites with credentials, routes"),
    ("GET", "/state", "JSON dump of every site (includes sandbox-only facts)"),
    ("GET", "/mailbox", "verification emails sent; filters ?to=addr&siteId=id; newest last"),
    ("DELETE", "/mailbox", "empty the mailbox"),
    ("GET", "/faults", "active injected faults"),
    ("POST", "/faults", "add a fault {endpoint, kind, probability?, count?, status?, ...}"),
    ("DELETE", "/faults", "remove all faults"),
    ("GET", "/clock", "world time and speed"),
    ("POST", "/clock", "{timeScale?, advanceSeconds?}"),
    ("POST", "/reset", "{scenario?, initializingSeconds?} reseed the world"),
    *DNS_DOCS,
    (
        "POST",
        "/account",
        "{siteId?, status?, packageId?, emailsUsed?, campaignsUsed?, billingCycle?, topTier?, "
        "multipleSenderDetails?, removeWixBranding?, scheduling?, showFeatures?, "
        "trackingSettings?, ...}",
    ),
    ("GET", "/rate-limit", "current per-site limit"),
    ("POST", "/rate-limit", "{perMinute} (also clears counters)"),
    ("POST", "/oauth/expire-tokens", "expire every access token now"),
    ("POST", "/sending-domains/status", "{siteId?, domain, status} force a raw status"),
    ("GET", "/sending-domains/failed-check", "how Authenticate answers a failed DNS check"),
    (
        "POST",
        "/sending-domains/failed-check",
        "{answer: 428|200} a failed DNS check answers 428 (default) or 200 with the domain "
        "still NOT_AUTHENTICATED, until switched back or reset",
    ),
    *BREAK_DOCS,
]


def _clock_json(world: World) -> dict[str, Any]:
    return {"now": iso(world.clock.now()), "timeScale": world.clock.speed}


def get_index(world: World, request: Request, body: dict[str, Any]) -> Any:
    routes = [
        {"method": method, "path": PREFIX + path, "description": text}
        for method, path, text in CONTROL_DOCS
    ]
    return snapshot.index(world, routes)


def get_state(world: World, request: Request, body: dict[str, Any]) -> Any:
    return snapshot.state(world)


def get_mailbox(world: World, request: Request, body: dict[str, Any]) -> Any:
    params = request.query_params
    found = world.messages(to=params.get("to") or None, site_id=params.get("siteId") or None)
    return {"messages": [m.to_json() for m in found]}


def delete_mailbox(world: World, request: Request, body: dict[str, Any]) -> Any:
    with world.lock:
        cleared = len(world.mailbox)
        world.mailbox.clear()
    return {"cleared": cleared}


def get_faults(world: World, request: Request, body: dict[str, Any]) -> Any:
    return {
        "faults": world.faults.list(),
        "routeNames": list(world.faults.route_names),
        "preset": world.faults.preset,
    }


FAULT_FIELDS = (
    "endpoint",
    "kind",
    "probability",
    "count",
    "status",
    "latencyMs",
    "retryAfter",
    "phase",
    "body",
)


def post_faults(world: World, request: Request, body: dict[str, Any]) -> Any:
    _allow(body, *FAULT_FIELDS)
    return {"fault": world.faults.add(body).to_json(), "faults": world.faults.list()}


def delete_faults(world: World, request: Request, body: dict[str, Any]) -> Any:
    return {"cleared": world.faults.clear()}


def get_clock(world: World, request: Request, body: dict[str, Any]) -> Any:
    return _clock_json(world)


def _time_scale(body: dict[str, Any]) -> float | None:
    scale = body.get("timeScale")
    if scale is None:
        return None
    # Open at 0 (a stopped clock would never finish a wait); NaN and infinities fail the range.
    if (
        isinstance(scale, bool)
        or not isinstance(scale, int | float)
        or not 0 < scale <= MAX_TIME_SCALE
    ):
        raise ControlError(
            400, f"timeScale must be a finite number above 0 and at most {MAX_TIME_SCALE}"
        )
    return float(scale)


def post_clock(world: World, request: Request, body: dict[str, Any]) -> Any:
    _allow(body, "timeScale", "advanceSeconds")
    # Both checked before either applies, so a refused body changes nothing.
    scale = _time_scale(body)
    advance = optional_number(body, "advanceSeconds", 0, MAX_ADVANCE_SECONDS)
    if scale is not None:
        world.clock.set_speed(scale)
    if advance:
        try:
            world.clock.advance(float(advance))
        except OverflowError:  # the clock is left as it was
            raise ControlError(
                400, "advanceSeconds would move the world clock past the year 9999"
            ) from None
    return _clock_json(world)


def post_reset(world: World, request: Request, body: dict[str, Any]) -> Any:
    _allow(body, "scenario", "initializingSeconds")
    seconds = optional_number(body, "initializingSeconds", 0, MAX_INITIALIZING_SECONDS)
    world.reset(_string(body, "scenario"), initializing_seconds=seconds)
    return get_index(world, request, {})


# JSON name -> (Account attribute, lowest value); quotas may be -1, meaning unlimited.
ACCOUNT_FIELDS = {
    "emailsUsed": ("emails_used", 0),
    "campaignsUsed": ("campaigns_used", 0),
    "emailsQuota": ("emails_quota", -1),
    "campaignsQuota": ("campaigns_quota", -1),
    "maxCampaignAudienceSize": ("max_audience", 0),
}


# JSON name -> Account attribute, for the true/false fields. multipleSenderDetails is also the
# rule Create Sender Details enforces; showFeatures false leaves "features" out altogether.
ACCOUNT_FLAGS = {
    "topTier": "top_tier",
    "multipleSenderDetails": "multiple_senders",
    "removeWixBranding": "remove_wix_branding",
    "scheduling": "scheduling",
    "showFeatures": "show_features",
}
MAX_TRACKING_SETTINGS_BYTES = 64 * 1024


def _tracking_settings(body: dict[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """(given?, value): true = the sandbox's default object, false/null = left out, an object =
    sent as is (any shape: Wix's is unknown, so clients must take it as opaque)."""
    if "trackingSettings" not in body:
        return False, None
    value = body["trackingSettings"]
    if value is None or value is False:
        return True, None
    if value is True:
        return True, dict(DEFAULT_TRACKING_SETTINGS)
    if not isinstance(value, dict):
        raise ControlError(400, "trackingSettings must be true, false, null or a JSON object")
    if len(json.dumps(value)) > MAX_TRACKING_SETTINGS_BYTES:
        raise ControlError(400, "trackingSettings must be at most 64 KB of JSON")
    return True, value


def post_account(world: World, request: Request, body: dict[str, Any]) -> Any:
    _allow(
        body,
        "siteId",
        "status",
        "packageId",
        "billingCycle",
        "trackingSettings",
        *ACCOUNT_FIELDS,
        *ACCOUNT_FLAGS,
    )
    changes: dict[str, Any] = {}
    # Any status string is accepted: unknown values test that clients tolerate new enums.
    if (status := _string(body, "status")) is not None:
        changes["status"] = status
    if (package_id := _string(body, "packageId")) is not None:
        changes["package_id"] = package_id
    # Any billing cycle string too (the typings' enum: UNKNOWN, TWO_YEARS, YEARLY, MONTHLY).
    if (cycle := _string(body, "billingCycle")) is not None:
        changes["billing_cycle"] = cycle
    for key, (attribute, minimum) in ACCOUNT_FIELDS.items():
        value = optional_number(body, key, minimum, MAX_ACCOUNT_NUMBER, integer=True)
        if value is not None:
            changes[attribute] = value
    for key, attribute in ACCOUNT_FLAGS.items():
        if (flag := _boolean(body, key)) is not None:
            changes[attribute] = flag
    given, tracking = _tracking_settings(body)
    if given:
        changes["tracking_settings"] = tracking
    return {"accountDetails": world.update_account(_string(body, "siteId"), changes)}


def get_rate_limit(world: World, request: Request, body: dict[str, Any]) -> Any:
    return {"perMinute": world.rate_limiter.per_minute}


def post_rate_limit(world: World, request: Request, body: dict[str, Any]) -> Any:
    _allow(body, "perMinute")
    per_minute = optional_number(body, "perMinute", 1, MAX_PER_MINUTE, integer=True)
    if per_minute is None:
        raise ControlError(400, "perMinute is required")
    world.set_rate_limit(per_minute)
    return {"perMinute": per_minute}


def post_expire_tokens(world: World, request: Request, body: dict[str, Any]) -> Any:
    return {"expired": world.expire_tokens()}


def post_domain_status(world: World, request: Request, body: dict[str, Any]) -> Any:
    _allow(body, "siteId", "domain", "status")
    domain = _string(body, "domain", required=True) or ""
    status = _string(body, "status", required=True) or ""
    return {"sendingDomain": world.force_domain_status(_string(body, "siteId"), domain, status)}


def get_failed_check(world: World, request: Request, body: dict[str, Any]) -> Any:
    return {"answer": world.failed_check_answer}


def post_failed_check(world: World, request: Request, body: dict[str, Any]) -> Any:
    _allow(body, "answer")
    answer = body.get("answer")
    if answer is None:
        raise ControlError(400, "answer is required: 428 or 200")
    if isinstance(answer, bool) or answer not in FAILED_CHECK_ANSWERS:
        raise ControlError(
            400,
            "answer must be 428 (a failed DNS check is a 428 DNS_RECORDS_NOT_FOUND) or 200 "
            "(it is a 200 whose domain is still NOT_AUTHENTICATED)",
        )
    world.set_failed_check_answer(int(answer))
    return {"answer": world.failed_check_answer}


HANDLERS: dict[tuple[str, str], ControlHandler] = {
    ("GET", "/"): get_index,
    ("GET", "/state"): get_state,
    ("GET", "/mailbox"): get_mailbox,
    ("DELETE", "/mailbox"): delete_mailbox,
    ("GET", "/faults"): get_faults,
    ("POST", "/faults"): post_faults,
    ("DELETE", "/faults"): delete_faults,
    ("GET", "/clock"): get_clock,
    ("POST", "/clock"): post_clock,
    ("POST", "/reset"): post_reset,
    **DNS_HANDLERS,
    ("POST", "/account"): post_account,
    ("GET", "/rate-limit"): get_rate_limit,
    ("POST", "/rate-limit"): post_rate_limit,
    ("POST", "/oauth/expire-tokens"): post_expire_tokens,
    ("POST", "/sending-domains/status"): post_domain_status,
    ("GET", "/sending-domains/failed-check"): get_failed_check,
    ("POST", "/sending-domains/failed-check"): post_failed_check,
    **BREAK_HANDLERS,
}


async def _read_body(request: Request) -> dict[str, Any]:
    # DELETE may carry a body (DELETE /dns/records names what to delete), GET never does.
    if request.method in ("GET", "HEAD"):
        return {}
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ControlError(400, "the body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise ControlError(400, "the body must be a JSON object")
    return parsed


def _endpoint(world: World, handler: ControlHandler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            body = await _read_body(request)
            return JSONResponse(handler(world, request, body))
        except ControlError as error:
            return JSONResponse({"message": error.message}, status_code=error.status)
        except SandboxError as error:
            return JSONResponse(
                {"message": error.message, "code": error.code}, status_code=error.status
            )
        except Exception as error:
            # Still JSON, so a test or script reading {"message"} sees what broke.
            log.exception("sandbox: unexpected error in control route %s", request.url.path)
            message = f"unexpected sandbox error: {type(error).__name__}: {error}"
            return JSONResponse({"message": message}, status_code=500)

    return endpoint


def control_routes(world: World) -> list[Route]:
    by_path: dict[str, dict[str, ControlHandler]] = {}
    for (method, path), handler in HANDLERS.items():
        by_path.setdefault(path, {})[method] = handler
    routes = []
    for path, methods in by_path.items():
        for method, handler in methods.items():
            name = "control." + (path.strip("/").replace("/", ".") or "index") + "." + method
            routes.append(
                Route(PREFIX + path, _endpoint(world, handler), methods=[method], name=name)
            )
    return routes
