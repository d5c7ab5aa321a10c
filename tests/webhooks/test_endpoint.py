"""The endpoint's contract: signatures, errors without side effects, exactly-once, ordering."""

import json
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.customers.models import Checkout, Customer, Order, OrderLine
from app.extensions import db
from app.webhooks.models import WebhookReceipt
from tests.webhooks.conftest import drain, sign
from tests.webhooks.test_topics import checkout_body, order_body


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_bad_signature_is_401_and_stores_nothing(shop, client, sample):
    raw = json.dumps(sample("orders/create")).encode()
    for signature in ("", sign(raw, "other-secret"), sign(raw + b" ")):
        response = client.post(
            "/webhooks/shopify",
            data=raw,
            headers={
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Shop-Domain": shop.domain,
                "X-Shopify-Hmac-Sha256": signature,
                "X-Shopify-Webhook-Id": "w1",
            },
        )
        assert response.status_code == 401
    assert count(Order) == count(WebhookReceipt) == 0


@pytest.mark.parametrize(
    "topic, body, shop_domain, status, message",
    [
        ("orders/create", b"{not json", "demo-shop.myshopify.com", 400, "not JSON"),
        ("orders/create", b"[1, 2]", "demo-shop.myshopify.com", 400, "not a JSON object"),
        ("products/delete", b"{}", "demo-shop.myshopify.com", 400, "unknown topic"),
        ("", b"{}", "demo-shop.myshopify.com", 400, "unknown topic"),
        ("orders/create", b"{}", "other-shop.myshopify.com", 404, "unknown shop"),
        ("orders/create", b'{"id": "x"}', "demo-shop.myshopify.com", 400, "invalid payload"),
        ("checkouts/create", b'{"token": "t", "created_at": 5}', "demo-shop.myshopify.com", 400, "invalid payload"),
        (
            "orders/create",
            b'{"id": 1, "created_at": "9999-12-31T23:59:59-05:00"}',
            "demo-shop.myshopify.com",
            400,
            "invalid payload",
        ),
        ("orders/create", '{"id": 1}'.encode("utf-16"), "demo-shop.myshopify.com", 400, "not JSON"),
    ],
)
def test_bad_requests_are_4xx_with_a_message_and_store_nothing(
    shop, deliver, topic, body, shop_domain, status, message
):
    response = deliver(topic, body, shop=shop_domain)
    assert response.status_code == status and message in response.json["error"]
    assert count(Order) == count(WebhookReceipt) == 0


def test_body_over_5_mib_is_413(shop, deliver):
    response = deliver("orders/create", b"{" + b" " * (5 * 1024 * 1024) + b"}")
    assert response.status_code == 413 and "5 MiB" in response.json["error"]
    assert count(WebhookReceipt) == 0


def test_same_delivery_three_times_applies_once(shop, deliver, sample):
    body = order_body(sample, lines=((11, 1),))
    answers = [deliver("orders/create", body, webhook_id="same", event_id="evt").json["status"] for _ in range(3)]
    assert answers == ["accepted", "duplicate", "duplicate"]
    assert count(Order) == 1 and count(OrderLine) == 1
    assert db.session.get(Customer, (shop.id, 501)).orders_count == 1


def test_same_event_on_another_subscription_applies_once(shop, deliver, sample):
    deliver("customers/update", sample("customers/update"), webhook_id="a", event_id="evt-1")
    again = deliver("customers/update", sample("customers/update"), webhook_id="b", event_id="evt-1")
    assert again.json["status"] == "duplicate"
    assert count(WebhookReceipt) == 2  # "w:a" and "e:evt-1"; "w:b" rolled back with the duplicate


def test_accepted_deliveries_wait_in_the_inbox_until_the_worker_applies_them(app, shop, client, sample):
    """The answer comes before the work: the tick's jobs apply the inbox, then nothing is left in it."""
    from app import jobs
    from app.webhooks.models import WebhookInbox

    raw = json.dumps(order_body(sample)).encode()
    response = client.post(
        "/webhooks/shopify",
        data=raw,
        headers={
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-Hmac-Sha256": sign(raw),
            "X-Shopify-Webhook-Id": "inbox-1",
        },
    )
    assert response.json == {"status": "accepted"}
    assert count(Order) == 0 and count(WebhookInbox) == 1
    jobs.run_due()
    assert count(Order) == 1 and count(WebhookInbox) == 0


def test_identical_deliveries_at_the_same_moment_apply_once(app, shop, sample):
    """Threads with their own connections post the same delivery at once: one applies, the rest are duplicates."""
    raw = json.dumps(order_body(sample, lines=((11, 1), (12, 2)))).encode()
    headers = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": shop.domain,
        "X-Shopify-Hmac-Sha256": sign(raw),
        "X-Shopify-Webhook-Id": "twin",
        "X-Shopify-Event-Id": "twin-e",
    }
    start, answers = threading.Barrier(4), []

    def post():
        client = app.test_client()
        start.wait()
        response = client.post("/webhooks/shopify", data=raw, headers=headers)
        answers.append((response.status_code, response.json["status"]))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [(200, "accepted")] + [(200, "duplicate")] * 3
    drain()
    assert count(Order) == 1 and count(OrderLine) == 2
    assert db.session.get(Customer, (shop.id, 501)).orders_count == 1


def test_older_order_update_arriving_late_changes_nothing(shop, deliver, sample):
    newer = order_body(sample, total="80.00", updated="2026-11-03T00:00:00Z", lines=((12, 4),))
    older = order_body(sample, total="50.00", updated="2026-11-02T00:00:00Z", lines=((11, 1),))
    deliver("orders/updated", newer)
    assert deliver("orders/updated", older).status_code == 200
    db.session.expire_all()
    assert db.session.get(Order, (shop.id, 1001)).total == Decimal("80.00")
    assert [line.product_id for line in db.session.scalars(select(OrderLine))] == [12]
    assert db.session.get(Customer, (shop.id, 501)).total_spent == Decimal("80.00")


def test_order_updated_before_create_ends_the_same(shop, deliver, sample):
    """orders/updated may arrive before orders/create (shopify-app-js #603)."""
    deliver("orders/updated", order_body(sample, updated="2026-11-01T11:00:00Z", total="70.00"))
    deliver("orders/create", order_body(sample, total="50.00"))
    db.session.expire_all()
    assert db.session.get(Order, (shop.id, 1001)).total == Decimal("70.00")


@pytest.mark.parametrize("order_first", [False, True])
def test_order_closes_its_checkout_whichever_arrives_first(shop, deliver, sample, order_first):
    checkout = checkout_body(sample, token="cart-9")
    order = order_body(sample, token="cart-9")
    for topic, body in (
        [("orders/create", order), ("checkouts/update", checkout)]
        if order_first
        else [("checkouts/update", checkout), ("orders/create", order)]
    ):
        deliver(topic, body)
    db.session.expire_all()
    assert db.session.get(Checkout, (shop.id, "cart-9")).order_id == 1001


def test_day_old_checkout_snapshot_does_not_reopen_a_newer_one(shop, deliver, sample):
    deliver("checkouts/update", checkout_body(sample, updated="2026-11-02T10:00:00Z", completed="2026-11-02T10:00:00Z"))
    deliver("checkouts/update", checkout_body(sample, updated="2026-11-01T10:00:00Z"))
    db.session.expire_all()
    assert db.session.get(Checkout, (shop.id, "tok-1")).completed_at is not None


def test_every_topic_of_the_contract_is_answered_200(shop, deliver, sample):
    topics = [
        "orders/create",
        "orders/updated",
        "orders/paid",
        "orders/cancelled",
        "checkouts/create",
        "checkouts/update",
        "customers/create",
        "customers/update",
        "customers_email_marketing_consent/update",
        "customers/data_request",
        "customers/redact",
        "app/uninstalled",
        "shop/redact",
    ]
    for topic in topics:
        assert deliver(topic, sample(topic)).status_code == 200, topic


def test_compliance_topic_for_an_erased_shop_is_answered(client, app, deliver, sample):
    assert deliver("shop/redact", sample("shop/redact"), shop="gone-shop.myshopify.com").status_code == 200


def test_a_body_that_cannot_be_applied_does_not_block_the_others(shop, sample, caplog):
    from app.webhooks.inbox import apply_pending
    from app.webhooks.models import WebhookInbox

    good = json.dumps(order_body(sample, id=7))
    db.session.add_all(
        [
            WebhookInbox(shop_id=shop.id, id=1, topic="orders/create", body='{"id": "broken"}'),
            WebhookInbox(shop_id=shop.id, id=2, topic="orders/create", body=good),
        ]
    )
    db.session.commit()
    assert apply_pending(shop.id) == 2
    assert count(Order) == 1 and count(WebhookInbox) == 0
    assert "could not be applied" in caplog.text


def test_a_checkout_that_cannot_be_applied_does_not_block_the_others(shop, sample, caplog):
    from app.webhooks.inbox import apply_pending
    from app.webhooks.models import WebhookInbox

    good = json.dumps(checkout_body(sample, token="tok-good"))
    db.session.add_all(
        [
            WebhookInbox(shop_id=shop.id, id=1, topic="checkouts/create", body='{"token": "tok-bad"}'),
            WebhookInbox(shop_id=shop.id, id=2, topic="checkouts/update", body=good),
        ]
    )
    db.session.commit()
    assert apply_pending(shop.id) == 2
    assert [c.token for c in db.session.scalars(select(Checkout))] == ["tok-good"]
    assert count(WebhookInbox) == 0
    assert "could not be applied" in caplog.text


def test_one_batch_with_several_snapshots_of_a_checkout_keeps_the_newest(shop, sample):
    """A busy buyer's edits waiting in the inbox together: the newest wins whatever their order there."""
    from app.webhooks.inbox import apply_pending
    from app.webhooks.models import WebhookInbox

    newest = checkout_body(sample, updated="2026-11-01T10:00:00Z", completed="2026-11-01T10:00:00Z")
    older = checkout_body(sample, updated="2026-11-01T09:00:00Z")
    db.session.add_all(
        [
            WebhookInbox(shop_id=shop.id, id=1, topic="checkouts/update", body=json.dumps(newest)),
            WebhookInbox(shop_id=shop.id, id=2, topic="checkouts/update", body=json.dumps(older)),
        ]
    )
    db.session.commit()
    assert apply_pending(shop.id) == 2
    db.session.expire_all()
    assert db.session.get(Checkout, (shop.id, "tok-1")).completed_at is not None


def test_a_delivery_stored_while_its_job_cannot_be_queued_is_still_accepted(app, shop, client, sample, monkeypatch):
    """The body is safe in the inbox: the answer is 200, and the next delivery queues the job."""
    from sqlalchemy.exc import OperationalError

    from app import jobs
    from app.webhooks import inbox
    from app.webhooks.models import WebhookInbox

    def unavailable(*args, **kwargs):
        raise OperationalError("INSERT INTO jobs", {}, Exception("database busy"))

    monkeypatch.setattr(inbox.jobs, "enqueue", unavailable)
    monkeypatch.setattr(inbox, "_ensured", {})

    def post(webhook_id, order_id):
        raw = json.dumps(order_body(sample, id=order_id)).encode()
        return client.post(
            "/webhooks/shopify",
            data=raw,
            headers={
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Shop-Domain": shop.domain,
                "X-Shopify-Hmac-Sha256": sign(raw),
                "X-Shopify-Webhook-Id": webhook_id,
            },
        )

    first = post("queue-1", 1)
    assert (first.status_code, first.json) == (200, {"status": "accepted"})
    assert count(WebhookInbox) == 1
    monkeypatch.undo()
    monkeypatch.setattr(inbox, "_ensured", {})
    assert post("queue-1", 1).json == {"status": "duplicate"}  # Shopify's retry: it queues the job
    jobs.run_due()
    assert count(Order) == 1 and count(WebhookInbox) == 0
