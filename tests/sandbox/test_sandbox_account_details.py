"""Account Details: the typed fields of fact sheet §4 (features, package.billingCycle,
package.topTier, trackingSettings behind a switch) and the control levers that set them."""

from __future__ import annotations

import pytest

ACCOUNT = "/email-marketing/v1/account-details"
DETAILS = "/sender-details/v1/sender-details"


def account(site) -> dict:
    response = site.get(ACCOUNT)
    assert response.status_code == 200, response.text
    return response.json()["accountDetails"]


def test_free_plan_shape(site):
    details = account(site)
    assert set(details) == {
        "status",
        "package",
        "quotaPeriod",
        "maxCampaignAudienceSize",
        "features",
    }
    assert details["package"] == {
        "id": "Free",
        "group": "Free",
        "monthlyQuotaAllocation": {"campaigns": 3, "emails": 5000},
        "billingCycle": "MONTHLY",
        "topTier": False,
    }
    assert details["features"] == {
        "multipleSenderDetails": False,
        "removeWixBranding": False,
        "scheduling": False,
    }


@pytest.mark.parametrize(
    ("package", "features", "cycle", "top"),
    [
        ("Ascend_Basic", (False, False, True), "YEARLY", False),
        ("Ascend_Core", (True, True, True), "YEARLY", False),
        ("Ascend_Advanced", (True, True, True), "YEARLY", True),
        ("Mystery", (False, False, False), "MONTHLY", False),
    ],
)
def test_each_plan_brings_its_features(site, client, package, features, cycle, top):
    assert client.post("/_sandbox/account", json={"packageId": package}).status_code == 200
    details = account(site)
    assert details["package"]["billingCycle"] == cycle
    assert details["package"]["topTier"] is top
    names = ("multipleSenderDetails", "removeWixBranding", "scheduling")
    assert details["features"] == dict(zip(names, features, strict=True))


def test_features_multiple_sender_details_is_the_rule_create_enforces(site, client):
    site.create_email(site.creds.owner_email)
    site.verify_email("hello@sunrise.example")
    assert site.create_sender("One", site.creds.owner_email).status_code == 200
    assert account(site)["features"]["multipleSenderDetails"] is False
    assert site.create_sender("Two", "hello@sunrise.example").status_code == 428
    client.post("/_sandbox/account", json={"multipleSenderDetails": True})
    assert account(site)["features"]["multipleSenderDetails"] is True
    assert account(site)["package"]["id"] == "Free"  # the flag alone, the plan unchanged
    assert site.create_sender("Two", "hello@sunrise.example").status_code == 200


def test_levers_for_the_typed_fields(site, client):
    response = client.post(
        "/_sandbox/account",
        json={
            "billingCycle": "TWO_YEARS",
            "topTier": True,
            "removeWixBranding": True,
            "scheduling": True,
        },
    )
    assert response.status_code == 200
    details = account(site)
    assert response.json()["accountDetails"] == details
    assert details["package"]["billingCycle"] == "TWO_YEARS"
    assert details["package"]["topTier"] is True
    assert details["features"]["removeWixBranding"] is True
    assert details["features"]["scheduling"] is True
    # An undocumented cycle is passed through: clients must keep unknown enum values.
    client.post("/_sandbox/account", json={"billingCycle": "QUARTERLY"})
    assert account(site)["package"]["billingCycle"] == "QUARTERLY"


def test_features_can_be_left_out(site, client):
    """``features`` is @internal in one of Wix's typings: a client may not get it at all."""
    client.post("/_sandbox/account", json={"showFeatures": False})
    assert "features" not in account(site)
    client.post("/_sandbox/account", json={"showFeatures": True})
    assert "features" in account(site)


def test_tracking_settings_behind_a_switch(site, client):
    assert "trackingSettings" not in account(site)
    client.post("/_sandbox/account", json={"trackingSettings": True})
    assert account(site)["trackingSettings"] == {"opensTracking": True, "clickTracking": True}
    custom = {"opens": {"enabled": False}, "clicks": {"enabled": True}}
    client.post("/_sandbox/account", json={"trackingSettings": custom})
    assert account(site)["trackingSettings"] == custom
    client.post("/_sandbox/account", json={"trackingSettings": False})
    assert "trackingSettings" not in account(site)
    client.post("/_sandbox/account", json={"trackingSettings": custom})
    client.post("/_sandbox/account", json={"trackingSettings": None})
    assert "trackingSettings" not in account(site)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"topTier": "yes"}, "topTier must be true or false"),
        ({"multipleSenderDetails": 1}, "multipleSenderDetails must be true or false"),
        ({"showFeatures": None, "scheduling": "no"}, "scheduling must be true or false"),
        ({"billingCycle": ""}, "billingCycle must be a non-empty string"),
        ({"billingCycle": 12}, "billingCycle must be a non-empty string"),
        ({"trackingSettings": [1]}, "trackingSettings must be true, false, null or a JSON"),
        ({"trackingSettings": "on"}, "trackingSettings must be true, false, null or a JSON"),
        ({"trackingSettings": {"x": "y" * 70_000}}, "at most 64 KB"),
        ({"features": {}}, "unknown field(s) features"),
    ],
)
def test_levers_refuse_bad_values(site, client, body, says):
    before = account(site)
    response = client.post("/_sandbox/account", json=body)
    assert response.status_code == 400
    assert says in response.json()["message"]
    assert account(site) == before
