"""Repeat purchase: days 7, 14 and 28 after a first order; a newer order ends the journey."""

from datetime import timedelta

from tests.lifecycle.conftest import NOW


def _catalogue(shop, add_product):
    add_product(shop, 1, "Arabica beans", product_type="Coffee", tags=["beans"], excerpt="Keep it sealed and cool.")
    add_product(shop, 2, "Robusta beans", product_type="Coffee", tags=["beans"])
    add_product(shop, 3, "Paper filters", product_type="Brewing", tags=["beans"])
    add_product(shop, 4, "Teapot", product_type="Ceramics")
    add_product(shop, 5, "Green tea", product_type="Tea")


def test_the_three_emails_at_their_days(shop, enable, add_customer, add_order, add_product, smtp, sends, tick):
    enable(shop, "repeat_purchase", discount_percent=0)
    _catalogue(shop, add_product)
    add_customer(shop, id=1, email="ann@example.com", first_name="Ann")
    placed = NOW - timedelta(days=7, hours=1)
    add_order(shop, 10, placed, customer_id=1, lines=[(1, 1)])
    add_order(shop, 99, NOW - timedelta(days=3), customer_id=9, lines=[(5, 9), (4, 5)])  # someone else's

    tick(NOW)
    [check_in] = smtp.inbox.messages
    assert check_in["Subject"] == "How are you getting on, Ann?"
    body = check_in.get_body(("plain",)).get_content()
    assert "Arabica beans" in body and "Keep it sealed and cool." in body

    tick(placed + timedelta(days=14, minutes=1))
    picked = smtp.inbox.messages[1].get_body(("plain",)).get_content()
    shown = [
        title for title in ("Arabica", "Robusta", "Paper filters", "Green tea", "Teapot") if f"- {title}" in picked
    ]
    # Same type and tag first, then sharing a tag, then bestsellers; never what she owns.
    assert shown == ["Robusta", "Paper filters", "Green tea", "Teapot"]

    tick(placed + timedelta(days=28, minutes=1))
    assert smtp.inbox.messages[2]["Subject"] == "A little gift to come back to Demo Shop"
    tick(placed + timedelta(days=40))
    assert [s.trigger_ref for s in sends(state="sent")] == ["check_in:10", "picked:10", "gift:10"]
    assert len(smtp.inbox.messages) == 3


def test_a_new_order_ends_the_journey_of_the_first(
    shop, enable, add_customer, add_order, add_product, smtp, sends, tick
):
    enable(shop, "repeat_purchase", discount_percent=0)
    _catalogue(shop, add_product)
    add_customer(shop, id=1, email="ann@example.com")
    placed = NOW - timedelta(days=7, hours=1)
    add_order(shop, 10, placed, customer_id=1, lines=[(1, 1)])
    tick(NOW)
    add_order(shop, 11, NOW + timedelta(days=2), customer_id=1, lines=[(2, 1)])  # not a first order
    tick(placed + timedelta(days=14, minutes=1))
    assert len(smtp.inbox.messages) == 1
    assert ("skipped", "ordered") in [(s.state, s.reason) for s in sends()]
    tick(placed + timedelta(days=29))
    assert len(smtp.inbox.messages) == 1


def test_caught_up_steps_send_only_the_latest(shop, enable, add_customer, add_order, add_product, smtp, sends, tick):
    enable(shop, "repeat_purchase", discount_percent=0, days=[1, 2, 3])
    _catalogue(shop, add_product)
    add_customer(shop, id=1, email="ann@example.com")
    add_order(shop, 10, NOW - timedelta(days=3, hours=1), customer_id=1, lines=[(1, 1)])
    tick(NOW)
    assert len(smtp.inbox.messages) == 1 and "gift" in smtp.inbox.messages[0]["Subject"]
    assert sorted((s.trigger_ref, s.state) for s in sends()) == [
        ("check_in:10", "skipped"),
        ("gift:10", "sent"),
        ("picked:10", "skipped"),
    ]


def test_only_first_orders_by_default(shop, enable, add_customer, add_order, add_product, smtp, tick):
    enable(shop, "repeat_purchase", discount_percent=0)
    _catalogue(shop, add_product)
    add_customer(shop, id=1, email="ann@example.com")
    add_order(shop, 9, NOW - timedelta(days=300), customer_id=1, lines=[(4, 1)])
    add_order(shop, 10, NOW - timedelta(days=7, hours=1), customer_id=1, lines=[(1, 1)])
    tick(NOW)
    assert smtp.inbox.messages == []


def test_no_consent_ends_the_journey(shop, enable, add_customer, add_order, add_product, smtp, tick):
    enable(shop, "repeat_purchase", discount_percent=0)
    _catalogue(shop, add_product)
    add_customer(shop, id=1, email="ann@example.com", consent="unsubscribed")
    add_order(shop, 10, NOW - timedelta(days=7, hours=1), customer_id=1, lines=[(1, 1)])
    tick(NOW)
    tick(NOW + timedelta(days=22))
    assert smtp.inbox.messages == []
