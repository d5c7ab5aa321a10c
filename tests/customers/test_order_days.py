"""Order days and customer figures follow an order that moves to another customer."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from app.customers.days import CustomerDay
from app.customers.models import Customer
from app.customers.orders import store_orders
from app.customers.records import OrderRecord
from app.extensions import db


def order(customer_id: int, updated_at: datetime) -> OrderRecord:
    return OrderRecord(
        id=1,
        updated_at=updated_at,
        placed_at=datetime(2026, 10, 1, 12),
        customer_id=customer_id,
        email=f"c{customer_id}@example.com",
        total=Decimal("10.00"),
    )


def test_an_order_moved_to_another_customer_leaves_the_first_with_no_order(shop):
    store_orders(shop.id, [order(900, datetime(2026, 10, 1, 12))])
    db.session.commit()
    # The merchant changes the order's customer (or merges two customers): the order now names 901.
    store_orders(shop.id, [order(901, datetime(2026, 10, 2, 9))])
    db.session.commit()
    db.session.expire_all()

    order_days = db.session.execute(select(CustomerDay.customer_id, CustomerDay.day)).all()
    assert [tuple(row) for row in order_days] == [(901, date(2026, 10, 1))]
    first, second = db.session.get(Customer, (shop.id, 900)), db.session.get(Customer, (shop.id, 901))
    assert (first.orders_count, first.last_order_at) == (0, None)
    assert second.orders_count == 1
