"""Discount codes are created in the (sandbox) store over real HTTP, one per email."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.clock import zone
from app.discounts import FREE_SHIPPING, NotNow, create_code, create_free_shipping_code
from app.discounts.models import IssuedCode
from app.extensions import db
from app.records.models import Send
from app.shops.models import Shop

DOMAIN = "demo-shop.myshopify.com"


@pytest.fixture
def shop(install, sandbox):
    install(DOMAIN)
    return db.session.scalar(select(Shop).where(Shop.domain == DOMAIN))


@pytest.fixture
def store_shop(sandbox):
    return sandbox.shop(DOMAIN)


@pytest.fixture
def send(shop, store_shop):
    customer = next(iter(store_shop.customers.values()))
    return Send(
        shop_id=shop.id,
        id=777,
        automation="winback",
        recipient=customer.email or "x@example.com",
        customer_id=customer.id,
        trigger_ref="lapse:1",
        due_at=datetime(2026, 1, 1),
    )


def test_each_email_gets_its_own_single_use_code_for_that_customer(shop, store_shop, send):
    code, expires_at = create_code(shop, send, 15)

    assert re.fullmatch(r"COMEBACK-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    assert send.discount_code == code
    [created] = [d for d in store_shop.discount_codes if d.code == code]
    assert created.usage_limit == 1 and created.applies_once_per_customer
    assert created.customer_ids == [send.customer_id]
    assert created.percentage == pytest.approx(0.15)
    assert created.ends_at == expires_at.replace(tzinfo=UTC)
    # Through the 7th day after the email, to that day's end in the shop's time zone.
    assert timedelta(days=7) <= expires_at - datetime.now(UTC).replace(tzinfo=None) < timedelta(days=8)
    assert (expires_at + timedelta(seconds=1)).replace(tzinfo=UTC).astimezone(zone(shop.timezone)).time() == time(0)

    other = Send(
        shop_id=shop.id,
        id=778,
        automation="winback",
        recipient="b@example.com",
        customer_id=send.customer_id,
        trigger_ref="lapse:2",
        due_at=datetime(2026, 1, 1),
    )
    assert create_code(shop, other, 15)[0] != code


def test_a_deferred_send_reuses_its_code_instead_of_creating_another(shop, store_shop, send):
    code, _ = create_code(shop, send, 10)
    db.session.commit()
    before = len(store_shop.discount_codes)
    assert create_code(shop, send, 10)[0] == code
    assert len(store_shop.discount_codes) == before


def test_a_send_deferred_to_another_day_gets_a_code_that_lasts_the_week_from_then(shop, store_shop, send):
    code, expires_at = create_code(shop, send, 10)
    db.session.commit()
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2)):
        later, later_expires_at = create_code(shop, send, 10)
        assert later != code
        assert later_expires_at - expires_at == timedelta(days=2)
        assert later_expires_at >= datetime.now(UTC).replace(tzinfo=None) + timedelta(days=7)


@pytest.mark.parametrize("fault", [("discount", "user_errors"), ("graphql", "500"), ("graphql", "throttle:5")])
def test_a_refusing_or_throttling_store_means_not_now(shop, store_shop, send, fault):
    store_shop.faults[fault[0]] = fault[1]
    with pytest.raises(NotNow):
        create_code(shop, send, 10)
    assert send.discount_code is None
    assert db.session.scalars(select(IssuedCode)).all() == []
    assert store_shop.discount_codes == []


def test_free_shipping_code_is_single_use_for_that_customer_everywhere(shop, store_shop, send):
    code, expires_at = create_free_shipping_code(shop, send)

    [created] = [d for d in store_shop.discount_codes if d.code == code]
    assert created.free_shipping and created.countries == []
    assert created.usage_limit == 1 and created.applies_once_per_customer
    assert created.customer_ids == [send.customer_id]
    assert created.ends_at == expires_at.replace(tzinfo=UTC)
    issued = db.session.scalar(select(IssuedCode).where(IssuedCode.code == code))
    assert issued.percent == FREE_SHIPPING and issued.send_id == send.id
    # A retried send keeps its free-shipping code; a percentage code for it would be another thing.
    db.session.commit()
    assert create_free_shipping_code(shop, send)[0] == code
    assert create_code(shop, send, 15)[0] != code


def test_a_refused_free_shipping_code_means_not_now(shop, store_shop, send):
    store_shop.faults["discount"] = "user_errors"
    with pytest.raises(NotNow):
        create_free_shipping_code(shop, send)
    assert send.discount_code is None
