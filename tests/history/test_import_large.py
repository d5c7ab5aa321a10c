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
    elapsed = time.monotonic() - started
    assert job.data["phase"] == "done"
    assert db.session.scalar(select(func.count()).select_from(Order)) >= 95_000
    assert elapsed < 60, f"import took {elapsed:.0f}s"
