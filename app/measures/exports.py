"""CSV downloads for merchants who work in spreadsheets: a period's figures, and a segment's customers.

Texts from the store (names, addresses) are data: a cell that a spreadsheet would run as a
formula (starting with =, +, -, @, tab or CR) gets a leading apostrophe.
"""

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time

import numpy as np
from sqlalchemy import select

from app.customers.models import Customer
from app.extensions import db
from app.measures import customer_segments
from app.predictions import bgnbd, fitted, histories, params

SEGMENTS = ("new", "one_time", "repeat", "at_risk", "lapsed")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _line(values) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([safe(v) for v in values])
    return out.getvalue()


def figures_csv(report: dict) -> str:
    """One figure per line: name, value (windows, segments and automations spelled out)."""
    rows = [("from", report["from"]), ("to", report["to"]), ("currency", report["currency"])]
    for name in ("orders", "revenue", "average_order_value"):
        rows.append((name, report[name]))
    rows += [(f"customers_{k}", v) for k, v in report["customers"].items()]
    for name in ("retention_rate", "churn_rate", "repeat_purchase_rate"):
        rows.append((name, report[name]))
    for window in report["last_order_windows"]:
        rows.append((f"window_{window['days']}_customers", window["customers"]))
        rows.append((f"window_{window['days']}_revenue", window["revenue"]))
    rows += [(f"segment_{k}", v) for k, v in report["segments"].items()]
    for key, row in report["automations"].items():
        for name in ("sent", "opened", "clicked", "orders", "revenue", "open_rate", "click_rate", "conversion_rate"):
            rows.append((f"{key}_{name}", row[name]))
        holdout = row["holdout"]
        for name in ("customers", "orders", "revenue", "conversion_rate", "confidence"):
            rows.append((f"{key}_holdout_{name}", holdout[name]))
    return "".join(_line(row) for row in [("figure", "value"), *rows])


def segment_csv(shop, segment: str, on: date) -> Iterator[str]:
    """The customers in `segment` at the end of day `on`: email, first name, orders, spent, last order
    day and p_alive (blank until a model is fitted), all as of then."""
    yield _line(("email", "first_name", "orders", "spent", "last_order", "p_alive"))
    data = histories.read(shop.id, datetime.combine(on, time.max))
    model = fitted(shop.id)
    alive = None
    if model is not None:
        alive = bgnbd.p_alive(params(model)[0], data.x, data.t_x, data.T)
    chosen = {}
    for i, customer_id in enumerate(data.customer_ids):
        first = data.first_days[i]
        last = date.fromordinal(first.toordinal() + int(round(data.t_x[i] * 7)))
        if segment in customer_segments(first, last, int(data.orders[i]), on):
            chosen[int(customer_id)] = i, last
    ids = sorted(chosen)
    for start in range(0, len(ids), 500):
        people = db.session.execute(
            select(Customer.id, Customer.email, Customer.first_name).where(
                Customer.shop_id == shop.id, Customer.id.in_(ids[start : start + 500])
            )
        )
        for customer_id, email, first_name in people:
            i, last = chosen[customer_id]
            p = None if alive is None else f"{float(np.round(alive[i], 4)):.4f}"
            yield _line((email, first_name, int(data.orders[i]), f"{data.spent[i]:.2f}", last.isoformat(), p))
