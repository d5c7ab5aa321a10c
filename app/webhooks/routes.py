"""`POST /webhooks/shopify`: verify, record the delivery, apply it, answer.

The HMAC is checked on the raw bytes before anything is parsed. The delivery's receipt rows
("w:<webhook id>", "e:<event id>") are inserted in the same transaction as the change, so a
repeated delivery, even one arriving at the same instant, hits the primary key and changes
nothing. Every failure is a 4xx with a message (or a 503 when the database is unavailable,
which Shopify retries); never a 500.
"""
import base64
import json
import logging

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from app import clock
from app.extensions import db
from app.security import hmac_sha256, same
from app.shops.models import Shop
from app.webhooks.handlers import COMPLIANCE, TOPICS, Delivery
from app.webhooks.models import WebhookReceipt
from app.webhooks.parse import BadPayload

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)


def init_app(app) -> None:
    app.register_blueprint(bp)


def _answer(code: int, **body):
    return jsonify(body), code


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    return _answer(413, error="body over 5 MiB")


@bp.post("/webhooks/shopify")
def receive():
    body = request.get_data(cache=False)
    signature = request.headers.get("X-Shopify-Hmac-Sha256", "")
    expected = base64.b64encode(hmac_sha256(current_app.config["SHOPIFY_API_SECRET"], body)).decode()
    if not signature or not same(expected, signature):
        return _answer(401, error="invalid HMAC")
    topic = request.headers.get("X-Shopify-Topic", "")
    handler = TOPICS.get(topic)
    if handler is None:
        return _answer(400, error=f"unknown topic {topic[:64]!r}")
    try:
        payload = json.loads(body)
    except ValueError:
        return _answer(400, error="body is not JSON")
    if not isinstance(payload, dict):
        return _answer(400, error="body is not a JSON object")

    domain = request.headers.get("X-Shopify-Shop-Domain", "")
    shop = db.session.scalar(select(Shop).where(Shop.domain == domain)) if domain else None
    if shop is None:
        if topic in COMPLIANCE:
            # Nothing held for a shop we don't know (or already erased): the request is fulfilled.
            return _answer(200, status="no data held")
        return _answer(404, error="unknown shop: the shop must install the app first")
    if shop.uninstalled_at is not None and topic not in COMPLIANCE:
        return _answer(200, status="ignored: app uninstalled")

    delivery = Delivery(topic=topic, webhook_id=_header("X-Shopify-Webhook-Id"),
                        event_id=_header("X-Shopify-Event-Id"),
                        triggered_at=clock.parse_iso(_header("X-Shopify-Triggered-At")))
    return _apply(shop, payload, delivery, handler)


def _apply(shop, payload, delivery, handler):
    receipts = [{"shop_id": shop.id, "key": key, "topic": delivery.topic, "received_at": clock.now()}
                for key in (f"w:{delivery.webhook_id}" if delivery.webhook_id else None,
                            f"e:{delivery.event_id}" if delivery.event_id else None) if key]
    try:
        if receipts:
            # First write of the transaction: a concurrent twin waits here and then fails on the key.
            db.session.execute(insert(WebhookReceipt), receipts)
    except IntegrityError:
        db.session.rollback()
        return _answer(200, status="duplicate")
    except OperationalError as error:
        return _database_trouble(error)
    try:
        handler(shop, payload, delivery)
        db.session.commit()
    except BadPayload as error:
        db.session.rollback()
        return _answer(400, error=f"invalid payload: {error}")
    except OperationalError as error:
        return _database_trouble(error)
    except DBAPIError as error:
        db.session.rollback()
        log.warning("webhook %s refused by the database: %s", delivery.topic, error)
        return _answer(400, error="payload refused by the database")
    return _answer(200, status="applied")


def _database_trouble(error):
    db.session.rollback()
    log.warning("webhook not applied, database unavailable: %s", error)
    return _answer(503, error="try again later")


def _header(name: str) -> str | None:
    value = request.headers.get(name, "").strip()
    return value[:90] or None
