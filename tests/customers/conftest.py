"""Factories for customer-picture tests: orders and products written through the real code path."""

from datetime import datetime
from decimal import Decimal

import pytest

from app.customers.orders import store_orders
from app.customers.products import store_products
from app.customers.records import Line, OrderRecord, ProductRecord
from app.extensions import db


@pytest.fixture
def shop(make_shop):
    return make_shop()


@pytest.fixture
def add_products(shop):
    def add(*ids, published=True, in_stock=True):
        store_products(
            shop.id,
            [
                ProductRecord(
                    id=i,
                    title=f"Product {i}",
                    price=Decimal("9.50"),
                    image_url=None,
                    url=f"https://shop.test/p/{i}",
                    published=published,
                    in_stock=in_stock,
                )
                for i in ids
            ],
        )
        db.session.commit()

    return add


@pytest.fixture
def add_order(shop):
    """add_order(id, customer_id, placed_at, {product_id: quantity}, cancelled=False)."""

    def add(
        order_id: int, customer_id: int, placed_at: datetime, items: dict, cancelled=False, total="10.00", email=None
    ):
        store_orders(
            shop.id,
            [
                OrderRecord(
                    id=order_id,
                    updated_at=placed_at,
                    placed_at=placed_at,
                    customer_id=customer_id,
                    email=email or f"c{customer_id}@example.com",
                    total=Decimal(total),
                    cancelled_at=placed_at if cancelled else None,
                    lines=[
                        Line(product_id=p, variant_id=None, quantity=q, title=f"Product {p}") for p, q in items.items()
                    ],
                )
            ],
        )
        db.session.commit()

    return add
