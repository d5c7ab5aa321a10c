"""Fixtures for the email tests: a Vietnamese and an American shop, and planned sends."""

from datetime import datetime
from decimal import Decimal

import pytest

from app.extensions import db
from app.records.models import Send


def _shop(make_shop, domain, name, **fields):
    # Fixed ids far from any sequence: the signed links in the snapshots contain them.
    shop = make_shop(domain, name=name, id=fields.pop("id"))
    for key, value in fields.items():
        setattr(shop, key, value)
    db.session.commit()
    return shop


@pytest.fixture
def vn_shop(make_shop):
    return _shop(
        make_shop,
        "nha-may.myshopify.com",
        "Tiệm Nhà Mây",
        id=9_000_001,
        currency="VND",
        locale="vi",
        timezone="Asia/Ho_Chi_Minh",
        country_code="VN",
        primary_domain="nhamay.vn",
        address={"address1": "12 Lý Tự Trọng", "city": "Hồ Chí Minh", "zip": "700000", "country": "Vietnam"},
    )


@pytest.fixture
def us_shop(make_shop):
    return _shop(
        make_shop,
        "acme-goods.myshopify.com",
        "Acme Goods",
        id=9_000_002,
        currency="USD",
        locale="en",
        timezone="America/New_York",
        country_code="US",
        primary_domain="acme.example",
        address={
            "address1": "1 Main Street",
            "city": "Springfield",
            "province": "IL",
            "zip": "62701",
            "country": "United States",
        },
    )


@pytest.fixture
def make_send():
    """A saved planned send (the engine's row) for `shop`."""

    def make(
        shop, recipient="lan@example.com", *, send_id=1001, automation="abandoned_cart", locale=None, customer_id=None
    ) -> Send:
        send = Send(
            shop_id=shop.id,
            id=send_id,
            automation=automation,
            recipient=recipient,
            customer_id=customer_id,
            trigger_ref=f"test:{send_id}",
            due_at=datetime(2026, 3, 2, 9),
            locale=locale,
        )
        db.session.add(send)
        db.session.commit()
        return send

    return make


def cart_context(currency="USD", discount=True) -> dict:
    price = Decimal("250000") if currency == "VND" else Decimal("25")
    return {
        "first_name": "Lan",
        "items": [
            {
                "title": "Áo dài lụa",
                "variant_title": "M / Đỏ",
                "quantity": 2,
                "price": price,
                "image_url": "https://cdn.example/ao-dai.jpg",
                "url": "https://shop.example/products/ao-dai",
            },
            {
                "title": "Nón lá",
                "variant_title": None,
                "quantity": 1,
                "price": price,
                "image_url": None,
                "url": "https://shop.example/products/non-la",
            },
        ],
        "total": price * 3,
        "currency": currency,
        "recovery_url": "https://shop.example/checkouts/abc123/recover?key=k1",
        "discount": {"code": "COMEBACK-7QK2-M9XD", "percent": 10, "expires_at": datetime(2026, 3, 9, 9)}
        if discount
        else None,
    }


def winback_context(currency="USD", discount=True) -> dict:
    price = Decimal("180000") if currency == "VND" else Decimal("18.5")
    return {
        "first_name": "Minh",
        "products": [
            {
                "title": "Cà phê Cầu Đất",
                "price": price,
                "image_url": "https://cdn.example/cafe.jpg",
                "url": "https://shop.example/products/ca-phe",
            },
            {
                "title": "Trà sen Tây Hồ",
                "price": price * 2,
                "image_url": "https://cdn.example/tra.jpg",
                "url": "https://shop.example/products/tra-sen",
            },
        ],
        "shop_url": "https://shop.example",
        "discount": {"code": "COMEBACK-ABCD-EFGH", "percent": 15, "expires_at": datetime(2026, 3, 9, 9)}
        if discount
        else None,
    }
