"""Unit tests: credentials are validated and masked, base URLs are checked."""

from __future__ import annotations

import pickle

import pytest

from tui.secret import Secret
from tui.wix import ApiKeyAuth, OAuthAuth, check_base_url
from tui.wix.client import WixClient

KEY = "IST.eyJraWQiOiJQb3pIX2FDMiIsImFsZyI6IlJTMjU2In0.secret-part"
SITE = "c993128b-26be-41cd-9fcd-904abe23462f"


def test_secret_never_shows_itself() -> None:
    secret = Secret(KEY)
    for text in (str(secret), repr(secret), f"{secret}", f"{secret!r}", "%s" % secret):  # noqa: UP031
        assert KEY not in text
        assert "secret-part" not in text
    assert secret.reveal() == KEY
    assert secret == Secret(KEY)
    assert "secret-part" not in secret.masked()
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert not Secret("   ")


def test_api_key_auth_is_masked_and_cleaned() -> None:
    auth = ApiKeyAuth(f"  {KEY}\n", SITE)
    assert KEY not in repr(auth)
    client = WixClient(auth)
    assert KEY not in repr(client)


@pytest.mark.parametrize(
    ("key", "site", "message"),
    [
        ("", SITE, "API key is empty"),
        ("   ", SITE, "API key is empty"),
        ("two words", SITE, "cannot be sent in an HTTP header"),
        ("IST.x\r\nX-Evil: 1", SITE, "cannot be sent in an HTTP header"),
        (KEY, "", "site ID is empty"),
    ],
)
def test_bad_credentials_are_refused_without_echoing_them(
    key: str, site: str, message: str
) -> None:
    with pytest.raises(ValueError) as info:
        ApiKeyAuth(key, site)
    assert message in str(info.value)
    if key.strip():
        assert key.strip() not in str(info.value)


def test_oauth_auth_repr_hides_secret() -> None:
    auth = OAuthAuth("app-id", "super-secret-value-123", "instance-1")
    assert "super-secret-value-123" not in repr(auth)
    body = auth.token_request()
    assert "super-secret-value-123" not in repr(body)  # wrapped until the body is encoded
    assert body["client_secret"].reveal() == "super-secret-value-123"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.wixapis.com",
        "https://www.wixapis.com/",
        "http://127.0.0.1:8765",
        "http://localhost:1234/",
        "http://[::1]:9000",
        "http://127.5.6.7",
    ],
)
def test_accepted_base_urls(url: str) -> None:
    assert not check_base_url(url).endswith("/")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://www.wixapis.com", "unencrypted"),
        ("http://192.168.1.10:8765", "unencrypted"),
        ("ftp://www.wixapis.com", "https://"),
        ("www.wixapis.com", "https://"),
        ("https://www.wixapis.com/?x=1", "query string"),
    ],
)
def test_refused_base_urls(url: str, why: str) -> None:
    with pytest.raises(ValueError) as info:
        check_base_url(url)
    assert why in str(info.value)


async def test_client_refuses_bad_ids_and_filters_before_any_request() -> None:
    client = WixClient(ApiKeyAuth(KEY, SITE), base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="sender email ID is empty"):
        await client.get_sender_email("  ")
    with pytest.raises(ValueError, match="needs a filter"):
        await client.query_sending_domains()
    with pytest.raises(ValueError, match="needs a filter"):
        await client.query_sending_domains(domains=["a.example"], ids=["x"])
    with pytest.raises(TypeError):
        await client.query_sending_domains(domains="a.example")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Nothing to update"):
        await client.update_sender_details("sd-1")
    await client.aclose()
