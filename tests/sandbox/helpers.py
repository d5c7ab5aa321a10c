"""What the sandbox tests share besides fixtures: the app's credentials, a clock, a webhook receiver."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from flask import Flask, request
from werkzeug.datastructures import Headers

API_KEY = "sandbox-test-key"
API_SECRET = "sandbox-test-secret-of-at-least-32-bytes"
DEMO = "demo-shop.myshopify.com"
SCOPES = "read_orders,read_all_orders,read_customers,read_products,write_discounts"


class Clock:
    """A `now` callable that moves only when told to."""

    def __init__(self, start: datetime):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta):
        self.current += timedelta(**delta)


class Receiver:
    """A tiny app that records every webhook POST (and can answer with another status)."""

    def __init__(self):
        self.calls: list[dict] = []
        self.status = 200
        self.lock = threading.Lock()
        self.app = Flask("receiver")
        self.app.add_url_rule("/webhooks/shopify", view_func=self._receive, methods=["POST"])
        self.app.add_url_rule("/auth/callback", view_func=lambda: "ok")

    def _receive(self):
        with self.lock:
            self.calls.append({"headers": Headers(request.headers), "body": request.get_data()})
        return "", self.status

    def topics(self) -> list[str]:
        return [c["headers"]["X-Shopify-Topic"] for c in self.calls]


def verify_webhook(call: dict) -> bool:
    digest = hmac.new(API_SECRET.encode(), call["body"], hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), call["headers"]["X-Shopify-Hmac-Sha256"])


def install(client, store, domain: str = DEMO, scope: str = SCOPES, expiring: bool = True) -> dict:
    """The app's side of the OAuth dance; returns the token answer."""
    query = {"client_id": API_KEY, "scope": scope, "redirect_uri": f"{store.app_url}/auth/callback", "state": "n"}
    r = client.post(f"/{domain}/admin/oauth/authorize", query_string=query)
    assert r.status_code == 302, r.data
    code = parse_qs(urlsplit(r.headers["Location"]).query)["code"][0]
    body = {"client_id": API_KEY, "client_secret": API_SECRET, "code": code}
    if expiring:
        body["expiring"] = 1
    r = client.post(f"/{domain}/admin/oauth/access_token", json=body)
    assert r.status_code == 200, r.json
    return r.json
