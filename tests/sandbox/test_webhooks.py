"""Webhook delivery: signed POSTs with Shopify's headers and bodies, duplicates, reordering, compliance."""

import json
from pathlib import Path

import pytest

from tests.sandbox.helpers import DEMO, verify_webhook
from tests.sandbox.test_graphql import SUBSCRIBE

SAMPLES = Path(__file__).parents[1] / "payloads"  # the one copy of Shopify's samples
TOPICS = [
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_PAID",
    "ORDERS_CANCELLED",
    "CHECKOUTS_CREATE",
    "CHECKOUTS_UPDATE",
    "CUSTOMERS_CREATE",
    "CUSTOMERS_UPDATE",
    "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE",
    "APP_UNINSTALLED",
    "PRODUCTS_UPDATE",
]


@pytest.fixture
def subscribed(gql, receiver):
    for topic in TOPICS:
        gql(SUBSCRIBE, {"topic": topic, "uri": f"{receiver.url}/webhooks/shopify"})
    return receiver


def bodies(receiver, topic):
    return [json.loads(c["body"]) for c in receiver.calls if c["headers"]["X-Shopify-Topic"] == topic]


def keys(sample: dict, nested: str | None = None) -> set:
    value = sample[nested] if nested else sample
    return set((value[0] if isinstance(value, list) else value).keys())


def test_checkout_then_order_with_real_headers(shop, subscribed):
    checkout = shop.start_checkout(
        "river@example.com", [("house-espresso-blend", 2)], accepts_marketing=True, first_name="River", last_name="Song"
    )
    order = shop.complete_checkout(checkout.token)
    assert subscribed.topics() == [
        "customers/create",
        "customers_email_marketing_consent/update",
        "checkouts/create",
        "checkouts/update",
        "orders/create",
        "orders/paid",
        "checkouts/update",
        # The ticked box subscribes the customer, stamped with the order's second.
        "customers_email_marketing_consent/update",
    ]
    for call in subscribed.calls:
        h = call["headers"]
        assert verify_webhook(call)
        assert h["X-Shopify-Shop-Domain"] == DEMO and h["X-Shopify-API-Version"] == "2026-10"
        assert h["Content-Type"] == "application/json"
        assert h["X-Shopify-Webhook-Id"] and h["X-Shopify-Event-Id"] and h["X-Shopify-Triggered-At"]
    created = bodies(subscribed, "orders/create")[0]
    assert created["checkout_token"] == checkout.token and "checkout_id" not in created
    assert created["id"] == order.id and created["line_items"][0]["quantity"] == 2
    completed = bodies(subscribed, "checkouts/update")[-1]
    assert completed["completed_at"] and "id" not in completed
    assert all(d.status == 200 for d in shop.deliveries)


@pytest.mark.parametrize(
    "topic, nested",
    [
        ("orders/create", None),
        ("orders/create", "line_items"),
        ("orders/create", "customer"),
        ("checkouts/create", None),
        ("checkouts/create", "line_items"),
        ("customers/create", None),
        ("customers_email_marketing_consent/update", None),
        ("orders/cancelled", None),
    ],
)
def test_bodies_have_the_keys_of_shopifys_samples(shop, subscribed, topic, nested):
    checkout = shop.start_checkout("keys@example.com", [("japanese-sencha", 1), ("stoneware-mug", 1)])
    shop.cancel_order(shop.complete_checkout(checkout.token))
    sample = json.loads((SAMPLES / f"{topic.replace('/', '__')}.json").read_text())
    assert keys(bodies(subscribed, topic)[0], nested) == keys(sample, nested)


def test_customer_bodies_carry_no_consent(shop, subscribed):
    shop.create_customer("quiet@example.com", "Quinn", "Ash", marketing_state="subscribed")
    assert "email_marketing_consent" not in bodies(subscribed, "customers/create")[0]
    consent = bodies(subscribed, "customers_email_marketing_consent/update")[0]
    assert consent["email_marketing_consent"]["state"] == "subscribed"


def test_duplicates_share_the_webhook_id(shop, subscribed):
    (delivery,) = shop.deliver("orders/updated", {"id": 1, "updated_at": "2026-06-15T08:00:00-04:00"}, duplicate=True)
    assert [c["headers"]["X-Shopify-Webhook-Id"] for c in subscribed.calls] == [delivery.webhook_id] * 2
    shop.redeliver(delivery.webhook_id)
    assert len(subscribed.calls) == 3 and delivery.attempt == 3


def test_held_deliveries_can_arrive_out_of_order(shop, subscribed, clock):
    c = next(iter(shop.customers.values()))
    shop.hold_webhooks()
    shop.update_customer(c, note="first")
    clock.advance(minutes=5)
    shop.update_customer(c, note="second")
    assert subscribed.calls == [] and all(d.status is None for d in shop.deliveries)
    shop.release_webhooks(reverse=True)
    assert [b["note"] for b in bodies(subscribed, "customers/update")] == ["second", "first"]


def test_failed_receiver_is_logged(shop, subscribed):
    subscribed.status = 500
    shop.update_product("stoneware-mug", inventory=0)
    (delivery,) = shop.deliveries
    assert delivery.status == 500 and delivery.topic == "products/update"


@pytest.mark.parametrize("topic", ["customers/data_request", "customers/redact", "shop/redact"])
def test_compliance_goes_to_the_toml_address(shop, receiver, topic):
    customer = next(c for c in shop.customers.values() if c.orders)
    shop.send_compliance(topic, None if topic == "shop/redact" else customer)
    (call,) = receiver.calls
    body = json.loads(call["body"])
    assert call["headers"]["X-Shopify-Topic"] == topic and verify_webhook(call)
    assert body["shop_domain"] == DEMO
    if topic != "shop/redact":
        assert body["customer"]["email"] == customer.email
        assert len(body.get("orders_to_redact", body.get("orders_requested"))) == len(customer.orders)


def test_uninstall_revokes_and_tells_the_app(shop, subscribed, gql):
    shop.uninstall()
    assert subscribed.topics() == ["app/uninstalled"]
    assert bodies(subscribed, "app/uninstalled")[0]["myshopify_domain"] == DEMO
    gql("{ shop { name } }")
    assert gql.status == 401
    assert shop.subscriptions == [] and shop.installed_scope is None


def test_a_test_client_can_stand_in_for_http(shop, gql, store):
    gql(SUBSCRIBE, {"topic": "CUSTOMERS_CREATE", "uri": "http://app.invalid/webhooks/shopify"})
    seen = []
    store.transport = lambda url, body, headers: seen.append((url, headers["X-Shopify-Topic"])) or 202
    shop.create_customer("direct@example.com")
    assert seen == [("http://app.invalid/webhooks/shopify", "customers/create")]
    assert shop.deliveries[0].status == 202
