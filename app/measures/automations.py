"""Per-automation results of a period, and the holdout comparison (emailed vs held out).

The emails counted are those sent within the period (a cohort): what they were opened, clicked
and credited with (`orders.attributed_send_id`), whenever that happened. The control group is
the customers an automation held out (`holdout_percent`), recorded as sends in state
`held_out` at the moment their email would have gone.

Holdout comparison: for both groups alike, a customer converts when they place a live order
within the shop's attribution window (`attribution_days`) after the email went or would have
gone — not by attribution, which a held-out customer cannot have. The two conversion rates are
compared with a two-proportion z-test.
"""

import math
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, distinct, func, or_, select

from app.customers.models import Order, live
from app.extensions import db
from app.measures.figures import percent
from app.records.models import EmailEvent, Send
from app.shops.settings import effective
from app.surveys import nps

SENT = "sent"
#: The engine's state for a customer held out as control (`holdout_percent`).
HELD_OUT = "held_out"
#: Below this many customers in either group, or conversions in both, no verdict: "not enough data yet".
MIN_GROUP = 30
MIN_CONVERSIONS = 5


def per_automation(shop, keys: list[str], start: datetime, end: datetime) -> dict[str, dict]:
    """Figures per automation key for emails sent in [start, end) (naive UTC).

    A few statements for all keys together, each reading only the period's sends of these keys
    (`automation IN keys` lets the (shop, automation, sent_at) index bound the scan)."""
    rows = {key: _empty() for key in keys}
    groups = {key: {SENT: _group(), HELD_OUT: _group()} for key in keys}
    mine = and_(Send.shop_id == shop.id, Send.automation.in_(keys))
    sent = and_(Send.state == SENT, Send.sent_at >= start, Send.sent_at < end)
    held = and_(Send.state == HELD_OUT, Send.due_at >= start, Send.due_at < end)
    in_period = and_(mine, or_(sent, held))
    for key, state, count, customers in db.session.execute(
        select(Send.automation, Send.state, func.count(), func.count(distinct(Send.customer_id)))
        .where(in_period)
        .group_by(Send.automation, Send.state)
    ):
        if state == SENT:
            rows[key]["sent"] = count
        groups[key][state]["customers"] = customers
    active = [key for key in keys if groups[key][SENT]["customers"] or groups[key][HELD_OUT]["customers"]]
    if any(row["sent"] for row in rows.values()):
        events = (
            select(Send.automation, EmailEvent.kind, func.count(distinct(EmailEvent.send_id)))
            .join(EmailEvent, and_(EmailEvent.shop_id == Send.shop_id, EmailEvent.send_id == Send.id))
            .where(mine, sent, EmailEvent.kind.in_(("open", "click")))
            .group_by(Send.automation, EmailEvent.kind)
        )
        for key, kind, count in db.session.execute(events):
            rows[key]["opened" if kind == "open" else "clicked"] = count
        credited = (
            select(Send.automation, func.count(Order.id), func.coalesce(func.sum(Order.total), 0))
            .join(Order, and_(Order.shop_id == Send.shop_id, Order.attributed_send_id == Send.id))
            .where(mine, sent, live())
            .group_by(Send.automation)
        )
        for key, count, revenue in db.session.execute(credited):
            rows[key]["orders"], rows[key]["revenue"] = count, Decimal(revenue)
    window = timedelta(days=int(effective(shop)["attribution_days"]))
    if active:
        _conversions(shop.id, active, start, end, window, groups)
    for key, row in rows.items():
        row["open_rate"] = percent(row["opened"], row["sent"])
        row["click_rate"] = percent(row["clicked"], row["sent"])
        row["conversion_rate"] = percent(row["orders"], row["sent"])
        row["holdout"] = _comparison(groups[key])
        if key == "feedback":
            # % promoters − % detractors over the answers given in the period; null without answers.
            row["nps"] = nps.of_period(shop.id, start, end)["nps"]
    return rows


def _empty() -> dict:
    return {"sent": 0, "opened": 0, "clicked": 0, "orders": 0, "revenue": Decimal("0")}


def _plus_days(moment, days: int):
    """`moment` + `days` days in SQL (SQLite keeps datetimes as ISO text, PostgreSQL has intervals)."""
    if db.engine.dialect.name == "postgresql":
        return moment + func.make_interval(0, 0, 0, days)
    return func.strftime("%Y-%m-%d %H:%M:%f", moment, f"+{days} days")


def compare(shop_id: int, key: str, start: datetime, end: datetime, window: timedelta) -> dict:
    """Emailed vs held-out customers of one automation over the period."""
    groups = {key: {SENT: _group(), HELD_OUT: _group()}}
    in_period = and_(
        Send.shop_id == shop_id,
        Send.automation == key,
        or_(
            and_(Send.state == SENT, Send.sent_at >= start, Send.sent_at < end),
            and_(Send.state == HELD_OUT, Send.due_at >= start, Send.due_at < end),
        ),
    )
    for state, customers in db.session.execute(
        select(Send.state, func.count(distinct(Send.customer_id))).where(in_period).group_by(Send.state)
    ):
        groups[key][state]["customers"] = customers
    _conversions(shop_id, [key], start, end, window, groups)
    return _comparison(groups[key])


def _conversions(shop_id: int, keys: list[str], start, end, window: timedelta, groups: dict) -> None:
    """Who converted in each group: a live order of the customer within `window` after the email
    went (or would have gone); each order once per group, however many of its emails it followed."""
    moment = case((Send.state == SENT, Send.sent_at), else_=Send.due_at)
    in_period = and_(
        Send.shop_id == shop_id,
        Send.automation.in_(keys),
        Send.customer_id.is_not(None),
        or_(
            and_(Send.state == SENT, Send.sent_at >= start, Send.sent_at < end),
            and_(Send.state == HELD_OUT, Send.due_at >= start, Send.due_at < end),
        ),
    )
    within = and_(
        Order.shop_id == Send.shop_id,
        Order.customer_id == Send.customer_id,
        Order.placed_at >= moment,
        Order.placed_at < _plus_days(moment, window.days),
        live(),
    )
    # Redundant bounds on the order's own time let the join read the period's orders (by the
    # (shop, placed_at) index) instead of every order of the shop.
    near = and_(Order.placed_at >= start, Order.placed_at < end + window)
    bought = (
        select(Send.automation, Send.state, Send.customer_id, Order.id, Order.total)
        .join(Order, and_(within, near))
        .where(in_period)
    )
    bought = bought.distinct().subquery()
    for key, state, converted, orders, revenue in db.session.execute(
        select(
            bought.c.automation,
            bought.c.state,
            func.count(distinct(bought.c.customer_id)),
            func.count(),
            func.sum(bought.c.total),
        ).group_by(bought.c.automation, bought.c.state)
    ):
        groups[key][state].update(converted=converted, orders=orders, revenue=Decimal(revenue or 0))


def _comparison(groups: dict) -> dict:
    emailed, held = (_summary(groups[state]) for state in (SENT, HELD_OUT))
    return {
        "customers": held["customers"],
        "orders": held["orders"],
        "revenue": held["revenue"],
        "conversion_rate": held["conversion_rate"],
        "revenue_per_customer": held["revenue_per_customer"],
        "emailed": emailed,
        **verdict(emailed["customers"], emailed["converted"], held["customers"], held["converted"]),
    }


def _group() -> dict:
    return {"customers": 0, "converted": 0, "orders": 0, "revenue": Decimal("0")}


def _summary(group: dict) -> dict:
    n = group["customers"]
    return {
        **group,
        "conversion_rate": percent(group["converted"], n),
        "revenue_per_customer": (group["revenue"] / n).quantize(Decimal("0.01")) if n else None,
    }


def verdict(n1: int, x1: int, n2: int, x2: int) -> dict:
    """Two-proportion z-test of emailed (x1 of n1 converted) against held out (x2 of n2).

    Returns the difference in percentage points, the two-sided p-value, and `confidence`:
    "not_enough_data", "likely" (p < 0.05: the emails most likely changed conversion, in the
    direction of `lift_points`), or "unclear" (the difference could be chance).
    """
    if min(n1, n2) < MIN_GROUP or x1 + x2 < MIN_CONVERSIONS:
        return {"lift_points": None, "p_value": None, "confidence": "not_enough_data"}
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / spread if spread else 0.0
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return {
        "lift_points": round((p1 - p2) * 100, 1),
        "p_value": round(p_value, 4),
        "confidence": "likely" if p_value < 0.05 else "unclear",
    }
