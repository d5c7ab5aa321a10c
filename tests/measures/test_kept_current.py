"""The figures stay exact as history changes under them: after a late order, a refund, a
cancellation, a redaction, an order moved to another customer and a shop time zone change, every
customer figure of `/api/metrics` equals the figure computed from scratch — straight from the
orders table by INTERFACE.md's definitions (`from_scratch` below), not from order days or their
daily summaries.
"""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import jobs
from app.clock import local_day, zone
from app.customers.models import Order
from app.customers.redaction import redact_customer
from app.extensions import db
from app.measures import Period, report
from app.shops import install
from tests.measures.conftest import local

TO = date(2026, 10, 31)
#: 30 days, a year (the churn shortcut's edge), the previous month, and over a year (the scan).
PERIODS = (
    Period(date(2026, 10, 2), TO),
    Period(date(2025, 11, 1), TO),
    Period(date(2026, 9, 1), date(2026, 9, 30)),
    Period(date(2025, 6, 1), TO),
)
WINDOWS = ((0, 7), (8, 14), (15, 28), (29, 90), (91, 180), (181, 365))


def from_scratch(shop, span: Period) -> dict:
    """The customer figures by the definitions, in Python over the live orders."""
    tz = zone(shop.timezone)
    orders = defaultdict(list)  # customer -> [(day, total)]
    for customer, placed_at, total, cancelled, test in db.session.execute(
        select(Order.customer_id, Order.placed_at, Order.total, Order.cancelled_at, Order.test).where(
            Order.shop_id == shop.id
        )
    ):
        if customer is not None and cancelled is None and not test:
            orders[customer].append((local_day(placed_at, tz), total))

    def active(days, on):
        return any(on - timedelta(days=364) <= d <= on for d in days)

    start, end, before = span.start, span.end, span.start - timedelta(days=1)
    b = e = n = churned = buyers = repeat = 0
    windows = [[0, Decimal("0")] for _ in WINDOWS]
    segments = dict.fromkeys(("new", "one_time", "repeat", "at_risk", "lapsed"), 0)
    for placed in orders.values():
        days = [d for d, _ in placed]
        upto = [(d, t) for d, t in placed if d <= end]
        b += active(days, before)
        e += active(days, end)
        churned += active(days, before) and not active(days, end)
        if not upto:
            continue
        first, last = min(d for d, _ in upto), max(d for d, _ in upto)
        n += start <= first <= end
        buyers += 1
        repeat += len(upto) >= 2
        segments["new"] += (end - first).days <= 30
        segments["one_time" if len(upto) == 1 else "repeat"] += 1
        since = (end - last).days
        segments["at_risk"] += 91 <= since <= 180
        segments["lapsed"] += since > 180
        for window, (least, most) in zip(windows, WINDOWS):
            # Windows group the customers active on `to`: "181-365" ends with 364 days since.
            if least <= since <= min(most, 364):
                window[0] += 1
                window[1] += sum(t for d, t in upto if d >= start)
    return {
        "customers": {"start": b, "end": e, "new": n},
        "churned": churned,
        "repeat_purchase_rate": round(repeat * 100 / buyers, 1) if buyers else None,
        "windows": [(c, f"{r:.2f}") for c, r in windows],
        "segments": segments,
    }


def figures(shop, span: Period) -> dict:
    got = report(shop, span)
    b = got["customers"]["start"]
    return {
        "customers": got["customers"],
        # churn_rate = churned / B × 100: the count back, to compare exactly.
        "churned": round(got["churn_rate"] * b / 100) if b else 0,
        "repeat_purchase_rate": got["repeat_purchase_rate"],
        "windows": [(w["customers"], w["revenue"]) for w in got["last_order_windows"]],
        "segments": got["segments"],
    }


def assert_exact(shop):
    db.session.expire_all()
    for span in PERIODS:
        assert figures(shop, span) == from_scratch(shop, span), span


@pytest.fixture
def history(shop, order):
    """Forty customers with one to six orders each over three years, some near local midnight."""
    rng = random.Random(13)
    start = datetime(2023, 11, 1)
    for customer in range(1, 41):
        for _ in range(rng.choice((1, 1, 2, 3, 6))):
            moment = start + timedelta(days=rng.randrange(0, 1100), hours=rng.choice((0, 6, 12, 16, 17, 23)))
            order(customer, moment, f"{rng.randrange(5, 200)}.{rng.randrange(0, 100):02d}")
    order(None, local(2026, 10, 12), "50.00")  # a guest
    assert_exact(shop)
    return shop


def test_a_late_order(history, order):
    # An order from last year arrives only now (a late webhook, reconciliation): it sits between
    # two of customer 3's days, so their links and the summaries of three days change.
    order(3, local(2025, 12, 20), "33.00")
    order(41, local(2025, 10, 31, 23, 59), "12.00")  # a new customer, on the edge of a year before TO
    assert_exact(history)


def test_a_refund(history, order):
    placed = db.session.scalars(select(Order).where(Order.customer_id == 5).order_by(Order.placed_at)).all()
    for row in placed:
        later = (row.platform_updated_at or row.placed_at) + timedelta(days=3)
        order(5, row.placed_at, "1.00", order_id=row.id, updated_at=later)  # current_total_price after a refund
    assert_exact(history)


def test_a_cancellation(history, order):
    row = db.session.scalars(select(Order).where(Order.customer_id == 7).order_by(Order.placed_at.desc())).first()
    later = row.placed_at + timedelta(days=1)
    order(7, row.placed_at, str(row.total), order_id=row.id, cancelled_at=later, updated_at=later)
    assert_exact(history)


def test_a_redaction(history):
    redact_customer(history.id, 9, "c9@example.com")
    db.session.commit()
    assert_exact(history)


def test_an_order_moved_to_another_customer(history, order):
    row = db.session.scalars(select(Order).where(Order.customer_id == 11).order_by(Order.placed_at)).first()
    order(12, row.placed_at, str(row.total), order_id=row.id, updated_at=row.placed_at + timedelta(days=2))
    assert_exact(history)


class StoreWithProfile:
    """Plays the store's answer to the shop profile query (the only thing read_profile asks)."""

    def __init__(self, timezone: str):
        self.timezone = timezone

    def execute(self, query, variables=None):
        return {"shop": {"ianaTimezone": self.timezone, "currencyCode": "USD", "name": "Demo Shop"}}


def test_a_time_zone_change_rebuilds_the_order_days(history):
    # The merchant moves the shop from Asia/Ho_Chi_Minh to America/Los_Angeles: an order at 06:00
    # on Oct 31 in Vietnam was placed on Oct 30 in Los Angeles, so every figure is recounted.
    install.read_profile(history, StoreWithProfile("America/Los_Angeles"))
    db.session.commit()
    while jobs.run_due():
        db.session.commit()
    assert history.timezone == "America/Los_Angeles"
    assert_exact(history)
