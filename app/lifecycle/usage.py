"""Usage periods: how long a product lasts, as the merchant says or as the shop's customers show.

A learned period is the median number of days between consecutive purchases of a product by the
same customer, once at least MIN_CUSTOMERS customers bought it again (INTERFACE.md). Gaps under a
day are one shopping trip split in two orders, not a use-up, and are left out.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Float, and_, exists, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from app.customers.models import Customer, Order, OrderLine
from app.extensions import db
from app.lifecycle.orders import counted

MIN_CUSTOMERS = 5
#: Bounds of a usage period in days, for the merchant's and the learned ones alike.
SHORTEST, LONGEST = 1, 365


class days_between(FunctionElement):  # noqa: N801 - reads as the SQL function it renders
    """SQL: (later - earlier) in days, fractional, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}))"


@compiles(days_between, "postgresql")
def _days_postgres(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})) / 86400.0)"


def learned_periods(shop_id: int) -> dict[int, int]:
    """{product id: median days between repurchases} for products at least MIN_CUSTOMERS customers
    bought again; one statement (window functions for the gaps and the median's middle rows)."""
    bought = (
        select(
            Order.customer_id.label("customer_id"),
            OrderLine.product_id.label("product_id"),
            Order.placed_at.label("at"),
        )
        .join(OrderLine, and_(OrderLine.shop_id == Order.shop_id, OrderLine.order_id == Order.id))
        .where(counted(shop_id), OrderLine.shop_id == shop_id, OrderLine.product_id.is_not(None))
        .distinct()
        .subquery()
    )
    previous = func.lag(bought.c.at).over(
        partition_by=(bought.c.customer_id, bought.c.product_id), order_by=bought.c.at
    )
    gaps = select(
        bought.c.customer_id, bought.c.product_id, days_between(bought.c.at, previous).label("gap")
    ).subquery()
    real = select(gaps).where(gaps.c.gap >= 1).subquery()
    enough = (
        select(real.c.product_id)
        .group_by(real.c.product_id)
        .having(func.count(func.distinct(real.c.customer_id)) >= MIN_CUSTOMERS)
    )
    ranked = (
        select(
            real.c.product_id,
            real.c.gap,
            func.row_number().over(partition_by=real.c.product_id, order_by=real.c.gap).label("rank"),
            func.count().over(partition_by=real.c.product_id).label("n"),
        )
        .where(real.c.product_id.in_(enough))
        .subquery()
    )
    middle = (ranked.c.rank == (ranked.c.n + 1) / 2) | (ranked.c.rank == (ranked.c.n + 2) / 2)
    rows = db.session.execute(
        select(ranked.c.product_id, func.avg(ranked.c.gap)).where(middle).group_by(ranked.c.product_id)
    )
    periods = {}
    for product_id, median in rows:
        days = int(float(median) + 0.5)
        if SHORTEST <= days <= LONGEST:
            periods[int(product_id)] = days
    return periods


_learned: dict[tuple[int, date], dict[int, int]] = {}


def learned_today(shop_id: int, today: date) -> dict[int, int]:
    """`learned_periods`, computed once a day per shop and process: it reads the shop's whole
    history, and a day's new orders barely move a median."""
    key = (shop_id, today)
    if key not in _learned:
        for old in [k for k in _learned if k[0] == shop_id]:
            del _learned[old]
        _learned[key] = learned_periods(shop_id)
    return _learned[key]


def forget(shop_id: int) -> None:
    """Drop the day's learned periods of a shop (tests, a history import that just finished)."""
    for key in [k for k in _learned if k[0] == shop_id]:
        del _learned[key]


def effective_periods(merchant: dict, learned: dict[int, int], learn: bool) -> dict[int, int]:
    """{product id: days} that count: the merchant's where set (0 = never), else the learned one."""
    periods = dict(learned) if learn else {}
    for product_id, days in merchant.items():
        if days:
            periods[int(product_id)] = int(days)
        else:
            periods.pop(int(product_id), None)
    return periods


@dataclass(frozen=True)
class DueLine:
    order_id: int
    customer_id: int
    email: str
    locale: str | None
    placed_at: datetime
    product_id: int
    variant_id: int | None
    quantity: int
    days: int


def due_lines(shop_id: int, periods: dict[int, int], lead_days: int, start: datetime, end: datetime) -> list[DueLine]:
    """Order lines whose product runs out `lead_days` after a moment in (start, end], not bought again
    since: one statement per distinct usage period (a handful), each a range on the order time."""
    by_days: dict[int, list[int]] = {}
    for product_id, days in periods.items():
        by_days.setdefault(days, []).append(product_id)
    found = []
    for days, products in sorted(by_days.items()):
        wait = timedelta(days=max(days - lead_days, 1))
        again = aliased_again(shop_id)
        query = (
            select(
                Order.id,
                Order.customer_id,
                Customer.email,
                Customer.locale,
                Order.placed_at,
                OrderLine.product_id,
                OrderLine.variant_id,
                OrderLine.quantity,
                literal_column(str(days)),
            )
            .join(OrderLine, and_(OrderLine.shop_id == Order.shop_id, OrderLine.order_id == Order.id))
            .join(Customer, and_(Customer.shop_id == Order.shop_id, Customer.id == Order.customer_id))
            .where(
                counted(shop_id),
                Order.placed_at > start - wait,
                Order.placed_at <= end - wait,
                OrderLine.product_id.in_(products),
                Customer.email.is_not(None),
                ~again,
            )
            .order_by(Order.placed_at, Order.id, OrderLine.position)
        )
        found.extend(DueLine(*row) for row in db.session.execute(query))
    return found


def aliased_again(shop_id: int):
    """SQL (correlated to Order and OrderLine): the customer bought this product again later."""
    later, line = aliased(Order), aliased(OrderLine)
    return exists(
        select(later.id)
        .join(line, and_(line.shop_id == later.shop_id, line.order_id == later.id))
        .where(
            later.shop_id == shop_id,
            later.customer_id == Order.customer_id,
            later.cancelled_at.is_(None),
            later.placed_at > Order.placed_at,
            line.product_id == OrderLine.product_id,
        )
    )


def bought_again(shop_id: int, customer_id: int, product_ids: list[int], after: datetime) -> set[int]:
    """Which of `product_ids` the customer ordered again after `after` (each ends its restock
    reminder): one query for a whole email."""
    return set(
        db.session.scalars(
            select(OrderLine.product_id)
            .distinct()
            .join(Order, and_(OrderLine.shop_id == Order.shop_id, OrderLine.order_id == Order.id))
            .where(
                counted(shop_id),
                Order.customer_id == customer_id,
                Order.placed_at > after,
                OrderLine.product_id.in_(product_ids),
            )
        )
    )
