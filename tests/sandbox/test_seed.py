"""Seed data: two believable shops, deterministic, relative to "now", and big on demand."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from sandbox import create_sandbox
from tests.sandbox.helpers import API_KEY, API_SECRET, DEMO

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def build(**kw):
    return create_sandbox(API_KEY, API_SECRET, "http://127.0.0.1:5000", now=lambda: NOW, **kw).extensions["sandbox"]


def test_two_markets():
    store = build()
    demo, viet = store.shop(DEMO), store.shop("cua-hang-viet.myshopify.com")
    assert (demo.currency, demo.timezone, demo.locale, demo.address.country_code) == (
        "USD",
        "America/New_York",
        "en",
        "US",
    )
    assert (viet.currency, viet.timezone, viet.locale, viet.address.country_code) == (
        "VND",
        "Asia/Ho_Chi_Minh",
        "vi",
        "VN",
    )
    assert any("Cà phê" in p.title for p in viet.products.values())
    for shop in (demo, viet):
        assert 20 <= len(shop.products) <= 30 and 1000 <= len(shop.orders) <= 2200
        assert {p.status for p in shop.products.values()} == {"ACTIVE", "DRAFT", "ARCHIVED"}
        assert any(p.total_inventory == 0 for p in shop.products.values())


def test_customers_are_a_realistic_mix():
    shop = build().shop(DEMO)
    states = Counter(c.marketing_state for c in shop.customers.values())
    assert {"SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED"} <= set(states)
    assert {"en", "vi"} <= {c.locale for c in shop.customers.values()}
    orders_per_customer = Counter(min(len(c.orders), 2) for c in shop.customers.values())
    assert orders_per_customer[0] and orders_per_customer[1] and orders_per_customer[2]
    lapsed = [
        c
        for c in shop.customers.values()
        if len(c.orders) >= 2 and NOW - max(o.created_at for o in c.orders) > timedelta(days=180)
    ]
    assert len(lapsed) >= 10


def test_history_is_two_years_before_now():
    shop = build().shop(DEMO)
    created = [o.created_at for o in shop.orders.values()]
    assert NOW - timedelta(days=731) <= min(created) and max(created) < NOW
    by_month = Counter(d.month for d in created)
    assert by_month[12] > by_month[8]  # the holidays sell
    assert all(o.customer is None or o in o.customer.orders for o in shop.orders.values())


def test_same_seed_same_store():
    first, second = build(seed=3).shop(DEMO), build(seed=3).shop(DEMO)
    assert [c.email for c in first.customers.values()] == [c.email for c in second.customers.values()]
    assert [(o.created_at, o.total) for o in first.orders.values()] == [
        (o.created_at, o.total) for o in second.orders.values()
    ]
    assert [c.email for c in build(seed=4).shop(DEMO).customers.values()] != [c.email for c in first.customers.values()]


@pytest.mark.slow
def test_scale_builds_a_hundred_thousand_orders():
    """How fast is measured by bench/import.py (it builds this store), not asserted here."""
    shop = build(scale=50).shop(DEMO)
    assert 95_000 <= len(shop.orders) <= 105_000


def test_pictures_are_served_as_svg(client, shop):
    handle = next(iter(shop.products.values())).handle
    r = client.get(f"/static/img/{handle}.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and r.data.startswith(b"<svg")
