"""Shop-wide settings: read with defaults, changed all-or-nothing, junk refused with a clear 400."""

import pytest

from app.extensions import db
from app.shops.settings import notification_address


def test_defaults_until_the_merchant_changes_something(client, auth):
    settings = client.get("/api/settings", headers=auth).json
    assert settings["quiet_hours"] == {"enabled": True, "start": "21:00", "end": "08:00"}
    assert settings["accent_color"] == "#008060" and settings["sender_name"] is None


def test_a_change_is_stored_and_the_rest_keeps_its_defaults(client, auth, shop):
    response = client.patch(
        "/api/settings",
        headers=auth,
        json={
            "sender_name": "  Linh's Tea  ",
            "reply_to": "hello@linhtea.vn",
            "accent_color": "#AA3300",
            "frequency_cap": {"count": 3},
            "quiet_hours": {"start": "22:30"},
            "compliance_profile": "vn",
        },
    )
    assert response.status_code == 200
    settings = response.json
    assert settings["sender_name"] == "Linh's Tea"
    assert settings["accent_color"] == "#aa3300"
    assert settings["frequency_cap"] == {"count": 3, "days": 7}
    assert settings["quiet_hours"] == {"enabled": True, "start": "22:30", "end": "08:00"}
    assert client.get("/api/settings", headers=auth).json == settings
    db.session.refresh(shop)
    assert "attribution_days" not in shop.settings  # untouched settings follow future defaults


def test_null_restores_the_shop_default(client, auth):
    client.patch("/api/settings", headers=auth, json={"sender_name": "Someone"})
    assert client.patch("/api/settings", headers=auth, json={"sender_name": None}).json["sender_name"] is None


@pytest.mark.parametrize(
    "body, mentions",
    [
        ({"colour": "#000000"}, "colour"),
        ({"sender_name": 42}, "sender_name"),
        ({"sender_name": "Shop\r\nBcc: victim@example.com"}, "one line"),
        ({"sender_name": "x" * 101}, "100"),
        ({"reply_to": "not-an-address"}, "reply_to"),
        ({"reply_to": "a@b.c\nBcc: x@y.z"}, "reply_to"),
        ({"notification_email": "owner at shop"}, "notification_email"),
        ({"notification_email": "a@b.c\r\nBcc: x@y.z"}, "notification_email"),
        ({"logo_url": "http://example.com/logo.png"}, "https"),
        ({"logo_url": "javascript:alert(1)"}, "https"),
        ({"accent_color": "green"}, "accent_color"),
        ({"accent_color": "#12345"}, "accent_color"),
        ({"frequency_cap": 2}, "frequency_cap"),
        ({"frequency_cap": {"count": 0}}, "frequency_cap.count"),
        ({"frequency_cap": {"count": True}}, "frequency_cap.count"),
        ({"frequency_cap": {"count": 2.5}}, "frequency_cap.count"),
        ({"frequency_cap": {"days": 31}}, "frequency_cap.days"),
        ({"frequency_cap": {"weeks": 1}}, "weeks"),
        ({"quiet_hours": {"enabled": "yes"}}, "quiet_hours.enabled"),
        ({"quiet_hours": {"start": "9pm"}}, "quiet_hours.start"),
        ({"quiet_hours": {"end": "24:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "08:00"}}, "differ"),
        ({"compliance_profile": "mars"}, "compliance_profile"),
        ({"attribution_days": 0}, "attribution_days"),
        ({"attribution_days": "5"}, "attribution_days"),
    ],
)
def test_invalid_values_are_refused_and_nothing_changes(client, auth, shop, body, mentions):
    before = client.get("/api/settings", headers=auth).json
    # A valid change riding along with the bad one is not applied either.
    response = client.patch("/api/settings", headers=auth, json={"attribution_days": 7, **body})
    assert response.status_code == 400
    assert mentions in response.json["error"]
    assert client.get("/api/settings", headers=auth).json == before


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"null", b"{not json", b""])
def test_a_body_that_is_not_a_json_object_is_a_400(client, auth, raw):
    response = client.patch("/api/settings", headers={**auth, "Content-Type": "application/json"}, data=raw)
    assert response.status_code == 400 and "JSON object" in response.json["error"]


def test_notices_go_to_the_shop_email_until_the_merchant_names_another(client, auth, shop):
    assert client.get("/api/settings", headers=auth).json["notification_email"] is None
    assert notification_address(shop) == shop.email
    response = client.patch("/api/settings", headers=auth, json={"notification_email": " orders@linhtea.vn "})
    assert response.status_code == 200 and response.json["notification_email"] == "orders@linhtea.vn"
    db.session.refresh(shop)
    assert notification_address(shop) == "orders@linhtea.vn"
    client.patch("/api/settings", headers=auth, json={"notification_email": None})
    db.session.refresh(shop)
    assert notification_address(shop) == shop.email
