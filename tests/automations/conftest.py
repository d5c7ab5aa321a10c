"""Factories for the engine's tests: a shop, its customers, checkouts, orders, products.

Time is explicit: every test picks `NOW` (a Wednesday noon UTC, outside quiet hours)
and passes it to `run_once`; `at` moves the clock for code that reads it.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from app.automations import settings
from app.customers.models import Checkout, Customer, Order, OrderLine, Product
from app.extensions import db
from app.records.models import Send

NOW = datetime(2026, 6, 10, 12, 0)


@pytest.fixture
def at():
    """`with at(moment):` runs code with the clock at `moment` (naive UTC)."""

    def travel(moment: datetime):
        return time_machine.travel(moment.isoformat() + "+00:00", tick=True)

    return travel


@pytest.fixture
def shop(make_shop):
    return make_shop(
        country_code="US", address={"address1": "1 Main St", "city": "Springfield", "zip": "12345", "country": "US"}
    )


@pytest.fixture
def change():
    """Edit a row and commit (shop time zone, settings...)."""

    def edit(row, **fields):
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()
        return row

    return edit


@pytest.fixture
def enable():
    def switch_on(shop, key, **changes):
        return settings.update(shop, key, {"enabled": True, **changes})

    return switch_on


@pytest.fixture
def add_checkout():
    def add(
        shop,
        token="tok1",
        email="ann@example.com",
        updated_at=NOW - timedelta(hours=25),
        accepts_marketing=True,
        locale=None,
        customer_id=None,
        **fields,
    ):
        checkout = Checkout(
            shop_id=shop.id,
            token=token,
            email=email,
            customer_id=customer_id,
            first_name="Ann",
            locale=locale,
            accepts_marketing=accepts_marketing,
            platform_updated_at=updated_at,
            items=fields.pop(
                "items",
                [
                    {
                        "product_id": 1,
                        "variant_id": 11,
                        "title": "Linen shirt",
                        "variant_title": "M",
                        "quantity": 2,
                        "price": "49.00",
                        "image_url": "https://cdn.example/shirt.jpg",
                    }
                ],
            ),
            total=Decimal("98.00"),
            currency="USD",
            recovery_url=f"https://demo-shop.myshopify.com/checkouts/{token}/recover",
            **fields,
        )
        db.session.add(checkout)
        db.session.commit()
        return checkout

    return add


@pytest.fixture
def add_customer():
    def add(shop, id=1, email="bob@example.com", consent="subscribed", locale=None, last_order_at=None, **fields):
        customer = Customer(
            shop_id=shop.id,
            id=id,
            email=email,
            first_name=fields.pop("first_name", "Bob"),
            locale=locale,
            consent_state=consent,
            consent_at=datetime(2025, 1, 1),
            last_order_at=last_order_at,
            **fields,
        )
        db.session.add(customer)
        db.session.commit()
        return customer

    return add


@pytest.fixture
def add_order():
    def add(shop, id, placed_at, customer_id=None, email=None, checkout_token=None, lines=()):
        db.session.add(
            Order(
                shop_id=shop.id,
                id=id,
                customer_id=customer_id,
                email=email,
                checkout_token=checkout_token,
                placed_at=placed_at,
                total=Decimal("10"),
            )
        )
        for position, (product_id, quantity) in enumerate(lines):
            db.session.add(
                OrderLine(shop_id=shop.id, order_id=id, position=position, product_id=product_id, quantity=quantity)
            )
        db.session.commit()

    return add


@pytest.fixture
def add_product():
    def add(shop, id, title, price="20.00", **fields):
        product = Product(
            shop_id=shop.id,
            id=id,
            title=title,
            price=Decimal(price),
            url=f"https://demo-shop.myshopify.com/products/{id}",
            image_url=f"https://cdn.example/{id}.jpg",
            refreshed_at=NOW - timedelta(days=1),
            **fields,
        )
        db.session.add(product)
        db.session.commit()
        return product

    return add


@pytest.fixture
def sends():
    """Every send of the plan, freshly read, oldest first."""

    def read(**where):
        db.session.expire_all()
        query = db.select(Send).filter_by(**where).order_by(Send.created_at, Send.trigger_ref)
        return list(db.session.scalars(query))

    return read
