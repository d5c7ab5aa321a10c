"""Reconciliation heals missed webhooks from the store's API; old receipts are swept."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select, update

from app import clock, jobs
from app.customers.consent import marketing_allowed, suppress
from app.customers.models import Checkout, Customer, Order
from app.extensions import db
from app.history.jobs import reconcile
from app.jobs import kinds
from app.jobs.models import Job
from app.webhooks.jobs import sweep
from app.webhooks.models import WebhookReceipt


def test_orders_and_consent_changed_without_a_webhook_are_healed(shop, store_shop, run_import):
    run_import()
    # As rows stored before the store's createdAt was kept: reconciliation fills it in.
    db.session.execute(update(Customer).values(platform_created_at=None))
    buyer = next(c for c in store_shop.customers.values() if c.email and c.orders)
    missed = store_shop.place_order(
        buyer.id, [(next(iter(store_shop.products.values())).handle, 2)], checkout_token="cart-missed"
    )
    cancelled = store_shop.cancel_order(
        next(
            o
            for o in store_shop.orders.values()
            if o is not missed and o.cancelled_at is None and o.customer is not None
        )
    )
    store_shop.set_consent(buyer.id, "UNSUBSCRIBED")
    db.session.add(
        Checkout(
            shop_id=shop.id,
            token="cart-missed",
            email=buyer.email,
            platform_updated_at=clock.now() - timedelta(hours=1),
            items=[],
        )
    )
    db.session.commit()

    job = jobs.enqueue(shop.id, kinds.RECONCILE, unique_key="periodic")
    again = reconcile(job)

    assert again is jobs.AGAIN and kinds.RECONCILE.every == timedelta(hours=1)  # it comes back hourly
    db.session.expire_all()
    assert db.session.get(Order, (shop.id, missed.id)) is not None
    assert db.session.get(Checkout, (shop.id, "cart-missed")).order_id == missed.id
    assert db.session.get(Order, (shop.id, cancelled.id)).cancelled_at is not None
    assert db.session.get(Customer, (shop.id, buyer.id)).consent_state == "unsubscribed"
    created = buyer.created_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    assert db.session.get(Customer, (shop.id, buyer.id)).platform_created_at == created
    assert not marketing_allowed(shop.id, buyer.email)[0]
    assert job.data["since"]
    # It also keeps the receipt sweep scheduled.
    assert db.session.scalar(select(Job).where(Job.kind == "sweep_receipts")) is not None


def _reconcile(shop):
    job = jobs.enqueue(shop.id, kinds.RECONCILE, unique_key="periodic")
    reconcile(job)
    db.session.expire_all()


def test_a_checkout_whose_webhooks_were_all_missed_is_healed(shop, store_shop):
    product = next(iter(store_shop.products.values()))
    missed = store_shop.start_checkout(
        "lost-cart@example.com",
        [(product.handle, 2)],
        first_name="Lan",
        updated_at=store_shop.store.now() - timedelta(hours=25),
        notify=False,
    )
    assert db.session.get(Checkout, (shop.id, missed.token)) is None

    _reconcile(shop)

    healed = db.session.get(Checkout, (shop.id, missed.token))
    assert healed is not None, "the checkout was not healed under its token"
    assert healed.email == "lost-cart@example.com"
    assert healed.first_name == "Lan"
    assert [(item["title"], item["quantity"]) for item in healed.items] == [(product.title, 2)]
    assert healed.recovery_url and missed.token in healed.recovery_url
    assert healed.completed_at is None and healed.order_id is None
    # Its abandoned-cart delay counts from the store's own update time, not from when we healed it.
    assert abs((healed.platform_updated_at - missed.updated_at.replace(tzinfo=None)).total_seconds()) < 1


def test_a_checkout_paid_without_webhooks_is_closed(shop, store_shop):
    product = next(iter(store_shop.products.values()))
    cart = store_shop.start_checkout(
        "buyer@example.com", [(product.handle, 1)], updated_at=store_shop.store.now() - timedelta(hours=3), notify=False
    )
    _reconcile(shop)
    order = store_shop.complete_checkout(cart.token, notify=False)
    _reconcile(shop)

    closed = db.session.get(Checkout, (shop.id, cart.token))
    assert closed.completed_at is not None
    assert closed.order_id == order.id  # the order was healed too, and joined on the token


def test_a_healed_checkout_claims_no_opt_in_and_keeps_the_email_typed_at_checkout(shop, store_shop):
    product = next(iter(store_shop.products.values()))
    cart = store_shop.start_checkout(
        "account@example.com",
        [(product.handle, 1)],
        updated_at=store_shop.store.now() - timedelta(hours=5),
        notify=False,
    )
    _reconcile(shop)
    known = db.session.get(Checkout, (shop.id, cart.token))
    # What the checkout webhooks had said: an address typed at checkout, and the box ticked back then.
    known.email, known.accepts_marketing = "typed@example.com", True
    db.session.commit()
    suppress(shop.id, "typed@example.com", "unsubscribed")  # and since then the buyer unsubscribed
    db.session.commit()

    store_shop.update_checkout(cart.token, items=[(product.handle, 3)], notify=False)  # a missed update
    _reconcile(shop)

    healed = db.session.get(Checkout, (shop.id, cart.token))
    assert [item["quantity"] for item in healed.items] == [3]
    assert healed.email == "typed@example.com"
    # The API carries no tick box: the old tick is not re-dated into a fresh opt-in.
    assert healed.accepts_marketing is False
    assert not marketing_allowed(shop.id, "typed@example.com")[0]


def test_an_older_copy_from_the_api_changes_nothing(shop, store_shop):
    product = next(iter(store_shop.products.values()))
    cart = store_shop.start_checkout(
        "late@example.com", [(product.handle, 1)], updated_at=store_shop.store.now() - timedelta(hours=2), notify=False
    )
    db.session.add(
        Checkout(
            shop_id=shop.id,
            token=cart.token,
            email="late@example.com",
            items=[],
            recovery_url="https://elsewhere.example/kept",
            accepts_marketing=True,
            platform_updated_at=clock.now() + timedelta(minutes=1),
        )
    )
    db.session.commit()

    _reconcile(shop)

    kept = db.session.get(Checkout, (shop.id, cart.token))
    assert (kept.recovery_url, kept.items) == ("https://elsewhere.example/kept", [])


def test_receipts_are_kept_48_hours_then_swept(shop):
    now = datetime(2026, 11, 22, 12, 0)
    for key, age in (("w:old", 49), ("w:recent", 47)):
        db.session.add(
            WebhookReceipt(shop_id=shop.id, key=key, topic="orders/create", received_at=now - timedelta(hours=age))
        )
    db.session.commit()
    with time_machine.travel(now, tick=False):
        assert sweep(shop.id) == 1
    db.session.commit()
    assert list(db.session.scalars(select(WebhookReceipt.key))) == ["w:recent"]


def test_reconcile_stops_for_an_uninstalled_shop(shop):
    shop.forget_tokens()
    db.session.commit()
    assert reconcile(jobs.enqueue(shop.id, kinds.RECONCILE, unique_key="periodic")) is None
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
