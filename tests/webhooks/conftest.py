"""Fixtures for webhook tests: Shopify's published sample bodies, and signed deliveries."""

import base64
import copy
import hashlib
import hmac
import itertools
import json
import logging
from pathlib import Path

import pytest

from tests.conftest import API_SECRET

PAYLOADS = Path(__file__).parents[1] / "payloads"  # the one copy of Shopify's samples
SHOP = "demo-shop.myshopify.com"
_ids = itertools.count(1)


def sign(body: bytes, secret: str = API_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def sample():
    """A fresh copy of Shopify's published body for a topic ("orders/create")."""

    def load(topic: str) -> dict:
        # "{shop}" in Shopify's samples stands for the shop the delivery is for (compliance bodies
        # must name the shop of the signed header).
        text = (PAYLOADS / (topic.replace("/", "__") + ".json")).read_text().replace("{shop}.myshopify.com", SHOP)
        return copy.deepcopy(json.loads(text))

    return load


@pytest.fixture
def shop(make_shop):
    return make_shop(SHOP)


def drain() -> None:
    """What the worker's next tick does: apply every delivery waiting in the inbox. A body that was
    accepted but could not be applied is only logged by the worker; here it fails the test."""
    from sqlalchemy import select

    from app.extensions import db
    from app.webhooks.inbox import apply_pending, log
    from app.webhooks.models import WebhookInbox

    failures = _Failures()
    log.addHandler(failures)
    try:
        for shop_id in set(db.session.scalars(select(WebhookInbox.shop_id))):
            while apply_pending(shop_id):
                pass
    finally:
        log.removeHandler(failures)
    assert not failures.messages, failures.messages


class _Failures(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def deliver(client):
    """POST a signed delivery, then let the worker apply it; returns the response.
    Pass webhook_id/event_id to replay one."""

    def post(
        topic: str,
        body,
        *,
        shop: str = SHOP,
        webhook_id: str | None = None,
        event_id: str | None = None,
        triggered_at: str = "2026-11-22T10:00:00Z",
        headers: dict | None = None,
    ):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        number = next(_ids)
        sent = {
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(raw),
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Webhook-Id": webhook_id or f"wh-{number}",
            "X-Shopify-Event-Id": event_id or f"ev-{number}",
            "X-Shopify-Triggered-At": triggered_at,
            "Content-Type": "application/json",
            **(headers or {}),
        }
        response = client.post("/webhooks/shopify", data=raw, headers=sent)
        drain()
        return response

    return post
