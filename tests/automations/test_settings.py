"""Automation settings: the API object, all-or-nothing updates, the form description."""

import pytest

from app.automations import settings
from app.automations.models import AutomationSetting
from app.automations.registry import AUTOMATIONS
from app.extensions import db


def test_automations_are_listed_in_order_and_start_off(make_shop):
    shop = make_shop()
    # Listed by priority (abandoned cart first); every automation of the library starts off.
    assert list(AUTOMATIONS)[:2] == ["abandoned_cart", "winback"]
    assert not any(settings.as_json(shop, key)["enabled"] for key in AUTOMATIONS)
    cart, winback = (settings.as_json(shop, key) for key in ("abandoned_cart", "winback"))
    assert cart["key"] == "abandoned_cart" and cart["enabled"] is False
    assert cart["delay_hours"] == 24 and cart["discount_percent"] == 0
    assert set(cart["subject"]) == {"en", "vi"} and cart["reminder_enabled"] is False
    assert winback["enabled"] is False and winback["after_days"] == 180
    assert winback["bestsellers_count"] == 4 and winback["bestsellers_days"] == 90


def test_update_changes_only_what_was_asked_and_stores_only_differences(make_shop):
    shop = make_shop()
    result = settings.update(
        shop, "abandoned_cart", {"enabled": True, "delay_hours": 6, "subject": {"vi": "Giỏ hàng của bạn"}}
    )
    assert result["enabled"] is True and result["delay_hours"] == 6
    assert result["subject"]["vi"] == "Giỏ hàng của bạn"
    assert result["subject"]["en"] == "You left something in your cart"
    assert settings.as_json(shop, "abandoned_cart") == result
    settings.update(shop, "abandoned_cart", {"delay_hours": 24})
    row = db.session.get(AutomationSetting, (shop.id, "abandoned_cart"))
    assert set(row.values) == {"subject"}


@pytest.mark.parametrize(
    "key, changes",
    [
        ("abandoned_cart", {"delay_hours": 0}),
        ("abandoned_cart", {"delay_hours": 73}),
        ("abandoned_cart", {"delay_hours": "24"}),
        ("abandoned_cart", {"delay_hours": True}),
        ("abandoned_cart", {"enabled": "yes"}),
        ("abandoned_cart", {"discount_percent": 101}),
        ("abandoned_cart", {"discount_percent": -1}),
        ("abandoned_cart", {"subject": {"fr": "Bonjour"}}),
        ("abandoned_cart", {"subject": {"en": "   "}}),
        ("abandoned_cart", {"subject": "Hello"}),
        ("abandoned_cart", {"reminder_enabled": True, "reminder_delay_hours": 12, "delay_hours": 24}),
        ("abandoned_cart", {"colour": "red"}),
        ("winback", {"after_days": 29}),
        ("winback", {"after_days": 731}),
        ("winback", {"bestsellers_count": 1}),
        ("winback", {"enabled": True, "delay_hours": 5}),
    ],
)
def test_invalid_update_is_refused_and_changes_nothing(make_shop, key, changes):
    shop = make_shop()
    before = settings.as_json(shop, key)
    with pytest.raises(settings.SettingsError):
        settings.update(shop, key, {"enabled": True, **changes})
    assert settings.as_json(shop, key) == before
    assert db.session.get(AutomationSetting, (shop.id, key)) is None


def test_unknown_automation_is_an_error(make_shop):
    with pytest.raises(settings.UnknownAutomation):
        settings.update(make_shop(), "birthday", {"enabled": True})
    with pytest.raises(settings.SettingsError):
        settings.fields("birthday")


def test_fields_describe_the_form(make_shop):
    by_name = {field["name"]: field for field in settings.fields("abandoned_cart")}
    assert list(by_name)[:3] == ["enabled", "subject", "discount_percent"]
    assert by_name["delay_hours"] == {
        "name": "delay_hours",
        "type": "int",
        "default": 24,
        "min": 1,
        "max": 72,
        "label": {"en": "Send after (hours)", "vi": "Gửi sau (giờ)"},
    }
    assert all(set(field["label"]) == {"en", "vi"} for field in by_name.values())
    assert {f["name"] for f in settings.fields("winback")} >= {"after_days", "bestsellers_count", "bestsellers_days"}
