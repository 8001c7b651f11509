"""A witness that shares no code with the client: plain ``curl`` against ``wix-sending sandbox``.

The sandbox runs as its own process (``python -m tui sandbox --port N``), and every request is a
``curl`` subprocess, as the README's walk-through sends them. Nothing here imports ``tui``: the
expected status codes and JSON shapes are written out from the fact sheet
(``shared/reference/wix-api.md``), section by section, so a disagreement between the wire format
and the fact sheet shows up here even if the client and the sandbox were to agree on it.

Every Wix endpoint gets its happy path and one documented error; the auth rules (401/403), the
429 and the OAuth endpoint get theirs too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("curl") is None,
    reason="curl is not installed: the wire-format witness needs a client that shares no code "
    "with ours (apt-get install curl)",
)

ROOT = Path(__file__).resolve().parents[2]

EMAILS = "/sender-emails/v1/sender-emails"
DETAILS = "/sender-details/v1/sender-details"
DOMAINS = "/sending-domains/v1/sending-domains"
ACCOUNT = "/email-marketing/v1/account-details"
TOKEN = "/oauth2/token"

# -- the fact sheet's shapes --------------------------------------------------------------------

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
# §2.2 SenderEmail (extendedFields only when set)
SENDER_EMAIL_KEYS = {"id", "createdDate", "updatedDate", "emailAddress", "verified"}
# §3.1 SenderDetails (new API)
SENDER_DETAILS_KEYS = {
    "id",
    "createdDate",
    "updatedDate",
    "fromName",
    "fromEmailAddress",
    "default",
}
# §1.2 SendingDomain and DnsRecord
SENDING_DOMAIN_KEYS = {"id", "createdDate", "domain", "status", "dnsRecords"}
DNS_RECORD_KEYS = {"hostName", "value", "type"}
DOMAIN_STATUSES = {"UNKNOWN_STATUS", "INITIALIZING", "NOT_AUTHENTICATED", "AUTHENTICATED"}
# §2.1/§3.1 list paging, §1.5 CursorPagingMetadata
PAGING_KEYS = {"count", "cursors", "hasNext"}
# §4 AccountDetails
ACCOUNT_STATUSES = {"UNKNOWN", "ACTIVE", "WARNED", "SUSPENDED", "BANNED", "SUSPENDED_AUTOLIFT"}
BILLING_CYCLES = {"UNKNOWN", "TWO_YEARS", "YEARLY", "MONTHLY"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


def curl(base_url: str, method: str, path: str, *args: str, data: Any = None) -> Reply:
    """One request with the curl command line tool; ``args`` are extra curl arguments."""
    command = ["curl", "-sS", "-i", "--noproxy", "*", "--max-time", "30", "-X", method, *args]
    if data is not None:
        command += ["-H", "Content-Type: application/json", "--data-raw", json.dumps(data)]
    command.append(base_url + path)
    done = subprocess.run(command, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, f"curl failed: {done.stderr.decode(errors='replace')}"
    raw = done.stdout.decode()
    head, _, body = raw.partition("\r\n\r\n")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(status, headers, body)


class Site:
    """Calls as one site: ``Authorization: <key>`` (raw, no Bearer) and ``wix-site-id``."""

    def __init__(self, base_url: str, api_key: str, site_id: str) -> None:
        self.base_url = base_url
        self.auth = ["-H", f"Authorization: {api_key}", "-H", f"wix-site-id: {site_id}"]

    def __call__(self, method: str, path: str, data: Any = None, *args: str) -> Reply:
        reply = curl(self.base_url, method, path, *self.auth, *args, data=data)
        assert reply.headers.get("content-type", "").startswith("application/json"), reply
        return reply


class Sandbox:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def control(self, method: str, path: str, data: Any = None) -> Any:
        reply = curl(self.base_url, method, "/_sandbox" + path, data=data)
        assert reply.status == 200, reply.text
        return reply.json

    def reset(self, scenario: str) -> list[Site]:
        index = self.control("POST", "/reset", {"scenario": scenario})
        return [Site(self.base_url, s["apiKey"], s["siteId"]) for s in index["sites"]]

    def index(self) -> dict[str, Any]:
        return self.control("GET", "/")

    def advance(self, seconds: float) -> None:
        self.control("POST", "/clock", {"advanceSeconds": seconds})

    def latest_code(self, address: str) -> str:
        query = ["-G", "--data-urlencode", f"to={address}"]
        reply = curl(self.base_url, "GET", "/_sandbox/mailbox", *query)
        return reply.json["messages"][-1]["code"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    probe = subprocess.run(
        ["curl", "-s", "--noproxy", "*", "-o", "/dev/null", "-w", "%{http_code}", url],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.stdout == "200"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """``wix-sending sandbox`` (run from this checkout) on a free port, as its own process."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    # stderr to a file, not a pipe: nobody reads a pipe while the tests run, and a full one
    # would stall the server.
    log = tmp_path_factory.mktemp("curl-witness") / "sandbox.stderr"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui", "sandbox", "--port", str(port), "--scenario", "fresh"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{base_url}/_sandbox/"):
            if process.poll() is not None or time.monotonic() > deadline:
                said = log.read_text(errors="replace")[-2000:]
                pytest.fail(f"wix-sending sandbox did not start on port {port}: {said}")
            time.sleep(0.1)
        yield Sandbox(base_url)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- shape checks (the fact sheet's, written out) -----------------------------------------------


def assert_app_error(reply: Reply, status: int, code: str | None = None) -> dict[str, Any]:
    """§5.3: ``{"message", "details": {"applicationError": {"code", "description", "data"}}}``."""
    assert reply.status == status, reply.text
    body = reply.json
    assert set(body) == {"message", "details"}
    assert isinstance(body["message"], str) and body["message"]
    assert set(body["details"]) == {"applicationError"}
    error = body["details"]["applicationError"]
    assert set(error) == {"code", "description", "data"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["description"], str)
    assert isinstance(error["data"], dict)
    if code is not None:
        assert error["code"] == code
    return error


def assert_validation_error(reply: Reply, field: str, rule: str | None = None) -> dict[str, Any]:
    """§5.3: ``{"message", "details": {"validationError": {"fieldViolations": [...]}}}``."""
    assert reply.status == 400, reply.text
    body = reply.json
    assert set(body) == {"message", "details"}
    assert set(body["details"]) == {"validationError"}
    violations = body["details"]["validationError"]["fieldViolations"]
    assert violations
    for violation in violations:
        assert {"field", "description", "violatedRule"} <= set(violation)
        assert set(violation) <= {"field", "description", "violatedRule", "ruleName", "data"}
    (first, *_) = [v for v in violations if v["field"] == field]
    if rule is not None:
        assert first["violatedRule"] == rule
    return first


def assert_sender_email(item: dict[str, Any]) -> None:
    assert set(item) - {"extendedFields"} == SENDER_EMAIL_KEYS
    assert isinstance(item["verified"], bool)
    assert ISO.match(item["createdDate"]) and ISO.match(item["updatedDate"])


def assert_sender_details(item: dict[str, Any]) -> None:
    assert set(item) - {"extendedFields"} == SENDER_DETAILS_KEYS
    assert isinstance(item["default"], bool)
    assert 1 <= len(item["fromName"]) <= 100
    assert ISO.match(item["createdDate"]) and ISO.match(item["updatedDate"])


def assert_sending_domain(item: dict[str, Any]) -> None:
    assert set(item) == SENDING_DOMAIN_KEYS
    assert item["status"] in DOMAIN_STATUSES
    assert 4 <= len(item["domain"]) <= 64
    assert ISO.match(item["createdDate"])
    assert len(item["dnsRecords"]) <= 5
    if item["status"] == "INITIALIZING":
        assert item["dnsRecords"] == []
    for record in item["dnsRecords"]:
        assert set(record) == DNS_RECORD_KEYS
        assert record["type"] == "CNAME"


def assert_paging(metadata: dict[str, Any], count: int, has_next: bool) -> None:
    assert set(metadata) == PAGING_KEYS
    assert (metadata["count"], metadata["hasNext"]) == (count, has_next)
    assert set(metadata["cursors"]) <= {"next", "prev"}
    assert ("next" in metadata["cursors"]) is has_next  # hasNext comes with a cursor


# -- Sender Emails (§2) ------------------------------------------------------------------------


def test_sender_emails(sandbox: Sandbox) -> None:
    (site,) = sandbox.reset("fresh")
    owner = sandbox.index()["sites"][0]["ownerEmail"]

    # Create -> {senderEmail}, not verified yet.
    created = site("POST", EMAILS, {"senderEmail": {"emailAddress": "hello@sunrise.example"}})
    assert created.status == 200, created.text
    assert set(created.json) == {"senderEmail"}
    email = created.json["senderEmail"]
    assert_sender_email(email)
    assert (email["emailAddress"], email["verified"]) == ("hello@sunrise.example", False)
    # ... a body without the required emailAddress is a 400 validation error.
    assert_validation_error(site("POST", EMAILS, {"senderEmail": {}}), "senderEmail.emailAddress")

    # List -> {senderEmails, pagingMetadata}; emailAddress and paging.* are query params.
    listed = site("GET", f"{EMAILS}?emailAddress=hello%40sunrise.example&paging.limit=50")
    assert listed.status == 200
    assert set(listed.json) == {"senderEmails", "pagingMetadata"}
    assert [e["id"] for e in listed.json["senderEmails"]] == [email["id"]]
    assert_paging(listed.json["pagingMetadata"], 1, False)
    zero = site("GET", f"{EMAILS}?paging.limit=0")  # 0-100, 0 included
    assert zero.status == 200
    assert zero.json["senderEmails"] == []
    # ... paging.limit above 100, or a cursor over 1000 characters, is a 400.
    assert_validation_error(site("GET", f"{EMAILS}?paging.limit=101"), "paging.limit")
    assert_validation_error(site("GET", f"{EMAILS}?paging.cursor={'A' * 1001}"), "paging.cursor")

    # Get Or Create -> {senderEmail}: the existing one, not a failure.
    again = site("POST", f"{EMAILS}/get-or-create", {"emailAddress": "hello@sunrise.example"})
    assert again.status == 200
    assert set(again.json) == {"senderEmail"}
    assert again.json["senderEmail"]["id"] == email["id"]
    # ... its documented 400: an invalid address.
    assert_validation_error(
        site("POST", f"{EMAILS}/get-or-create", {"emailAddress": "not-an-email"}), "emailAddress"
    )

    # Get -> {senderEmail}; an unknown id is a 404.
    got = site("GET", f"{EMAILS}/{email['id']}")
    assert got.status == 200 and got.json == {"senderEmail": email}
    assert_app_error(site("GET", f"{EMAILS}/00000000-0000-4000-8000-000000000000"), 404)

    # Send Verification Code (no body) -> {}.
    sent = site("POST", f"{EMAILS}/{email['id']}/send-verification-code")
    assert (sent.status, sent.json) == (200, {})
    # ... its documented 409: the address is already verified (the owner's login email).
    owner_email = site("POST", f"{EMAILS}/get-or-create", {"emailAddress": owner}).json
    assert owner_email["senderEmail"]["verified"] is True
    assert_app_error(
        site("POST", f"{EMAILS}/{owner_email['senderEmail']['id']}/send-verification-code"), 409
    )

    # Verify -> {}; the code is 3-10 characters, a shorter one is a 400 length violation.
    too_short = site("POST", f"{EMAILS}/{email['id']}/verify", {"verificationCode": "12"})
    assert_validation_error(too_short, "verificationCode", "MIN")
    too_long = site("POST", f"{EMAILS}/{email['id']}/verify", {"verificationCode": "1" * 11})
    assert_validation_error(too_long, "verificationCode", "MAX")
    code = sandbox.latest_code("hello@sunrise.example")
    verified = site("POST", f"{EMAILS}/{email['id']}/verify", {"verificationCode": code})
    assert (verified.status, verified.json) == (200, {})
    assert site("GET", f"{EMAILS}/{email['id']}").json["senderEmail"]["verified"] is True

    # Delete -> {}; then it is gone (404).
    deleted = site("DELETE", f"{EMAILS}/{email['id']}")
    assert (deleted.status, deleted.json) == (200, {})
    assert_app_error(site("DELETE", f"{EMAILS}/{email['id']}"), 404)


# -- Sender Details (§3.1) ---------------------------------------------------------------------


def test_sender_details(sandbox: Sandbox) -> None:
    (site,) = sandbox.reset("fresh")
    owner = sandbox.index()["sites"][0]["ownerEmail"]
    site("POST", EMAILS, {"senderEmail": {"emailAddress": "unverified@sunrise.example"}})
    site("POST", f"{EMAILS}/get-or-create", {"emailAddress": owner})  # verified by itself

    # Get Default with none yet: the documented 404.
    assert_app_error(site("GET", f"{DETAILS}/default"), 404)

    # Create: the documented 428 for an address that is not a verified sender email.
    unverified = {"fromName": "Sunrise", "fromEmailAddress": "unverified@sunrise.example"}
    assert_app_error(site("POST", DETAILS, {"senderDetails": unverified}), 428)
    # Create -> {senderDetails}; the first one is the default.
    created = site(
        "POST", DETAILS, {"senderDetails": {"fromName": "Sunrise", "fromEmailAddress": owner}}
    )
    assert created.status == 200, created.text
    assert set(created.json) == {"senderDetails"}
    first = created.json["senderDetails"]
    assert_sender_details(first)
    assert first["default"] is True

    # List -> {senderDetails, pagingMetadata}; a cursor over 1000 characters is a 400.
    listed = site("GET", f"{DETAILS}?paging.limit=100")
    assert listed.status == 200
    assert set(listed.json) == {"senderDetails", "pagingMetadata"}
    assert listed.json["senderDetails"] == [first]
    assert_paging(listed.json["pagingMetadata"], 1, False)
    assert_validation_error(site("GET", f"{DETAILS}?paging.cursor={'A' * 1001}"), "paging.cursor")

    # Get and Get Default -> {senderDetails}; an unknown id is a 404.
    assert site("GET", f"{DETAILS}/{first['id']}").json == {"senderDetails": first}
    assert site("GET", f"{DETAILS}/default").json == {"senderDetails": first}
    assert_app_error(site("GET", f"{DETAILS}/00000000-0000-4000-8000-000000000000"), 404)

    # Update -> {senderDetails}; the documented 428: a new address that is not verified.
    updated = site(
        "PATCH", f"{DETAILS}/{first['id']}", {"senderDetails": {"fromName": "Sunrise Bakery"}}
    )
    assert updated.status == 200, updated.text
    assert set(updated.json) == {"senderDetails"}
    assert_sender_details(updated.json["senderDetails"])
    assert updated.json["senderDetails"]["fromName"] == "Sunrise Bakery"
    move = {"senderDetails": {"fromEmailAddress": "unverified@sunrise.example"}}
    assert_app_error(site("PATCH", f"{DETAILS}/{first['id']}", move), 428)

    # Delete: the documented 428 for the default sender.
    assert_app_error(site("DELETE", f"{DETAILS}/{first['id']}"), 428)

    # A second sender needs a plan that allows it: Account Details says so (§4), and
    # Create answers its other documented 428.
    features = site("GET", ACCOUNT).json["accountDetails"]["features"]
    assert features["multipleSenderDetails"] is False
    second_body = {"senderDetails": {"fromName": "Second", "fromEmailAddress": owner}}
    assert_app_error(site("POST", DETAILS, second_body), 428)
    sandbox.control("POST", "/account", {"packageId": "Ascend_Core"})
    assert site("GET", ACCOUNT).json["accountDetails"]["features"]["multipleSenderDetails"] is True
    second = site("POST", DETAILS, second_body).json["senderDetails"]
    assert second["default"] is False
    # The documented 409: the same name and address twice.
    assert_app_error(site("POST", DETAILS, second_body), 409)

    # Mark As Default (no body) -> {} (not the sender); an unknown id is a 404.
    marked = site("POST", f"{DETAILS}/{second['id']}/mark-as-default")
    assert (marked.status, marked.json) == (200, {})
    assert site("GET", f"{DETAILS}/default").json["senderDetails"]["id"] == second["id"]
    assert_app_error(
        site("POST", f"{DETAILS}/00000000-0000-4000-8000-000000000000/mark-as-default"), 404
    )

    # Delete -> {} now that it is not the default.
    deleted = site("DELETE", f"{DETAILS}/{first['id']}")
    assert (deleted.status, deleted.json) == (200, {})
    assert_app_error(site("GET", f"{DETAILS}/{first['id']}"), 404)


# -- Sending Domains (§1) ----------------------------------------------------------------------


def test_sending_domains(sandbox: Sandbox) -> None:
    (site,) = sandbox.reset("fresh")
    domain_name = "sunrise-bakery.example"
    query = {"query": {"filter": {"domain": domain_name}}}

    # Before any sender details, every call is 428 SENDER_DETAILS_DO_NOT_EXIST.
    error = assert_app_error(
        site("POST", f"{DOMAINS}/query", query), 428, "SENDER_DETAILS_DO_NOT_EXIST"
    )
    assert error["description"] == "cannot access requested sending domain"

    email = site("POST", EMAILS, {"senderEmail": {"emailAddress": f"hello@{domain_name}"}}).json
    email_id = email["senderEmail"]["id"]
    site("POST", f"{EMAILS}/{email_id}/send-verification-code")
    code = sandbox.latest_code(f"hello@{domain_name}")
    site("POST", f"{EMAILS}/{email_id}/verify", {"verificationCode": code})
    sender = site(
        "POST",
        DETAILS,
        {"senderDetails": {"fromName": "Sunrise", "fromEmailAddress": f"hello@{domain_name}"}},
    )
    assert sender.status == 200, sender.text

    # Query -> {sendingDomains, pagingMetadata}: the domain appears INITIALIZING, no records.
    found = site("POST", f"{DOMAINS}/query", query)
    assert found.status == 200, found.text
    assert set(found.json) == {"sendingDomains", "pagingMetadata"}
    (domain,) = found.json["sendingDomains"]
    assert_sending_domain(domain)
    assert (domain["domain"], domain["status"]) == (domain_name, "INITIALIZING")
    assert_paging(found.json["pagingMetadata"], 1, False)
    # ... the documented 428 without a filter; offset paging is not Query's (cursor paging).
    assert_app_error(
        site("POST", f"{DOMAINS}/query", {"query": {}}), 428, "SENDER_DETAILS_DO_NOT_EXIST"
    )
    offset = {"query": {"filter": {"domain": domain_name}, "paging": {"limit": 1, "offset": 1}}}
    assert_validation_error(site("POST", f"{DOMAINS}/query", offset), "query.paging.offset")
    cursor_paged = {"query": {"filter": {"domain": domain_name}, "cursorPaging": {"limit": 0}}}
    empty_page = site("POST", f"{DOMAINS}/query", cursor_paged)
    assert empty_page.status == 200 and empty_page.json["sendingDomains"] == []
    assert_paging(empty_page.json["pagingMetadata"], 0, True)

    # Authenticate while INITIALIZING: refused with a 428.
    assert_app_error(site("POST", f"{DOMAINS}/{domain['id']}/authenticate", {}), 428)

    # Get -> {sendingDomain}: NOT_AUTHENTICATED with its CNAME records once initialized.
    sandbox.advance(300)
    got = site("GET", f"{DOMAINS}/{domain['id']}")
    assert got.status == 200
    assert set(got.json) == {"sendingDomain"}
    ready = got.json["sendingDomain"]
    assert_sending_domain(ready)
    assert ready["status"] == "NOT_AUTHENTICATED"
    assert 1 <= len(ready["dnsRecords"]) <= 5
    # ... an unknown id is a 404.
    assert_app_error(site("GET", f"{DOMAINS}/00000000-0000-4000-8000-000000000000"), 404)

    # Authenticate: the documented 428 while the records are not visible.
    path = f"{DOMAINS}/{domain['id']}/authenticate"
    assert_app_error(site("POST", path, {}), 428)
    # ... or, switched so, a 200 whose domain is still NOT_AUTHENTICATED (§1.6).
    sandbox.control("POST", "/sending-domains/failed-check", {"answer": 200})
    unchanged = site("POST", path, {})
    assert unchanged.status == 200
    assert unchanged.json["sendingDomain"]["status"] == "NOT_AUTHENTICATED"
    sandbox.control("POST", "/sending-domains/failed-check", {"answer": 428})
    # Authenticate -> {sendingDomain} AUTHENTICATED once the records are published and the
    # verifier's cached "does not exist" has expired; an empty body is fine too.
    sandbox.control("POST", "/dns/publish", {"domain": domain_name})
    sandbox.advance(3600)
    done = site("POST", path)
    assert done.status == 200, done.text
    assert set(done.json) == {"sendingDomain"}
    assert_sending_domain(done.json["sendingDomain"])
    assert done.json["sendingDomain"]["status"] == "AUTHENTICATED"

    # Per domain (§1.7): sender details moved to an address on another domain close this
    # one, though the site still has sender details.
    owner = sandbox.index()["sites"][0]["ownerEmail"]
    site("POST", f"{EMAILS}/get-or-create", {"emailAddress": owner})
    sender_id = sender.json["senderDetails"]["id"]
    moved = site("PATCH", f"{DETAILS}/{sender_id}", {"senderDetails": {"fromEmailAddress": owner}})
    assert moved.status == 200
    for closed in (
        site("GET", f"{DOMAINS}/{domain['id']}"),
        site("POST", f"{DOMAINS}/query", query),
        site("POST", path, {}),
    ):
        assert_app_error(closed, 428, "SENDER_DETAILS_DO_NOT_EXIST")


# -- Account Details (§4) ----------------------------------------------------------------------


def test_account_details(sandbox: Sandbox) -> None:
    agency, _ = sandbox.reset("agency")
    reply = agency("GET", ACCOUNT)
    assert reply.status == 200
    assert set(reply.json) == {"accountDetails"}
    details = reply.json["accountDetails"]
    assert {"status", "package", "quotaPeriod"} <= set(details)
    assert set(details) <= {
        "status",
        "package",
        "quotaPeriod",
        "maxCampaignAudienceSize",
        "features",
        "trackingSettings",
    }
    assert details["status"] in ACCOUNT_STATUSES
    package = details["package"]
    assert set(package) == {"id", "group", "monthlyQuotaAllocation", "billingCycle", "topTier"}
    assert set(package["monthlyQuotaAllocation"]) == {"campaigns", "emails"}
    assert package["billingCycle"] in BILLING_CYCLES
    assert isinstance(package["topTier"], bool)
    period = details["quotaPeriod"]
    assert set(period) == {"dateFrom", "dateTo", "quotaUsage"}
    assert ISO.match(period["dateFrom"]) and ISO.match(period["dateTo"])
    assert set(period["quotaUsage"]) == {"campaigns", "emails"}
    assert isinstance(details["maxCampaignAudienceSize"], int)
    assert set(details["features"]) == {"multipleSenderDetails", "removeWixBranding", "scheduling"}
    assert all(isinstance(v, bool) for v in details["features"].values())
    assert details["features"]["multipleSenderDetails"] is True  # the agency's Advanced plan

    # trackingSettings: an object, behind a switch (its inner shape is not published).
    sandbox.control(
        "POST",
        "/account",
        {"siteId": sandbox.index()["sites"][0]["siteId"], "trackingSettings": True},
    )
    assert isinstance(agency("GET", ACCOUNT).json["accountDetails"]["trackingSettings"], dict)

    # A key without Manage Email Marketing: 403 PERMISSION_DENIED (a scope problem, §5.1).
    index = sandbox.index()["sites"][0]
    headers = ["-H", f"Authorization: {index['restrictedApiKey']}"]
    headers += ["-H", f"wix-site-id: {index['siteId']}"]
    restricted = curl(sandbox.base_url, "GET", ACCOUNT, *headers)
    assert_app_error(restricted, 403, "PERMISSION_DENIED")


# -- Auth, limits, OAuth (§5) ------------------------------------------------------------------


def test_auth_errors_and_the_rate_limit(sandbox: Sandbox) -> None:
    (site,) = sandbox.reset("fresh")
    site_id = sandbox.index()["sites"][0]["siteId"]

    # 401 UNAUTHENTICATED: no Authorization, or a key that is not valid (§5.1, newer page).
    missing = curl(sandbox.base_url, "GET", EMAILS, "-H", f"wix-site-id: {site_id}")
    assert_app_error(missing, 401, "UNAUTHENTICATED")
    headers = ["-H", "Authorization: IST.not-a-key", "-H", f"wix-site-id: {site_id}"]
    bad_key = curl(sandbox.base_url, "GET", EMAILS, *headers)
    assert_app_error(bad_key, 401, "UNAUTHENTICATED")
    # 403 PERMISSION_DENIED: a good key without the site header.
    no_site = curl(sandbox.base_url, "GET", EMAILS, *site.auth[:2])
    assert_app_error(no_site, 403, "PERMISSION_DENIED")

    # 429 with the RESOURCE_EXHAUSTED code (§5.5).
    sandbox.control("POST", "/rate-limit", {"perMinute": 1})
    assert site("GET", EMAILS).status == 200
    limited = site("GET", EMAILS)
    assert_app_error(limited, 429, "RESOURCE_EXHAUSTED")
    assert int(limited.headers["retry-after"]) >= 1


def test_oauth_token(sandbox: Sandbox) -> None:
    sandbox.reset("fresh")
    creds = sandbox.index()["sites"][0]
    grant = {
        "grant_type": "client_credentials",
        "client_id": creds["appId"],
        "client_secret": creds["appSecret"],
        "instance_id": creds["instanceId"],
    }
    issued = curl(sandbox.base_url, "POST", TOKEN, data=grant)
    assert issued.status == 200
    body = issued.json
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 14400)
    # The token works in Authorization, raw or with "Bearer ", without wix-site-id.
    for value in (body["access_token"], f"Bearer {body['access_token']}"):
        listed = curl(sandbox.base_url, "GET", EMAILS, "-H", f"Authorization: {value}")
        assert listed.status == 200 and "senderEmails" in listed.json

    # Its errors are IETF OAuth bodies, not the Wix envelope (§5.2).
    wrong = curl(sandbox.base_url, "POST", TOKEN, data={**grant, "client_secret": "wrong"})
    assert wrong.status == 401
    assert set(wrong.json) == {"error", "error_description"}
    assert wrong.json["error"] == "invalid_client"
