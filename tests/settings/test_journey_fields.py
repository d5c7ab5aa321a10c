"""Every field type an automation may declare, through the API and the page: a new automation's
settings work without touching the API or the page."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.automations import fields as f
from app.automations import registry
from app.automations.base import Automation, Step, days
from app.customers.models import Product
from app.extensions import db
from app.settings.page import body


class Kitchen(Automation):
    """An automation with one field of every type and three steps."""

    key = "test_kitchen"
    title = {"en": "Kitchen sink", "vi": "Đủ loại"}
    default_subject = [{"en": f"Email {n}", "vi": f"Thư {n}"} for n in (1, 2, 3)]
    fields = (
        f.Numbers("days", [7, 14, 28], {"en": "Days", "vi": "Ngày"}, 1, 120, length=3, increasing=True),
        f.ProductNumbers("products", {}, {"en": "Usage days", "vi": "Số ngày dùng"}, 0, 365),
        f.Url("review_url", "", {"en": "Review page", "vi": "Trang đánh giá"}),
        f.Text("note", {"en": "Hi {{ first_name }}", "vi": "Chào {{ first_name }}"}, {"en": "Note", "vi": "Ghi chú"}),
    )
    steps = tuple(
        Step(f"s{n}", days("days", n), "winback", subject=("subject", n), label={"en": f"Day {n}", "vi": f"Ngày {n}"})
        for n in range(3)
    )
    excludes = {"winback": timedelta(days=1)}

    def context(self, shop, send, values):
        return {"first_name": "Alex", "products": [{"title": "Tea", "url": "https://x.test/tea", "price": "5.00"}]}

    def sample(self, shop, values, locale, customer_id, step):
        return self.draft(shop, step, "preview", shop.email, None, locale), self.context(shop, None, values)


@pytest.fixture
def kitchen(monkeypatch):
    monkeypatch.setitem(registry.AUTOMATIONS, Kitchen.key, Kitchen())


def test_every_field_type_is_listed_and_changed_through_the_api(kitchen, client, auth, shop):
    for product_id in (7001, 7002):  # a product map names the shop's own products
        db.session.add(Product(shop_id=shop.id, id=product_id, title=f"Tea {product_id}", price=Decimal("5")))
    db.session.commit()
    fields = client.get("/api/automations/test_kitchen/fields", headers=auth).json
    assert [s["name"] for s in fields["steps"]] == ["s0", "s1", "s2"]
    types = {field["name"]: field["type"] for field in fields["fields"]}
    assert types == {
        "enabled": "bool",
        "subject": "subjects",
        "discount_percent": "int",
        "holdout_percent": "int",
        "days": "numbers",
        "products": "product_numbers",
        "review_url": "url",
        "note": "text",
    }
    changes = {
        "days": [5, 10, 40],
        "products": {"7001": 30, "7002": 0},
        "review_url": "https://example.com/review",
        "subject": [{"vi": "Một"}, {"en": "Two"}, {}],
        "holdout_percent": 20,
    }
    updated = client.patch("/api/automations/test_kitchen", headers=auth, json=changes).json
    assert updated["days"] == [5, 10, 40] and updated["products"] == {"7001": 30, "7002": 0}
    assert updated["subject"][0] == {"en": "Email 1", "vi": "Một"} and updated["subject"][1]["en"] == "Two"
    assert updated["holdout_percent"] == 20


@pytest.mark.parametrize(
    "change",
    [
        {"days": [14, 7, 28]},
        {"days": [7, 14]},
        {"days": [7, 14, 121]},
        {"days": "7,14,28"},
        {"products": {"shirt": 30}},
        {"products": {"7001": -1}},
        {"products": [1]},
        {"products": {"7003": 30}},  # not a product of the shop
        {"review_url": "javascript:alert(1)"},
        {"review_url": "https://exa mple.com"},
        {"subject": [{"en": "x"}]},
        {"subject": [{"en": "{% if 1 %}x{% endif %}"}, {}, {}]},
        {"note": {"en": "Hi {{ config }}"}},
        {"holdout_percent": 51},
    ],
)
def test_bad_values_are_a_400_in_the_merchants_language_and_change_nothing(kitchen, client, auth, change):
    before = client.get("/api/automations/test_kitchen", headers=auth).json
    english = client.patch("/api/automations/test_kitchen?locale=en", headers=auth, json=change)
    vietnamese = client.patch("/api/automations/test_kitchen?locale=vi", headers=auth, json=change)
    assert english.status_code == vietnamese.status_code == 400
    assert english.json["error"] != vietnamese.json["error"]
    assert client.get("/api/automations/test_kitchen", headers=auth).json == before


def test_the_preview_renders_every_step(kitchen, client, auth):
    subjects = [
        client.get(f"/api/automations/test_kitchen/preview?locale=en&step={n}", headers=auth).json["subject"]
        for n in range(3)
    ]
    assert subjects == ["Email 1", "Email 2", "Email 3"]
    assert client.get("/api/automations/test_kitchen/preview?step=3", headers=auth).status_code == 400
    assert client.get("/api/automations/test_kitchen/preview?step=x", headers=auth).status_code == 400


def test_the_page_draws_every_field_and_a_step_picker(kitchen, app, shop):
    with app.test_request_context():
        html = body(shop, "vi")
    assert 'data-type="numbers"' in html and 'value="7, 14, 28"' in html
    assert 'data-type="product_numbers"' in html and 'data-type="url"' in html
    # This journey's card only (other journeys of the library have their own subjects and steps).
    card = html.split('data-key="test_kitchen"', 1)[1].split('<section class="card', 1)[0]
    assert card.count('data-type="subjects"') == 6  # three steps, two languages
    assert card.count('data-action="preview-step"') == 3
