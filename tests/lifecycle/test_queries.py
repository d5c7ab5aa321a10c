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
    assert usage.bought_again(shop.id, 1, [8, 7], placed) == {8}


def test_birthdays_in_the_shops_zone_with_29_february_on_28_february(shop, add_customer):
    from app.lifecycle.birthdays import birthdays_due

    add_customer(shop, id=1, email="ann@example.com", birth_date="1990-06-11")
    add_customer(shop, id=2, email="bob@example.com", birth_date="--02-29")
    add_customer(shop, id=3, email="cy@example.com", birth_date="2001-02-28")
    # Hà Nội is UTC+7: 11 June starts at 10 June 17:00 UTC.
    found = birthdays_due(shop.id, "Asia/Ho_Chi_Minh", 0, datetime(2026, 6, 10, 12), datetime(2026, 6, 10, 18))
    assert [(b.customer_id, b.due_at) for b in found] == [(1, datetime(2026, 6, 10, 17))]
    found = birthdays_due(shop.id, "UTC", 2, datetime(2026, 6, 8, 12), datetime(2026, 6, 9, 12))
    assert [(b.customer_id, b.birthday.isoformat()) for b in found] == [(1, "2026-06-11")]
    found = birthdays_due(shop.id, "UTC", 0, datetime(2027, 2, 27, 12), datetime(2027, 3, 1, 12))
    assert sorted((b.customer_id, b.birthday.isoformat()) for b in found) == [(2, "2027-02-28"), (3, "2027-02-28")]
    found = birthdays_due(shop.id, "UTC", 0, datetime(2028, 2, 28, 12), datetime(2028, 3, 1, 12))
    assert [(b.customer_id, b.birthday.isoformat()) for b in found] == [(2, "2028-02-29")]


def test_category_affinity_never_what_they_own_with_bestsellers_after(shop, add_customer, add_order, add_product):
    from app.lifecycle.affinity import picked_for

    add_product(shop, 1, "Arabica", product_type="Coffee", tags=["Beans", "single origin"])
    add_product(shop, 2, "Robusta", product_type="coffee", tags=["beans"])
    add_product(shop, 3, "Decaf", product_type="Coffee")
    add_product(shop, 4, "Filters", product_type="Brewing", tags=["beans"])
    add_product(shop, 5, "Teapot", product_type="Ceramics")
    add_product(shop, 6, "Sold out", product_type="Coffee", in_stock=False)
    add_product(shop, 7, "Green tea", product_type="Tea")
    add_customer(shop, id=1, email="ann@example.com")
    add_order(shop, 10, NOW - timedelta(days=5), customer_id=1, lines=[(1, 1)])
    add_order(shop, 20, NOW - timedelta(days=5), customer_id=2, lines=[(7, 5), (5, 2), (3, 1)])
    picked = [p.title for p in picked_for(shop.id, 1, limit=5, now=NOW)]
    # Type and tag (2), type only but sells (3), tag only (4), then bestsellers (7, 5).
    assert picked == ["Robusta", "Decaf", "Filters", "Green tea", "Teapot"]
