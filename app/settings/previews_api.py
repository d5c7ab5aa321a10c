"""Seeing an automation's email before it goes out: the live preview and the test email.

The test email is queued as a job for the worker: a web request never talks to SMTP,
so a slow mail server cannot hang the page and a retry cannot send twice.
"""

from flask import g, jsonify, request

from app import jobs
from app.automations import preview
from app.automations import settings as automation_settings
from app.extensions import db
from app.jobs import kinds
from app.settings.api import bp, error_response, json_object, row_id
from app.settings.automations_api import known
from app.settings.i18n import LANGUAGES, language
from app.settings.session_tokens import require_session


@bp.get("/automations/<key>/preview")
@require_session
def automation_preview(key):
    if not known(key):
        return error_response(f"no automation {key!r}", 404)
    # An explicit locale must be one we write; the default is the shop's, reduced to one ("en-US" -> "en").
    locale = request.args.get("locale") or language(g.shop.locale)
    if locale not in LANGUAGES:
        return error_response("locale must be one of " + ", ".join(LANGUAGES))
    customer_id = request.args.get("customer_id")
    if customer_id is not None and row_id(customer_id) is None:
        return error_response("customer_id must be a customer's number")
    steps = automation_settings.steps(key)
    step = row_id(request.args.get("step", "0"))
    if step is None or step >= len(steps):
        return error_response(f"step must be a number from 0 to {len(steps) - 1}")
    subject, html, text = preview.render(g.shop, key, locale, row_id(customer_id) if customer_id else None, step)
    return jsonify(key=key, locale=locale, step=step, steps=steps, subject=subject, html=html, text=text)


@bp.post("/automations/<key>/test")
@require_session
def send_test(key):
    """Queue a test email to the merchant; the worker sends it (never mail from a web request)."""
    if not known(key):
        return error_response(f"no automation {key!r}", 404)
    body = json_object() if request.get_data() else {}
    if body is None:
        return error_response("the body must be a JSON object")
    locale = body.get("locale") or language(g.shop.locale)
    if locale not in LANGUAGES:
        return error_response("locale must be one of " + ", ".join(LANGUAGES))
    step = body.get("step", 0)
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(automation_settings.steps(key)):
        return error_response("step must be the number of one of the automation's emails")
    if not g.shop.email:
        return error_response("the store has no email address to send a test to")
    # One live test per automation and language: clicking twice while it waits queues one email.
    job = jobs.enqueue(
        g.shop.id,
        kinds.SEND_TEST,
        unique_key=f"{key}:{locale}:{step}",
        data={"automation": key, "locale": locale, "to": g.shop.email, "step": step},
    )
    db.session.commit()
    return jsonify(queued=True, to=g.shop.email, job=str(job.id)), 202
