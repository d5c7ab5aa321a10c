"""The retention tab in Chromium: opens beside the automations, changes period, reads on a phone."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app import clock
from app.customers.orders import store_orders
from app.customers.records import OrderRecord
from app.extensions import db
from tests.settings.tokens import session_token

pytestmark = pytest.mark.browser


def test_retention_tab_period_and_phone(make_shop, page, live_app, shot):
    shop = make_shop()
    now = clock.now()
    for i, (customer, days_ago, total) in enumerate(((1, 200, "20.00"), (1, 10, "30.00"), (2, 5, "50.00"))):
        placed = now - timedelta(days=days_ago)
        record = OrderRecord(
            id=i + 1,
            updated_at=placed,
            placed_at=placed,
            customer_id=customer,
            email=f"c{customer}@example.com",
            total=Decimal(total),
        )
        store_orders(shop.id, [record])
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    token = session_token(shop.domain, lifetime=600)
    page.goto(f"{live_app}/app?shop={shop.domain}&host=c2FuZGJveA&locale=en&id_token={token}")
    page.get_by_role("button", name="Retention").click()
    revenue = page.locator('[data-figure="revenue"] .stat__value')
    expect(revenue).to_have_text("$80.00")
    expect(page.locator('[data-automation="abandoned_cart"]')).to_be_visible()
    assert page.locator("#retention svg").count() == 2
    # No sideways scrolling on a phone: the content fits the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "retention-phone")
    page.get_by_role("button", name="Last 365 days").click()
    expect(revenue).to_have_text("$100.00")
    # A reversed custom period: the message, and the figures stay.
    page.locator("#period-from").fill("2026-11-01")
    page.locator("#period-to").fill("2026-10-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-period-error]")).to_have_text("The period ends before it starts.")
    expect(revenue).to_have_text("$100.00")
