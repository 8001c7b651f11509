"""The whole journey in one go, as the app will drive it, over plain HTTP."""

from __future__ import annotations

EMAILS = "/sender-emails/v1/sender-emails"
DOMAINS = "/sending-domains/v1/sending-domains"


def test_from_nothing_to_authenticated(site, client):
    # 1. Sender email: create, send code, read it from the sandbox mailbox, verify.
    email = site.create_email("hello@sunrise-bakery.example")
    assert email["verified"] is False
    assert site.post(f"{EMAILS}/{email['id']}/send-verification-code").json() == {}
    code = site.latest_code("hello@sunrise-bakery.example")
    assert site.post(f"{EMAILS}/{email['id']}/verify", json={"verificationCode": code}).is_success
    assert site.get(f"{EMAILS}/{email['id']}").json()["senderEmail"]["verified"] is True

    # 2. Sender details unlock the Sending Domains API and create the domain.
    assert site.create_sender("Sunrise Bakery", "hello@sunrise-bakery.example").is_success
    (domain,) = site.query_domain("sunrise-bakery.example")
    assert (domain["status"], domain["dnsRecords"]) == ("INITIALIZING", [])

    # 3. Time passes: records appear.
    client.post("/_sandbox/clock", json={"advanceSeconds": 120})
    domain = site.get(f"{DOMAINS}/{domain['id']}").json()["sendingDomain"]
    assert domain["status"] == "NOT_AUTHENTICATED"

    # 4. Too early: nothing published yet. Wix's resolver now caches "does not exist".
    early = site.post(f"{DOMAINS}/{domain['id']}/authenticate", json={})
    assert early.status_code == 428

    # 5. The user publishes the CNAMEs, but the verifier still holds the negatives...
    client.post("/_sandbox/dns/publish", json={"domain": "sunrise-bakery.example"})
    still = site.post(f"{DOMAINS}/{domain['id']}/authenticate", json={})
    assert still.status_code == 428
    assert "still holds a cached 'does not exist'" in still.json()["message"]

    # 6. ...until they expire (the zone's negative TTL, 1800 s); then authenticate succeeds.
    client.post("/_sandbox/clock", json={"advanceSeconds": 1800})
    done = site.post(f"{DOMAINS}/{domain['id']}/authenticate", json={})
    assert done.status_code == 200
    assert done.json()["sendingDomain"]["status"] == "AUTHENTICATED"
    (final,) = site.query_domain("sunrise-bakery.example")
    assert final["status"] == "AUTHENTICATED"
