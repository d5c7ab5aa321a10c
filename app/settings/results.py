"""What the automations achieved: per automation over the last 30 days, and a daily chart.

Figures follow the emails sent in the window (a cohort): of the emails sent since then,
how many were opened, clicked, and how many orders and how much revenue they brought.
An open or click counts once per email however often it happens.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, distinct, func, select

from app import clock
from app.customers.models import Order
from app.extensions import db
from app.records.models import EmailEvent, Send

WINDOW_DAYS = 30


def _since(now: datetime | None) -> datetime:
    return (now or clock.now()) - timedelta(days=WINDOW_DAYS)


def _sent_in_window(shop_id: int, since: datetime):
    return and_(Send.shop_id == shop_id, Send.state == "sent", Send.sent_at >= since)


def per_automation(shop_id: int, keys: list[str], now: datetime | None = None) -> list[dict]:
    """One row per automation key: sent, opened, clicked, orders, revenue (a Decimal)."""
    since = _since(now)
    rows = {
        key: {"key": key, "sent": 0, "opened": 0, "clicked": 0, "orders": 0, "revenue": Decimal("0")} for key in keys
    }
    window = _sent_in_window(shop_id, since)
    for key, sent in db.session.execute(select(Send.automation, func.count()).where(window).group_by(Send.automation)):
        if key in rows:
            rows[key]["sent"] = sent
    events = (
        select(Send.automation, EmailEvent.kind, func.count(distinct(EmailEvent.send_id)))
        .join(EmailEvent, and_(EmailEvent.shop_id == Send.shop_id, EmailEvent.send_id == Send.id))
        .where(window, EmailEvent.kind.in_(("open", "click")))
        .group_by(Send.automation, EmailEvent.kind)
    )
    for key, kind, count in db.session.execute(events):
        if key in rows:
            rows[key]["opened" if kind == "open" else "clicked"] = count
    orders = (
        select(Send.automation, func.count(Order.id), func.coalesce(func.sum(Order.total), 0))
        .join(Order, and_(Order.shop_id == Send.shop_id, Order.attributed_send_id == Send.id))
        .where(window, Order.cancelled_at.is_(None))
        .group_by(Send.automation)
    )
    for key, count, revenue in db.session.execute(orders):
        if key in rows:
            rows[key]["orders"], rows[key]["revenue"] = count, Decimal(revenue)
    return [rows[key] for key in keys]


def daily_sent(shop_id: int, now: datetime | None = None) -> list[tuple[date, int]]:
    """Emails sent per day (UTC) over the window, oldest first, days without sends included."""
    now = now or clock.now()
    since = _since(now)
    day = func.date(Send.sent_at)
    # SQLite answers the day as text, PostgreSQL as a date: str() makes them one key.
    counts = {
        date.fromisoformat(str(value)): count
        for value, count in db.session.execute(
            select(day, func.count()).where(_sent_in_window(shop_id, since)).group_by(day)
        )
    }
    first = since.date() + timedelta(days=1)
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(WINDOW_DAYS)]
