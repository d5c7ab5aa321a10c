"""Welcome: a new account that agreed to marketing and has not ordered, `delay_hours` after sign-up."""

from datetime import timedelta

from tests.lifecycle.conftest import NOW


def _new(add_customer, shop, signed_up, **fields):
    """An account the store created at `signed_up` (its `createdAt`), met by us then too unless told."""
    fields.setdefault("created_at", signed_up)
    fields.setdefault("platform_updated_at", signed_up)
    return add_customer(shop, id=1, email="ann@example.com", first_name="Ann", platform_created_at=signed_up, **fields)


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
    _new(add_customer, shop, NOW - timedelta(days=400), created_at=NOW - timedelta(hours=2))
    tick(NOW)
    assert smtp.inbox.messages == [] and sends() == []


def test_an_old_account_that_just_changed_its_profile_is_not_welcomed(shop, enable, add_customer, smtp, sends, tick):
    # Created in the store 400 days ago; its first word to us is today's profile change (customers/update).
    enable(shop, "welcome")
    _new(
        add_customer,
        shop,
        NOW - timedelta(days=400),
        created_at=NOW - timedelta(hours=2),
        platform_updated_at=NOW - timedelta(hours=2),
    )
    tick(NOW)
    assert smtp.inbox.messages == [] and sends() == []


def test_a_sign_up_we_heard_of_late_is_welcomed_an_hour_after_it_happened(
    shop, enable, add_customer, sends, tick, smtp
):
    # Signed up 3 days ago, stated to us only now (an import, or reconciliation after missed webhooks):
    # the welcome was due then, and goes now (within the 7-day catch-up).
    enable(shop, "welcome")
    _new(add_customer, shop, NOW - timedelta(days=3), created_at=NOW, platform_updated_at=NOW - timedelta(days=3))
    tick(NOW + timedelta(minutes=1))
    [send] = sends()
    assert send.state == "sent" and send.became_due_at == NOW - timedelta(days=3) + timedelta(hours=1)
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Welcome to Demo Shop, Ann"


def test_an_account_whose_creation_the_store_never_stated_is_not_welcomed(shop, enable, add_customer, sends, tick):
    enable(shop, "welcome")  # e.g. known only from a consent webhook
    add_customer(shop, id=1, email="ann@example.com", created_at=NOW - timedelta(hours=2))
    tick(NOW)
    assert sends() == []


def test_only_accounts_that_agreed(shop, enable, add_customer, smtp, sends, tick):
    enable(shop, "welcome")
    _new(add_customer, shop, NOW - timedelta(hours=2), consent="not_subscribed")
    tick(NOW)
    assert smtp.inbox.messages == []
