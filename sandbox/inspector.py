"""`/<shop>/admin`: what the app asked of the store and what the store sent it, plus merchant buttons."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from .web import load_shop, store
from .webhooks import COMPLIANCE_TOPICS

bp = Blueprint("inspector", __name__, url_prefix="/<shop>/admin")
bp.url_value_preprocessor(load_shop)
SHOWN = 100


def _back(message: str):
    return redirect(url_for("inspector.page", shop=g.shop.domain, msg=message))


@bp.get("")
def page():
    shop = g.shop
    with store().lock:
        view = {
            "calls": list(shop.api_calls)[-SHOWN:][::-1],
            "subscriptions": list(shop.subscriptions),
            "deliveries": shop.deliveries[-SHOWN:][::-1],
            "codes": shop.discount_codes[-SHOWN:][::-1],
            "consents": shop.consent_changes[-SHOWN:][::-1],
            "bulk": shop.bulk_operations[-10:][::-1],
            "tokens": sum(1 for gr in store().grants.values() if gr.shop == shop.domain),
        }
    return render_template("inspector.html", shop=shop, msg=request.args.get("msg"), **view)


@bp.post("/uninstall")
def uninstall():
    if g.shop.installed_scope is None:
        return _back("The app is not installed.")
    g.shop.uninstall()
    return _back("App uninstalled: tokens revoked, app/uninstalled sent.")


@bp.post("/compliance")
def compliance():
    topic = request.form.get("topic", "")
    if topic not in COMPLIANCE_TOPICS:
        abort(400)
    customer = None
    if topic != "shop/redact":
        email = request.form.get("email", "").strip().lower()
        customer = g.shop.by_email.get(email)
        if customer is None:
            return _back(f"No customer with email {email!r}.")
    g.shop.send_compliance(topic, customer)
    return _back(f"{topic} sent.")


@bp.post("/redeliver/<webhook_id>")
def redeliver(webhook_id: str):
    if not any(d.webhook_id == webhook_id for d in g.shop.deliveries):
        abort(404)
    g.shop.redeliver(webhook_id)
    return _back(f"Delivery {webhook_id} sent again.")
