"""`POST /webhooks/shopify`: verify, check, record the delivery, answer.

The HMAC is checked on the raw bytes before anything is parsed. The body is then checked
(JSON object, the fields its topic needs) and stored in the inbox with its receipt rows
("w:<webhook id>", "e:<event id>") atomically, and the answer goes out; the
worker applies it (webhooks.inbox). `app/uninstalled`, `shop/redact` and
`customers/data_request` are applied right here, in the same transaction as their receipts. A repeated delivery, even one arriving at the
same instant, hits the receipts' primary key and changes nothing. Every failure is a 4xx
with a message (or a 503 when the database is unavailable, which Shopify retries); never a 500.
"""

import base64
import json
import logging
import re
import time
import weakref

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from app.customers import redaction
from app.extensions import db
from app.security import hmac_sha256, same
from app.shops.models import Shop
from app.webhooks import inbox
from app.webhooks.handlers import COMPLIANCE, IMMEDIATE, TOPICS, VALIDATE, Delivery
from app.webhooks.models import WebhookReceipt
from app.webhooks.parse import BadPayload, timestamp

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)
SHOP_CACHE_SECONDS = 5.0
#: Per database (engine), so an app built on another database never sees these entries.
_shops: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


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
        text = body.decode("utf-8")
        payload = json.loads(text)
    except ValueError:  # UnicodeDecodeError is a ValueError too
        return _answer(400, error="body is not JSON")
    except RecursionError:  # nested deeper than any store body
        return _answer(400, error="body nested too deeply")
    if not isinstance(payload, dict):
        return _answer(400, error="body is not a JSON object")
    # Accepted means applied later: a string no database can store (a lone surrogate, which JSON
    # lets through as an escape) is refused now rather than dropped by the worker.
    if LONE_SURROGATE_ESCAPE.search(text) and not _encodable(payload):
        return _answer(400, error="body holds text that is not valid Unicode")

    domain = request.headers.get("X-Shopify-Shop-Domain", "")
    try:
        shop = known_shop(domain, fresh=topic in IMMEDIATE)
        if shop is not None and shop.uninstalled_at is not None:
            shop = known_shop(domain, fresh=True)  # a reinstall a moment ago must count at once
    except OperationalError as error:
        return _database_trouble(error)
    if shop is None:
        if topic in COMPLIANCE:
            # Nothing held for a shop we don't know (or already erased): the request is fulfilled.
            return _answer(200, status="no data held")
        return _answer(404, error="unknown shop: the shop must install the app first")
    if shop.uninstalled_at is not None and topic not in COMPLIANCE:
        return _answer(200, status="ignored: app uninstalled")
    if topic in COMPLIANCE and not _same_shop(payload, domain, shop.platform_id):
        return _answer(400, error="the body names another shop than X-Shopify-Shop-Domain")

    delivery = Delivery(
        topic=topic,
        webhook_id=_header("X-Shopify-Webhook-Id"),
        event_id=_header("X-Shopify-Event-Id"),
        triggered_at=timestamp(_header("X-Shopify-Triggered-At")),
    )
    if topic in IMMEDIATE:
        _shops.get(db.engine, {}).pop(request.headers.get("X-Shopify-Shop-Domain", ""), None)  # it will change
        try:
            full = db.session.get(Shop, shop.id)
        except OperationalError as error:
            return _database_trouble(error)
        if full is None:  # erased a moment ago by a concurrent shop/redact
            return _answer(200, status="no data held")
        return _apply(full, payload, delivery, handler)
    try:
        VALIDATE[topic](payload)
    except BadPayload as error:
        return _answer(400, error=f"invalid payload: {error}")
    try:
        accepted = inbox.accept(shop.id, delivery, text, shop_created_at=shop.created_at)
    except OperationalError as error:
        return _database_trouble(error)
    return _answer(200, status="accepted" if accepted else "duplicate")


def _apply(shop, payload, delivery, handler):
    receipts = inbox.receipt_rows(shop.id, delivery)
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
        if delivery.topic == "shop/redact":
            redaction.checkpoint()  # no copy of the erased rows stays in SQLite's WAL
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


def known_shop(domain: str, fresh: bool = False):
    """(id, created_at, uninstalled_at, platform_id) of the shop, or None. Looked up once per few seconds per
    process: a flash sale sends hundreds of deliveries a second for one shop. Staleness is harmless:
    a delivery accepted just after uninstall is applied to a shop that keeps no token, and one for a
    shop just erased fails on the foreign key and changes nothing."""
    cache = _shops.setdefault(db.engine, {})
    hit = cache.get(domain)
    if hit is not None and not fresh and hit[0] > time.monotonic():
        return hit[1]
    # A few columns through the table, not the mapped shop: this runs for every delivery.
    shops = Shop.__table__.c
    shop = (
        db.session.execute(
            select(shops.id, shops.created_at, shops.uninstalled_at, shops.platform_id).where(shops.domain == domain)
        ).first()
        if domain
        else None
    )
    if shop is None:
        cache.pop(domain, None)
    else:
        cache[domain] = (time.monotonic() + SHOP_CACHE_SECONDS, shop)
    return shop


def _database_trouble(error):
    db.session.rollback()
    log.warning("webhook not applied, database unavailable: %s", error)
    return _answer(503, error="try again later")


#: A JSON escape of a UTF-16 surrogate; only when one is present is the payload walked.
LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _encodable(payload) -> bool:
    try:
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _same_shop(payload: dict, domain: str, platform_id: int | None = None) -> bool:
    """Compliance bodies name their shop (`shop_domain`, `shop_id`): it must be the signed header's."""
    named = payload.get("shop_domain")
    if named is not None and named != domain:
        return False
    number = payload.get("shop_id")
    if platform_id is not None and number is not None:
        return type(number) is int and number == platform_id
    return True


def _header(name: str) -> str | None:
    value = request.headers.get(name, "").strip()
    return value[:90] or None
