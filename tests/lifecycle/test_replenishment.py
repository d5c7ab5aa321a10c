"""Replenishment: "time to restock" lead_days before a product runs out, with a one-click reorder link."""

from datetime import timedelta
from decimal import Decimal

from app.customers.models import Order, OrderLine
from app.extensions import db
from app.lifecycle import usage
from tests.lifecycle.conftest import NOW


def _order(shop, id, at, customer_id, lines):
    """An order whose lines carry variants: (product id, variant id, quantity)."""
    db.session.add(Order(shop_id=shop.id, id=id, customer_id=customer_id, placed_at=at, total=Decimal("10")))
    for position, (product_id, variant_id, quantity) in enumerate(lines):
        db.session.add(
            OrderLine(
                shop_id=shop.id,
                order_id=id,
                position=position,
                product_id=product_id,
                variant_id=variant_id,
                quantity=quantity,
            )
        )
    db.session.commit()


def _stock(shop, add_product):
    add_product(shop, 7, "Espresso blend", price="15.00")
    add_product(shop, 8, "Paper filters", price="7.00")
    add_product(shop, 9, "Teapot", price="58.00")


def test_one_email_names_every_due_product_with_a_reorder_link(
    shop, enable, add_customer, add_product, smtp, sends, tick
):
    _stock(shop, add_product)
    enable(shop, "replenishment", products={"7": 30, "8": 30})
    add_customer(shop, id=1, email="ann@example.com", first_name="Ann")
    _order(shop, 10, NOW - timedelta(days=25, hours=1), 1, [(7, 70, 2), (8, 80, 1), (9, 90, 1)])
    tick(NOW - timedelta(hours=2))
    assert smtp.inbox.messages == []  # 30 days of use, 5 days ahead: due at day 25
    tick(NOW)
    [message] = smtp.inbox.messages
    text = message.get_body(("plain",)).get_content()
    assert "Espresso blend" in text and "Paper filters" in text and "Teapot" not in text
    html = message.get_body(("html",)).get_content()
    assert "cdn.example/7.jpg" in html  # the product's picture
    [send] = sends()
    assert send.trigger_ref == "restock:10:30"
    tick(NOW + timedelta(days=3))
    assert len(smtp.inbox.messages) == 1


def test_the_reorder_link_fills_the_cart(shop, enable, add_customer, add_product, smtp, tick, client):
    from urllib.parse import urlsplit

    _stock(shop, add_product)
    enable(shop, "replenishment", products={"7": 30})
    add_customer(shop, id=1, email="ann@example.com")
    _order(shop, 10, NOW - timedelta(days=25, hours=1), 1, [(7, 70, 2)])
    tick(NOW)
    text = smtp.inbox.messages[0].get_body(("plain",)).get_content()
    link = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Reorder in one click: "))
    assert client.get(urlsplit(link).path).location == "https://demo-shop.myshopify.com/cart/70:2"


def test_buying_again_cancels_it(shop, enable, add_customer, add_product, smtp, sends, tick):
    from app.automations import planning

    _stock(shop, add_product)
    enable(shop, "replenishment", products={"7": 30})
    add_customer(shop, id=1, email="ann@example.com")
    _order(shop, 10, NOW - timedelta(days=25, hours=1), 1, [(7, 70, 1)])
    planning.plan(NOW)
    _order(shop, 11, NOW - timedelta(minutes=10), 1, [(7, 70, 1)])
    tick(NOW)
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] == [("skipped", "bought_again")]


def test_a_learned_period_is_used_and_the_merchants_zero_means_never(
    shop, enable, add_customer, add_product, smtp, tick
):
    _stock(shop, add_product)
    for customer in range(20, 25):  # five customers re-buy the blend every 20 days
        add_customer(shop, id=customer, email=f"c{customer}@example.com", consent="not_subscribed")
        _order(shop, customer * 10, NOW - timedelta(days=200), customer, [(7, 70, 1)])
        _order(shop, customer * 10 + 1, NOW - timedelta(days=180), customer, [(7, 70, 1)])
    add_customer(shop, id=1, email="ann@example.com")
    _order(shop, 10, NOW - timedelta(days=15, hours=1), 1, [(7, 70, 1)])
    usage.forget(shop.id)
    enable(shop, "replenishment", products={"7": 0})
    tick(NOW)
    assert smtp.inbox.messages == []
    enable(shop, "replenishment", products={})
    tick(NOW + timedelta(minutes=5))
    assert len(smtp.inbox.messages) == 1


def test_no_consent_no_email(shop, enable, add_customer, add_product, smtp, tick):
    _stock(shop, add_product)
    enable(shop, "replenishment", products={"7": 30})
    add_customer(shop, id=1, email="ann@example.com", consent="unsubscribed")
    _order(shop, 10, NOW - timedelta(days=25, hours=1), 1, [(7, 70, 1)])
    tick(NOW)
    assert smtp.inbox.messages == []
