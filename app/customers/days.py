"""Order days: the compact picture of order history that retention figures and the purchase model read.

`CustomerDay` has one row per customer and day (in the shop's time zone) with a live order
(neither cancelled nor test), carrying that day's order count and revenue and the customer's
previous and next such day. With those two links every figure of a period is a range scan over
days — "active on D" is "the customer's latest day up to D lies in the 365 days ending with D",
which exactly one row per customer answers — instead of a scan of every order.
`ShopDay` has the shop's orders and revenue per day, guests included.

Both are derived from the orders table and recomputed, never incremented, for every customer and
day an order change touches (like the customer figures in `orders.refresh_stats`), so replays,
late updates and cancellations cannot make them drift.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Date, Index, Integer, delete, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import day_start, local_day, zone
from app.customers.bulk import insert_rows, run
from app.customers.models import Money, Order, live
from app.extensions import db, shop_fk
from app.shops.models import Shop

CHUNK = 500
#: Rows written per statement when a whole shop is rebuilt.
BATCH = 5000


class CustomerDay(db.Model):
    __tablename__ = "customer_days"
    __table_args__ = (
        # Every period figure is a range over `day`; the included columns make them index-only on PostgreSQL.
        Index(
            "ix_customer_days_shop_day",
            "shop_id",
            "day",
            "next_day",
            postgresql_include=["customer_id", "prev_day", "orders", "revenue"],
        ),
        # Each customer's first day: new customers, one-time and repeat buyers.
        Index(
            "ix_customer_days_shop_first",
            "shop_id",
            "day",
            "next_day",
            "orders",
            postgresql_where=text("prev_day IS NULL"),
            sqlite_where=text("prev_day IS NULL"),
        ),
    )

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Decimal] = mapped_column(Money)
    #: The customer's previous day with an order; None on their first.
    prev_day: Mapped[date | None] = mapped_column(Date)
    #: The customer's next day with an order; None on their latest.
    next_day: Mapped[date | None] = mapped_column(Date)


class ShopDay(db.Model):
    __tablename__ = "shop_days"

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Decimal] = mapped_column(Money)


def refresh(shop_id: int, orders: Iterable[tuple[int | None, datetime]]) -> None:
    """Recompute the days touched by these orders, given as (customer_id, placed_at)."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return
    tz = zone(shop.timezone)
    touched = list(orders)
    customers = sorted({customer for customer, _ in touched if customer is not None})
    for start in range(0, len(customers), CHUNK):
        _refresh_customers(shop_id, customers[start : start + CHUNK], tz)
    _refresh_shop_days(shop_id, sorted({local_day(placed, tz) for _, placed in touched}), tz)


def present(shop_id: int) -> bool:
    """Whether the shop's order days are built (or it has no live order to build them from)."""
    has_days = db.session.scalar(select(ShopDay.day).where(ShopDay.shop_id == shop_id).limit(1)) is not None
    return has_days or db.session.scalar(select(Order.id).where(Order.shop_id == shop_id, live()).limit(1)) is None


def rebuild(shop_id: int) -> None:
    """Recompute every day of the shop (after the history import, or a time zone change)."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return
    tz = zone(shop.timezone)
    db.session.execute(delete(CustomerDay).where(CustomerDay.shop_id == shop_id))
    db.session.execute(delete(ShopDay).where(ShopDay.shop_id == shop_id))
    shop_days: dict[date, list] = defaultdict(lambda: [0, Decimal("0")])
    query = (
        select(Order.customer_id, Order.placed_at, Order.total)
        .where(Order.shop_id == shop_id, live())
        .order_by(Order.customer_id, Order.placed_at)
        .execution_options(yield_per=BATCH)
    )
    batch: list[dict] = []
    current, orders = None, []
    for customer_id, placed_at, total in db.session.execute(query):
        day = local_day(placed_at, tz)
        shop_days[day][0] += 1
        shop_days[day][1] += total
        if customer_id is None:
            continue
        if customer_id != current:
            batch.extend(_customer_rows(shop_id, current, orders))
            current, orders = customer_id, []
        orders.append((day, total))
        if len(batch) >= BATCH:
            _insert(CustomerDay, batch)
            batch = []
    batch.extend(_customer_rows(shop_id, current, orders))
    _insert(CustomerDay, batch)
    _insert(
        ShopDay,
        [{"shop_id": shop_id, "day": day, "orders": n, "revenue": revenue} for day, (n, revenue) in shop_days.items()],
    )


def _customer_rows(shop_id: int, customer_id: int | None, orders: list[tuple[date, Decimal]]) -> list[dict]:
    """One row per day of this customer's orders (any order), linked to the days before and after."""
    if customer_id is None or not orders:
        return []
    per_day: dict[date, list] = {}
    for day, total in orders:
        figures = per_day.setdefault(day, [0, Decimal("0")])
        figures[0] += 1
        figures[1] += total
    days = sorted(per_day)
    return [
        {
            "shop_id": shop_id,
            "customer_id": customer_id,
            "day": day,
            "orders": per_day[day][0],
            "revenue": per_day[day][1],
            "prev_day": days[i - 1] if i else None,
            "next_day": days[i + 1] if i + 1 < len(days) else None,
        }
        for i, day in enumerate(days)
    ]


def _refresh_customers(shop_id: int, customer_ids: list[int], tz: ZoneInfo) -> None:
    per_customer: dict[int, list] = defaultdict(list)
    query = select(Order.customer_id, Order.placed_at, Order.total).where(
        Order.shop_id == shop_id, Order.customer_id.in_(customer_ids), live()
    )
    for customer_id, placed_at, total in db.session.execute(query):
        per_customer[customer_id].append((local_day(placed_at, tz), total))
    db.session.execute(
        delete(CustomerDay).where(CustomerDay.shop_id == shop_id, CustomerDay.customer_id.in_(customer_ids))
    )
    _insert(CustomerDay, [row for cid, orders in per_customer.items() for row in _customer_rows(shop_id, cid, orders)])


def _refresh_shop_days(shop_id: int, days: list[date], tz: ZoneInfo) -> None:
    # Day by day: a batch touching a few scattered days never scans the months between them.
    for day in days:
        orders, revenue = db.session.execute(
            select(func.count(), func.coalesce(func.sum(Order.total), 0)).where(
                Order.shop_id == shop_id,
                Order.placed_at >= day_start(day, tz),
                Order.placed_at < day_start(day + timedelta(days=1), tz),
                live(),
            )
        ).one()
        db.session.execute(delete(ShopDay).where(ShopDay.shop_id == shop_id, ShopDay.day == day))
        if orders:
            _insert(ShopDay, [{"shop_id": shop_id, "day": day, "orders": orders, "revenue": Decimal(revenue)}])


def _insert(model, rows: list[dict]) -> None:
    if rows:
        run(insert_rows(model, rows), rows)
