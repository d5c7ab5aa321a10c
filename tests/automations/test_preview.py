"""Preview and test send for the settings page."""

from datetime import timedelta

from app.automations import preview
from app.extensions import db
from app.records.models import Send
from tests.automations.conftest import NOW


def test_cart_preview_uses_the_shops_latest_real_checkout(shop, add_checkout, at):
    add_checkout(
        shop,
        items=[{"title": "Blue kettle", "variant_title": None, "quantity": 1, "price": "35.00", "image_url": None}],
    )
    with at(NOW):
        subject, html, text = preview.render(shop, "abandoned_cart", "en")
    assert subject == "You left something in your cart"
    assert "Blue kettle" in html and "Blue kettle" in text and "$35.00" in text
    assert db.session.scalar(db.select(db.func.count()).select_from(Send)) == 0


def test_preview_of_a_new_shop_shows_believable_samples_in_vietnamese(shop, enable, at, change):
    change(shop, currency="VND")
    enable(shop, "winback", discount_percent=10, subject={"vi": "Chào {{ first_name }}, quay lại nhé"})
    with at(NOW):
        subject, html, text = preview.render(shop, "winback", "vi-VN")
    assert subject == "Chào Alex, quay lại nhé"
    assert "Linen shirt" in text and "Giảm 10%" in text and preview.SAMPLE_CODE in text


def test_winback_preview_for_a_chosen_customer_leaves_out_what_they_bought(
    shop, add_customer, add_order, add_product, at
):
    for id, title in ((1, "Tea"), (2, "Mug"), (3, "Kettle")):
        add_product(shop, id, title)
    add_order(shop, 900, NOW - timedelta(days=3), customer_id=700, lines=[(1, 5), (2, 3), (3, 1)])
    add_customer(shop, id=5, first_name="Chi", last_order_at=NOW - timedelta(days=200))
    add_order(shop, 100, NOW - timedelta(days=200), customer_id=5, lines=[(1, 1)])
    with at(NOW):
        _, _, text = preview.render(shop, "winback", "en", customer_id=5)
    assert "Hi Chi" in text and "- Mug" in text and "- Kettle" in text and "- Tea" not in text


def test_send_test_delivers_to_the_given_address_and_records_nothing(shop, smtp, at):
    with at(NOW):
        delivery = preview.send_test(shop, "abandoned_cart", "en", "merchant@example.com")
    assert delivery.status == "sent"
    [message] = smtp.inbox.messages
    assert message["To"] == "merchant@example.com" and "Linen shirt" in message.get_body(("plain",)).get_content()
    assert db.session.scalar(db.select(db.func.count()).select_from(Send)) == 0
