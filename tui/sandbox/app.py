"""The ASGI application: Wix routes + ``/_sandbox/`` control routes over one :class:`World`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sandbox.api import error_response, wix_routes
from tui.sandbox.control import PREFIX, control_routes
from tui.sandbox.errors import SandboxError, canonical_code
from tui.sandbox.world import World


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and wrong methods answer JSON too (Wix envelope outside /_sandbox)."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    text = f"no route for {request.method} {request.url.path}"
    if request.url.path.startswith(PREFIX):
        return JSONResponse({"message": text}, status_code=status)
    return error_response(SandboxError(status, canonical_code(status), text))


def build_app(world: World) -> Starlette:
    return Starlette(
        routes=[*control_routes(world), *wix_routes(world)],
        exception_handlers={404: _http_error, 405: _http_error},
    )
