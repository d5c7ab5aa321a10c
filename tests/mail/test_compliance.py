"""Market profiles: Decree 91 in Vietnam, CAN-SPAM in the US, EU rules, a default."""

from datetime import time

import pytest

from app import jobs
from app.customers.consent import marketing_allowed
from app.extensions import db
from app.mail import tokens
from app.mail.compliance import rules
from app.mail.compose import compose
from tests.mail.conftest import cart_context


@pytest.mark.parametrize(
    "country, profile", [("VN", "vn"), ("US", "us"), ("DE", "eu"), ("GB", "eu"), ("JP", "default"), (None, "default")]
)
def test_the_profile_follows_the_shops_country(make_shop, country, profile):
    assert rules(make_shop(country_code=country)).name == profile


def test_the_merchant_can_choose_another_profile(make_shop):
    shop = make_shop(country_code="US")
    shop.settings = {"compliance_profile": "vn"}
    assert rules(shop).name == "vn"


def test_decree_91(vn_shop, make_send, smtp, client):
    decree = rules(vn_shop)
    assert decree.send_window == (time(7), time(22)) and decree.daily_limit == 3
    message = compose(
        vn_shop,
        make_send(vn_shop),
        template="abandoned_cart",
        context=cart_context("VND"),
        subject={"en": "Your cart", "vi": "Giỏ hàng của bạn"},
    )
    assert message["Subject"] == "[QC] Giỏ hàng của bạn"
    assert "12 Lý Tự Trọng" in message.get_body(("plain",)).get_content()

    # After an opt-out, one confirmation email (not marketing: no prefix, no unsubscribe header).
    token = tokens.unsubscribe(vn_shop, None, "lan@example.com", "vi")
    client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    jobs.run_due()
    db.session.remove()
    [confirmation] = smtp.inbox.to("lan@example.com")
    assert confirmation["Subject"] == "Bạn đã hủy đăng ký nhận email từ Tiệm Nhà Mây"
    assert confirmation["List-Unsubscribe"] is None
    assert "lan@example.com sẽ không nhận thêm email quảng cáo" in confirmation.get_body(("plain",)).get_content()


def test_no_confirmation_email_outside_vietnam(us_shop, smtp, client):
    answer = client.post(
        f"/u/{tokens.unsubscribe(us_shop, None, 'lan@example.com', 'en')}", data={"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200
    assert marketing_allowed(us_shop.id, "lan@example.com") == (False, "unsubscribed")  # it did unsubscribe
    jobs.run_due()
    assert smtp.inbox.messages == []
