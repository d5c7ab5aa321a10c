"""Orders that start a lifecycle journey: first orders, the n-th order, first-order anniversaries."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from app.customers.models import Customer, Order
from app.extensions import db


@dataclass(frozen=True)
class OrderMoment:
    """An order that starts something for its customer, with what the email needs about them."""

    order_id: int
    customer_id: int
    placed_at: datetime
    email: str
    locale: str | None
    #: The order's place among the customer's orders (1 = first).
    number: int


def counted(shop_id: int):
    """Orders that count: not cancelled, with a customer."""
    return and_(Order.shop_id == shop_id, Order.cancelled_at.is_(None), Order.customer_id.is_not(None))


def numbered_orders(shop_id: int, start: datetime, end: datetime, number: int | None = None) -> list[OrderMoment]:
    """Orders placed in (start, end] with their number among the customer's orders, optionally only
    the `number`-th. One statement: a window function numbers the orders of the customers who
    ordered in the window (a tie in time goes to the lower order id)."""
    recent = select(Order.customer_id).where(counted(shop_id), Order.placed_at > start, Order.placed_at <= end)
    position = (
        func.row_number().over(partition_by=Order.customer_id, order_by=(Order.placed_at, Order.id)).label("number")
    )
    numbered = (
        select(Order.id, Order.customer_id, Order.placed_at, position)
        .where(counted(shop_id), Order.customer_id.in_(recent), Order.placed_at <= end)
        .subquery()
    )
    query = (
        select(
            numbered.c.id,
            numbered.c.customer_id,
            numbered.c.placed_at,
            Customer.email,
            Customer.locale,
            numbered.c.number,
        )
        .join(Customer, and_(Customer.shop_id == shop_id, Customer.id == numbered.c.customer_id))
        .where(numbered.c.placed_at > start, Customer.email.is_not(None))
        .order_by(numbered.c.placed_at, numbered.c.id)
    )
    if number is not None:
        query = query.where(numbered.c.number == number)
    return [OrderMoment(*row) for row in db.session.execute(query)]


def later_order(shop_id: int, customer_id: int, order_id: int) -> int | None:
    """A counted order of this customer placed after `order_id` (which ends a journey about it)."""
    first = db.session.get(Order, (shop_id, order_id))
    query = select(Order.id).where(counted(shop_id), Order.customer_id == customer_id, Order.id != order_id)
    if first is not None:
        query = query.where(
            or_(Order.placed_at > first.placed_at, and_(Order.placed_at == first.placed_at, Order.id > order_id))
        )
    return db.session.scalar(query.order_by(Order.placed_at).limit(1))


def orders_count(shop_id: int, customer_id: int, until: datetime | None = None) -> int:
    query = select(func.count()).select_from(Order).where(counted(shop_id), Order.customer_id == customer_id)
    if until is not None:
        query = query.where(Order.placed_at <= until)
    return db.session.scalar(query)


def years_later(moment: datetime, years: int) -> datetime:
    """The same moment `years` later; 29 February falls on 28 February in a common year."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


@dataclass(frozen=True)
class Anniversary:
    customer_id: int
    email: str
    locale: str | None
    first_order_at: datetime
    years: int
    due_at: datetime


def anniversaries(shop_id: int, start: datetime, end: datetime, max_years: int = 30) -> list[Anniversary]:
    """First-order anniversaries falling in (start, end]: one range per possible year count, in one
    statement, a day wider on each side (a 29 February moves), then the exact moment in Python."""
    first = (
        select(Order.customer_id, func.min(Order.placed_at).label("first_at"))
        .where(counted(shop_id))
        .group_by(Order.customer_id)
        .subquery()
    )
    ranges = [
        and_(
            first.c.first_at > years_later(start, -n) - timedelta(days=1),
            first.c.first_at <= years_later(end, -n) + timedelta(days=1),
        )
        for n in range(1, max_years + 1)
    ]
    query = (
        select(Customer.id, Customer.email, Customer.locale, first.c.first_at)
        .join(first, and_(Customer.shop_id == shop_id, Customer.id == first.c.customer_id))
        .where(or_(*ranges), Customer.email.is_not(None))
    )
    found = []
    for customer_id, email, locale, first_at in db.session.execute(query):
        for years in range(max(1, start.year - first_at.year), end.year - first_at.year + 1):
            due = years_later(first_at, years)
            if start < due <= end:
                found.append(Anniversary(customer_id, email, locale, first_at, years, due))
    return sorted(found, key=lambda a: (a.due_at, a.customer_id))
