"""Retention measures: the figures of INTERFACE.md ("Measures") for a period, a customer's own
figures and predictions, and the retention page that shows them.

Figures come from the order days (`app.customers.days`), predictions from `app.predictions`.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app import clock
from app.automations.registry import AUTOMATIONS
from app.clock import day_start, local_day, zone
from app.customers.days import CustomerDay
from app.customers.models import Customer, Order, live
from app.extensions import db
from app.measures import automations, figures
from app.predictions import predict
from app.shops.models import Shop

#: The longest period asked for at once (INTERFACE.md: a period over 3 years is refused).
MAX_DAYS = 3 * 365 + 1
DEFAULT_DAYS = 30


class PeriodError(ValueError):
    """A period that names no days: `code` is a message key of the page's words."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before (for "change against the previous period")."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def today(shop: Shop) -> date:
    return local_day(clock.now(), zone(shop.timezone))


def period(shop: Shop, start: str | None, end: str | None) -> Period:
    """The period named by `from`/`to` (YYYY-MM-DD); without them the last 30 days up to today."""
    if start is None and end is None:
        last = today(shop)
        return Period(last - timedelta(days=DEFAULT_DAYS - 1), last)
    if not start or not end:
        raise PeriodError("period_missing")
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except (TypeError, ValueError):
        raise PeriodError("period_malformed") from None
    if len(start) != 10 or len(end) != 10:
        raise PeriodError("period_malformed")  # fromisoformat also reads 20260101 and week dates
    if last < first:
        raise PeriodError("period_reversed")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError("period_too_long")
    return Period(first, last)


def money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def report(shop: Shop, span: Period) -> dict:
    """Every figure of `/api/metrics` for the period, as JSON-ready values."""
    f = figures.compute(shop.id, span.start, span.end)
    tz = zone(shop.timezone)
    per_key = automations.per_automation(
        shop, list(AUTOMATIONS), day_start(span.start, tz), day_start(span.end + timedelta(days=1), tz)
    )
    return {
        "from": span.start.isoformat(),
        "to": span.end.isoformat(),
        "currency": shop.currency,
        "orders": f.orders,
        "revenue": money(f.revenue),
        "average_order_value": money(f.average_order_value),
        "customers": {"start": f.customers_start, "end": f.customers_end, "new": f.customers_new},
        "retention_rate": f.retention_rate,
        "churn_rate": f.churn_rate,
        "repeat_purchase_rate": f.repeat_purchase_rate,
        "last_order_windows": [
            {"days": name, "customers": w["customers"], "revenue": money(w["revenue"])} for name, w in f.windows.items()
        ],
        "segments": f.segments,
        "automations": {key: _automation_json(row) for key, row in per_key.items()},
    }


def _automation_json(row: dict) -> dict:
    holdout = row["holdout"]
    emailed = holdout["emailed"]
    return {
        **row,
        "revenue": money(row["revenue"]),
        "holdout": {
            **holdout,
            "revenue": money(holdout["revenue"]),
            "revenue_per_customer": money(holdout["revenue_per_customer"]),
            "emailed": {
                **emailed,
                "revenue": money(emailed["revenue"]),
                "revenue_per_customer": money(emailed["revenue_per_customer"]),
            },
        },
    }


def customer_segments(first: date, last: date, orders: int, on: date) -> list[str]:
    """The segments (INTERFACE.md) a customer with these order days is in on day `on`."""
    names = []
    if (on - first).days <= figures.NEW_DAYS:
        names.append("new")
    names.append("one_time" if orders == 1 else "repeat")
    since = (on - last).days
    if figures.AT_RISK[0] <= since <= figures.AT_RISK[1]:
        names.append("at_risk")
    elif since > figures.LAPSED_AFTER:
        names.append("lapsed")
    return names


def customer(shop: Shop, customer_id: int) -> dict | None:
    """`/api/customers/<id>`: the customer's figures and, once a model is fitted, predictions."""
    row = db.session.get(Customer, (shop.id, customer_id))
    if row is None:
        return None
    on = today(shop)
    first, last, orders, spent = db.session.execute(
        select(
            func.min(CustomerDay.day),
            func.max(CustomerDay.day),
            func.coalesce(func.sum(CustomerDay.orders), 0),
            func.coalesce(func.sum(CustomerDay.revenue), 0),
        ).where(CustomerDay.shop_id == shop.id, CustomerDay.customer_id == customer_id, CustomerDay.day <= on)
    ).one()
    first_at, last_at = db.session.execute(
        select(func.min(Order.placed_at), func.max(Order.placed_at)).where(
            Order.shop_id == shop.id, Order.customer_id == customer_id, live()
        )
    ).one()
    prediction = predict(shop, [customer_id]).get(customer_id)
    return {
        "id": str(customer_id),
        "orders": int(orders),
        "spent": money(spent),
        "currency": shop.currency,
        "first_order_at": _iso(first_at),
        "last_order_at": _iso(last_at),
        "segments": customer_segments(_day(first), _day(last), int(orders), on) if orders else [],
        "p_alive": round(prediction.p_alive, 4) if prediction else None,
        "expected_orders_365d": round(prediction.expected_orders_365d, 3) if prediction else None,
        "predicted_clv_365d": money(round(prediction.predicted_clv_365d, 2)) if prediction else None,
    }


def _iso(value: datetime | None) -> str | None:
    return clock.iso(value) if value else None


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
