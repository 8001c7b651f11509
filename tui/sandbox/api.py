"""Starlette routes for the Wix endpoints: JSON in, world call, JSON out, faults around it.

Every request goes: injected faults (which may answer instead) -> authentication, the route's
permission scope and the rate limit -> body parsing -> the world -> (faults that damage the
processed response). Unknown request fields are ignored; a body that is required but missing,
not JSON, or not an object is a 400 in the Wix envelope. Endpoints without a documented body
accept none or any JSON object.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui.sandbox.errors import OAuthError, SandboxError, bad_body
from tui.sandbox.faults import after_response, before_response
from tui.sandbox.routes import WIX_ROUTES, WixRoute
from tui.sandbox.world import World

log = logging.getLogger(__name__)


class Body(Enum):
    NONE = "none"  # GET/DELETE: any body is ignored
    OPTIONAL = "optional"  # empty, or a JSON object
    REQUIRED = "required"  # a JSON object


@dataclass(frozen=True)
class Call:
    """One authenticated Wix request, as the handlers see it."""

    world: World
    site_id: str
    path: dict[str, str]
    query: QueryParams
    body: dict[str, Any]


Handler = Callable[[Call], dict[str, Any] | Awaitable[dict[str, Any]]]


def _sender_email_id(call: Call) -> str:
    return call.path["senderEmailId"]


def _sender_details_id(call: Call) -> str:
    return call.path["senderDetailsId"]


HANDLERS: dict[str, tuple[Handler, Body]] = {
    "sender-emails.create": (
        lambda c: c.world.create_sender_email(c.site_id, c.body.get("senderEmail")),
        Body.REQUIRED,
    ),
    "sender-emails.list": (
        lambda c: c.world.list_sender_emails(
            c.site_id,
            c.query.get("emailAddress"),
            c.query.get("paging.limit"),
            c.query.get("paging.cursor"),
        ),
        Body.NONE,
    ),
    "sender-emails.get-or-create": (
        lambda c: c.world.get_or_create_sender_email(c.site_id, c.body.get("emailAddress")),
        Body.REQUIRED,
    ),
    "sender-emails.get": (
        lambda c: c.world.get_sender_email(c.site_id, _sender_email_id(c)),
        Body.NONE,
    ),
    "sender-emails.send-verification-code": (
        lambda c: c.world.send_verification_code(c.site_id, _sender_email_id(c)),
        Body.OPTIONAL,
    ),
    "sender-emails.verify": (
        lambda c: c.world.verify_sender_email(c.site_id, _sender_email_id(c), c.body),
        Body.REQUIRED,
    ),
    "sender-emails.delete": (
        lambda c: c.world.delete_sender_email(c.site_id, _sender_email_id(c)),
        Body.NONE,
    ),
    "sender-details.create": (
        lambda c: c.world.create_sender_details(c.site_id, c.body.get("senderDetails")),
        Body.REQUIRED,
    ),
    "sender-details.list": (
        lambda c: c.world.list_sender_details(
            c.site_id, c.query.get("paging.limit"), c.query.get("paging.cursor")
        ),
        Body.NONE,
    ),
    "sender-details.get-default": (
        lambda c: c.world.get_default_sender_details(c.site_id),
        Body.NONE,
    ),
    "sender-details.get": (
        lambda c: c.world.get_sender_details(c.site_id, _sender_details_id(c)),
        Body.NONE,
    ),
    "sender-details.update": (
        lambda c: c.world.update_sender_details(
            c.site_id, _sender_details_id(c), c.body.get("senderDetails")
        ),
        Body.REQUIRED,
    ),
    "sender-details.delete": (
        lambda c: c.world.delete_sender_details(c.site_id, _sender_details_id(c)),
        Body.NONE,
    ),
    "sender-details.mark-as-default": (
        lambda c: c.world.mark_sender_details_default(c.site_id, _sender_details_id(c)),
        Body.OPTIONAL,
    ),
    "sending-domains.query": (
        lambda c: c.world.query_sending_domains(c.site_id, c.body),
        Body.OPTIONAL,
    ),
    "sending-domains.get": (
        lambda c: c.world.get_sending_domain(c.site_id, c.path["sendingDomainId"]),
        Body.NONE,
    ),
    "sending-domains.authenticate": (
        lambda c: c.world.authenticate_sending_domain(c.site_id, c.path["sendingDomainId"]),
        Body.OPTIONAL,
    ),
    "account-details.get": (lambda c: c.world.account_details(c.site_id), Body.NONE),
}


async def read_json_body(request: Request, mode: Body) -> dict[str, Any]:
    if mode is Body.NONE:
        return {}
    raw = await request.body()
    if not raw.strip():
        if mode is Body.OPTIONAL:
            return {}
        raise bad_body("a JSON object body is required")
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_body("the body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise bad_body("the body must be a JSON object")
    return parsed


def error_response(error: SandboxError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers or None)


async def _answer_wix(world: World, route: WixRoute, request: Request) -> Response:
    handler, body_mode = HANDLERS[route.name]
    try:
        headers = {k.lower(): v for k, v in request.headers.items()}
        site_id = world.admit(headers, route.scope)
        body = await read_json_body(request, body_mode)
        call = Call(world, site_id, dict(request.path_params), request.query_params, body)
        result = handler(call)
        if inspect.isawaitable(result):
            result = await result
        return JSONResponse(result)
    except SandboxError as error:
        return error_response(error)


async def _answer_oauth(world: World, request: Request) -> Response:
    try:
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            body: Any = dict(parse_qsl(raw.decode("utf-8", "replace")))
        else:
            try:
                body = json.loads(raw) if raw.strip() else None
            except (ValueError, UnicodeDecodeError):
                raise OAuthError(400, "invalid_request", "the body is not valid JSON") from None
        return JSONResponse(world.issue_token(body))
    except OAuthError as error:
        return JSONResponse(error.body(), status_code=error.status)


def make_endpoint(world: World, route: WixRoute) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        firing = world.faults.draw(route.name)
        if firing.latency_seconds:
            # Real seconds on purpose: injected latency simulates the network, not the world.
            await asyncio.sleep(firing.latency_seconds)
        action = firing.action
        # Only body faults use it: they may echo the caller's credentials, on purpose.
        authorization = request.headers.get("authorization", "")
        if action is not None and action.before_processing:
            return before_response(action, authorization)
        try:
            if route.name == "oauth.token":
                response = await _answer_oauth(world, request)
            else:
                response = await _answer_wix(world, route, request)
        except Exception:
            log.exception("sandbox: unexpected error in %s", route.name)
            response = JSONResponse({"message": "", "details": {}}, status_code=500)
        if action is None:
            return response
        return after_response(action, response, authorization)

    return endpoint


def wix_routes(world: World) -> list[Route]:
    return [
        Route(r.path, make_endpoint(world, r), methods=[r.method], name=r.name) for r in WIX_ROUTES
    ]
