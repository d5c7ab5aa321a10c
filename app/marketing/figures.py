"""One automation's engagement on one day of the shop's calendar, from the email record.

Shopify's engagements are per day and not cumulative: each figure counts what happened that
day (emails sent, first opens and first clicks of an email, attributed orders placed), so the
Marketing page can sum any range of days without counting anything twice.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from app.customers.models import Order
from app.extensions import db
from app.records.models import EmailEvent, Send


@dataclass(frozen=True)
class Day:
    sends: int
    opens: int
    clicks: int
    orders: int
    sales: Decimal

    @property
    def empty(self) -> bool:
        return not (self.sends or self.opens or self.clicks or self.orders)


def bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The shop's calendar day as naive UTC [start, end)."""
    tz = ZoneInfo(zone)

    def utc(d: date) -> datetime:
        return datetime.combine(d, time(0), tz).astimezone(UTC).replace(tzinfo=None)

    return utc(day), utc(day + timedelta(days=1))


def utc_offset(day: date, zone: str) -> str:
    """`+07:00` / `-05:00`: the shop's offset from UTC at noon that day (Shopify's `UtcOffset`)."""
    offset = datetime.combine(day, time(12), ZoneInfo(zone)).utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def of_day(shop_id: int, automation: str, day: date, zone: str) -> Day:
    start, end = bounds(day, zone)
    mine = and_(Send.shop_id == shop_id, Send.automation == automation)
    sends = db.session.scalar(
        select(func.count())
        .select_from(Send)
        .where(mine, Send.state == "sent", Send.sent_at >= start, Send.sent_at < end)
    )
    first = (
        select(EmailEvent.send_id, EmailEvent.kind, func.min(EmailEvent.at).label("at"))
        .join(Send, and_(Send.shop_id == EmailEvent.shop_id, Send.id == EmailEvent.send_id))
        .where(mine, EmailEvent.kind.in_(("open", "click")))
        .group_by(EmailEvent.send_id, EmailEvent.kind)
        .subquery()
    )
    firsts = dict(
        db.session.execute(
            select(first.c.kind, func.count()).where(first.c.at >= start, first.c.at < end).group_by(first.c.kind)
        ).all()
    )
    orders, sales = db.session.execute(
        select(func.count(Order.id), func.coalesce(func.sum(Order.total), 0))
        .join(Send, and_(Send.shop_id == Order.shop_id, Send.id == Order.attributed_send_id))
        .where(mine, Order.cancelled_at.is_(None), Order.placed_at >= start, Order.placed_at < end)
    ).one()
    return Day(sends or 0, firsts.get("open", 0), firsts.get("click", 0), orders or 0, Decimal(sales))
