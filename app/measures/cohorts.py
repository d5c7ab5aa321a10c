"""Monthly cohorts: customers grouped by the month of their first order, followed month by month.

For cohort month c and offset k (months since c), `share` is the part of the cohort that bought
in month c+k (k = 0 is everyone, by definition) and `revenue` what the cohort spent that month.
Months are calendar months of the shop's local days.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from app.customers.days import CustomerDay
from app.extensions import db
from app.measures.figures import percent

MONTHS = 12


@dataclass(slots=True)
class Cohort:
    month: str
    customers: int
    #: offset -> (customers who bought that month, revenue)
    cells: dict[int, tuple[int, Decimal]] = field(default_factory=dict)

    def share(self, offset: int) -> float | None:
        return percent(self.cells[offset][0], self.customers) if offset in self.cells else None


def _month(column):
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def offset(first: str, later: str) -> int:
    (y1, m1), (y2, m2) = (map(int, text.split("-")) for text in (first, later))
    return (y2 - y1) * 12 + (m2 - m1)


def monthly(shop_id: int, end: date, months: int = MONTHS) -> list[Cohort]:
    """The cohorts of the `months` months up to `end`'s, each followed up to `end`."""
    since = month_start(end, months - 1)
    first = aliased(CustomerDay)
    cohort_month, buy_month = _month(first.day), _month(CustomerDay.day)
    rows = db.session.execute(
        select(
            cohort_month, buy_month, func.count(func.distinct(CustomerDay.customer_id)), func.sum(CustomerDay.revenue)
        )
        .join(
            first,
            and_(
                first.shop_id == CustomerDay.shop_id,
                first.customer_id == CustomerDay.customer_id,
                first.prev_day.is_(None),
            ),
        )
        .where(
            CustomerDay.shop_id == shop_id,
            first.day >= since,
            first.day <= end,
            CustomerDay.day <= end,
        )
        .group_by(cohort_month, buy_month)
    ).all()
    cohorts: dict[str, Cohort] = {}
    for cohort, month, customers, revenue in rows:
        entry = cohorts.setdefault(cohort, Cohort(cohort, 0))
        k = offset(cohort, month)
        entry.cells[k] = (customers, Decimal(revenue or 0))
        if k == 0:
            entry.customers = customers
    return [cohorts[name] for name in sorted(cohorts)]
