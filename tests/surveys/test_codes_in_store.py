"""Follow-up codes made in the (sandbox) store over real HTTP: free shipping for "shipping",
discount_percent + 5 for "price". Real clock, quiet hours off (the store's own clock is real)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.answers import store
from app.automations.engine import run_once
from app.extensions import db
from app.shops.models import Shop

SHOP = "demo-shop.myshopify.com"


@pytest.fixture
def asked(install, sandbox, change, enable, add_customer, add_order, sends, smtp):
    install(SHOP)
    shop = change(
        db.session.scalar(select(Shop).where(Shop.domain == SHOP)), settings={"quiet_hours": {"enabled": False}}
    )
    customer = next(c for c in sandbox.shop(SHOP).customers.values() if c.email)
    enable(shop, "we_miss_you", discount_percent=15)
    now = clock.now()
    add_customer(shop, id=customer.id, email="lapsed@example.com", last_order_at=now - timedelta(days=75, hours=1))
    add_order(shop, 1, now - timedelta(days=75, hours=1), customer_id=customer.id)
    run_once(now)
    [ask] = sends(automation="we_miss_you")
    assert ask.state == "sent" and ask.discount_code
    return shop, ask


@pytest.mark.parametrize("answer, kind", [("shipping", "free_shipping"), ("price", 0.20)])
def test_follow_up_codes(asked, answer, kind, sandbox, sends, smtp):
    shop, ask = asked
    store.record(shop.id, ask.id, ask.customer_id, "reason", answer)
    db.session.commit()
    run_once(clock.now() + timedelta(seconds=1))
    [follow_up] = [s for s in sends() if s.trigger_ref.startswith(f"{answer}:")]
    assert follow_up.state == "sent"
    [made] = [d for d in sandbox.shop(SHOP).discount_codes if d.code == follow_up.discount_code]
    assert made.customer_ids == [ask.customer_id] and made.usage_limit == 1
    if kind == "free_shipping":
        assert made.free_shipping
    else:
        assert made.percentage == pytest.approx(kind)
    text = smtp.inbox.to("lapsed@example.com")[-1].get_body(("plain",)).get_content()
    assert follow_up.discount_code in text
    assert ("Free shipping" in text) == (kind == "free_shipping")
