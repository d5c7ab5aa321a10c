"""Every lifecycle email in both languages: snapshots, well-formed HTML, links that lead where they say."""

import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine

from app.mail.compose import compose
from tests.mail.test_emails import _parse

SNAPSHOTS = Path(__file__).parent / "snapshots"
CODE = {"code": "COMEBACK-7QK2-M9XD", "percent": 15, "expires_at": datetime(2026, 3, 9, 9)}


def _products(currency: str, care: bool = False) -> list[dict]:
    price = Decimal("165000") if currency == "VND" else Decimal("18")
    products = [
        {
            "title": "Cà phê Arabica Cầu Đất",
            "price": price,
            "image_url": "https://cdn.example/arabica.jpg",
            "url": "https://shop.example/products/arabica",
            "quantity": 2,
            "variant_id": 4401,
        },
        {
            "title": "Trà sen Tây Hồ",
            "price": price * 3,
            "image_url": None,
            "url": "https://shop.example/products/tra-sen",
            "quantity": 1,
            "variant_id": 4402,
        },
    ]
    if care:
        products[0]["care"] = "Keep the bag sealed in a cool, dark place; grind just before brewing."
    return products


#: template -> (context for a currency, subject): one per email of every lifecycle automation.
EMAILS = {
    "welcome": (
        lambda cur: {"first_name": "Lan", "birthday_url": "https://comeback.test/b/sample-token", "discount": CODE},
        {
            "en": "Welcome to {{ shop_name }}, {{ first_name }}",
            "vi": "Chào mừng {{ first_name }} đến với {{ shop_name }}",
        },
    ),
    "repeat_purchase/check_in": (
        lambda cur: {"first_name": "Lan", "products": _products(cur, care=True)[:1]},
        {"en": "How are you getting on, {{ first_name }}?", "vi": "{{ first_name }} ơi, bạn dùng có ưng không?"},
    ),
    "repeat_purchase/picked": (
        lambda cur: {"first_name": "Lan", "products": _products(cur)},
        {"en": "Picked for you at {{ shop_name }}", "vi": "{{ shop_name }} chọn riêng cho bạn"},
    ),
    "repeat_purchase/gift": (
        lambda cur: {"first_name": "Lan", "products": _products(cur), "discount": CODE},
        {"en": "A little gift to come back", "vi": "Quà nhỏ mời bạn quay lại"},
    ),
    "replenishment": (
        lambda cur: {
            "first_name": "Lan",
            "products": _products(cur),
            "reorder_url": "https://shop.example/cart/4401:2,4402:1",
        },
        {"en": "Running low? Reorder in one click", "vi": "Sắp hết rồi, đặt lại chỉ một cú nhấp"},
    ),
    "birthday": (
        lambda cur: {"first_name": "Lan", "birthday": "2026-03-02", "days_before": 0, "discount": CODE},
        {"en": "Happy birthday, {{ first_name }}!", "vi": "Chúc mừng sinh nhật {{ first_name }}!"},
    ),
    "anniversary": (
        lambda cur: {
            "first_name": "Lan",
            "years": 2,
            "first_order_at": "2024-03-02T03:00:00Z",
            "orders_count": 5,
            "returns": 4,
            "discount": None,
        },
        {"en": "Two years together", "vi": "Tròn hai năm bên nhau"},
    ),
    "loyalty": (
        lambda cur: {"first_name": "Lan", "orders_count": 2, "discount": CODE},
        {"en": "Thank you for coming back", "vi": "Cảm ơn bạn đã quay lại"},
    ),
}


@pytest.fixture
def app_config():
    # A fixed APP_URL keeps the signed links, and so the snapshots, the same on every run.
    return {"APP_URL": "https://comeback.test"}


def _message(shop, send, template):
    context_for, subject = EMAILS[template]
    context = {"shop_url": "https://shop.example", **context_for(shop.currency)}
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        return compose(shop, send, template=template, context=context, subject=subject), context


@pytest.mark.parametrize("template", EMAILS)
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_snapshots(template, lang, vn_shop, us_shop, make_send):
    shop = vn_shop if lang == "vi" else us_shop
    message, _ = _message(shop, make_send(shop, automation=template.split("/")[0]), template)
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    name = f"{template.replace('/', '.')}.{lang}"
    _match(f"{name}.html", html)
    _match(f"{name}.txt", f"Subject: {message['Subject']}\n\n{text}")
    assert "None" not in text and "{{" not in text and "{%" not in html


@pytest.mark.parametrize("template", EMAILS)
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_well_formed_and_every_link_leads_where_it_says(template, lang, vn_shop, us_shop, make_send, client):
    shop = vn_shop if lang == "vi" else us_shop
    message, context = _message(shop, make_send(shop, automation=template.split("/")[0]), template)
    checker = _parse(message.get_body(("html",)).get_content())
    expected = {context["shop_url"]} | {p["url"] for p in context.get("products", [])}
    if context.get("reorder_url"):
        expected.add(context["reorder_url"])
    unsubscribe_url = message["List-Unsubscribe"].strip("<>")
    targets = set()
    for href in checker.links:
        if href in (unsubscribe_url, context.get("birthday_url")):
            continue
        assert href.startswith("https://comeback.test/t/"), href
        answer = client.get(urlsplit(href).path)
        assert answer.status_code == 302
        targets.add(answer.location)
    assert targets == expected
    if context.get("birthday_url"):
        assert context["birthday_url"] in checker.links


def test_without_a_name_or_a_code_the_emails_still_read_well(us_shop, vn_shop, make_send):
    for shop in (us_shop, vn_shop):
        for number, template in enumerate(EMAILS):
            context_for, subject = EMAILS[template]
            context = {**context_for(shop.currency), "first_name": None, "discount": None}
            send = make_send(shop, f"x{number}@example.com", send_id=2000 + number, automation="x")
            text = compose(shop, send, template=template, context=context, subject=subject).get_body(("plain",))
            content = text.get_content()
            assert "None" not in content and ", !" not in content and " ," not in content, (template, content)


def _match(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}: run with UPDATE_SNAPSHOTS=1 and review the diff"
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed: UPDATE_SNAPSHOTS=1 to accept"
