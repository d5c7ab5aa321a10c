"""Optional scopes: granted later from the page, effective on app/scopes_update, no reinstall."""

import base64
import hashlib
import hmac
import json

import requests
from sqlalchemy import select

from app import jobs
from app.customers.models import Customer
from app.extensions import db
from app.mail.jobs import unsubscribe
from app.shops.models import Shop
from tests.conftest import API_KEY, API_SECRET
from tests.shops.test_managed_install import SHOP, open_from_admin


def scopes():
    db.session.expire_all()
    return db.session.scalar(select(Shop.scopes).where(Shop.domain == SHOP)).split(",")


def grant(sandbox, scope: str, decision: str = "grant"):
    return requests.post(
        f"{sandbox.base_url}/{SHOP}/admin/oauth/request_scopes",
        params={"client_id": API_KEY, "scope": scope},
        data={"decision": decision},
        allow_redirects=False,
        timeout=10,
    )


def test_a_granted_optional_scope_counts_at_once_and_is_confirmed_from_the_store(app, client, sandbox, live_app):
    open_from_admin(client, sandbox)
    assert "write_customers" not in scopes()

    assert grant(sandbox, "write_customers").status_code == 302
    sandbox.wait_idle()
    assert "write_customers" in scopes()  # from the webhook, before any tick

    # Someone edits the row; the job re-reads what the store says is granted.
    shop = db.session.scalar(select(Shop).where(Shop.domain == SHOP))
    shop.scopes = "read_orders"
    db.session.commit()
    jobs.run_due()
    assert {"write_customers", "read_customers", "write_discounts"} <= set(scopes())


def test_declining_changes_nothing(app, client, sandbox, live_app):
    open_from_admin(client, sandbox)
    before = scopes()
    assert grant(sandbox, "write_marketing_events", decision="decline").status_code == 302
    sandbox.wait_idle()
    assert scopes() == before
    assert not [d for d in sandbox.shop(SHOP).deliveries if d.topic == "app/scopes_update"]


def _post(client, body: bytes):
    signature = base64.b64encode(hmac.new(API_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    return client.post(
        "/webhooks/shopify",
        data=body,
        headers={
            "X-Shopify-Topic": "app/scopes_update",
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Webhook-Id": "w-1",
            "Content-Type": "application/json",
        },
    )


def test_a_malformed_scopes_update_is_a_400_and_changes_nothing(app, client, make_shop):
    make_shop(SHOP)
    before = scopes()
    answer = _post(client, json.dumps({"previous": [], "current": "write_customers"}).encode())
    assert answer.status_code == 400
    assert scopes() == before


def test_an_unsubscribe_waits_for_write_customers_and_reaches_the_store_once_granted(app, client, sandbox, live_app):
    open_from_admin(client, sandbox)
    shop = db.session.scalar(select(Shop).where(Shop.domain == SHOP))
    store_customer = next(c for c in sandbox.shop(SHOP).customers.values() if c.marketing_state == "SUBSCRIBED")
    if db.session.get(Customer, (shop.id, store_customer.id)) is None:
        db.session.add(Customer(shop_id=shop.id, id=store_customer.id, email=store_customer.email.lower()))
        db.session.commit()

    unsubscribe(shop, store_customer.email.lower(), None, "en")
    db.session.commit()
    jobs.run_due(limit=50)
    assert store_customer.marketing_state == "SUBSCRIBED"  # not synced: the scope is not granted
    assert jobs.latest(shop.id, "consent_writeback").state == "queued"

    grant(sandbox, "write_customers")
    sandbox.wait_idle()
    jobs.run_due(limit=50)
    assert store_customer.marketing_state == "UNSUBSCRIBED"
