"""Win-back: one email per lapse, showing bestsellers the customer has not bought."""

from datetime import timedelta

from app.automations.engine import run_once
from tests.automations.conftest import NOW


def stock_shop(shop, add_product, add_order, now=NOW, products=True):
    """Five products; recent orders by others make 1 > 2 > 3 > 4 > 5 the bestsellers."""
    for id, title in enumerate(("Tea", "Mug", "Kettle", "Tray", "Spoon"), start=1):
        if products:
            add_product(shop, id, title)
    for id, quantity in ((1, 9), (2, 7), (3, 5), (4, 3), (5, 1)):
        add_order(shop, int(now.timestamp()) + id, now - timedelta(days=10), customer_id=700, lines=[(id, quantity)])


def test_lapsed_customer_gets_bestsellers_minus_what_they_bought(
    shop, enable, add_customer, add_order, add_product, smtp, sends, at
):
    enable(shop, "winback")
    stock_shop(shop, add_product, add_order)
    last = NOW - timedelta(days=180, hours=1)
    add_customer(shop, id=1, email="bob@example.com", last_order_at=last)
    add_order(shop, 100, last, customer_id=1, lines=[(1, 1)])  # Bob already has the Tea
    with at(NOW):
        counts = run_once(NOW)
        assert counts.get("sent") == 1, (counts, [(s.state, s.reason, s.last_error) for s in sends()])
        run_once(NOW + timedelta(hours=1))
    [message] = smtp.inbox.messages
    assert message["Subject"] == "It's been a while: here are our bestsellers"
    text = message.get_body(("plain",)).get_content()
    shown = [title for title in ("Tea", "Mug", "Kettle", "Tray", "Spoon") if f"- {title}" in text]
    assert shown == ["Mug", "Kettle", "Tray", "Spoon"]
    [send] = sends()
    assert send.trigger_ref == "lapse:100" and send.state == "sent"


def test_one_email_per_lapse_and_a_new_lapse_after_a_new_order(
    shop, enable, add_customer, add_order, add_product, smtp, sends, at, change
):
    enable(shop, "winback", after_days=90)
    stock_shop(shop, add_product, add_order)
    first = NOW - timedelta(days=90, minutes=30)
    customer = add_customer(shop, id=1, last_order_at=first)
    add_order(shop, 100, first, customer_id=1)
    with at(NOW):
        run_once(NOW)
    # Bob comes back, buys, and lapses again 90 days later.
    again = NOW + timedelta(days=1)
    add_order(shop, 101, again, customer_id=1)
    change(customer, last_order_at=again)
    later = again + timedelta(days=90, minutes=1)
    stock_shop(shop, add_product, add_order, now=later, products=False)
    with at(later):
        run_once(later)
    assert [s.trigger_ref for s in sends(state="sent")] == ["lapse:100", "lapse:101"]
    assert len(smtp.inbox.messages) == 2


def test_an_order_since_planning_skips_the_email(shop, enable, add_customer, add_order, add_product, smtp, sends, at):
    from app.automations import planning

    enable(shop, "winback")
    stock_shop(shop, add_product, add_order)
    last = NOW - timedelta(days=181)
    add_customer(shop, id=1, last_order_at=last)
    add_order(shop, 100, last, customer_id=1)
    with at(NOW):
        planning.plan(NOW)
        add_order(shop, 101, NOW - timedelta(minutes=1), customer_id=1)
        run_once(NOW)
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] == [("skipped", "ordered")]


def test_fewer_than_two_bestsellers_left_skips_with_a_reason(
    shop, enable, add_customer, add_order, add_product, smtp, sends, at
):
    enable(shop, "winback")
    add_product(shop, 1, "Tea")
    add_product(shop, 2, "Mug")
    add_order(shop, 901, NOW - timedelta(days=5), customer_id=700, lines=[(1, 3), (2, 1)])
    last = NOW - timedelta(days=181)
    add_customer(shop, id=1, last_order_at=last)
    add_order(shop, 100, last, customer_id=1, lines=[(2, 1)])
    with at(NOW):
        run_once(NOW)
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] == [("skipped", "no_products")]


def test_unsubscribed_customers_and_vietnamese_language(
    shop, enable, add_customer, add_order, add_product, smtp, sends, at
):
    enable(shop, "winback")
    stock_shop(shop, add_product, add_order)
    last = NOW - timedelta(days=181)
    add_customer(shop, id=1, email="vi@example.com", locale="vi", last_order_at=last)
    add_customer(shop, id=2, email="out@example.com", consent="unsubscribed", last_order_at=last)
    add_order(shop, 100, last, customer_id=1)
    add_order(shop, 101, last, customer_id=2)
    with at(NOW):
        run_once(NOW)
    [message] = smtp.inbox.messages
    assert message["To"] == "vi@example.com"
    assert message["Subject"] == "Đã lâu không gặp: sản phẩm bán chạy dành cho bạn"
    assert {s.recipient: s.reason for s in sends(state="skipped")} == {"out@example.com": "no_consent"}


def test_a_lapse_that_becomes_known_late_is_planned_within_the_catch_up(
    shop, enable, add_customer, add_order, add_product, smtp, sends, at
):
    """Was: a lapse due 2 days before the history import brought it was never planned (the window
    had moved past it)."""
    enable(shop, "winback")
    stock_shop(shop, add_product, add_order)
    with at(NOW - timedelta(hours=1)):
        run_once(NOW - timedelta(hours=1))  # planning ran up to here, nothing was due
    last = NOW - timedelta(days=182)  # due two days ago; the import brings it only now
    add_customer(shop, id=1, email="bob@example.com", last_order_at=last)
    add_order(shop, 100, last, customer_id=1)
    with at(NOW):
        assert run_once(NOW).get("sent") == 1
    [send] = sends()
    assert (send.trigger_ref, send.became_due_at) == ("lapse:100", NOW - timedelta(days=2))
