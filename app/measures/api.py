"""`/api/metrics`, `/api/customers/<id>`, `/api/predictions/model` and the CSV downloads.

Authenticated like the rest of the JSON API (session token as Bearer). Bad input is a 400 or
404 with `{"error": ...}` in the merchant's language.
"""

from flask import Blueprint, g, jsonify, request

from app import clock
from app.measures import PeriodError, customer, period, report
from app.measures.words import Words, language
from app.predictions import fitted
from app.settings.session_tokens import require_session

bp = Blueprint("measures_api", __name__, url_prefix="/api")

MAX_ID = 2**63 - 1


def words() -> Words:
    return Words(language(request.args.get("locale"), g.shop.locale))


def error(key: str, status: int = 400):
    response = jsonify(error=words()(key))
    response.status_code = status
    return response


def asked_period():
    return period(g.shop, request.args.get("from"), request.args.get("to"))


@bp.get("/metrics")
@require_session
def metrics():
    try:
        span = asked_period()
    except PeriodError as refused:
        return error(refused.code)
    return jsonify(report(g.shop, span))


@bp.get("/customers/<customer_id>")
@require_session
def customer_figures(customer_id):
    if not customer_id.isascii() or not customer_id.isdigit() or int(customer_id) > MAX_ID:
        return error("no_customer", 404)
    found = customer(g.shop, int(customer_id))
    return jsonify(found) if found else error("no_customer", 404)


@bp.get("/predictions/model")
@require_session
def purchase_model():
    row = fitted(g.shop.id)
    if row is None:
        return error("no_model", 404)
    return jsonify(
        model="bgnbd",
        r=row.r,
        alpha=row.alpha,
        a=row.a,
        b=row.b,
        log_likelihood=row.log_likelihood,
        customers=row.customers,
        repeat_customers=row.repeat_customers,
        fitted_at=clock.iso(row.fitted_at),
        time_unit="weeks",
        spend={"p": row.p, "q": row.q, "gamma": row.gamma},
    )
