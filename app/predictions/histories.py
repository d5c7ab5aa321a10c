"""Customer histories in the model's terms, read from the order days (`app.customers.days`).

A purchase is a day with an order (two orders on one day are one purchase, as in the paper's
CDNOW data); x counts the purchases after the first, t_x is the time from the first purchase to
the last, T from the first purchase to the moment of the fit, all in weeks from the first day's
midnight in the shop's time zone. Spend per purchase is the mean of the repeat days' revenue.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import Float, case, cast, func, select

from app.customers.days import CustomerDay
from app.extensions import db

WEEK_SECONDS = 7 * 24 * 3600


@dataclass(slots=True)
class Histories:
    customer_ids: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    #: Mean revenue of the repeat purchase days (0 without one).
    mean_spend: np.ndarray
    orders: np.ndarray
    spent: np.ndarray
    first_days: list[date]

    def __len__(self) -> int:
        return len(self.customer_ids)


def local_now(now: datetime, tz) -> datetime:
    return now.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)


def read(shop_id: int, now_local: datetime, customer_ids: list[int] | None = None) -> Histories:
    """The histories of the shop's customers (or of `customer_ids`) with an order by `now_local`."""
    today = now_local.date()
    # Sums as floats (the model's type): turning 200k numeric sums into Decimals took seconds.
    first_revenue = cast(func.sum(case((CustomerDay.prev_day.is_(None), CustomerDay.revenue), else_=0)), Float)
    query = (
        select(
            CustomerDay.customer_id,
            func.min(CustomerDay.day),
            func.max(CustomerDay.day),
            func.count(),
            func.sum(CustomerDay.orders),
            cast(func.sum(CustomerDay.revenue), Float),
            first_revenue,
        )
        .where(CustomerDay.shop_id == shop_id, CustomerDay.day <= today)
        .group_by(CustomerDay.customer_id)
    )
    if customer_ids is not None:
        query = query.where(CustomerDay.customer_id.in_(customer_ids))
    rows = db.session.execute(query).all()
    n = len(rows)
    if not n:
        empty = np.zeros(0)
        return Histories(np.zeros(0, dtype=np.int64), empty, empty, empty, empty, empty, empty, [])
    # Column by column and vectorised: a shop's 200k customers in well under a second.
    ids, firsts, lasts, days, order_counts, totals, first_totals = zip(*rows, strict=True)
    first_days = [_date(value) for value in firsts]
    first = np.fromiter((d.toordinal() for d in first_days), dtype=np.int64, count=n)
    last = np.fromiter((_date(value).toordinal() for value in lasts), dtype=np.int64, count=n)
    days = np.array(days, dtype=float)
    spent = np.array([float(v) for v in totals])
    repeat_spent = spent - np.array([float(v) for v in first_totals])
    midnight = datetime.combine(date.fromordinal(1), datetime.min.time())
    now_days = (now_local - midnight).total_seconds() / 86400 + 1  # in ordinal days
    x = days - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_spend = np.where(days > 1, repeat_spent / np.maximum(x, 1), 0.0)
    return Histories(
        np.array(ids, dtype=np.int64),
        x,
        (last - first) / 7,
        (now_days - first) * 86400 / WEEK_SECONDS,
        mean_spend,
        np.array(order_counts, dtype=float),
        spent,
        first_days,
    )


def _date(value) -> date:
    """SQLite answers aggregates of dates as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
