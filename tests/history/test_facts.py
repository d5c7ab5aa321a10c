"""The history import and reconciliation bring the facts automations stand on: birthdays,
product type, tags and description excerpts, variants on order lines, paid and fulfilled times."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock, jobs
from app.customers.models import Customer, Order, OrderLine, Product
from app.extensions import db
from app.history.jobs import reconcile
from app.jobs import kinds


@pytest.fixture
def imported(shop, store_shop, run_import):
    run_import()
    return store_shop


def test_import_reads_every_birthday_the_store_holds(shop, imported):
    with_birthday = [c for c in imported.customers.values() if ("facts", "birth_date") in c.metafields]
    assert len(with_birthday) > 10
    for theirs in with_birthday:
        ours = db.session.get(Customer, (shop.id, theirs.id))
        assert ours.birth_date == theirs.metafields[("facts", "birth_date")].value
    without = next(c for c in imported.customers.values() if not c.metafields)
    assert db.session.get(Customer, (shop.id, without.id)).birth_date is None


def test_import_reads_product_type_tags_handle_and_a_short_description(shop, imported):
    for theirs in imported.products.values():
        ours = db.session.get(Product, (shop.id, theirs.id))
        assert (ours.product_type, ours.tags, ours.handle) == (theirs.product_type, theirs.tags, theirs.handle)
        assert ours.excerpt and "<" not in ours.excerpt and len(ours.excerpt) <= 300
        assert ours.excerpt.startswith(theirs.title)


def test_import_reads_variants_and_paid_and_fulfilled_times(shop, imported):
    order = next(o for o in imported.orders.values() if o.fulfillments and o.cancelled_at is None)
    ours = db.session.get(Order, (shop.id, order.id))
    assert ours.processed_at == ours.placed_at and ours.paid_at == ours.placed_at
    # Shopify's DateTime has whole seconds.
    assert ours.fulfilled_at == order.fulfillments[0].created_at.replace(tzinfo=None, microsecond=0)
    lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert {(li.variant_id, li.quantity) for li in lines} == {(li.variant.id, li.quantity) for li in order.line_items}


def test_reconciliation_heals_a_birthday_and_a_fulfilment_missed_by_webhooks(shop, imported):
    person = next(c for c in imported.customers.values() if not c.metafields and c.email)
    order = next(o for o in imported.orders.values() if not o.fulfillments and o.cancelled_at is None)
    imported.subscriptions.clear()  # the webhooks for these changes never reach the app
    imported.set_metafield(person, "facts", "birth_date", "1988-02-29", "date")
    imported.fulfill_order(order)

    reconcile(jobs.enqueue(shop.id, kinds.RECONCILE, unique_key="periodic"))

    db.session.expire_all()
    assert db.session.get(Customer, (shop.id, person.id)).birth_date == "1988-02-29"
    fulfilled = db.session.get(Order, (shop.id, order.id)).fulfilled_at
    assert fulfilled is not None and abs(fulfilled - clock.now()) < timedelta(minutes=1)
