"""A 100,000-order history through the sandbox over real HTTP, in bounded time and memory."""
import time

import pytest
from sqlalchemy import func, select

from app.customers.models import Order
from app.extensions import db


@pytest.fixture
def scale():
    return 50.0  # the demo shop with 100,000 orders


@pytest.mark.slow
def test_import_of_a_100k_order_history(shop, store_shop, run_import):
    started = time.monotonic()
    job = run_import()
    ours = time.monotonic() - started - run_import.store_seconds
    assert job.data["phase"] == "done"
    assert db.session.scalar(select(func.count()).select_from(Order)) >= 95_000
    # The store's own time to build its export is not ours. Measured here: ~25 s on SQLite, ~65 s on
    # PostgreSQL, where psycopg's per-row work dominates (the in-process store also competes for the GIL).
    limit = 60 if db.engine.dialect.name == "sqlite" else 90
    assert ours < limit, f"import took {ours:.0f}s besides waiting for the store"
