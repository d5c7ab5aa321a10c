"""Each topic handler, fed Shopify's published sample bodies with the fields under test varied."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.customers.models import Checkout, Customer, DataRequest, Order, OrderLine, Product
from app.extensions import db
from tests.webhooks.conftest import drain, sign


def order_body(
    sample,
    *,
    id=1001,
    customer_id=501,
    email="ann@example.com",
    created="2026-11-01T10:00:00Z",
    updated=None,
    total="50.00",
    token=None,
    cancelled=None,
    lines=((11, 1),),
    accepts=False,
):
    body = sample("orders/create")
    body.update(
        id=id,
        email=email,
        contact_email=email,
        created_at=created,
        updated_at=updated or created,
        current_total_price=total,
        total_price=total,
        checkout_token=token,
        cancelled_at=cancelled,
        buyer_accepts_marketing=accepts,
        customer_locale="vi",
    )
    body["customer"].update(id=customer_id, email=email, first_name="Ann")
    template = body["line_items"][0]
    body["line_items"] = [
        {
            **template,
            "product_id": pid,
            "quantity": qty,
            "current_quantity": qty,
            "title": f"Product {pid}",
            "price": "10.00",
        }
        for pid, qty in lines
    ]
    return body


def checkout_body(
    sample,
    *,
    token="tok-1",
    updated="2026-11-01T09:00:00Z",
    email="ann@example.com",
    completed=None,
    accepts=False,
    customer_id=501,
):
    body = sample("checkouts/update")
    body.update(
        token=token,
        updated_at=updated,
        email=email,
        completed_at=completed,
        buyer_accepts_marketing=accepts,
        customer_locale="vi",
    )
    body["customer"].update(id=customer_id, email=email, first_name="Ann")
    return body


def customer(shop, customer_id=501) -> Customer:
    db.session.expire_all()
    return db.session.get(Customer, (shop.id, customer_id))


@pytest.mark.parametrize("topic", ["orders/create", "orders/updated", "orders/paid"])
def test_order_topics_store_order_lines_customer_and_products(shop, deliver, sample, topic):
    body = order_body(sample, lines=((11, 2), (12, 1)))
    assert deliver(topic, body).status_code == 200
    order = db.session.get(Order, (shop.id, 1001))
    assert (order.customer_id, order.email, order.total) == (501, "ann@example.com", Decimal("50.00"))
    lines = db.session.scalars(select(OrderLine).where(OrderLine.shop_id == shop.id).order_by(OrderLine.position)).all()
    assert [(line.product_id, line.quantity) for line in lines] == [(11, 2), (12, 1)]
    buyer = customer(shop)
    assert (buyer.email, buyer.first_name, buyer.locale, buyer.orders_count) == ("ann@example.com", "Ann", "vi", 1)
    assert db.session.get(Product, (shop.id, 11)).title == "Product 11"


def test_published_sample_order_is_accepted_as_is(shop, deliver, sample):
    """The sample is a cancelled test order: stored, but it does not count for the customer."""
    assert deliver("orders/create", sample("orders/create")).status_code == 200
    buyer = customer(shop, 115310627314723954)
    assert buyer.orders_count == 0 and buyer.last_order_at is None


def test_cancelled_order_leaves_the_customer_figures(shop, deliver, sample):
    deliver("orders/create", order_body(sample, id=1, total="30.00", created="2026-10-01T00:00:00Z"))
    deliver("orders/create", order_body(sample, id=2, total="20.00", created="2026-11-01T00:00:00Z"))
    assert (customer(shop).orders_count, customer(shop).total_spent) == (2, Decimal("50.00"))
    deliver(
        "orders/cancelled",
        order_body(
            sample,
            id=2,
            total="20.00",
            created="2026-11-01T00:00:00Z",
            updated="2026-11-02T00:00:00Z",
            cancelled="2026-11-02T00:00:00Z",
        ),
    )
    buyer = customer(shop)
    assert (buyer.orders_count, buyer.total_spent) == (1, Decimal("30.00"))
    assert buyer.last_order_at.isoformat() == "2026-10-01T00:00:00"


def test_accepting_marketing_on_an_order_is_an_opt_in(shop, deliver, sample):
    deliver("orders/create", order_body(sample, accepts=True))
    assert customer(shop).consent_state == "subscribed"


@pytest.mark.parametrize("topic", ["checkouts/create", "checkouts/update"])
def test_checkout_topics_keep_a_cart_snapshot(shop, deliver, sample, topic):
    assert deliver(topic, checkout_body(sample)).status_code == 200
    checkout = db.session.get(Checkout, (shop.id, "tok-1"))
    assert checkout.email == "ann@example.com" and checkout.order_id is None
    assert checkout.recovery_url.startswith("https://checkout.local/")
    assert checkout.items[0] == {
        "product_id": 632910392,
        "variant_id": 808950810,
        "title": "IPod Nano - 8GB",
        "variant_title": "Pink",
        "quantity": 1,
        "price": "199.00",
        "image_url": None,
    }
    assert checkout.platform_updated_at.isoformat() == "2026-11-01T09:00:00"


def test_checkout_opt_in_counts_and_unticked_box_withdraws_nothing(shop, deliver, sample):
    deliver("checkouts/update", checkout_body(sample, accepts=True))
    deliver("checkouts/update", checkout_body(sample, token="tok-2", accepts=False, updated="2026-11-02T00:00:00Z"))
    assert customer(shop).consent_state == "subscribed"


@pytest.mark.parametrize("topic", ["customers/create", "customers/update"])
def test_customer_topics_store_the_profile_without_address_or_phone(shop, deliver, sample, topic):
    assert deliver(topic, sample(topic)).status_code == 200
    bob = customer(shop, 706405506930370084)
    assert (bob.email, bob.first_name) == ("bob@biller.com", "Bob")
    # Nothing of the address or phone in the body is kept anywhere.
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            stored = " ".join(str(value) for value in row.values())
            assert "O'Connor" not in stored and "555-555-5555" not in stored and "K2P 2L8" not in stored, table.name


@pytest.mark.parametrize("topic", ["customers/create", "customers/update"])
def test_customer_topics_keep_when_the_store_created_the_account(shop, deliver, sample, topic):
    body = sample(topic)
    body.update(created_at="2026-11-30T19:00:00-05:00", updated_at="2026-12-01T09:00:00-05:00")
    assert deliver(topic, body).status_code == 200
    # Naive UTC, like every stored time: the welcome email counts from it.
    assert customer(shop, 706405506930370084).platform_created_at == datetime(2026, 12, 1, 0, 0)


@pytest.mark.parametrize("state, allowed", [("subscribed", True), ("unsubscribed", False), ("not_subscribed", False)])
def test_consent_topic_sets_the_marketing_state(shop, deliver, sample, state, allowed):
    from app.customers.consent import marketing_allowed

    body = sample("customers_email_marketing_consent/update")
    body["email_marketing_consent"].update(state=state, consent_updated_at="2026-11-01T00:00:00Z")
    assert deliver("customers_email_marketing_consent/update", body).status_code == 200
    assert marketing_allowed(shop.id, "bob@biller.com")[0] is allowed


def test_consent_newest_statement_wins_whatever_the_arrival_order(shop, deliver, sample):
    newer, older = (sample("customers_email_marketing_consent/update") for _ in range(2))
    newer["email_marketing_consent"].update(state="unsubscribed", consent_updated_at="2026-11-02T00:00:00Z")
    older["email_marketing_consent"].update(state="subscribed", consent_updated_at="2026-11-01T00:00:00Z")
    deliver("customers_email_marketing_consent/update", newer)
    deliver("customers_email_marketing_consent/update", older)
    assert customer(shop, 706405506930370084).consent_state == "unsubscribed"


def test_undated_consent_is_dated_by_the_event(shop, deliver, sample):
    """A day-late undated statement must not override the newer dated one we hold."""
    dated = sample("customers_email_marketing_consent/update")
    dated["email_marketing_consent"].update(state="subscribed", consent_updated_at="2026-11-22T12:00:00Z")
    deliver("customers_email_marketing_consent/update", dated)
    late = sample("customers_email_marketing_consent/update")  # state not_subscribed, consent_updated_at null
    deliver("customers_email_marketing_consent/update", late, triggered_at="2026-11-21T12:00:00Z")
    assert customer(shop, 706405506930370084).consent_state == "subscribed"


def test_uninstall_forgets_the_token_but_keeps_the_shop(shop, deliver, sample):
    assert deliver("app/uninstalled", sample("app/uninstalled")).status_code == 200
    db.session.expire_all()
    assert shop.access_token is None and shop.uninstalled_at is not None and not shop.installed
    # Ordinary topics are then ignored; compliance topics are still taken.
    assert deliver("orders/create", order_body(sample)).json["status"] == "ignored: app uninstalled"
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert deliver("customers/data_request", sample("customers/data_request")).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 1


def test_data_request_assembles_the_customers_data(shop, deliver, sample):
    deliver("orders/create", order_body(sample, customer_id=191167, email="john@example.com", lines=((11, 3),)))
    assert deliver("customers/data_request", sample("customers/data_request")).status_code == 200
    request = db.session.scalar(select(DataRequest))
    assert (request.customer_id, request.email) == (191167, "john@example.com")
    assert request.payload["request_id"] == 9999
    assert request.payload["customer"]["orders_count"] == 1
    assert request.payload["orders"][0]["lines"] == [{"product_id": 11, "variant_id": None, "quantity": 3}]


def test_malformed_fields_are_a_400_that_changes_nothing(shop, deliver, sample):
    body = order_body(sample)
    body["line_items"][0]["quantity"] = body["line_items"][0]["current_quantity"] = "lots"
    response = deliver("orders/create", body)
    assert response.status_code == 400 and "quantity" in response.json["error"]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_customer_redaction_erases_them_including_deliveries_still_waiting(shop, client, deliver, sample):
    deliver("orders/create", order_body(sample, id=1, customer_id=191167, email="john@example.com"))
    # A second order is still in the inbox when the redaction arrives: it is applied first, then erased.
    raw = json.dumps(order_body(sample, id=2, customer_id=191167, email="john@example.com")).encode()
    client.post(
        "/webhooks/shopify",
        data=raw,
        headers={
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-Hmac-Sha256": sign(raw),
        },
    )
    assert deliver("customers/redact", sample("customers/redact")).status_code == 200
    drain()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert customer(shop, 191167) is None


def test_deliveries_right_after_a_reinstall_are_applied(shop, deliver, sample):
    """The web process caches shops for a few seconds; a reinstall must not be hidden by it."""
    deliver("app/uninstalled", sample("app/uninstalled"))
    assert deliver("orders/create", order_body(sample)).json["status"] == "ignored: app uninstalled"
    shop.set_tokens("new-token", None, None, None)
    shop.uninstalled_at = None  # what the install callback does, in another process
    db.session.commit()
    answer = deliver("orders/create", order_body(sample))
    assert answer.status_code == 200 and answer.json.get("status") != "ignored: app uninstalled"
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
