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
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, distinct, func, select

from app.customers.models import Order, live
from app.extensions import db
from app.measures.figures import percent
from app.records.models import EmailEvent, Send
from app.shops.settings import effective

SENT = "sent"
#: The engine's state for a customer held out as control (`holdout_percent`).
HELD_OUT = "held_out"
#: Below this many customers in either group, or conversions in both, no verdict: "not enough data yet".
MIN_GROUP = 30
MIN_CONVERSIONS = 5


def per_automation(shop, keys: list[str], start: datetime, end: datetime) -> dict[str, dict]:
    """Figures per automation key for emails sent in [start, end) (naive UTC)."""
    rows = {key: _empty() for key in keys}
    in_period = and_(Send.shop_id == shop.id, Send.state == SENT, Send.sent_at >= start, Send.sent_at < end)
    for key, sent in db.session.execute(
        select(Send.automation, func.count()).where(in_period).group_by(Send.automation)
    ):
        if key in rows:
            rows[key]["sent"] = sent
    events = (
        select(Send.automation, EmailEvent.kind, func.count(distinct(EmailEvent.send_id)))
        .join(EmailEvent, and_(EmailEvent.shop_id == Send.shop_id, EmailEvent.send_id == Send.id))
        .where(in_period, EmailEvent.kind.in_(("open", "click")))
        .group_by(Send.automation, EmailEvent.kind)
    )
    for key, kind, count in db.session.execute(events):
        if key in rows:
            rows[key]["opened" if kind == "open" else "clicked"] = count
    credited = (
        select(Send.automation, func.count(Order.id), func.coalesce(func.sum(Order.total), 0))
        .join(Order, and_(Order.shop_id == Send.shop_id, Order.attributed_send_id == Send.id))
        .where(in_period, live())
        .group_by(Send.automation)
    )
    for key, count, revenue in db.session.execute(credited):
        if key in rows:
            rows[key]["orders"], rows[key]["revenue"] = count, Decimal(revenue)
    window = timedelta(days=int(effective(shop)["attribution_days"]))
    for key, row in rows.items():
        row["open_rate"] = percent(row["opened"], row["sent"])
        row["click_rate"] = percent(row["clicked"], row["sent"])
        row["conversion_rate"] = percent(row["orders"], row["sent"])
        row["holdout"] = compare(shop.id, key, start, end, window)
        if key == "feedback":
            row["nps"] = None  # answers are recorded by the feedback automation (issue 12)
    return rows


def _empty() -> dict:
    return {"sent": 0, "opened": 0, "clicked": 0, "orders": 0, "revenue": Decimal("0")}


def compare(shop_id: int, key: str, start: datetime, end: datetime, window: timedelta) -> dict:
    """Emailed vs held-out customers of one automation over the period."""
    moment = func.coalesce(Send.sent_at, Send.due_at)
    sends = db.session.execute(
        select(Send.state, Send.customer_id, moment).where(
            Send.shop_id == shop_id,
            Send.automation == key,
            Send.state.in_((SENT, HELD_OUT)),
            Send.customer_id.is_not(None),
            moment >= start,
            moment < end,
        )
    ).all()
    groups = {SENT: _group(), HELD_OUT: _group()}
    if sends:
        orders = _orders_after(shop_id, {customer for _, customer, _ in sends}, start, end + window)
        for state, customer, at in sends:
            group = groups[state]
            group["customers"].add(customer)
            bought = [(placed, total) for placed, total in orders.get(customer, ()) if at <= placed < at + window]
            if bought:
                group["converted"].add(customer)
            group["orders"] += len(bought)
            group["revenue"] += sum((total for _, total in bought), Decimal("0"))
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
    return {"customers": set(), "converted": set(), "orders": 0, "revenue": Decimal("0")}


def _summary(group: dict) -> dict:
    n = len(group["customers"])
    return {
        "customers": n,
        "converted": len(group["converted"]),
        "orders": group["orders"],
        "revenue": group["revenue"],
        "conversion_rate": percent(len(group["converted"]), n),
        "revenue_per_customer": (group["revenue"] / n).quantize(Decimal("0.01")) if n else None,
    }


def _orders_after(shop_id: int, customers: set[int], start: datetime, end: datetime) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    ids = sorted(customers)
    for first in range(0, len(ids), 500):
        query = select(Order.customer_id, Order.placed_at, Order.total).where(
            Order.shop_id == shop_id,
            Order.customer_id.in_(ids[first : first + 500]),
            Order.placed_at >= start,
            Order.placed_at < end,
            live(),
        )
        for customer, placed, total in db.session.execute(query):
            found[customer].append((placed, total))
    return found


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
