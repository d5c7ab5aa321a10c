"""The retention figures of a period, exactly as INTERFACE.md ("Measures") defines them.

Everything is read from the order days (`app.customers.days`), never from the orders: a customer
is active on day D when their latest order day up to D lies in the 365 days ending with D, and
exactly one row per customer says so (its `day` is at most D and its `next_day` is after D or
none). Each figure is then one range scan over days, so a shop with a million orders answers
as fast as its days allow (bench/metrics.py). Days are the shop's calendar days.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.customers import day_summaries
from app.customers.day_summaries import Summaries
from app.customers.days import CustomerDay, ShopDay
from app.extensions import db

ACTIVE_DAYS = 365
#: (name, fewest days since the last order, most) — INTERFACE.md's last-order windows.
WINDOWS = (
    ("0-7", 0, 7),
    ("8-14", 8, 14),
    ("15-28", 15, 28),
    ("29-90", 29, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
)
NEW_DAYS = 30
AT_RISK = (91, 180)
LAPSED_AFTER = 180


@dataclass(slots=True)
class Figures:
    start: date
    end: date
    orders: int = 0
    revenue: Decimal = Decimal("0")
    customers_start: int = 0
    customers_end: int = 0
    customers_new: int = 0
    churned: int = 0
    buyers: int = 0
    repeat_buyers: int = 0
    windows: dict = field(default_factory=dict)
    segments: dict = field(default_factory=dict)

    @property
    def average_order_value(self) -> Decimal | None:
        return (self.revenue / self.orders).quantize(Decimal("0.01")) if self.orders else None

    @property
    def retention_rate(self) -> float | None:
        return percent(self.customers_end - self.customers_new, self.customers_start)

    @property
    def churn_rate(self) -> float | None:
        return percent(self.churned, self.customers_start)

    @property
    def repeat_purchase_rate(self) -> float | None:
        return percent(self.repeat_buyers, self.buyers)


def percent(part: int, whole: int) -> float | None:
    """part / whole × 100 to one decimal; None (not a figure) when whole is 0."""
    return round(part * 100 / whole, 1) if whole else None


def _latest_up_to(day: date):
    """The row that is its customer's latest order day up to `day` (one per customer)."""
    return and_(CustomerDay.day <= day, or_(CustomerDay.next_day.is_(None), CustomerDay.next_day > day))


def _since(day: date, days: int) -> date:
    """The first day of the `days` days ending with `day`."""
    return day - timedelta(days=days - 1)


def compute(shop_id: int, start: date, end: date) -> Figures:
    figures = Figures(start, end)
    _orders(shop_id, figures)
    if day_summaries.present(shop_id):
        _from_summaries(shop_id, figures)
    else:  # order days not summarised yet (the worker's fit job summarises them): the same figures from the rows
        _buyers(shop_id, figures)
        _active_at_end(shop_id, figures)
        _active_at_start(shop_id, figures)
    _window_revenue(shop_id, figures)
    return figures


def _from_summaries(shop_id: int, f: Figures) -> None:
    """Every figure about customers but the windows' revenue, from the daily summaries.

    With `latest(first, last, on)` = customers whose latest order day up to `on` lies in first..last:
    E = latest(to − 364, to, to) split into the windows, B = latest(from − 365, from − 1, from − 1),
    and, for periods up to a year, churned = latest(from − 365, to − 365, to): a customer of B not
    active on `to` bought nothing in the period (which the 365 days ending with `to` cover), so their
    latest day up to `to` is still the one up to `from − 1`, and lies before `to − 364`.
    """
    before = f.start - timedelta(days=1)
    summaries = Summaries.read(shop_id, f.end, gaps_from=_since(before, ACTIVE_DAYS))
    days, counts = summaries.latest_on(_since(f.end, ACTIVE_DAYS), f.end, f.end)
    since_last = f.end.toordinal() - days
    f.windows = {
        name: {"customers": int(counts[(since_last >= least) & (since_last <= most)].sum()), "revenue": Decimal("0")}
        for name, least, most in WINDOWS
    }
    f.customers_end = int(counts.sum())
    f.customers_start = int(summaries.latest_on(_since(before, ACTIVE_DAYS), before, before)[1].sum())
    if f.end - f.start < timedelta(days=ACTIVE_DAYS):
        churned_days = (_since(before, ACTIVE_DAYS), f.end - timedelta(days=ACTIVE_DAYS))
        f.churned = int(summaries.latest_on(*churned_days, f.end)[1].sum())
    else:  # over a year, a customer of B may have bought and lapsed again within the period
        _active_at_start(shop_id, f)
    f.buyers = summaries.buyers(f.end)
    one_time = summaries.one_time(f.end)
    f.repeat_buyers = f.buyers - one_time
    f.customers_new = summaries.first_between(f.start, f.end)
    within = sum(f.windows[name]["customers"] for name, _, most in WINDOWS if most <= LAPSED_AFTER)
    f.segments.update(
        new=summaries.first_between(f.end - timedelta(days=NEW_DAYS), f.end),
        one_time=one_time,
        repeat=f.repeat_buyers,
        at_risk=f.windows["91-180"]["customers"],
        lapsed=f.buyers - within,
    )


def _orders(shop_id: int, f: Figures) -> None:
    orders, revenue = db.session.execute(
        select(func.coalesce(func.sum(ShopDay.orders), 0), func.coalesce(func.sum(ShopDay.revenue), 0)).where(
            ShopDay.shop_id == shop_id, ShopDay.day.between(f.start, f.end)
        )
    ).one()
    f.orders, f.revenue = int(orders), Decimal(revenue)


def _buyers(shop_id: int, f: Figures) -> None:
    """From each customer's first day: buyers so far, one-time buyers, new in the period and in 30 days."""
    first = CustomerDay.prev_day.is_(None)
    one_order_so_far = and_(CustomerDay.orders == 1, or_(CustomerDay.next_day.is_(None), CustomerDay.next_day > f.end))
    buyers, one_time, new, recent = db.session.execute(
        select(
            func.count(),
            func.sum(case((one_order_so_far, 1), else_=0)),
            func.sum(case((CustomerDay.day >= f.start, 1), else_=0)),
            func.sum(case((CustomerDay.day >= f.end - timedelta(days=NEW_DAYS), 1), else_=0)),
        ).where(CustomerDay.shop_id == shop_id, first, CustomerDay.day <= f.end)
    ).one()
    f.buyers, f.customers_new = int(buyers), int(new or 0)
    f.repeat_buyers = f.buyers - int(one_time or 0)
    f.segments.update(new=int(recent or 0), one_time=int(one_time or 0), repeat=f.repeat_buyers)


def _active_at_end(shop_id: int, f: Figures) -> None:
    """E, the last-order windows' customers, at-risk and lapsed: one row per customer active on `to`."""
    bucket = case(
        *[(CustomerDay.day >= f.end - timedelta(days=most), name) for name, _, most in WINDOWS[:-1]],
        else_=WINDOWS[-1][0],
    )
    counts = dict(
        db.session.execute(
            select(bucket, func.count())
            .where(
                CustomerDay.shop_id == shop_id,
                CustomerDay.day >= _since(f.end, ACTIVE_DAYS),
                _latest_up_to(f.end),
            )
            .group_by(bucket)
        ).all()
    )
    f.windows = {name: {"customers": int(counts.get(name, 0)), "revenue": Decimal("0")} for name, _, _ in WINDOWS}
    f.customers_end = sum(w["customers"] for w in f.windows.values())
    f.segments["at_risk"] = f.windows["91-180"]["customers"]
    # Lapsed: buyers so far whose latest day is more than 180 days back, active or not.
    within = sum(f.windows[name]["customers"] for name, _, most in WINDOWS if most <= LAPSED_AFTER)
    f.segments["lapsed"] = f.buyers - within


def _active_at_start(shop_id: int, f: Figures) -> None:
    """B (active on the day before `from`) and how many of them are not active on `to` (churned)."""
    before = f.start - timedelta(days=1)
    end_window = _since(f.end, ACTIVE_DAYS)
    later = aliased(CustomerDay)
    # A customer of B is active on `to` iff they have an order day in the 365 days ending with `to`.
    # Their next day after `before` settles it unless it falls before that window (periods over a
    # year); only then is the window looked up.
    bought_in_end_window = exists().where(
        later.shop_id == CustomerDay.shop_id,
        later.customer_id == CustomerDay.customer_id,
        later.day.between(end_window, f.end),
    )
    active_at_end = case(
        (or_(CustomerDay.next_day.is_(None), CustomerDay.next_day > f.end), CustomerDay.day >= end_window),
        (CustomerDay.next_day >= end_window, True),
        else_=bought_in_end_window,
    )
    start_count, churned = db.session.execute(
        select(func.count(), func.sum(case((active_at_end, 0), else_=1))).where(
            CustomerDay.shop_id == shop_id,
            CustomerDay.day >= _since(before, ACTIVE_DAYS),
            _latest_up_to(before),
        )
    ).one()
    f.customers_start, f.churned = int(start_count), int(churned or 0)


def _window_revenue(shop_id: int, f: Figures) -> None:
    """What the customers of each last-order window spent within the period.

    Only customers who bought within the period spent anything in it, and for them the latest
    day up to `to` is their last day within the period.
    """
    per_customer = (
        select(func.max(CustomerDay.day).label("last"), func.sum(CustomerDay.revenue).label("spent"))
        .where(CustomerDay.shop_id == shop_id, CustomerDay.day.between(f.start, f.end))
        .group_by(CustomerDay.customer_id)
        .subquery()
    )
    bucket = case(
        *[(per_customer.c.last >= f.end - timedelta(days=most), name) for name, _, most in WINDOWS[:-1]],
        else_=WINDOWS[-1][0],
    )
    query = (
        select(bucket, func.sum(per_customer.c.spent))
        .where(per_customer.c.last >= _since(f.end, ACTIVE_DAYS))
        .group_by(bucket)
    )
    for name, spent in db.session.execute(query):
        f.windows[name]["revenue"] = Decimal(spent or 0)
