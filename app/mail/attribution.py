"""Which orders our emails brought in: the figures merchants judge the app by.

An order is credited to an email when it used that email's discount code, or else
when it was placed within `attribution_days` (shop setting, default 5) after a
click in an email to the same customer: the last such click wins, like the
leading tools' "last touch" rule. An order is credited once and stays so.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app import clock
from app.customers.models import Order
from app.discounts import VALIDITY
from app.discounts.models import IssuedCode
from app.extensions import db
from app.records.models import EmailEvent, Send
from app.shops.models import Shop
from app.shops.settings import effective


def attribute_pending(shop_id: int, now: datetime | None = None) -> int:
    """Credit the shop's recent uncredited orders; returns how many were credited."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return 0
    now = now or clock.now()
    window = timedelta(days=int(effective(shop)["attribution_days"]))
    # An order may use a code until it expires, or follow a click by `window`: older ones are settled.
    since = now - max(window, VALIDITY) - timedelta(days=1)
    orders = list(
        db.session.scalars(
            select(Order).where(
                Order.shop_id == shop_id,
                Order.placed_at >= since,
                Order.attributed_send_id.is_(None),
                Order.cancelled_at.is_(None),
            )
        )
    )
    if not orders:
        return 0
    by_code = _sends_by_code(shop_id, {code.upper() for order in orders for code in order.discount_codes or []})
    clicks = _clicks(shop_id, since - window, now)
    credited = 0
    for order in orders:
        send_id = next((by_code[c.upper()] for c in order.discount_codes or [] if c.upper() in by_code), None)
        if send_id is None:
            send_id = _last_click(clicks, order, window)
        if send_id is not None:
            order.attributed_send_id = send_id
            credited += 1
    db.session.commit()
    return credited


def results(shop_id: int, since: datetime) -> dict[str, dict]:
    """Per automation since `since`: sent, opened, clicked, orders and revenue credited to it."""
    attribute_pending(shop_id)
    figures: dict[str, dict] = defaultdict(
        lambda: {"sent": 0, "opened": 0, "clicked": 0, "orders": 0, "revenue": Decimal("0")}
    )
    sent = (
        select(Send.automation, func.count())
        .where(Send.shop_id == shop_id, Send.state == "sent", Send.sent_at >= since)
        .group_by(Send.automation)
    )
    for automation, count in db.session.execute(sent):
        figures[automation]["sent"] = count
    engaged = (
        select(Send.automation, EmailEvent.kind, func.count(func.distinct(EmailEvent.send_id)))
        .join(Send, (Send.shop_id == EmailEvent.shop_id) & (Send.id == EmailEvent.send_id))
        .where(EmailEvent.shop_id == shop_id, EmailEvent.at >= since, EmailEvent.kind.in_(("open", "click")))
        .group_by(Send.automation, EmailEvent.kind)
    )
    for automation, kind, count in db.session.execute(engaged):
        figures[automation]["opened" if kind == "open" else "clicked"] = count
    revenue = (
        select(Send.automation, func.count(), func.coalesce(func.sum(Order.total), 0))
        .join(Send, (Send.shop_id == Order.shop_id) & (Send.id == Order.attributed_send_id))
        .where(Order.shop_id == shop_id, Order.placed_at >= since, Order.cancelled_at.is_(None))
        .group_by(Send.automation)
    )
    for automation, count, total in db.session.execute(revenue):
        figures[automation]["orders"] = count
        figures[automation]["revenue"] = Decimal(str(total))
    return dict(figures)


def _sends_by_code(shop_id: int, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = db.session.execute(
        select(IssuedCode.code, IssuedCode.send_id).where(
            IssuedCode.shop_id == shop_id, IssuedCode.code.in_(codes), IssuedCode.send_id.is_not(None)
        )
    )
    return {code: send_id for code, send_id in rows}


def _clicks(shop_id: int, start: datetime, end: datetime) -> list[tuple[datetime, int, str, int | None]]:
    """(at, send id, recipient, customer id) of every click in the period, newest first."""
    query = (
        select(EmailEvent.at, Send.id, Send.recipient, Send.customer_id)
        .join(Send, (Send.shop_id == EmailEvent.shop_id) & (Send.id == EmailEvent.send_id))
        .where(EmailEvent.shop_id == shop_id, EmailEvent.kind == "click", EmailEvent.at >= start, EmailEvent.at <= end)
        .order_by(EmailEvent.at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def _last_click(clicks, order: Order, window: timedelta) -> int | None:
    for at, send_id, recipient, customer_id in clicks:
        same_person = (order.email and recipient == order.email) or (
            order.customer_id is not None and customer_id == order.customer_id
        )
        if same_person and order.placed_at - window <= at <= order.placed_at:
            return send_id
    return None


def recent_activity(shop: Shop, now: datetime | None = None) -> bool:
    """Whether a click or a live code could still credit an order (the periodic pass keeps going)."""
    now = now or clock.now()
    window = timedelta(days=int(effective(shop)["attribution_days"]))
    click = db.session.scalar(
        select(EmailEvent.id)
        .where(EmailEvent.shop_id == shop.id, EmailEvent.kind == "click", EmailEvent.at >= now - window)
        .limit(1)
    )
    code = db.session.scalar(
        select(IssuedCode.code).where(IssuedCode.shop_id == shop.id, IssuedCode.expires_at >= now).limit(1)
    )
    return click is not None or code is not None
