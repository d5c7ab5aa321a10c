"""Daily summaries of the order days: one small row per shop and day, so that a period's
retention figures read a few hundred rows instead of a year of customer days.

For the customers with an order on day d (their `CustomerDay` rows of that day) a summary keeps
how many there are, how many of them were on their first day (and with one order only), and the
sorted gaps from d to each one's next order day. "Customer c's latest day up to T is d" is then
"c has a row on d whose next day is after T", i.e. a gap over T − d: a binary search in d's gaps.
With that, "active on T" (E, B), the last-order windows, churn, buyers and one-time buyers on any
day are sums over at most a few hundred summaries (`Summaries`).

Summaries are derived from the order days and recomputed, never incremented, for every day whose
rows an order change touched (`recompute`, called by `days.refresh`), and rebuilt whole with them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import Date, Integer, LargeBinary, case, delete, exists, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from app.customers.day_models import CustomerDay
from app.extensions import db, shop_fk

CHUNK = 200
BATCH = 2000
#: Gaps are stored as 32-bit day counts (sorted), the days they span from 0001-01-01 as ordinals.
GAP = np.dtype("<i4")


class DaySummary(db.Model):
    __tablename__ = "day_summaries"

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: Customers with an order this day.
    customers: Mapped[int] = mapped_column(Integer)
    #: Of them, those on their first day with an order, and of those the ones with a single order.
    first_customers: Mapped[int] = mapped_column(Integer)
    singles: Mapped[int] = mapped_column(Integer)
    #: Sorted days from this day to each customer's next order day (customers without one are left out).
    gaps: Mapped[bytes] = mapped_column(LargeBinary)
    #: The same for the singles.
    single_gaps: Mapped[bytes] = mapped_column(LargeBinary)


def _row(shop_id: int, day: date, rows: list[tuple]) -> dict:
    """The summary of one day from its rows (next_day, prev_day, orders)."""
    gaps, single_gaps = [], []
    first = singles = 0
    for next_day, prev_day, orders in rows:
        gap = None if next_day is None else (_day(next_day) - day).days
        if gap is not None:
            gaps.append(gap)
        if prev_day is None:
            first += 1
            if orders == 1:
                singles += 1
                if gap is not None:
                    single_gaps.append(gap)
    return {
        "shop_id": shop_id,
        "day": day,
        "customers": len(rows),
        "first_customers": first,
        "singles": singles,
        "gaps": np.sort(np.array(gaps, dtype=GAP)).tobytes(),
        "single_gaps": np.sort(np.array(single_gaps, dtype=GAP)).tobytes(),
    }


def recompute(shop_id: int, days: Iterable[date]) -> None:
    """Summarise these days again from their order days."""
    days = sorted(set(days))
    for start in range(0, len(days), CHUNK):
        chunk = days[start : start + CHUNK]
        per_day: dict[date, list] = defaultdict(list)
        query = select(CustomerDay.day, CustomerDay.next_day, CustomerDay.prev_day, CustomerDay.orders).where(
            CustomerDay.shop_id == shop_id, CustomerDay.day.in_(chunk)
        )
        for day, next_day, prev_day, orders in db.session.execute(query):
            per_day[_day(day)].append((next_day, prev_day, orders))
        db.session.execute(delete(DaySummary).where(DaySummary.shop_id == shop_id, DaySummary.day.in_(chunk)))
        _insert([_row(shop_id, day, rows) for day, rows in sorted(per_day.items())])


def rebuild(shop_id: int) -> None:
    """Summarise every day of the shop again (after `days.rebuild`)."""
    db.session.execute(delete(DaySummary).where(DaySummary.shop_id == shop_id))
    query = (
        select(CustomerDay.day, CustomerDay.next_day, CustomerDay.prev_day, CustomerDay.orders)
        .where(CustomerDay.shop_id == shop_id)
        .order_by(CustomerDay.day)
        .execution_options(yield_per=BATCH * 10)
    )
    batch: list[dict] = []
    current, rows = None, []
    for day, next_day, prev_day, orders in db.session.execute(query):
        day = _day(day)
        if day != current:
            if rows:
                batch.append(_row(shop_id, current, rows))
            current, rows = day, []
        rows.append((next_day, prev_day, orders))
        if len(batch) >= BATCH:
            _insert(batch)
            batch = []
    if rows:
        batch.append(_row(shop_id, current, rows))
    _insert(batch)


def present(shop_id: int) -> bool:
    """Whether the shop's days are summarised (or it has no order days to summarise)."""
    summarised = exists().where(DaySummary.shop_id == shop_id)
    unsummarised = exists().where(CustomerDay.shop_id == shop_id)
    return bool(db.session.scalar(select(summarised | ~unsummarised)))


def _insert(rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(DaySummary), rows)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(slots=True)
class Summaries:
    """The summaries of a shop's days up to some day, with the sums the figures need."""

    days: np.ndarray  # ordinals
    customers: np.ndarray
    first: np.ndarray
    singles: np.ndarray
    gaps: list
    single_gaps: list

    @classmethod
    def read(cls, shop_id: int, end: date, gaps_from: date) -> "Summaries":
        """The summaries of the days up to `end`; the gaps of those from `gaps_from` on only."""
        rows = db.session.execute(
            select(
                DaySummary.day,
                DaySummary.customers,
                DaySummary.first_customers,
                DaySummary.singles,
                case((DaySummary.day >= gaps_from, DaySummary.gaps), else_=None),
                DaySummary.single_gaps,
            )
            .where(DaySummary.shop_id == shop_id, DaySummary.day <= end)
            .order_by(DaySummary.day)
        ).all()
        return cls(
            np.array([_day(r[0]).toordinal() for r in rows], dtype=np.int64),
            np.array([r[1] for r in rows], dtype=np.int64),
            np.array([r[2] for r in rows], dtype=np.int64),
            np.array([r[3] for r in rows], dtype=np.int64),
            [np.frombuffer(r[4] or b"", dtype=GAP) for r in rows],
            [np.frombuffer(r[5], dtype=GAP) for r in rows],
        )

    def _span(self, first: date, last: date) -> range:
        """Indexes of the summaries of days first..last."""
        lo, hi = np.searchsorted(self.days, [first.toordinal(), last.toordinal() + 1])
        return range(int(lo), int(hi))

    def latest_on(self, first: date, last: date, on: date) -> np.ndarray:
        """Per day first..last (≤ on): customers whose latest order day up to `on` is that day.

        Returns (ordinals, counts)."""
        span = self._span(first, last)
        ordinal = on.toordinal()
        counts = np.array(
            [self.customers[i] - np.searchsorted(self.gaps[i], ordinal - self.days[i], side="right") for i in span],
            dtype=np.int64,
        )
        return self.days[span.start : span.stop], counts

    def buyers(self, on: date) -> int:
        """Customers with a first order day on or before `on`."""
        span = self._span(date.min, on)
        return int(self.first[span.start : span.stop].sum())

    def first_between(self, first: date, last: date) -> int:
        span = self._span(first, last)
        return int(self.first[span.start : span.stop].sum())

    def one_time(self, on: date) -> int:
        """Customers with exactly one order up to `on` (a single order on their first day, and no later day by then)."""
        ordinal = on.toordinal()
        return int(
            sum(
                self.singles[i] - np.searchsorted(self.single_gaps[i], ordinal - self.days[i], side="right")
                for i in self._span(date.min, on)
            )
        )
