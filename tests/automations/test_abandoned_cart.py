"""Abandoned cart, end to end: checkout rows in, a real SMTP server out."""

from datetime import timedelta

from app.automations.engine import run_once
from app.customers.models import Checkout
from app.extensions import db
from tests.automations.conftest import NOW


def test_one_email_per_checkout_with_its_items_and_recovery_link(shop, enable, add_checkout, smtp, sends, at):
    enable(shop, "abandoned_cart")
    add_checkout(shop, updated_at=NOW - timedelta(hours=23))
    with at(NOW):
        assert run_once(NOW).get("sent") is None  # 23 hours: not yet
    with at(NOW + timedelta(hours=1, minutes=1)):
        assert run_once(NOW + timedelta(hours=1, minutes=1))["sent"] == 1
        run_once(NOW + timedelta(hours=2))
        run_once(NOW + timedelta(days=2))
    [message] = smtp.inbox.messages
    assert message["To"] == "ann@example.com"
    assert message["Subject"] == "You left something in your cart"
    text = message.get_body(("plain",)).get_content()
    assert "Linen shirt (M)" in text and "$49.00" in text and "$98.00" in text
    html = message.get_body(("html",)).get_content()
    assert "https://cdn.example/shirt.jpg" in html
    # The recovery link goes through the click redirect, signed for the checkout's own URL.
    assert "/t/" in text
    [send] = sends()
    assert (send.state, send.trigger_ref) == ("sent", "checkout:tok1")
    assert send.sent_at == NOW + timedelta(hours=1, minutes=1)


def test_an_order_before_the_send_cancels_it(shop, enable, add_checkout, add_order, smtp, sends, at):
    enable(shop, "abandoned_cart")
    add_checkout(shop, token="tok1", email="ann@example.com")
    add_checkout(shop, token="tok2", email="cat@example.com")
    add_checkout(shop, token="tok3", email="dan@example.com")
    with at(NOW):
        # Planned while the plan is built, then ordered before the claim: re-checked at send time.
        from app.automations import planning

        planning.plan(NOW)
        add_order(shop, 500, NOW - timedelta(minutes=5), checkout_token="tok1")
        db.session.get(Checkout, (shop.id, "tok2")).completed_at = NOW
        db.session.commit()
        run_once(NOW)
    assert [m["To"] for m in smtp.inbox.messages] == ["dan@example.com"]
    states = {s.trigger_ref: (s.state, s.reason) for s in sends()}
    assert states == {
        "checkout:tok1": ("skipped", "ordered"),
        "checkout:tok2": ("skipped", "ordered"),
        "checkout:tok3": ("sent", None),
    }


def test_checkouts_without_email_or_already_ordered_are_never_planned(
    shop, enable, add_checkout, add_order, smtp, sends, at
):
    enable(shop, "abandoned_cart")
    add_checkout(shop, token="noemail", email=None)
    add_checkout(shop, token="done", order_id=77)
    add_checkout(shop, token="joined")
    add_order(shop, 78, NOW - timedelta(hours=20), checkout_token="joined")
    with at(NOW):
        run_once(NOW)
    assert sends() == [] and smtp.inbox.messages == []


def test_consent_comes_from_the_checkout_box_or_the_customer(shop, enable, add_checkout, add_customer, smtp, sends, at):
    enable(shop, "abandoned_cart")
    add_checkout(shop, token="ticked", email="ann@example.com", accepts_marketing=True)
    add_checkout(shop, token="unticked", email="eve@example.com", accepts_marketing=False)
    add_customer(shop, id=9, email="sub@example.com", consent="subscribed")
    add_checkout(shop, token="subscriber", email="sub@example.com", accepts_marketing=False, customer_id=9)
    with at(NOW):
        run_once(NOW)
    assert sorted(m["To"] for m in smtp.inbox.messages) == ["ann@example.com", "sub@example.com"]
    assert {s.trigger_ref: s.reason for s in sends(state="skipped")} == {"checkout:unticked": "no_consent"}


def test_language_follows_the_checkout_then_the_shop(shop, enable, add_checkout, smtp, at):
    enable(shop, "abandoned_cart")
    add_checkout(shop, token="vi", email="vi@example.com", locale="vi-VN")
    add_checkout(shop, token="en", email="en@example.com")
    with at(NOW):
        run_once(NOW)
    assert smtp.inbox.to("vi@example.com")[0]["Subject"] == "Bạn còn sản phẩm trong giỏ hàng"
    assert smtp.inbox.to("en@example.com")[0]["Subject"] == "You left something in your cart"


def test_a_changed_cart_waits_for_its_own_delay(shop, enable, add_checkout, smtp, sends, at):
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    with at(NOW):
        from app.automations import planning

        planning.plan(NOW)
        db.session.get(Checkout, (shop.id, "tok1")).platform_updated_at = NOW - timedelta(hours=1)
        db.session.commit()
        run_once(NOW)
    [send] = sends()
    assert (send.state, send.reason, send.due_at) == ("planned", "cart_changed", NOW + timedelta(hours=23))
    with at(NOW + timedelta(hours=23)):
        run_once(NOW + timedelta(hours=23))
    assert len(smtp.inbox.messages) == 1


def test_second_reminder_follows_a_sent_first_email(shop, enable, add_checkout, smtp, sends, at):
    enable(shop, "abandoned_cart", reminder_enabled=True, reminder_delay_hours=48)
    add_checkout(shop, token="tok1", email="ann@example.com")
    add_checkout(shop, token="tok2", email="eve@example.com", accepts_marketing=False)
    for hours in (0, 12, 24, 36):
        moment = NOW + timedelta(hours=hours)
        with at(moment):
            run_once(moment)
    subjects = [m["Subject"] for m in smtp.inbox.to("ann@example.com")]
    assert subjects == ["You left something in your cart", "Your cart is still waiting"]
    assert smtp.inbox.to("eve@example.com") == []
    states = {s.trigger_ref: (s.state, s.reason) for s in sends()}
    assert states["reminder:tok1"] == ("sent", None)
    assert states["reminder:tok2"] == ("skipped", "first_not_sent")


def test_a_reminder_waits_while_the_first_email_is_deferred(shop, enable, add_checkout, smtp, sends, at):
    from app.records.models import Send

    enable(shop, "abandoned_cart", reminder_enabled=True, reminder_delay_hours=48)
    for number, days in enumerate((6, 1)):  # two emails this week already: the cap is reached
        db.session.add(
            Send(
                shop_id=shop.id,
                automation="winback",
                recipient="ann@example.com",
                trigger_ref=f"old:{number}",
                due_at=NOW - timedelta(days=days),
                state="sent",
                sent_at=NOW - timedelta(days=days),
            )
        )
    db.session.commit()
    add_checkout(shop, updated_at=NOW - timedelta(hours=49))
    with at(NOW):
        run_once(NOW)
    states = {s.trigger_ref: (s.state, s.reason, s.due_at) for s in sends(automation="abandoned_cart")}
    assert states == {
        "checkout:tok1": ("planned", "frequency_cap", NOW + timedelta(days=1)),
        "reminder:tok1": ("planned", "waiting_first", NOW + timedelta(hours=1)),
    }
    assert smtp.inbox.messages == []


def test_items_without_a_picture_show_the_product_cache_picture(shop, enable, add_checkout, add_product, smtp, at):
    """Checkout payloads carry no images; the product learnt at import has one."""
    enable(shop, "abandoned_cart")
    add_product(shop, 7, "Tea")  # pictured at https://cdn.example/7.jpg
    add_checkout(
        shop,
        items=[
            {
                "product_id": 7,
                "variant_id": 70,
                "title": "Tea",
                "variant_title": None,
                "quantity": 1,
                "price": "20.00",
                "image_url": None,
            },
            {
                "product_id": None,
                "variant_id": None,
                "title": "Gift card",
                "variant_title": None,
                "quantity": 1,
                "price": "10.00",
                "image_url": None,
            },
        ],
    )
    with at(NOW):
        counts = run_once(NOW)
    assert counts.get("sent") == 1, counts
    html = smtp.inbox.messages[0].get_body(("html",)).get_content()
    assert "https://cdn.example/7.jpg" in html and "Gift card" in html
