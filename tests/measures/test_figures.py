"""Each figure of /api/metrics against a hand-built history, the arithmetic written out.

The shop is in Asia/Ho_Chi_Minh (UTC+7). Period: 2026-10-01 .. 2026-10-31 (T = Oct 31);
the day before it P = Sep 30. "Active on D" = an order in the 365 days ending with D:
on P that is 2025-10-01 .. 2026-09-30, on T 2025-11-01 .. 2026-10-31.

  customer 1: 2025-12-01 (30.00), 2026-10-05 (40.00)       active on P and T, 2 orders
  customer 2: 2025-10-15 (12.00)                           active on P, not on T: churned
  customer 3: 2026-10-10 two orders (10.00 + 15.50)        new; 2 orders on one day
  customer 4: 2026-10-31 23:30 local (20.00)               new; 16:30 UTC, still Oct 31 locally
              2026-11-01 00:30 local (99.00)               Oct 31 17:30 UTC, but Nov 1 locally: after T
  customer 5: 2026-09-30 23:00 local (18.00)               active on P and T
              2026-10-20 cancelled, 2026-10-21 test         neither counts
  customer 6: 2025-03-01 (5.00)                            active on neither
  customer 7: 2026-05-15 (60.00)                           active on both, 169 days before T
  a guest:    2026-10-12 (50.00)                           counts in orders and revenue only
"""

from datetime import date

import pytest

from app.customers.orders import store_orders
from app.extensions import db
from app.measures import Period, report
from tests.measures.conftest import local


@pytest.fixture
def history(shop, order):
    order(1, local(2025, 12, 1), "30.00")
    order(1, local(2026, 10, 5), "40.00", order_id=15)
    order(2, local(2025, 10, 15), "12.00")
    order(3, local(2026, 10, 10, 9), "10.00")
    order(3, local(2026, 10, 10, 18), "15.50")
    order(4, local(2026, 10, 31, 23, 30), "20.00")
    order(4, local(2026, 11, 1, 0, 30), "99.00")
    order(5, local(2026, 9, 30, 23), "18.00")
    order(5, local(2026, 10, 20), "70.00", cancelled_at=local(2026, 10, 20, 13))
    order(5, local(2026, 10, 21), "80.00", test=True)
    order(6, local(2025, 3, 1), "5.00")
    order(7, local(2026, 5, 15), "60.00")
    order(None, local(2026, 10, 12), "50.00")
    return shop


@pytest.fixture
def october(history):
    return report(history, Period(date(2026, 10, 1), date(2026, 10, 31)))


def test_orders_revenue_and_average_order_value(october):
    # 40.00 (c1) + 10.00 + 15.50 (c3) + 20.00 (c4, Oct 31 locally) + 50.00 (guest) = 135.50 over 5 orders;
    # c4's Nov 1 order, c5's cancelled and test orders are out. 135.50 / 5 = 27.10.
    assert october["orders"] == 5
    assert october["revenue"] == "135.50"
    assert october["average_order_value"] == "27.10"
    assert october["currency"] == "USD"


def test_customers_at_start_end_and_new(october):
    # B (active on Sep 30): c1, c2, c5, c7 = 4. E (active on Oct 31): c1, c3, c4, c5, c7 = 5.
    # N (first order ever within October): c3, c4 = 2.
    assert october["customers"] == {"start": 4, "end": 5, "new": 2}


def test_retention_rate(october):
    # (E - N) / B x 100 = (5 - 2) / 4 x 100 = 75.0
    assert october["retention_rate"] == 75.0


def test_churn_rate(october):
    # Of B's 4, c2 is not active on Oct 31 (last order 2025-10-15 < 2025-11-01): 1 / 4 x 100 = 25.0
    assert october["churn_rate"] == 25.0


def test_repeat_purchase_rate(october):
    # Customers with an order on or before Oct 31: c1..c7 = 7; with two or more by then: c1 and c3
    # (two orders on one day count as two orders). c4's second order is after T. 2 / 7 x 100 = 28.571 -> 28.6
    assert october["repeat_purchase_rate"] == 28.6


def test_last_order_windows(october):
    # Days from the last order to Oct 31: c4 0, c3 21, c1 26, c5 31, c7 169.
    # Revenue within October: c4 20.00; c3 25.50 + c1 40.00 = 65.50; c5 and c7 nothing.
    assert october["last_order_windows"] == [
        {"days": "0-7", "customers": 1, "revenue": "20.00"},
        {"days": "8-14", "customers": 0, "revenue": "0.00"},
        {"days": "15-28", "customers": 2, "revenue": "65.50"},
        {"days": "29-90", "customers": 1, "revenue": "0.00"},
        {"days": "91-180", "customers": 1, "revenue": "0.00"},
        {"days": "181-365", "customers": 0, "revenue": "0.00"},
    ]


def test_segments(october):
    # new: first order within 30 days of Oct 31 -> c3 (21 days), c4 (0) = 2
    # one_time: exactly one order by Oct 31 -> c2, c4, c5, c6, c7 = 5; repeat: c1, c3 = 2
    # at_risk: last order 91-180 days ago -> c7 (169) = 1; lapsed: more than 180 -> c2 (381), c6 (609) = 2
    assert october["segments"] == {"new": 2, "one_time": 5, "repeat": 2, "at_risk": 1, "lapsed": 2}


def test_a_later_cancellation_changes_the_figures(history, order):
    # c1's Oct 5 order is cancelled: October keeps 4 orders, 135.50 - 40.00 = 95.50; c1's last order is
    # now 2025-12-01 (334 days before T: window 181-365, still active), and c1 is a one-time buyer.
    order(1, local(2026, 10, 5), "40.00", order_id=15, cancelled_at=local(2026, 10, 6), updated_at=local(2026, 10, 6))
    figures = report(history, Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert (figures["orders"], figures["revenue"]) == (4, "95.50")
    assert figures["last_order_windows"][5] == {"days": "181-365", "customers": 1, "revenue": "0.00"}
    assert figures["repeat_purchase_rate"] == round(1 / 7 * 100, 1)


def test_the_same_order_twice_counts_once(history, order):
    # A webhook delivered again (same order, same updated_at) changes nothing.
    order(1, local(2026, 10, 5), "40.00", order_id=15)
    again = report(history, Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert (again["orders"], again["revenue"]) == (5, "135.50")


def test_a_period_longer_than_a_year(shop, order):
    # Period 2024-10-01 .. 2026-10-31: P = 2024-09-30, T window 2025-11-01 .. 2026-10-31.
    # c8: 2024-09-15, 2025-01-10, 2026-06-01 -> on P and on T; its next order after P (2025-01-10)
    #     is before T's window, so the window itself decides: 2026-06-01 is in it, not churned.
    # c9: 2024-09-20, 2025-02-01 -> on P, nothing in T's window: churned.
    # B = 2, E = 1, N = 0: retention (1 - 0) / 2 = 50.0, churn 1 / 2 = 50.0
    for day in ((2024, 9, 15), (2025, 1, 10), (2026, 6, 1)):
        order(8, local(*day))
    for day in ((2024, 9, 20), (2025, 2, 1)):
        order(9, local(*day))
    figures = report(shop, Period(date(2024, 10, 1), date(2026, 10, 31)))
    assert figures["customers"] == {"start": 2, "end": 1, "new": 0}
    assert (figures["retention_rate"], figures["churn_rate"]) == (50.0, 50.0)


def test_no_customers_at_the_start_gives_no_rates(shop, order):
    # B = 0: retention and churn are not defined (null), never a division by zero.
    order(1, local(2026, 10, 5))
    figures = report(shop, Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert figures["customers"] == {"start": 0, "end": 1, "new": 1}
    assert (figures["retention_rate"], figures["churn_rate"]) == (None, None)
    assert figures["repeat_purchase_rate"] == 0.0


def test_an_empty_shop(shop):
    figures = report(shop, Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert (figures["orders"], figures["revenue"], figures["average_order_value"]) == (0, "0.00", None)
    assert figures["repeat_purchase_rate"] is None


def test_the_history_import_builds_the_same_days(history, shop):
    # derive_all (end of the import) rebuilds every day from the orders: same figures as the webhooks built.
    from app.customers.orders import derive_all

    before = report(history, Period(date(2026, 10, 1), date(2026, 10, 31)))
    derive_all(shop.id)
    db.session.commit()
    assert report(history, Period(date(2026, 10, 1), date(2026, 10, 31))) == before
    assert store_orders  # the webhook path built `before`
