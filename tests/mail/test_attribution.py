"""Orders credited to emails: by our discount code, else by a click within attribution_days."""

from datetime import datetime, timedelta
from decimal import Decimal

from app.customers.models import Order
from app.discounts.models import IssuedCode
from app.extensions import db
from app.mail.attribution import attribute_pending, results
from app.records.models import EmailEvent

NOW = datetime(2026, 3, 20, 12)


def _order(shop, order_id, placed_at, email="lan@example.com", codes=(), total="40"):
    order = Order(
        shop_id=shop.id, id=order_id, email=email, placed_at=placed_at, total=Decimal(total), discount_codes=list(codes)
    )
    db.session.add(order)
    return order


def test_orders_are_credited_by_code_then_by_a_recent_click(us_shop, make_send):
    cart = make_send(us_shop, send_id=1, automation="abandoned_cart")
    winback = make_send(us_shop, send_id=2, automation="winback")
    make_send(us_shop, "other@example.com", send_id=3, automation="winback")
    db.session.add(
        IssuedCode(
            shop_id=us_shop.id,
            code="COMEBACK-AAAA-BBBB",
            send_id=cart.id,
            percent=10,
            expires_at=NOW + timedelta(days=3),
        )
    )
    db.session.add(
        EmailEvent(shop_id=us_shop.id, send_id=winback.id, kind="click", url="https://x", at=NOW - timedelta(days=4))
    )
    by_code = _order(us_shop, 10, NOW - timedelta(days=1), codes=["comeback-aaaa-bbbb"], total="100")
    by_click = _order(us_shop, 11, NOW - timedelta(days=1), total="40")
    too_late = _order(us_shop, 12, NOW - timedelta(days=4) + timedelta(days=5, hours=1))
    stranger = _order(us_shop, 13, NOW - timedelta(days=1), email="who@example.com")
    db.session.commit()

    assert attribute_pending(us_shop.id, now=NOW + timedelta(days=1)) == 2
    assert by_code.attributed_send_id == cart.id and by_click.attributed_send_id == winback.id
    assert too_late.attributed_send_id is None and stranger.attributed_send_id is None

    figures = results(us_shop.id, since=NOW - timedelta(days=30))
    assert figures["abandoned_cart"]["orders"] == 1 and figures["abandoned_cart"]["revenue"] == Decimal("100")
    assert figures["winback"]["clicked"] == 1 and figures["winback"]["revenue"] == Decimal("40")
