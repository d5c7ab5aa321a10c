"""The retention tab of the embedded page, and the CSV downloads.

The tab's content is an HTML fragment drawn here for a verified session token (Bearer, like the
rest of the API) and put in place by the page's script, as the settings content is.
"""

from datetime import date, timedelta

from flask import Response, g, render_template, request, stream_with_context

from app.automations.registry import AUTOMATIONS
from app.extensions import db
from app.measures import Period, PeriodError, charts, cohorts, exports, period, report, today
from app.measures.api import bp, error, words
from app.measures.figures import percent
from app.predictions import MIN_CUSTOMERS, MIN_HISTORY_DAYS, MIN_REPEAT_CUSTOMERS
from app.predictions.models import PurchaseModel
from app.settings.session_tokens import require_session
from app.shops import settings as shop_defaults

#: The period picker's quick choices (days up to today).
QUICK = (30, 90, 365)
#: Headline figures, with whether a rise is good news (colours the change).
HEADLINES = (
    ("revenue", True),
    ("orders", True),
    ("average_order_value", True),
    ("customers_new", True),
    ("retention_rate", True),
    ("churn_rate", False),
    ("repeat_purchase_rate", True),
)


def chosen_period(shop) -> tuple[Period, str]:
    """The period asked for: `days` (30/90/365 up to today) or `from`/`to`; and the choice's name."""
    days = request.args.get("days")
    if days and days.isdigit() and int(days) in QUICK:
        end = today(shop)
        return Period(end - timedelta(days=int(days) - 1), end), days
    if request.args.get("from") or request.args.get("to"):
        return period(shop, request.args.get("from"), request.args.get("to")), "custom"
    return period(shop, None, None), "30"


def _flat(figures: dict) -> dict:
    return {
        "revenue": figures["revenue"],
        "orders": figures["orders"],
        "average_order_value": figures["average_order_value"],
        "customers_new": figures["customers"]["new"],
        "retention_rate": figures["retention_rate"],
        "churn_rate": figures["churn_rate"],
        "repeat_purchase_rate": figures["repeat_purchase_rate"],
    }


def change(now, before) -> float | None:
    """Relative change in percent; None when either side is undefined or the base is zero."""
    if now is None or before is None:
        return None
    return percent(float(now) - float(before), float(before))


@bp.get("/retention")
@require_session
def retention():
    try:
        span, choice = chosen_period(g.shop)
    except PeriodError as refused:
        return error(refused.code)
    shop, w = g.shop, words()
    current, previous = report(shop, span), report(shop, span.previous())
    now_flat, before_flat = _flat(current), _flat(previous)
    headlines = [
        {
            "key": key,
            "value": now_flat[key],
            "before": before_flat[key],
            "change": change(now_flat[key], before_flat[key]),
            "rise_is_good": good,
        }
        for key, good in HEADLINES
    ]
    color = shop_defaults.effective(shop)["accent_color"]
    money = lambda value: w.money(value, shop.currency) if value is not None else "—"  # noqa: E731
    table = cohorts.monthly(shop.id, span.end)
    model = db.session.get(PurchaseModel, shop.id)
    return render_template(
        "measures/retention.html",
        words=w,
        shop=shop,
        span=span,
        choice=choice,
        quick=QUICK,
        figures=current,
        headlines=headlines,
        money=money,
        windows_chart=charts.windows(
            current["last_order_windows"], w("windows_label"), w("customers"), w("revenue_in_period"), money, color
        ),
        cohort_chart=charts.cohorts(table, cohorts.MONTHS, w("cohorts_label"), color) if table else None,
        cohorts=table,
        segments=exports.SEGMENTS,
        titles={key: AUTOMATIONS[key].title.get(w.locale) or key for key in AUTOMATIONS},
        model=model,
        minimum={"customers": MIN_CUSTOMERS, "repeat": MIN_REPEAT_CUSTOMERS, "days": MIN_HISTORY_DAYS},
    )


@bp.get("/metrics.csv")
@require_session
def metrics_csv():
    try:
        span, _ = chosen_period(g.shop)
    except PeriodError as refused:
        return error(refused.code)
    return _csv(exports.figures_csv(report(g.shop, span)), f"retention-{span.start}-{span.end}.csv")


@bp.get("/segments/<name>.csv")
@require_session
def segment_csv(name):
    if name not in exports.SEGMENTS:
        return error("no_segment", 404)
    on = request.args.get("on")
    try:
        day = date.fromisoformat(on) if on else today(g.shop)
    except ValueError:
        return error("period_malformed")
    shop = g.shop
    return _csv(stream_with_context(exports.segment_csv(shop, name, day)), f"customers-{name}-{day}.csv")


def _csv(body, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
