"""The API key appears in no log line, repr or exception message, even when things go wrong."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import client_for, site
from tests.support import SandboxControl
from tui.sandbox import SandboxServer
from tui.wix import ApiKeyAuth, OAuthAuth, WixClient, WixError


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
            texts += [str(error), repr(error), error.user_message(), repr(error.__dict__)]
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


def test_bad_key_errors_do_not_echo_the_key() -> None:
    with pytest.raises(ValueError) as info:
        ApiKeyAuth("IST.secret with space", "site")
    assert "IST.secret" not in str(info.value)
