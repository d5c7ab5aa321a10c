"""Fixtures for the measures: a shop in Vietnam's time zone and orders fed through the real write path."""

from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from app.customers.orders import store_orders
from app.customers.records import OrderRecord
from app.extensions import db
from tests.settings.tokens import session_token

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7 all year


def local(y: int, m: int, d: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment given in the shop's local time, as stored (naive UTC)."""
    return datetime(y, m, d, hour, minute, tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def shop(make_shop):
    shop = make_shop()
    shop.timezone = "Asia/Ho_Chi_Minh"
    db.session.commit()
    return shop


@pytest.fixture
def auth(shop):
    return lambda: {"Authorization": f"Bearer {session_token(shop.domain)}"}


@pytest.fixture
def order(shop):
    """`order(customer_id, placed_at, total, **fields)` stores one order as a webhook would."""
    ids = count(1000)

    def add(customer_id, placed_at, total="10.00", *, order_id=None, target=None, **fields) -> OrderRecord:
        record = OrderRecord(
            id=order_id or next(ids),
            updated_at=fields.pop("updated_at", placed_at),
            placed_at=placed_at,
            customer_id=customer_id,
            email=f"c{customer_id}@example.com" if customer_id else "guest@example.com",
            total=Decimal(total),
            **fields,
        )
        store_orders((target or shop).id, [record])
        db.session.commit()
        return record

    return add
