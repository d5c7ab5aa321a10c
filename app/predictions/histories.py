"""Customer histories in the model's terms, read from the order days (`app.customers.days`).

A purchase is a day with an order (two orders on one day are one purchase, as in the paper's
CDNOW data); x counts the purchases after the first, t_x is the time from the first purchase to
the last, T from the first purchase to the moment of the fit, all in weeks from the first day's
midnight in the shop's time zone. Spend per purchase is the mean of the repeat days' revenue.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import case, func, select

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
    first_revenue = func.sum(case((CustomerDay.prev_day.is_(None), CustomerDay.revenue), else_=0))
    query = (
        select(
            CustomerDay.customer_id,
            func.min(CustomerDay.day),
            func.max(CustomerDay.day),
            func.count(),
            func.sum(CustomerDay.orders),
            func.sum(CustomerDay.revenue),
            first_revenue,
        )
        .where(CustomerDay.shop_id == shop_id, CustomerDay.day <= today)
        .group_by(CustomerDay.customer_id)
    )
    if customer_ids is not None:
        query = query.where(CustomerDay.customer_id.in_(customer_ids))
    rows = db.session.execute(query).all()
    n = len(rows)
    ids, x, t_x, T = np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n), np.zeros(n)
    mean_spend, orders, spent = np.zeros(n), np.zeros(n), np.zeros(n)
    first_days: list[date] = []
    for i, (customer_id, first, last, days, order_count, total, first_total) in enumerate(rows):
        first, last = _date(first), _date(last)
        first_days.append(first)
        ids[i], x[i], orders[i], spent[i] = customer_id, days - 1, order_count, float(total)
        t_x[i] = (last - first).days / 7
        T[i] = (now_local - datetime.combine(first, datetime.min.time())).total_seconds() / WEEK_SECONDS
        if days > 1:
            mean_spend[i] = (float(total) - float(first_total)) / (days - 1)
    return Histories(ids, x, t_x, T, mean_spend, orders, spent, first_days)


def _date(value) -> date:
    """SQLite answers aggregates of dates as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
