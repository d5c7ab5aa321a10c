"""Shopify-managed installation: Shopify installs the app itself and opens it with a session
token, which the app exchanges for an expiring offline token (no redirect out of the iframe)."""

import json
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.models import Job
from app.shops.models import Shop
from app.webhooks.models import WebhookInbox
from tests.settings.tokens import session_token

SHOP = "demo-shop.myshopify.com"


def shop_row(domain=SHOP):
    db.session.expire_all()
    return db.session.scalar(select(Shop).where(Shop.domain == domain))


def open_from_admin(client, sandbox, domain=SHOP, **query):
    """The merchant clicks the app in the store admin; the app's answer to the App URL it is sent to."""
    answer = requests.get(f"{sandbox.base_url}/{domain}/open-app", params=query, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    return client.get(f"{target.path}?{target.query}"), target


def test_opening_the_app_installs_it_by_token_exchange_without_leaving_the_admin(app, client, sandbox):
    page, target = open_from_admin(client, sandbox)

    assert "id_token=" in target.query  # Shopify installed the app and opened it with a session token
    assert page.status_code == 200 and "Location" not in page.headers
    assert b"data-automation" in page.data or b"automation" in page.data
    shop = shop_row()
    store_shop = sandbox.shop(SHOP)
    live = next(t for t, g in sandbox.grants.items() if g.shop == SHOP)
    assert shop.access_token == live and shop.refresh_token and shop.token_expires_at is not None
    assert shop.name == store_shop.name and shop.timezone == "America/New_York"
    exchanged = [c for c in store_shop.api_calls if c.kind == "oauth"]
    assert [c.operation for c in exchanged] == ["access_token (urn:ietf:params:oauth:grant-type:token-exchange)"]
    assert store_shop.subscriptions == []  # the toml declares every topic
    kinds = set(db.session.scalars(select(Job.kind).where(Job.shop_id == shop.id)))
    assert {"import_history", "reconcile", "refresh_token"} <= kinds


def test_the_app_url_at_the_root_with_an_id_token_is_an_app_load_too(app, client, sandbox):
    sandbox.shop(SHOP).installed_scope = "read_orders,read_all_orders,read_customers,read_products,write_discounts"
    answer = client.get("/", query_string={"shop": SHOP, "host": "x", "embedded": "1", "id_token": session_token(SHOP)})
    assert answer.status_code == 200 and "Location" not in answer.headers
    assert shop_row().installed


@pytest.mark.parametrize(
    "token",
    [
        session_token(SHOP, secret="not-the-api-secret"),
        session_token(SHOP, lifetime=-60),
        session_token("other-shop.myshopify.com"),
        "not-a-jwt",
    ],
    ids=["forged", "expired", "other shop", "garbage"],
)
def test_a_bad_session_token_is_401_and_stores_nothing(app, client, sandbox, token):
    sandbox.shop(SHOP).installed_scope = "read_orders"
    answer = client.get("/app", query_string={"shop": SHOP, "host": "x", "id_token": token})
    assert answer.status_code == 401
    assert answer.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"
    assert db.session.scalar(select(func.count()).select_from(Shop)) == 0
    assert not [c for c in sandbox.shop(SHOP).api_calls if c.kind == "oauth"]  # never sent on to the store


def test_a_token_the_store_refuses_is_401_and_stores_nothing(app, client, sandbox):
    # Signed right, but Shopify never installed the app on this shop: the exchange is refused.
    answer = client.get("/app", query_string={"shop": SHOP, "host": "x", "id_token": session_token(SHOP)})
    assert answer.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Shop)) == 0
    refused = [c for c in sandbox.shop(SHOP).api_calls if c.kind == "oauth"]
    assert refused and refused[0].status == 400


def test_the_store_failing_during_the_exchange_stores_nothing(app, client, sandbox):
    sandbox.shop(SHOP).faults["access_token"] = "500"
    page, _ = open_from_admin(client, sandbox)
    assert page.status_code == 502 and b"could not be reached" in page.data
    assert db.session.scalar(select(func.count()).select_from(Shop)) == 0


def test_managed_reinstall_after_uninstall_keeps_the_settings(app, client, sandbox, live_app):
    open_from_admin(client, sandbox)
    shop = shop_row()
    shop.settings = {"sender_name": "Hoa"}
    db.session.commit()
    sandbox.shop(SHOP).uninstall()
    assert not shop_row().installed

    page, _ = open_from_admin(client, sandbox)
    assert page.status_code == 200
    assert shop_row().installed and shop_row().settings == {"sender_name": "Hoa"}


def test_the_code_grant_install_still_works_from_the_store(app, client, sandbox):
    start, target = open_from_admin(client, sandbox, install="code")
    assert "id_token" not in target.query
    assert start.status_code == 302 and "/admin/oauth/authorize" in start.location


def test_toml_subscriptions_reach_the_app_once_each_without_addresses_or_phones(app, client, sandbox, live_app):
    open_from_admin(client, sandbox)
    store_shop = sandbox.shop(SHOP)
    buyer = store_shop.create_customer("mai@example.com", first_name="Mai")
    store_shop.update_customer(buyer, phone="+84 90 000 0000")
    order = store_shop.place_order(buyer, [(next(iter(store_shop.products.values())), 1)])

    created = [d for d in store_shop.deliveries if d.topic == "orders/create"]
    assert len(created) == 1 and created[0].status == 200
    body = json.loads(created[0].body)
    assert body["id"] == order.id and body["line_items"][0]["quantity"] == 1
    for private in ("shipping_address", "billing_address", "phone", "payment_gateway_names", "client_details"):
        assert private not in body
    assert set(body["customer"]) <= {"id", "email", "first_name"}
    customer_bodies = [json.loads(d.body) for d in store_shop.deliveries if d.topic.startswith("customers/")]
    assert customer_bodies and all("phone" not in b and "addresses" not in b for b in customer_bodies)
    assert all(d.headers["X-Shopify-API-Version"] == "2026-10" for d in store_shop.deliveries)


def test_a_shop_subscribed_per_shop_before_gets_each_event_applied_once(app, client, sandbox, live_app):
    from sandbox.models import Subscription

    open_from_admin(client, sandbox)
    store_shop = sandbox.shop(SHOP)
    # Installed by an older version of the app: its own subscription (full payloads) is still there.
    store_shop.subscriptions.append(
        Subscription(1, "ORDERS_CREATE", f"{live_app}/webhooks/shopify", "JSON", "2026-10", sandbox.now())
    )
    buyer = store_shop.create_customer("lan@example.com", first_name="Lan")
    store_shop.place_order(buyer, [(next(iter(store_shop.products.values())), 2)])

    created = [d for d in store_shop.deliveries if d.topic == "orders/create"]
    assert len(created) == 2 and {d.status for d in created} == {200}
    assert len({d.event_id for d in created}) == 1
    assert "shipping_address" in json.loads(created[1].body)  # the full form is accepted too
    queued = db.session.scalars(select(WebhookInbox.topic).where(WebhookInbox.topic == "orders/create")).all()
    assert len(queued) == 1  # the second delivery of the event was recognised by its event id
