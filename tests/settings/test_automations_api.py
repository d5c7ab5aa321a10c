"""The automations API of INTERFACE.md: list, change all-or-nothing, 400 on junk, 404 on unknown keys."""

import pytest

from app.automations.models import AutomationSetting
from app.automations.registry import AUTOMATIONS
from app.extensions import db


def test_every_automation_starts_off_with_its_defaults(client, auth):
    response = client.get("/api/automations", headers=auth)
    assert response.status_code == 200
    automations = {a["key"]: a for a in response.json["automations"]}
    assert list(automations) == list(AUTOMATIONS)  # the registry's order: by priority
    assert all(a["enabled"] is False for a in automations.values())
    cart, winback = automations["abandoned_cart"], automations["winback"]
    assert cart["enabled"] is False and winback["enabled"] is False
    assert cart["delay_hours"] == 24 and winback["after_days"] == 180
    assert set(cart["subject"]) == {"en", "vi"} and cart["discount_percent"] == 0


def test_switching_on_and_tuning_returns_and_keeps_the_new_object(client, auth):
    response = client.patch(
        "/api/automations/abandoned_cart",
        headers=auth,
        json={"enabled": True, "delay_hours": 6, "subject": {"vi": "Giỏ hàng của bạn"}},
    )
    assert response.status_code == 200
    updated = response.json
    assert updated["key"] == "abandoned_cart" and updated["enabled"] is True
    assert updated["delay_hours"] == 6 and updated["subject"]["vi"] == "Giỏ hàng của bạn"
    listed = {a["key"]: a for a in client.get("/api/automations", headers=auth).json["automations"]}
    assert listed["abandoned_cart"] == updated
    assert listed["winback"]["enabled"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"delay_hours": 0},
        {"delay_hours": 73},
        {"delay_hours": "24"},
        {"delay_hours": 1.5},
        {"delay_hours": True},
        {"enabled": "yes"},
        {"enabled": 1},
        {"discount_percent": -1},
        {"discount_percent": 101},
        {"subject": "Hello"},
        {"subject": {"fr": "Bonjour"}},
        {"subject": {"en": ""}},
        {"subject": {"en": 5}},
        {"colour": "red"},
        {"after_days": 90},
        {"": None},  # an unknown empty name was let through, then a KeyError (500), found by the fuzz
    ],
)
def test_invalid_changes_are_400_and_change_nothing(client, auth, body):
    before = client.get("/api/automations", headers=auth).json
    response = client.patch("/api/automations/abandoned_cart", headers=auth, json={"enabled": True, **body})
    assert response.status_code == 400
    assert response.json["error"]
    assert client.get("/api/automations", headers=auth).json == before


@pytest.mark.parametrize("raw", [b"[]", b"true", b"null", b"{oops", b""])
def test_a_body_that_is_not_a_json_object_is_a_400(client, auth, raw):
    response = client.patch("/api/automations/winback", data=raw, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["error"]


def test_an_unknown_automation_is_a_404_and_stores_nothing(client, auth, shop):
    response = client.patch("/api/automations/no_such_automation", headers=auth, json={"enabled": True})
    assert response.status_code == 404 and response.json["error"]
    assert client.get("/api/automations/no_such_automation", headers=auth).status_code == 404
    assert db.session.scalars(db.select(AutomationSetting)).all() == []


def test_fields_describe_the_form(client, auth):
    fields = {f["name"]: f for f in client.get("/api/automations/abandoned_cart/fields", headers=auth).json["fields"]}
    assert fields["delay_hours"]["min"] == 1 and fields["delay_hours"]["max"] == 72
    assert fields["delay_hours"]["label"]["vi"]


def test_the_api_needs_a_session_token(client, shop):
    assert client.get("/api/automations").status_code == 401
    assert client.patch("/api/automations/winback", json={"enabled": True}).status_code == 401
