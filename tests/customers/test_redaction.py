"""customers/redact and shop/redact leave no row behind, in any table."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.customers import consent, days
from app.customers.days import CustomerDay, ShopDay
from app.customers.models import Checkout, Customer, DataRequest, Order, Suppression
from app.customers.orders import store_orders
from app.customers.records import OrderRecord
from app.customers.redaction import redact_customer, redact_shop
from app.extensions import db
from app.records.models import EmailEvent, Send

EMAIL = "gone@example.com"


def rows_mentioning(needles) -> list[tuple[str, dict]]:
    """Every row of every table in which some column holds one of `needles`."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            if any(
                str(value) in needles or (isinstance(value, (list, dict)) and any(n in str(value) for n in needles))
                for value in row.values()
            ):
                found.append((table.name, dict(row)))
    return found


@pytest.fixture
def customer_everywhere(shop, add_order):
    """Customer 900 with orders, a checkout, a sent email with events, a suppression and a data request."""
    add_order(1, 900, datetime(2026, 10, 1), {7: 1}, email=EMAIL)
    add_order(2, 900, datetime(2026, 11, 1), {8: 2}, email=EMAIL)
    add_order(3, 901, datetime(2026, 11, 1), {7: 1})  # someone else: must stay
    db.session.add(
        Checkout(
            shop_id=shop.id,
            token="tok-gone",
            email=EMAIL,
            customer_id=900,
            platform_updated_at=datetime(2026, 11, 2),
            items=[],
        )
    )
    send = Send(
        shop_id=shop.id,
        automation="winback",
        recipient=EMAIL,
        customer_id=900,
        trigger_ref="lapse:1",
        due_at=datetime(2026, 11, 3),
        state="sent",
    )
    db.session.add(send)
    db.session.flush()
    db.session.add(EmailEvent(shop_id=shop.id, send_id=send.id, kind="click", url="https://shop.test/x"))
    db.session.add(DataRequest(shop_id=shop.id, customer_id=900, email=EMAIL, payload={"email": EMAIL}))
    consent.suppress(shop.id, EMAIL, "unsubscribed")
    db.session.commit()
    return send


def test_customer_redaction_leaves_no_row_that_names_them(shop, customer_everywhere):
    redact_customer(shop.id, 900, EMAIL.upper(), [1, 2])
    db.session.commit()
    leftovers = [(name, row) for name, row in rows_mentioning({EMAIL, "900", "tok-gone"})]
    assert leftovers == []
    assert db.session.scalar(select(EmailEvent)) is None and db.session.scalar(select(Send)) is None
    assert db.session.get(Customer, (shop.id, 901)) is not None  # the other customer stays


def test_a_redacted_address_still_gets_no_marketing(shop, customer_everywhere):
    redact_customer(shop.id, 900, EMAIL, [])
    db.session.commit()
    assert consent.marketing_allowed(shop.id, EMAIL) == (False, "redacted")
    suppression = db.session.scalar(select(Suppression))
    assert EMAIL not in suppression.email  # kept only as a keyed hash


def test_shop_redaction_deletes_every_row_of_the_shop(shop, make_shop, customer_everywhere, add_order):
    other = make_shop("other.myshopify.com")
    store_orders(
        other.id,
        [
            OrderRecord(
                id=77,
                updated_at=datetime(2026, 1, 1),
                placed_at=datetime(2026, 1, 1),
                customer_id=5,
                email="keep@example.com",
                total=Decimal("5.00"),
                lines=[],
            )
        ],
    )
    db.session.commit()
    redact_shop(shop.id)
    db.session.commit()
    for table in db.metadata.sorted_tables:
        column = table.c.get("shop_id")
        if column is not None:
            assert db.session.execute(select(table).where(column == shop.id)).first() is None, table.name
    assert [s.domain for s in db.session.scalars(select(type(shop)))] == [other.domain]
    assert db.session.get(Order, (other.id, 77)) is not None  # another shop's rows are untouched


def test_order_days_after_a_redaction_are_those_of_the_orders_left(shop, add_order):
    """The shop's daily totals and each customer's order days are derived from orders: a redaction
    that deletes orders (also one placed under the address by another customer id) updates them."""
    add_order(1, 900, datetime(2026, 10, 1), {7: 1}, email=EMAIL)
    add_order(2, 902, datetime(2026, 10, 1), {7: 1}, email=EMAIL)  # same address, another id
    add_order(3, 902, datetime(2026, 11, 1), {7: 1})
    add_order(4, 901, datetime(2026, 10, 1), {7: 1}, total="25.00")  # someone else: must stay

    redact_customer(shop.id, 900, EMAIL)
    db.session.commit()

    def order_days():
        return (
            sorted(tuple(row) for row in db.session.execute(select(ShopDay.day, ShopDay.orders, ShopDay.revenue))),
            sorted(
                tuple(row)
                for row in db.session.execute(
                    select(CustomerDay.customer_id, CustomerDay.day, CustomerDay.prev_day, CustomerDay.next_day)
                )
            ),
        )

    kept = order_days()
    assert kept[0] == [(date(2026, 10, 1), 1, Decimal("25.00")), (date(2026, 11, 1), 1, Decimal("10.00"))]
    days.rebuild(shop.id)
    assert order_days() == kept
