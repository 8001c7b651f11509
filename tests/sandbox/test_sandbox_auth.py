"""Authentication over HTTP: API keys, site headers, OAuth client-credentials tokens."""

from __future__ import annotations

import json

import pytest

EMAILS = "/sender-emails/v1/sender-emails"
TOKEN = "/oauth2/token"


def app_code(response) -> str:
    return response.json()["details"]["applicationError"]["code"]


def token_body(creds, **overrides) -> dict:
    body = {
        "grant_type": "client_credentials",
        "client_id": creds.app_id,
        "client_secret": creds.app_secret,
        "instance_id": creds.instance_id,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def get_token(client, creds) -> str:
    response = client.post(TOKEN, json=token_body(creds))
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_api_key_with_site_id_works(site):
    assert site.get(EMAILS).status_code == 200


def test_missing_authorization_is_401(client, sandbox):
    creds = sandbox.credentials[0]
    response = client.get(EMAILS, headers={"wix-site-id": creds.site_id})
    assert response.status_code == 401
    assert app_code(response) == "UNAUTHENTICATED"
    assert response.json()["message"]


@pytest.mark.parametrize(
    "key",
    [
        "IST.wrong-key",
        "IST.sandbox.fresh.qfyIsOHx6UhwSpJYExX_iij1ZX0khZDw",  # one character off
        "IST.sandbox.midway.b0KhDeUiXGyHUWNLXYA3gSMZ5gbvrVIm",  # a key of another world's site
    ],
    ids=["unknown", "mistyped", "not-in-this-world"],
)
def test_an_invalid_key_is_401_even_with_a_good_site_id(client, sandbox, key):
    # The newer "Troubleshoot Auth Issues" page: a revoked or invalid key is 401 (§5.1).
    creds = sandbox.credentials[0]
    response = client.get(EMAILS, headers={"Authorization": key, "wix-site-id": creds.site_id})
    assert response.status_code == 401
    assert app_code(response) == "UNAUTHENTICATED"
    assert "API key is not valid" in response.json()["message"]
    without_site = client.get(EMAILS, headers={"Authorization": key})
    assert without_site.status_code == 401  # the key is judged before the site header


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "KEY"},
        {"Authorization": "KEY", "wix-account-id": "ACCOUNT"},
        {"Authorization": "KEY", "wix-site-id": "00000000-0000-4000-8000-000000000000"},
    ],
    ids=["no-site-id", "account-id-only", "unknown-site"],
)
def test_permission_problems_with_a_valid_key_are_403(client, sandbox, headers):
    creds = sandbox.credentials[0]
    filled = {
        k: v.replace("KEY", creds.api_key).replace("SITE", creds.site_id)
        for k, v in headers.items()
    }
    response = client.get(EMAILS, headers=filled)
    assert response.status_code == 403
    assert app_code(response) == "PERMISSION_DENIED"


def test_both_site_and_account_headers_is_400(site):
    response = site.get(EMAILS, headers={"wix-account-id": "4d99db2b"})
    assert response.status_code == 400
    assert "applicationError" in response.json()["details"]


def test_key_of_another_owner_is_403(use_scenario):
    agency, other = use_scenario("agency")
    cross = agency.client.get(
        EMAILS, headers={"Authorization": agency.creds.api_key, "wix-site-id": other.creds.site_id}
    )
    assert cross.status_code == 403
    assert "does not own" in cross.json()["message"]
    assert other.get(EMAILS).status_code == 200


def test_token_issue_shape(client, sandbox):
    response = client.post(TOKEN, json=token_body(sandbox.credentials[0]))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 14400


def test_token_works_raw_or_bearer_and_without_site_header(client, sandbox):
    creds = sandbox.credentials[0]
    token = get_token(client, creds)
    for value in (token, f"Bearer {token}", f"bearer {token}"):
        assert client.get(EMAILS, headers={"Authorization": value}).status_code == 200
    same_site = client.get(EMAILS, headers={"Authorization": token, "wix-site-id": creds.site_id})
    assert same_site.status_code == 200


def test_token_for_another_site_header_is_403(client, use_scenario):
    agency, other = use_scenario("agency")
    token = get_token(client, agency.creds)
    response = client.get(
        EMAILS, headers={"Authorization": token, "wix-site-id": other.creds.site_id}
    )
    assert response.status_code == 403
    # The token acts on the site of its own instance.
    other_token = get_token(client, other.creds)
    listed = client.get(EMAILS, headers={"Authorization": f"Bearer {other_token}"})
    assert listed.json()["senderEmails"] == []


def test_token_expires_on_the_world_clock(client, sandbox):
    token = get_token(client, sandbox.credentials[0])
    sandbox.clock.advance(14399)
    assert client.get(EMAILS, headers={"Authorization": token}).status_code == 200
    sandbox.clock.advance(1)
    expired = client.get(EMAILS, headers={"Authorization": token})
    assert expired.status_code == 401
    assert "expired" in expired.json()["message"]
    fresh = get_token(client, sandbox.credentials[0])
    assert client.get(EMAILS, headers={"Authorization": fresh}).status_code == 200


def test_api_key_with_bearer_prefix_is_401_with_a_hint(site):
    response = site.get(EMAILS, headers={"Authorization": f"Bearer {site.creds.api_key}"})
    assert response.status_code == 401
    assert "without 'Bearer '" in response.json()["message"]


def test_unknown_token_is_401(client):
    for value in ("Bearer not-a-token", "OauthNG.JWS.made-up"):
        response = client.get(EMAILS, headers={"Authorization": value})
        assert response.status_code == 401


def test_control_route_expires_every_token(client, sandbox):
    token = get_token(client, sandbox.credentials[0])
    response = client.post("/_sandbox/oauth/expire-tokens")
    assert response.json() == {"expired": 1}
    assert client.get(EMAILS, headers={"Authorization": token}).status_code == 401


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"grant_type": None}, 400, "invalid_request"),
        ({"grant_type": "authorization_code"}, 400, "unsupported_grant_type"),
        ({"client_id": None}, 400, "invalid_request"),
        ({"instance_id": None}, 400, "invalid_request"),
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "someone-else"}, 401, "invalid_client"),
        ({"instance_id": "00000000-0000-4000-8000-000000000000"}, 400, "invalid_request"),
    ],
)
def test_token_errors_are_ietf_style(client, sandbox, overrides, status, error):
    response = client.post(TOKEN, json=token_body(sandbox.credentials[0], **overrides))
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error


def test_token_rejects_non_json_but_accepts_form_encoding(client, sandbox):
    bad = client.post(TOKEN, content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_request"
    form = client.post(TOKEN, data=token_body(sandbox.credentials[0]))
    assert form.status_code == 200


@pytest.mark.parametrize(
    "secret",
    ["sandbox-app-secret.ünïcödé", "秘密", "\ud800"],
    ids=["accented", "cjk", "lone-surrogate"],
)
def test_non_ascii_client_secret_is_401_not_500(client, sandbox, secret):
    # compare_digest raises TypeError for non-ASCII str; the sandbox must still say "wrong".
    # json.dumps escapes to ASCII, so even a lone surrogate travels as valid JSON ("\ud800").
    body = json.dumps(token_body(sandbox.credentials[0], client_secret=secret)).encode()
    response = client.post(TOKEN, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


def test_non_ascii_client_secret_form_encoded_is_401(client, sandbox):
    body = token_body(sandbox.credentials[0], client_secret="sécret")
    response = client.post(TOKEN, data=body)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
