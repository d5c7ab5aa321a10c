"""Facts from webhooks: the birthday metafield on customer topics, an order's paid and fulfilled
times, and the checkout opt-in that ties with the customer record's "not subscribed"."""

from datetime import datetime

import pytest

from app.customers.consent import marketing_allowed
from app.customers.models import Customer, Order
from app.extensions import db
from tests.webhooks.test_topics import checkout_body, order_body

BOB = 706405506930370084


def birthday(value, updated_at="2026-11-20T08:00:00-05:00", namespace="facts", key="birth_date") -> dict:
    """A metafield as a subscription with `metafield_namespaces: ["facts"]` adds it to the body."""
    return {
        "id": 9001,
        "namespace": namespace,
        "key": key,
        "value": value,
        "description": None,
        "owner_id": BOB,
        "created_at": "2026-11-01T08:00:00-05:00",
        "updated_at": updated_at,
        "owner_resource": "customer",
        "type": "date",
        "admin_graphql_api_id": "gid://shopify/Metafield/9001",
    }


def bob(shop) -> Customer:
    db.session.expire_all()
    return db.session.get(Customer, (shop.id, BOB))


@pytest.mark.parametrize("topic", ["customers/create", "customers/update"])
def test_customer_topics_read_the_birthday_metafield(shop, deliver, sample, topic):
    body = sample(topic)
    body["metafields"] = [birthday("1990-04-17", namespace="custom", key="size"), birthday("1990-04-17")]
    assert deliver(topic, body).status_code == 200
    assert bob(shop).birth_date == "1990-04-17"
    assert bob(shop).birth_date_at == datetime(2026, 11, 20, 13, 0)


def test_a_body_without_metafields_keeps_the_birthday_and_an_older_one_does_not_replace_it(shop, deliver, sample):
    body = sample("customers/update")
    body["metafields"] = [birthday("1990-04-17", updated_at="2026-11-20T00:00:00Z")]
    deliver("customers/update", body)
    plain = sample("customers/update")
    plain["updated_at"] = "2026-11-25T00:00:00Z"  # newer profile, but it says nothing about the birthday
    deliver("customers/update", plain)
    assert bob(shop).birth_date == "1990-04-17"
    late = sample("customers/update")
    late["metafields"] = [birthday("1985-01-01", updated_at="2026-11-10T00:00:00Z")]
    deliver("customers/update", late)
    assert bob(shop).birth_date == "1990-04-17"


def test_a_birthday_that_is_not_a_date_is_ignored_not_refused(shop, deliver, sample):
    body = sample("customers/update")
    body["metafields"] = [birthday("1990-02-30")]
    assert deliver("customers/update", body).status_code == 200
    assert bob(shop).birth_date is None and bob(shop).email == "bob@biller.com"


def test_an_order_paid_and_fulfilled_later_keeps_when_each_happened(shop, deliver, sample):
    body = order_body(sample, created="2026-11-01T10:00:00Z")
    body.update(financial_status="pending", processed_at="2026-11-01T10:00:00Z", fulfillment_status=None)
    deliver("orders/create", body)
    order = lambda: db.session.get(Order, (shop.id, 1001))  # noqa: E731
    assert (order().processed_at, order().paid_at, order().fulfilled_at) == (datetime(2026, 11, 1, 10), None, None)

    # Cash on delivery: shipped on the 3rd, paid at the door on the 5th.
    shipped = order_body(sample, created="2026-11-01T10:00:00Z", updated="2026-11-03T09:00:00Z")
    shipped.update(
        financial_status="pending",
        processed_at="2026-11-01T10:00:00Z",
        fulfillment_status="fulfilled",
        fulfillments=[{"id": 1, "created_at": "2026-11-03T09:00:00Z", "status": "success"}],
    )
    deliver("orders/updated", shipped)
    paid = order_body(sample, created="2026-11-01T10:00:00Z", updated="2026-11-05T15:00:00Z")
    paid.update(
        financial_status="paid",
        processed_at="2026-11-01T10:00:00Z",
        fulfillment_status="fulfilled",
        fulfillments=shipped["fulfillments"],
    )
    deliver("orders/paid", paid)
    db.session.expire_all()
    assert order().paid_at == datetime(2026, 11, 5, 15)
    assert order().fulfilled_at == datetime(2026, 11, 3, 9)
    # A replay of the paid body changes nothing.
    deliver("orders/updated", paid)
    db.session.expire_all()
    assert order().paid_at == datetime(2026, 11, 5, 15)


def test_an_order_first_seen_paid_was_paid_when_processed(shop, deliver, sample):
    body = order_body(sample, created="2026-11-01T10:00:00Z", updated="2026-11-01T10:00:05Z")
    body.update(financial_status="paid", processed_at="2026-11-01T10:00:00Z")
    deliver("orders/create", body)
    assert db.session.get(Order, (shop.id, 1001)).paid_at == datetime(2026, 11, 1, 10)


@pytest.mark.parametrize("checkout_first", [True, False])
def test_a_checkout_opt_in_wins_a_same_second_tie_with_not_subscribed(shop, deliver, sample, checkout_first):
    """The buyer ticked "email me" at checkout in the same second as the customer record (created by
    that checkout) says "not subscribed": the explicit opt-in wins, whichever arrives first."""
    checkout = checkout_body(sample, accepts=True, updated="2026-11-01T09:00:00Z", customer_id=BOB)
    statement = sample("customers_email_marketing_consent/update")
    statement["email_address"] = "ann@example.com"
    statement["email_marketing_consent"].update(state="not_subscribed", consent_updated_at="2026-11-01T09:00:00Z")
    deliveries = [("checkouts/update", checkout), ("customers_email_marketing_consent/update", statement)]
    for topic, body in deliveries if checkout_first else reversed(deliveries):
        deliver(topic, body)
    assert bob(shop).consent_state == "subscribed"
    assert marketing_allowed(shop.id, "ann@example.com") == (True, None)


def test_the_tick_box_counts_against_a_same_second_not_subscribed_record(shop, deliver, sample):
    """How the abandoned-cart email asks: the customer's record and the checkout's own tick box."""
    statement = sample("customers_email_marketing_consent/update")
    statement["email_address"] = "ann@example.com"
    statement["email_marketing_consent"].update(state="not_subscribed", consent_updated_at="2026-11-01T09:00:00Z")
    deliver("customers_email_marketing_consent/update", statement)
    ticked_at = datetime(2026, 11, 1, 9)
    allowed = marketing_allowed(shop.id, "ann@example.com", customer=bob(shop), accepted_at_checkout=(True, ticked_at))
    assert allowed == (True, None)


def test_an_explicit_unsubscribe_in_the_same_second_still_wins_over_the_tick_box(shop, deliver, sample):
    deliver("checkouts/update", checkout_body(sample, accepts=True, updated="2026-11-01T09:00:00Z", customer_id=BOB))
    statement = sample("customers_email_marketing_consent/update")
    statement["email_address"] = "ann@example.com"
    statement["email_marketing_consent"].update(state="unsubscribed", consent_updated_at="2026-11-01T09:00:00Z")
    deliver("customers_email_marketing_consent/update", statement)
    assert marketing_allowed(shop.id, "ann@example.com") == (False, "no_consent")
