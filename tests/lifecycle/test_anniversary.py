"""Anniversary: on each anniversary of the first order, how long and how many orders, once a year."""

from datetime import datetime, timedelta

from tests.lifecycle.conftest import NOW


def test_first_order_anniversary_names_years_and_orders(shop, enable, add_customer, add_order, smtp, sends, tick):
    enable(shop, "anniversary")
    add_customer(shop, id=1, email="ann@example.com", first_name="Ann")
    first = NOW.replace(year=NOW.year - 2) + timedelta(hours=1)
    add_order(shop, 10, first, customer_id=1)
    add_order(shop, 11, first + timedelta(days=100), customer_id=1)
    add_order(shop, 12, first + timedelta(days=400), customer_id=1)
    tick(NOW)
    assert smtp.inbox.messages == []  # an hour early
    tick(NOW + timedelta(hours=1, minutes=1))
    [message] = smtp.inbox.messages
    text = message.get_body(("plain",)).get_content()
    assert "2 years together, Ann!" in text and "3 orders in all" in text
    tick(NOW + timedelta(days=1))
    assert len(smtp.inbox.messages) == 1
    next_year = NOW.replace(year=NOW.year + 1) + timedelta(hours=2)
    tick(next_year)
    assert (
        len(smtp.inbox.messages) == 2
        and "3 years together" in smtp.inbox.messages[1].get_body(("plain",)).get_content()
    )
    assert sorted(s.trigger_ref for s in sends(state="sent")) == ["anniversary:1:2", "anniversary:1:3"]


def test_a_29_february_first_order_is_celebrated_on_28_february(shop, enable, add_customer, add_order, smtp, tick):
    enable(shop, "anniversary")
    add_customer(shop, id=1, email="ann@example.com")
    add_order(shop, 10, datetime(2024, 2, 29, 10), customer_id=1)
    tick(datetime(2025, 2, 28, 12))
    [message] = smtp.inbox.messages
    assert "1 year together" in message.get_body(("plain",)).get_content()


def test_unsubscribed_customers_get_nothing(shop, enable, add_customer, add_order, smtp, tick):
    enable(shop, "anniversary")
    add_customer(shop, id=1, email="ann@example.com", consent="unsubscribed")
    add_order(shop, 10, NOW.replace(year=NOW.year - 1) - timedelta(hours=1), customer_id=1)
    tick(NOW)
    assert smtp.inbox.messages == []
