"""Loyalty: a thank-you `delay_days` after the customer's `nth_order`-th order, once."""

from datetime import timedelta

from app.customers.models import Order
from app.extensions import db
from tests.lifecycle.conftest import NOW


def _repeat_buyer(shop, add_customer, add_order, second_at, **customer):
    add_customer(shop, id=1, email="ann@example.com", first_name="Ann", **customer)
    add_order(shop, 10, second_at - timedelta(days=40), customer_id=1)
    add_order(shop, 11, second_at, customer_id=1)


def test_a_day_after_the_second_order_once(shop, enable, add_customer, add_order, smtp, sends, tick):
    enable(shop, "loyalty")
    _repeat_buyer(shop, add_customer, add_order, NOW - timedelta(hours=23))
    tick(NOW)
    assert smtp.inbox.messages == []  # not a day yet
    tick(NOW + timedelta(hours=1, minutes=1))
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Thank you for coming back, Ann"
    assert "Your second order with Demo Shop" in message.get_body(("plain",)).get_content()
    tick(NOW + timedelta(days=2))
    add_order(shop, 12, NOW + timedelta(days=3), customer_id=1)  # a third order is not the second
    tick(NOW + timedelta(days=5))
    assert len(smtp.inbox.messages) == 1
    assert [(s.trigger_ref, s.state) for s in sends()] == [("thanks:1:2", "sent")]


def test_nth_order_and_delay_are_the_merchants(shop, enable, add_customer, add_order, smtp, tick):
    enable(shop, "loyalty", nth_order=3, delay_days=0)
    _repeat_buyer(shop, add_customer, add_order, NOW - timedelta(days=3))
    add_order(shop, 12, NOW - timedelta(minutes=5), customer_id=1)
    tick(NOW)
    [message] = smtp.inbox.messages
    assert "Order number 3" in message.get_body(("plain",)).get_content()


def test_a_cancelled_order_ends_it(shop, enable, add_customer, add_order, smtp, sends, tick, change):
    from app.automations import planning

    enable(shop, "loyalty")
    _repeat_buyer(shop, add_customer, add_order, NOW - timedelta(days=1, hours=1))
    planning.plan(NOW)
    change(db.session.get(Order, (shop.id, 11)), cancelled_at=NOW - timedelta(minutes=1))
    tick(NOW)
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] == [("skipped", "order_cancelled")]


def test_only_customers_who_agreed(shop, enable, add_customer, add_order, smtp, sends, tick):
    enable(shop, "loyalty")
    _repeat_buyer(shop, add_customer, add_order, NOW - timedelta(days=1, hours=1), consent="not_subscribed")
    tick(NOW)
    assert smtp.inbox.messages == []
    assert all(s.state == "skipped" for s in sends())


def test_off_by_default_sends_nothing(shop, add_customer, add_order, smtp, sends, tick):
    _repeat_buyer(shop, add_customer, add_order, NOW - timedelta(days=1, hours=1))
    tick(NOW)
    assert smtp.inbox.messages == [] and sends() == []
