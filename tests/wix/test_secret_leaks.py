"""The API key appears in no log line, repr or exception message, even when things go wrong."""

from __future__ import annotations

import io
import logging
import traceback

import httpx
import pytest
from rich.console import Console
from rich.traceback import Traceback

from tests.conftest import client_for, site
from tests.support import SandboxControl
from tui.sandbox import SandboxServer
from tui.wix import NO_RETRY, ApiKeyAuth, OAuthAuth, WixError
from tui.wix.client import WixClient


def _everything_about(error: BaseException) -> list[str]:
    """What a crash screen or a log could show of ``error``: its text, its chain, and a
    traceback rendered with every frame's local variables (as Textual's crash screen does)."""
    texts = [str(error), repr(error), repr(error.__dict__)]
    texts += traceback.format_exception(error, chain=True)
    link = error.__cause__ or error.__context__
    while link is not None:
        texts += [repr(link), repr(getattr(link, "__dict__", {}))]
        request = getattr(link, "_request", None) or getattr(link, "request", None)
        texts.append(repr(dict(request.headers)) if isinstance(request, httpx.Request) else "")
        link = link.__cause__ or link.__context__
    # Only the package's own frames: the test's frames hold the credentials on purpose.
    frames = error.__traceback__
    while frames is not None and "/tui/" not in frames.tb_frame.f_code.co_filename:
        frames = frames.tb_next
    assert frames is not None, "the error should come from the package"
    console = Console(file=io.StringIO(), width=300, color_system=None)
    console.print(Traceback.from_exception(type(error), error, frames, show_locals=True))
    texts.append(console.file.getvalue())  # type: ignore[attr-defined]
    return texts


async def _exercise(wix: WixClient, control: SandboxControl) -> list[str]:
    texts: list[str] = [repr(wix), str(wix), repr(wix.auth)]
    email = await wix.create_sender_email("hello@bakery.example")
    await wix.send_verification_code(email.id)
    control.fault("sender-emails.get", "status", status=503, count=1)
    control.fault("account-details.get", "malformed", count=1)
    calls = [
        lambda: wix.get_sender_email(email.id),
        lambda: wix.verify_sender_email(email.id, "bad"),
        lambda: wix.create_sender_email("not-an-email"),
        lambda: wix.query_sending_domains(domains=["bakery.example"]),
        lambda: wix.get_account_details(),
        lambda: wix.get_sender_details("nope"),
    ]
    for call in calls:
        try:
            texts.append(repr(await call()))
        except WixError as error:
            texts += [error.user_message(), *_everything_about(error)]
    # No answer at all: the httpx exception (whose request holds the headers) must not be
    # reachable from the error, and the frames must not hold the key.
    dead = WixClient(wix.auth, base_url="http://127.0.0.1:9", retry=NO_RETRY)
    try:
        await dead.get_account_details()
    except WixError as error:
        assert error.__context__ is None and error.__cause__ is None
        texts += _everything_about(error)
    await dead.aclose()
    return texts


async def test_api_key_never_leaks(
    sandbox_server: SandboxServer, control: SandboxControl, caplog: pytest.LogCaptureFixture
) -> None:
    creds = site(sandbox_server)
    caplog.set_level(logging.DEBUG)
    async with client_for(sandbox_server, creds) as wix:
        texts = await _exercise(wix, control)
    logged = [r.getMessage() for r in caplog.records] + [caplog.text]
    assert any("sender-emails" in line for line in logged), "the client should log its calls"
    for text in texts + logged:
        assert creds.api_key not in text


async def test_oauth_secret_and_token_never_leak(
    sandbox_server: SandboxServer, control: SandboxControl, caplog: pytest.LogCaptureFixture
) -> None:
    creds = site(sandbox_server)
    caplog.set_level(logging.DEBUG)
    auth = OAuthAuth(creds.app_id, creds.app_secret, creds.instance_id)
    async with WixClient(auth, base_url=sandbox_server.base_url) as wix:
        texts = await _exercise(wix, control)
    token = auth._token.reveal() if auth._token else None
    assert token
    for text in [*texts, caplog.text]:
        assert creds.app_secret not in text
        assert token not in text


async def test_failed_token_request_does_not_show_the_app_secret(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    creds = site(sandbox_server)
    control.fault("oauth.token", "status", status=503, count=1)
    auth = OAuthAuth(creds.app_id, creds.app_secret, creds.instance_id)
    async with WixClient(auth, base_url=sandbox_server.base_url, retry=NO_RETRY) as wix:
        with pytest.raises(WixError) as info:
            await wix.get_account_details()
    for text in _everything_about(info.value):
        assert creds.app_secret not in text


def test_bad_key_errors_do_not_echo_the_key() -> None:
    with pytest.raises(ValueError) as info:
        ApiKeyAuth("IST.secret with space", "site")
    assert "IST.secret" not in str(info.value)


# --- server text that quotes a secret ------------------------------------------------------

ECHO = "{{authorization}}"  # the sandbox's body fault puts the request's Authorization here
OTHER_KEY = "IST.eyJraWQiOiJQb3pIX2FDMiIsImFsZyI6IlJTMjU2In0.someone-elses-key"


def _echoing_envelopes() -> list[tuple[int, dict]]:
    said = f"the key {ECHO} is not valid (and neither is {OTHER_KEY})"
    return [
        (401, {"message": said, "details": {}}),
        (
            403,
            {
                "message": said,
                "details": {
                    "applicationError": {
                        "code": f"BAD_{ECHO}",
                        "description": said,
                        "data": {"key": ECHO, "nested": [{"again": said}], "n": 3},
                    }
                },
            },
        ),
        (
            400,
            {
                "message": said,
                "details": {
                    "validationError": {
                        "fieldViolations": [
                            {
                                "field": ECHO,
                                "description": said,
                                "violatedRule": ECHO,
                                "data": {"value": ECHO},
                            }
                        ]
                    }
                },
            },
        ),
        (428, {"error": "invalid_client", "error_description": said}),
        (503, {"message": said, "details": {}}),
    ]


def _everything_shown(error: WixError) -> list[str]:
    """What a screen, the CLI or a crash report could show of ``error``."""
    texts = [
        error.sentence,
        error.hint,
        error.server_message,
        error.code or "",
        error.user_message(),
        str(error),
        repr(error),
        repr(getattr(error, "data", None)),
        repr(getattr(error, "field_violations", None)),
    ]
    return texts


@pytest.mark.parametrize(("status", "body"), _echoing_envelopes())
async def test_server_text_quoting_the_api_key_is_scrubbed(
    sandbox_server: SandboxServer, control: SandboxControl, status: int, body: dict
) -> None:
    creds = site(sandbox_server)
    control.fault("account-details.get", "body", status=status, body=body, count=10)
    async with client_for(sandbox_server, creds, retry=NO_RETRY) as wix:
        with pytest.raises(WixError) as info:
            await wix.get_account_details()
    shown = _everything_shown(info.value)
    assert any("[secret hidden]" in text for text in shown), shown
    for text in shown:
        assert creds.api_key not in text
        assert "IST." not in text, text  # nothing shaped like a Wix key either


async def test_server_text_quoting_the_oauth_token_or_secret_is_scrubbed(
    sandbox_server: SandboxServer, control: SandboxControl
) -> None:
    creds = site(sandbox_server)
    auth = OAuthAuth(creds.app_id, creds.app_secret, creds.instance_id)
    async with WixClient(auth, base_url=sandbox_server.base_url, retry=NO_RETRY) as wix:
        await wix.get_account_details()  # fetches a token
        token = auth._token.reveal() if auth._token else ""
        assert token
        envelope = {"message": f"token {ECHO} may not do this", "details": {}}
        control.fault("account-details.get", "body", status=403, body=envelope)
        with pytest.raises(WixError) as refused:
            await wix.get_account_details()
        # A 401 makes the client fetch a new token, and that request is refused quoting the
        # app secret.
        control.fault("account-details.get", "status", status=401)
        said = {"error": "invalid_client", "error_description": f"secret {creds.app_secret}"}
        control.fault("oauth.token", "body", status=401, body=said)
        with pytest.raises(WixError) as info:
            await wix.get_account_details()
    assert info.value.operation == "oauth.token"
    shown = _everything_shown(refused.value) + _everything_shown(info.value)
    assert sum("[secret hidden]" in text for text in shown) >= 2
    for text in shown:
        assert creds.app_secret not in text
        assert token not in text
