"""History import over real HTTP from the sandbox store: bulk operations, streamed JSONL, resumable."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import clock
from app.customers.models import Customer, Order, OrderLine, Product
from app.extensions import db
from app.history import load
from app.jobs import kinds


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def expected_orders(store_shop, days=730):
    cutoff = clock.now() - timedelta(days=days)
    return [o for o in store_shop.orders.values() if o.created_at.replace(tzinfo=None) >= cutoff]


def test_import_brings_products_customers_and_two_years_of_orders(shop, store_shop, run_import):
    job = run_import()
    assert job.data["phase"] == "done"
    orders = expected_orders(store_shop)
    assert count(Order) == len(orders) > 100
    assert count(OrderLine) == sum(len(o.line_items) for o in orders)
    assert count(Product) == len(store_shop.products)
    # Customer figures are recomputed from the imported orders and agree with the store's own.
    for sandbox_customer in list(store_shop.customers.values())[:50]:
        ours = db.session.get(Customer, (shop.id, sandbox_customer.id))
        live = [o for o in sandbox_customer.orders if o.cancelled_at is None]
        assert ours.orders_count == len(live)
        assert ours.total_spent == sum((o.total for o in live), Decimal("0"))
        assert ours.consent_state == sandbox_customer.marketing_state.lower()
        assert ours.email == (sandbox_customer.email or "").lower() or None
        # When the store created the account (the welcome email's sign-up), not when we met it.
        assert ours.platform_created_at == sandbox_customer.created_at.astimezone(UTC).replace(
            tzinfo=None, microsecond=0
        )


def test_history_days_limits_the_orders_imported(app, shop, store_shop, run_import):
    app.config["HISTORY_DAYS"] = 90
    run_import()
    assert count(Order) == len(expected_orders(store_shop, days=90)) < len(store_shop.orders)


def test_import_resumes_after_a_crash_without_redoing_committed_batches(shop, store_shop, run_import, monkeypatch):
    monkeypatch.setattr(load, "BATCH", 50)
    writes, real_write = [], load.write

    def crashing_write(shop_id, phase, roots, children):
        writes.append(phase)
        if phase == "orders" and writes.count("orders") == 4:
            raise ConnectionError("worker killed mid-import")
        real_write(shop_id, phase, roots, children)

    monkeypatch.setattr(load, "write", crashing_write)
    with pytest.raises(ConnectionError):
        run_import()
    db.session.rollback()
    assert count(Order) == 3 * 50  # three committed batches
    job = run_import()
    orders = expected_orders(store_shop)
    assert count(Order) == len(orders)
    assert job.data["phase"] == "done"
    batches = -(-len(orders) // 50)
    assert writes.count("orders") == batches + 1  # the crashed batch was redone, the committed ones were not


def test_progress_is_recorded_for_the_progress_bar(shop, sandbox, monkeypatch):
    from app import jobs
    from app.history.jobs import import_history

    monkeypatch.setattr(load, "BATCH", 100)
    job = jobs.enqueue(shop.id, kinds.IMPORT_HISTORY, unique_key="install")
    snapshots, real_write = [], load.write

    def spy(shop_id, phase, roots, children):
        snapshots.append({key: job.data.get(key) for key in ("phase", "done", "total")})
        real_write(shop_id, phase, roots, children)

    monkeypatch.setattr(load, "write", spy)
    while import_history(job) is not None:
        sandbox.wait_idle()
    orders = [s for s in snapshots if s["phase"] == "orders"]
    assert [s["done"] for s in orders] == sorted(s["done"] for s in orders) and orders[-1]["done"] > 0
    assert all(0 <= s["done"] < s["total"] for s in orders)
    assert job.data["phase"] == "done"


def test_uninstalled_shop_is_not_imported(shop, run_import):
    shop.forget_tokens()
    db.session.commit()
    run_import()
    assert count(Order) == 0
