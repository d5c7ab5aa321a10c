"""Predictions: each shop's BG/NBD purchase model and Gamma-Gamma spend model, and what they say
about each customer (p_alive, expected orders and CLV over the next 365 days, when a customer
is due for a win-back).

Fitted by the worker (`jobs.py`) after a history import and then daily, once a shop has
enough data (`MIN_CUSTOMERS`, `MIN_REPEAT_CUSTOMERS`, `MIN_HISTORY_DAYS`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select

from app import clock
from app.clock import day_start, zone
from app.customers.models import Customer
from app.extensions import db
from app.predictions import bgnbd, gammagamma, histories
from app.predictions.models import PurchaseModel
from app.shops.models import Shop

#: Below these the fit says more about noise than about the shop: "not enough data yet".
MIN_CUSTOMERS = 200
MIN_REPEAT_CUSTOMERS = 30
MIN_HISTORY_DAYS = 90
HORIZON_WEEKS = 365 / 7
#: Win-back by prediction never chases a customer sooner than this after their last order.
MIN_LAPSE = timedelta(days=30)


@dataclass(slots=True)
class Prediction:
    p_alive: float
    expected_orders_365d: float
    predicted_clv_365d: float


def fit_shop(shop: Shop, now: datetime | None = None) -> PurchaseModel:
    """Fit both models on the shop's history up to `now` and store them (or why not)."""
    now = now or clock.now()
    data = histories.read(shop.id, histories.local_now(now, zone(shop.timezone)))
    repeaters = int(np.count_nonzero(data.x > 0))
    row = db.session.get(PurchaseModel, shop.id) or PurchaseModel(shop_id=shop.id)
    row.fitted_at, row.customers, row.repeat_customers = now, len(data), repeaters
    history_days = float(data.T.max()) * 7 if len(data) else 0.0
    if len(data) < MIN_CUSTOMERS or repeaters < MIN_REPEAT_CUSTOMERS or history_days < MIN_HISTORY_DAYS:
        row.reason = "not_enough_data"
        row.r = row.alpha = row.a = row.b = row.log_likelihood = row.p = row.q = row.gamma = None
    else:
        purchase = bgnbd.fit(data.x, data.t_x, data.T)
        spend = gammagamma.fit(data.x, data.mean_spend)
        row.reason = None
        row.r, row.alpha, row.a, row.b = purchase.r, purchase.alpha, purchase.a, purchase.b
        row.log_likelihood = purchase.log_likelihood
        row.p, row.q, row.gamma = spend.p, spend.q, spend.gamma
    db.session.merge(row)
    return row


def fitted(shop_id: int) -> PurchaseModel | None:
    row = db.session.get(PurchaseModel, shop_id)
    return row if row is not None and row.fitted else None


def params(row: PurchaseModel):
    """The fitted (purchase, spend) parameters of a shop's model row."""
    return bgnbd.Params(row.r, row.alpha, row.a, row.b, row.log_likelihood), gammagamma.Params(
        row.p, row.q, row.gamma, 0.0
    )


def predict(shop: Shop, customer_ids: list[int] | None = None, now: datetime | None = None) -> dict[int, Prediction]:
    """Predictions for the shop's customers (or these), empty until a model is fitted."""
    row = fitted(shop.id)
    if row is None:
        return {}
    data = histories.read(shop.id, histories.local_now(now or clock.now(), zone(shop.timezone)), customer_ids)
    purchase, spend = params(row)
    alive = bgnbd.p_alive(purchase, data.x, data.t_x, data.T)
    expected = bgnbd.expected_purchases(purchase, HORIZON_WEEKS, data.x, data.t_x, data.T)
    value = expected * gammagamma.expected_spend(spend, data.x, data.mean_spend)
    return {
        int(cid): Prediction(float(alive[i]), float(expected[i]), float(value[i]))
        for i, cid in enumerate(data.customer_ids)
    }


def predicted_lapse_due(
    shop: Shop, customer_ids: list[int], p_alive_below: float, now: datetime | None = None
) -> dict[int, datetime | None]:
    """When each customer becomes due for a predicted win-back (naive UTC).

    Due at the later of the moment their p_alive falls below `p_alive_below` and 30 days after
    their last order. None when there is no fitted model, or when the customer never bought a
    second time: the BG/NBD keeps such a customer's p_alive at 1, so the caller decides by days.
    """
    row = fitted(shop.id)
    if row is None or not customer_ids:
        return {cid: None for cid in customer_ids}
    tz = zone(shop.timezone)
    data = histories.read(shop.id, histories.local_now(now or clock.now(), tz), customer_ids)
    purchase, _ = params(row)
    weeks = bgnbd.drop_below_at(purchase, p_alive_below, data.x, data.t_x)
    last_orders = dict(
        db.session.execute(
            select(Customer.id, Customer.last_order_at).where(
                Customer.shop_id == shop.id, Customer.id.in_(customer_ids)
            )
        ).all()
    )
    due: dict[int, datetime | None] = {cid: None for cid in customer_ids}
    for i, cid in enumerate(data.customer_ids):
        cid = int(cid)
        if not np.isfinite(weeks[i]) or last_orders.get(cid) is None:
            continue
        moment = day_start(data.first_days[i], tz) + timedelta(weeks=float(weeks[i]))
        due[cid] = max(moment, last_orders[cid] + MIN_LAPSE)
    return due


#: Per process: (shop, fit and its parameters, threshold) → customer id → (the stamp it was computed for, due moment).
#: A lapse's due moment changes only with the customer's orders (the stamp) or a new fit, so
#: planning, which asks every tick about every lapse not yet due, computes each one once.
_DUES: dict[tuple, dict[int, tuple]] = {}
DUE_CHUNK = 1000


def lapse_dues(
    shop: Shop, customers: dict[int, tuple], p_alive_below: float, now: datetime | None = None
) -> dict[int, datetime | None]:
    """`predicted_lapse_due` for customer id → stamp (e.g. first and last order, order count), remembered
    until the stamp or the shop's fit changes."""
    row = fitted(shop.id)
    if row is None:
        return {cid: None for cid in customers}
    key = (shop.id, row.fitted_at, row.r, row.alpha, row.a, row.b, p_alive_below)
    for old in [k for k in _DUES if k[0] == shop.id and k != key]:
        del _DUES[old]  # a refit (or another threshold) makes the shop's earlier answers stale
    known = _DUES.setdefault(key, {})
    stale = [cid for cid, stamp in customers.items() if cid not in known or known[cid][0] != stamp]
    for start in range(0, len(stale), DUE_CHUNK):
        chunk = stale[start : start + DUE_CHUNK]
        for cid, due in predicted_lapse_due(shop, chunk, p_alive_below, now).items():
            known[cid] = (customers[cid], due)
    return {cid: known[cid][1] for cid in customers}
