"""Who is due: first and n-th orders, anniversaries, learned usage periods, due restocks."""

from datetime import datetime, timedelta

from app.lifecycle import orders, usage
from tests.lifecycle.conftest import NOW


def test_numbered_orders_count_only_uncancelled_orders_of_each_customer(shop, add_customer, add_order, change):
    from app.customers.models import Order
    from app.extensions import db

    add_customer(shop, id=1, email="ann@example.com")
    add_customer(shop, id=2, email="bob@example.com")
    add_order(shop, 10, NOW - timedelta(days=40), customer_id=1)
    add_order(shop, 11, NOW - timedelta(days=2), customer_id=1)
    add_order(shop, 20, NOW - timedelta(days=50), customer_id=2)
    change(db.session.get(Order, (shop.id, 20)), cancelled_at=NOW - timedelta(days=49))
    add_order(shop, 21, NOW - timedelta(days=3), customer_id=2)

    window = orders.numbered_orders(shop.id, NOW - timedelta(days=7), NOW)
    assert [(m.order_id, m.number) for m in window] == [(21, 1), (11, 2)]
    assert [m.order_id for m in orders.numbered_orders(shop.id, NOW - timedelta(days=7), NOW, number=2)] == [11]
    assert orders.later_order(shop.id, 1, 10) == 11 and orders.later_order(shop.id, 1, 11) is None


def test_anniversaries_with_years_and_29_february_on_28_february(shop, add_customer, add_order):
    add_customer(shop, id=1, email="ann@example.com")
    add_order(shop, 10, datetime(2024, 2, 29, 15, 0), customer_id=1)
    add_order(shop, 11, datetime(2024, 6, 1), customer_id=1)
    add_customer(shop, id=2, email="bob@example.com")
    add_order(shop, 20, datetime(2023, 2, 28, 9, 0), customer_id=2)

    found = orders.anniversaries(shop.id, datetime(2025, 2, 28), datetime(2025, 3, 1))
    assert [(a.customer_id, a.years, a.due_at) for a in found] == [
        (2, 2, datetime(2025, 2, 28, 9, 0)),
        (1, 1, datetime(2025, 2, 28, 15, 0)),
    ]
    # In a leap year it is on the day itself.
    found = orders.anniversaries(shop.id, datetime(2028, 2, 28, 20), datetime(2028, 2, 29, 20))
    assert [(a.customer_id, a.years, a.due_at) for a in found] == [(1, 4, datetime(2028, 2, 29, 15, 0))]


def _rebuy(add_customer, add_order, shop, customer_id, product_id, gaps, start=NOW - timedelta(days=200)):
    add_customer(shop, id=customer_id, email=f"c{customer_id}@example.com")
    at = start
    add_order(shop, customer_id * 100, at, customer_id=customer_id, lines=[(product_id, 1)])
    for n, gap in enumerate(gaps, start=1):
        at += timedelta(days=gap)
        add_order(shop, customer_id * 100 + n, at, customer_id=customer_id, lines=[(product_id, 1)])


def test_a_usage_period_is_learned_once_five_customers_bought_again(shop, add_customer, add_order):
    for customer_id, gaps in enumerate(([28], [30], [31, 35], [29]), start=1):
        _rebuy(add_customer, add_order, shop, customer_id, 7, gaps)
    assert usage.learned_periods(shop.id) == {}  # four customers are not enough
    _rebuy(add_customer, add_order, shop, 5, 7, [60])
    # Gaps 28, 29, 30, 31, 35, 60: the median is (30 + 31) / 2, rounded half up.
    assert usage.learned_periods(shop.id) == {7: 31}


def test_merchant_periods_win_and_zero_means_never():
    assert usage.effective_periods({"7": 20, "8": 0}, {7: 31, 8: 40, 9: 50}, learn=True) == {7: 20, 9: 50}
    assert usage.effective_periods({"7": 20}, {9: 50}, learn=False) == {7: 20}


def test_due_lines_leave_out_what_was_bought_again(shop, add_customer, add_order):
    add_customer(shop, id=1, email="ann@example.com")
    placed = NOW - timedelta(days=25, hours=1)
    add_order(shop, 10, placed, customer_id=1, lines=[(7, 2), (8, 1), (9, 1)])
    add_order(shop, 11, NOW - timedelta(days=3), customer_id=1, lines=[(8, 1)])  # 8 bought again
    due = usage.due_lines(shop.id, {7: 30, 8: 30, 9: 60}, 5, NOW - timedelta(hours=2), NOW)
    assert [(d.order_id, d.product_id, d.quantity, d.days) for d in due] == [(10, 7, 2, 30)]
    assert usage.bought_again(shop.id, 1, 8, placed) and not usage.bought_again(shop.id, 1, 7, placed)
