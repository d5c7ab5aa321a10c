"""The automations part of the JSON API: list, read, update and form fields.

Built on `app.automations.settings`; updates are all-or-nothing there, so a 400 here
means nothing changed.
"""

from flask import g, jsonify, request

from app.automations import settings as automation_settings
from app.automations.registry import AUTOMATIONS
from app.extensions import db
from app.mail import placeholders
from app.settings.api import bp, error_response, json_object
from app.settings.i18n import language
from app.settings.session_tokens import require_session


def known(key: str) -> bool:
    return key in AUTOMATIONS


@bp.get("/automations")
@require_session
def automations():
    return jsonify(automations=[automation_settings.as_json(g.shop, key) for key in AUTOMATIONS])


@bp.get("/automations/<key>")
@require_session
def automation(key):
    if not known(key):
        return error_response(f"no automation {key!r}", 404)
    return jsonify(automation_settings.as_json(g.shop, key))


@bp.patch("/automations/<key>")
@require_session
def update_automation(key):
    if not known(key):
        return error_response(f"no automation {key!r}", 404)
    changes = json_object()
    if changes is None:
        return error_response("the body must be a JSON object of settings")
    try:
        updated = automation_settings.update(g.shop, key, changes)
    except automation_settings.SettingsError as error:
        db.session.rollback()
        # In the merchant's language: the page passes its own, else the shop's.
        return error_response(error.say(language(request.args.get("locale"), g.shop.locale)))
    return jsonify(updated)


@bp.get("/automations/<key>/fields")
@require_session
def automation_fields(key):
    if not known(key):
        return error_response(f"no automation {key!r}", 404)
    # The placeholders are the only template syntax a merchant's text may hold (INTERFACE.md).
    return jsonify(
        fields=automation_settings.fields(key, g.shop),
        steps=automation_settings.steps(key),
        placeholders=["{{ %s }}" % name for name in placeholders.PLACEHOLDERS],
    )
