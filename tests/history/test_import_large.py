"""A 100,000-order history through the sandbox over real HTTP, imported whole."""

import pytest
from sqlalchemy import func, select

from app.customers.models import Order
from app.extensions import db


@pytest.fixture
def scale():
    return 50.0  # the demo shop with 100,000 orders


@pytest.mark.slow
def test_import_of_a_100k_order_history(shop, store_shop, run_import):
    """The whole history arrives through a real bulk operation; speed and memory are measured by
    bench/import.py, not asserted here (a loaded CI machine must not turn a figure into a failure)."""
    job = run_import()
    assert job.data["phase"] == "done"
    assert db.session.scalar(select(func.count()).select_from(Order)) >= 95_000
