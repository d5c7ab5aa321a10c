"""The JSON API behind the settings page (INTERFACE.md, "Embedded settings page").

Every route authenticates with the session token in `Authorization: Bearer` and nothing
else — no cookie is read — so a cross-site form or script cannot act for the merchant:
the API needs no CSRF token. Bad input is a 400 with `{"error": ...}` and changes nothing.
"""

from flask import Blueprint, g, jsonify, request

from app import clock
from app.automations.registry import AUTOMATIONS
from app.customers.data_requests import listed as data_request_list
from app.customers.models import DataRequest
from app.extensions import db
from app.settings import activity, imports, page, results, shop_settings
from app.settings.i18n import Words, language
from app.settings.session_tokens import require_session
from app.shops import settings as shop_defaults

bp = Blueprint("settings_api", __name__, url_prefix="/api")


def error_response(message: str, status: int = 400):
    response = jsonify(error=message)
    response.status_code = status
    return response


def json_object():
    """The request body if it is a JSON object, else None (the caller answers 400)."""
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body we could use
        return None
    return body if isinstance(body, dict) else None


#: Ids are BIGINT: a larger number names nothing, and PostgreSQL would refuse it with an error.
MAX_ID = 2**63 - 1


def row_id(text: str | None) -> int | None:
    """A row id from a URL, or None when it cannot be one."""
    if text is None or not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        return None
    return int(text)


def _words() -> Words:
    return Words(language(request.args.get("locale"), g.shop.locale))


@bp.get("/settings")
@require_session
def get_settings():
    return jsonify(shop_defaults.effective(g.shop))


@bp.patch("/settings")
@require_session
def update_settings():
    try:
        return jsonify(shop_settings.update(g.shop, json_object()))
    except shop_settings.SettingsError as error:
        db.session.rollback()
        return error_response(str(error))


@bp.get("/results")
@require_session
def get_results():
    rows = results.per_automation(g.shop.id, list(AUTOMATIONS))
    return jsonify(
        days=results.WINDOW_DAYS,
        currency=g.shop.currency,
        automations=[{**row, "revenue": str(row["revenue"])} for row in rows],
        daily=[{"day": day.isoformat(), "sent": sent} for day, sent in results.daily_sent(g.shop.id)],
    )


@bp.get("/activity")
@require_session
def get_activity():
    return jsonify(activity=activity.recent(g.shop.id, _words(), zone=g.shop.timezone))


@bp.get("/import")
@require_session
def get_import():
    return jsonify(imports.progress(g.shop.id))


@bp.get("/data-requests")
@require_session
def data_requests():
    # Ids are 63-bit: as JSON numbers JavaScript would round them, so they travel as strings.
    return jsonify(
        data_requests=[
            {
                "id": str(row.id),
                "customer_id": row.customer_id and str(row.customer_id),
                "email": row.email,
                "requested_at": clock.iso(row.requested_at),
                "download": f"/api/data-requests/{row.id}.json",
            }
            for row in data_request_list(g.shop.id)
        ]
    )


@bp.get("/data-requests/<request_id>.json")
@require_session
def data_request_download(request_id):
    number = row_id(request_id)
    row = db.session.get(DataRequest, (g.shop.id, number)) if number is not None else None
    if row is None:
        return error_response("no such data request", 404)
    response = jsonify(row.payload)
    response.headers["Content-Disposition"] = f'attachment; filename="data-request-{row.id}.json"'
    return response


@bp.get("/page")
@require_session
def page_body():
    """The page's content as HTML, for the first load under App Bridge and the language switch."""
    return page.body(g.shop, language(request.args.get("locale"), g.shop.locale))
