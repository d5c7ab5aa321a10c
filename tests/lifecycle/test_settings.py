"""The lifecycle automations through the settings API: defaults, and bad input refused in the page's language."""

from datetime import datetime

import pytest
import time_machine

from app.automations.models import AutomationSetting
from app.extensions import db
from tests.settings.tokens import session_token

DEFAULTS = {
    "welcome": {"delay_hours": 1},
    "repeat_purchase": {"days": [7, 14, 28], "first_order_only": True, "discount_percent": 10},
    "replenishment": {"lead_days": 5, "products": {}, "learn": True},
    "birthday": {"days_before": 0, "discount_percent": 15},
    "anniversary": {"discount_percent": 0},
    "loyalty": {"nth_order": 2, "delay_days": 1},
}


@pytest.fixture
def auth(shop):
    return {"Authorization": f"Bearer {session_token(shop.domain)}"}


def test_every_lifecycle_automation_starts_off_with_the_contracts_defaults(client, auth):
    listed = {a["key"]: a for a in client.get("/api/automations", headers=auth).json["automations"]}
    for key, defaults in DEFAULTS.items():
        assert listed[key]["enabled"] is False
        assert {name: listed[key][name] for name in defaults} == defaults
    assert len(listed["repeat_purchase"]["subject"]) == 3


@pytest.mark.parametrize(
    "key, change",
    [
        ("repeat_purchase", {"days": [7, 7, 28]}),
        ("repeat_purchase", {"days": [14, 7, 28]}),
        ("repeat_purchase", {"days": [0, 7, 28]}),
        ("repeat_purchase", {"days": [7, 14, 121]}),
        ("repeat_purchase", {"days": [7, 14]}),
        ("replenishment", {"products": {"7": 366}}),
        ("replenishment", {"products": {"7": -1}}),
        ("replenishment", {"products": {"abc": 30}}),
        ("replenishment", {"products": {"999": 30}}),  # the shop has no product 999
        ("replenishment", {"lead_days": 31}),
        ("birthday", {"days_before": 15}),
        ("loyalty", {"nth_order": 1}),
        ("loyalty", {"delay_days": 31}),
        ("welcome", {"delay_hours": 73}),
    ],
)
def test_bad_input_is_a_400_in_the_pages_language_and_changes_nothing(shop, client, auth, add_product, key, change):
    add_product(shop, 7, "Espresso blend")
    before = client.get(f"/api/automations/{key}", headers=auth).json
    english = client.patch(f"/api/automations/{key}?locale=en", headers=auth, json=change)
    vietnamese = client.patch(f"/api/automations/{key}?locale=vi", headers=auth, json=change)
    assert english.status_code == vietnamese.status_code == 400
    assert english.json["error"] != vietnamese.json["error"]
    assert client.get(f"/api/automations/{key}", headers=auth).json == before
    assert db.session.get(AutomationSetting, (shop.id, key)) is None


def test_a_product_the_shop_has_takes_a_usage_period(shop, client, auth, add_product):
    add_product(shop, 7, "Espresso blend")
    answer = client.patch("/api/automations/replenishment", headers=auth, json={"products": {"7": 30, "8": 0}})
    assert answer.status_code == 400  # 8 is unknown: all or nothing
    answer = client.patch("/api/automations/replenishment", headers=auth, json={"products": {"7": 30}})
    assert answer.status_code == 200 and answer.json["products"] == {"7": 30}


@pytest.mark.parametrize("key", DEFAULTS)
def test_the_preview_renders_every_step_with_the_shops_data(
    shop, client, auth, key, add_customer, add_order, add_product
):
    add_product(shop, 7, "Espresso blend", product_type="Coffee")
    add_product(shop, 8, "Mocha pot", product_type="Coffee")
    add_customer(shop, id=1, email="ann@example.com", first_name="Ann", birth_date="1990-06-10")
    add_order(shop, 10, datetime(2025, 6, 1), customer_id=1, lines=[(7, 1)])
    steps = 3 if key == "repeat_purchase" else 1
    for step in range(steps):
        for locale in ("en", "vi"):
            answer = client.get(f"/api/automations/{key}/preview?locale={locale}&step={step}", headers=auth)
            assert answer.status_code == 200, answer.json
            assert answer.json["subject"] and "None" not in answer.json["subject"]


def test_the_anniversary_preview_names_the_customers_coming_anniversary(shop, client, add_customer, add_order):
    # First order 7 Dec 2024, previewed on 2 Dec 2026: the email this customer gets on 7 Dec says two years.
    first = datetime(2024, 12, 7, 10)
    add_customer(shop, id=1, email="ann@example.com", first_name="Ann", first_order_at=first, orders_count=1)
    add_order(shop, 10, first, customer_id=1)
    with time_machine.travel(datetime(2026, 12, 2, 12), tick=False):
        auth = {"Authorization": f"Bearer {session_token(shop.domain)}"}
        answer = client.get("/api/automations/anniversary/preview?locale=en", headers=auth)
    assert "2 years together" in answer.json["html"]


def _learned_espresso(shop, add_customer, add_order, add_product):
    """Five customers bought product 7 again after 30 days: a learned period of 30 days."""
    from app.lifecycle import usage

    add_product(shop, 7, "Espresso blend")
    add_product(shop, 8, "Mocha pot")
    for customer_id in range(1, 6):
        add_customer(shop, id=customer_id, email=f"c{customer_id}@example.com")
        add_order(shop, customer_id * 10, datetime(2026, 1, 1), customer_id=customer_id, lines=[(7, 1)])
        add_order(shop, customer_id * 10 + 1, datetime(2026, 1, 31), customer_id=customer_id, lines=[(7, 1)])
    usage.forget(shop.id)


@pytest.mark.parametrize(
    "locale, learned, yours, mocha",
    [("en", "Learned from your orders", "Yours", "never"), ("vi", "Tự học từ đơn hàng", "Bạn đặt", "không nhắc")],
)
def test_the_page_shows_each_products_learned_period_beside_the_merchants(
    shop, client, auth, add_customer, add_order, add_product, locale, learned, yours, mocha
):
    _learned_espresso(shop, add_customer, add_order, add_product)
    assert client.patch("/api/automations/replenishment", headers=auth, json={"products": {"8": 0}}).status_code == 200
    page = client.get(f"/api/page?locale={locale}", headers=auth).get_data(as_text=True)
    table = page[page.index('data-product-numbers="products"') :]
    table = table[: table.index("</table>")]
    assert learned in table and yours in table
    espresso = table[table.index('data-product="7"') :]
    espresso = espresso[: espresso.index("</tr>")]
    days = "30 days" if locale == "en" else "30 ngày"
    assert "Espresso blend" in espresso and f'<td class="num" data-suggested>{days}</td>' in espresso
    assert '<td class="num" data-value>–</td>' in espresso  # the merchant set none: the learned one counts
    pot = table[table.index('data-product="8"') :]
    assert "Mocha pot" in pot and f'<td class="num" data-value>{mocha}</td>' in pot


def test_the_fields_api_lists_the_learned_periods_for_the_shop(
    shop, client, auth, add_customer, add_order, add_product
):
    _learned_espresso(shop, add_customer, add_order, add_product)
    client.patch("/api/automations/replenishment", headers=auth, json={"products": {"7": 21}})
    fields = client.get("/api/automations/replenishment/fields", headers=auth).json["fields"]
    [products] = [f for f in fields if f["name"] == "products"]
    assert products["rows"] == [{"id": "7", "title": "Espresso blend", "suggested": 30, "value": 21}]
    assert products["suggested_label"]["vi"] == "Tự học từ đơn hàng"


@pytest.mark.parametrize(
    "locale, message", [("en", "the shop has no product with id 999"), ("vi", "cửa hàng không có sản phẩm mã 999")]
)
def test_a_product_of_another_shop_is_refused_wherever_the_change_comes_from(
    shop, make_shop, add_product, locale, message
):
    from app.automations import settings

    other = make_shop("other-shop.myshopify.com")
    add_product(other, 999, "Not ours")
    # Not through a settings request (no flask.g.shop): the check reads the shop it is given.
    with pytest.raises(settings.SettingsError) as refused:
        settings.update(shop, "replenishment", {"products": {"999": 30}})
    assert message in refused.value.say(locale)
    assert db.session.get(AutomationSetting, (shop.id, "replenishment")) is None
    assert settings.update(other, "replenishment", {"products": {"999": 30}})["products"] == {"999": 30}
