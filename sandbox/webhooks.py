"""Webhook delivery: real signed HTTP POSTs, logged, repeatable, and holdable to reorder them.

Events raised while the sandbox serves an HTTP request (the storefront, the app's own GraphQL
mutations) go out from a background thread, so a receiver that calls the store back cannot
deadlock; events raised from plain Python (tests) are delivered before the call returns.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import uuid

import requests
from flask import has_request_context

from .app_config import trim
from .models import Delivery

COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def http_transport(url: str, body: bytes, headers: dict[str, str]) -> int:
    """Shopify's limits: 1 s to connect, 5 s in all."""
    with requests.post(url, data=body, headers=headers, timeout=(1, 5), allow_redirects=False) as r:
        return r.status_code


class Deliverer:
    """Sends events to subscriptions; `store.transport` can be swapped (e.g. for a Flask test client)."""

    def __init__(self, store):
        self.store = store
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    def emit(
        self,
        shop,
        topic: str,
        payload: dict,
        uris: list[str] | None = None,
        duplicate: bool = False,
        shape=None,
    ):
        """Build one event and its deliveries (one per subscription, each with its own body); send,
        hold or queue them. The event id is the same for all of them.

        `shape(payload, namespaces)`, when given, adds the metafields of a subscription's
        `metafield_namespaces` to its body; a toml subscription's body is then trimmed to its
        `include_fields`. `uris` limits the event to those addresses."""
        targets = shop.targets_for(topic)
        if uris is not None:
            known = {}
            for target in targets:
                known.setdefault(target[0], target)
            targets = [known.get(uri, (uri, self.store.api_version, None)) for uri in uris]
        event_id, at = str(uuid.uuid4()), self.store.now()
        made = []
        for uri, version, toml_subscription in targets:
            if toml_subscription is not None:
                namespaces = list(toml_subscription.metafield_namespaces)
            else:
                namespaces = shop.metafield_namespaces(topic, uri)
            shaped = shape(payload, namespaces) if shape is not None and namespaces else payload
            if toml_subscription is not None:
                shaped = trim(shaped, toml_subscription)
            body = json.dumps(shaped, ensure_ascii=False).encode()
            made.append(self._delivery(shop, topic, uri, version, body, event_id, at))
        with self.store.lock:
            shop.deliveries.extend(made)
            if shop.holding:
                shop.held.extend(made)
                return made
        for d in made:
            self.send(d, repeat=2 if duplicate else 1)
        return made

    def _delivery(self, shop, topic, uri, version, body, event_id, at) -> Delivery:
        webhook_id = str(uuid.uuid4())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(body, self.store.api_secret),
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-API-Version": version,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Triggered-At": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        return Delivery(webhook_id, event_id, topic, uri, body, headers, at)

    def send(self, d: Delivery, repeat: int = 1):
        if has_request_context():
            for _ in range(repeat):
                self._background(d)
            return
        for _ in range(repeat):
            self._post(d)

    def _post(self, d: Delivery):
        try:
            status, error = self.store.transport(d.uri, d.body, dict(d.headers)), None
        except requests.RequestException as e:
            status, error = None, f"{type(e).__name__}: {e}"
        with self.store.lock:
            if d.status is not None or d.error is not None:
                d.attempt += 1
            d.status, d.error = status, error

    def _background(self, d: Delivery):
        with self.store.lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="sandbox-webhooks", daemon=True)
                self._thread.start()
        self._queue.put(d)

    def _work(self):
        while True:
            d = self._queue.get()
            try:
                self._post(d)
            finally:
                self._queue.task_done()

    def wait(self):
        """Block until every background delivery has been attempted."""
        self._queue.join()
