"""Bestsellers: most units over a rolling window, showable products only, minus what the customer bought."""

from datetime import datetime

import time_machine

from app.customers.queries import bestsellers

NOW = datetime(2026, 11, 22, 12, 0)


def ids(products):
    return [p.id for p in products]


@time_machine.travel(NOW, tick=False)
def test_most_units_in_the_window_first(shop, add_products, add_order):
    add_products(1, 2, 3, 4, 5)
    add_order(10, 100, datetime(2026, 11, 1), {1: 1, 2: 5})
    add_order(11, 101, datetime(2026, 10, 1), {3: 3, 1: 1})
    add_order(12, 102, datetime(2026, 5, 1), {4: 50})  # outside the 90-day window
    add_order(13, 103, datetime(2026, 11, 2), {5: 9}, cancelled=True)  # cancelled: not sold
    assert ids(bestsellers(shop.id)) == [2, 3, 1]
    assert ids(bestsellers(shop.id, days=365)) == [4, 2, 3, 1]
    assert ids(bestsellers(shop.id, limit=2)) == [2, 3]


@time_machine.travel(NOW, tick=False)
def test_unpublished_and_sold_out_products_are_left_out(shop, add_products, add_order):
    add_products(1)
    add_products(2, published=False)
    add_products(3, in_stock=False)
    # 4 is known only from this order's lines: not described by the store yet, so it still counts.
    add_order(10, 100, datetime(2026, 11, 1), {1: 1, 2: 5, 3: 5, 4: 7})
    assert ids(bestsellers(shop.id)) == [4, 1]


@time_machine.travel(NOW, tick=False)
def test_what_the_customer_already_bought_is_excluded_whenever_bought(shop, add_products, add_order):
    add_products(1, 2, 3)
    add_order(10, 100, datetime(2026, 11, 1), {1: 5, 2: 4, 3: 3})
    add_order(11, 200, datetime(2024, 1, 1), {1: 1})  # customer 200 bought product 1 long ago
    assert ids(bestsellers(shop.id, exclude_customer_id=200)) == [2, 3]


def test_another_shops_sales_do_not_count(shop, make_shop, add_products, add_order):
    from app.customers.orders import store_orders
    from app.customers.records import Line, OrderRecord
    from app.extensions import db

    other = make_shop("other.myshopify.com")
    add_products(1, 2)
    add_order(10, 100, datetime.utcnow(), {1: 1})
    store_orders(
        other.id,
        [
            OrderRecord(
                id=10,
                updated_at=datetime.utcnow(),
                placed_at=datetime.utcnow(),
                customer_id=100,
                email="x@example.com",
                lines=[Line(product_id=2, variant_id=None, quantity=99)],
            )
        ],
    )
    db.session.commit()
    assert ids(bestsellers(shop.id)) == [1]


def test_products_the_store_never_described_still_count(app, make_shop):
    """A store that cannot answer the product query must not silence win-back."""
    from datetime import timedelta

    from app import clock
    from app.customers.models import Order, OrderLine, Product
    from app.customers.queries import bestsellers
    from app.extensions import db

    shop = make_shop("plain-store.myshopify.com")
    db.session.add_all(
        [
            Product(shop_id=shop.id, id=1, title="Tea"),
            Product(shop_id=shop.id, id=2, title="Cup"),
            Product(shop_id=shop.id, id=3, title="Old", published=False),
        ]
    )
    for number, product in enumerate((1, 1, 2, 3), start=1):
        db.session.add(Order(shop_id=shop.id, id=number, placed_at=clock.now() - timedelta(days=3)))
        db.session.add(OrderLine(shop_id=shop.id, order_id=number, position=0, product_id=product, quantity=1))
    db.session.commit()
    assert [p.title for p in bestsellers(shop.id)] == ["Tea", "Cup"]
