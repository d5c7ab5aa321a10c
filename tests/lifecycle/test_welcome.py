"""Welcome: a new account that agreed to marketing and has not ordered, `delay_hours` after sign-up."""

from datetime import timedelta

from tests.lifecycle.conftest import NOW


def _new(add_customer, shop, created_at, **fields):
    fields.setdefault("platform_updated_at", created_at)
    return add_customer(shop, id=1, email="ann@example.com", first_name="Ann", created_at=created_at, **fields)


def test_an_hour_after_sign_up_with_the_birthday_link(shop, enable, add_customer, smtp, sends, tick):
    enable(shop, "welcome")
    _new(add_customer, shop, NOW - timedelta(minutes=30))
    tick(NOW)
    assert smtp.inbox.messages == []
    tick(NOW + timedelta(minutes=31))
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Welcome to Demo Shop, Ann"
    text = message.get_body(("plain",)).get_content()
    assert "/b/" in text
    tick(NOW + timedelta(days=1))
    assert len(smtp.inbox.messages) == 1 and [s.trigger_ref for s in sends()] == ["welcome:1"]


def test_an_order_before_the_welcome_ends_it(shop, enable, add_customer, add_order, smtp, sends, tick):
    from app.automations import planning

    enable(shop, "welcome", delay_hours=2)
    _new(add_customer, shop, NOW - timedelta(hours=3))
    planning.plan(NOW)
    add_order(shop, 10, NOW - timedelta(minutes=5), customer_id=1)
    tick(NOW)
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] == [("skipped", "ordered")]


def test_old_accounts_met_at_the_import_are_not_welcomed(shop, enable, add_customer, smtp, sends, tick):
    enable(shop, "welcome")
    _new(add_customer, shop, NOW - timedelta(hours=2), platform_updated_at=NOW - timedelta(days=400))
    tick(NOW)
    assert smtp.inbox.messages == [] and sends() == []


def test_only_accounts_that_agreed(shop, enable, add_customer, smtp, sends, tick):
    enable(shop, "welcome")
    _new(add_customer, shop, NOW - timedelta(hours=2), consent="not_subscribed")
    tick(NOW)
    assert smtp.inbox.messages == []
