"""Discount codes made in the (sandbox) store over real HTTP, just before each email."""

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.automations.engine import run_once
from app.extensions import db
from app.shops.models import Shop

SHOP = "demo-shop.myshopify.com"


def installed(install, change):
    install(SHOP)
    shop = db.session.scalar(select(Shop).where(Shop.domain == SHOP))
    # These tests run on the real clock, whatever hour it is.
    return change(shop, settings={"quiet_hours": {"enabled": False}})


def test_each_email_carries_its_own_single_use_code(install, sandbox, change, enable, add_checkout, smtp, sends):
    shop = installed(install, change)
    enable(shop, "abandoned_cart", discount_percent=15)
    now = clock.now()
    for token in ("a", "b"):
        add_checkout(shop, token=token, email=f"{token}@example.com", updated_at=now - timedelta(hours=25))
    assert run_once(now)["sent"] == 2
    in_store = {code.code: discount for discount in sandbox.shop(SHOP).discount_codes for code in discount.codes}
    codes = {send.recipient: send.discount_code for send in sends()}
    assert len(set(codes.values())) == 2
    for recipient, code in codes.items():
        [message] = smtp.inbox.to(recipient)
        assert code in message.get_body(("plain",)).get_content()
        assert in_store[code].usage_limit == 1 and in_store[code].percentage == 0.15


def test_a_refused_discount_defers_the_email_which_never_goes_without_its_code(
    install, sandbox, change, enable, add_checkout, smtp, sends
):
    shop = installed(install, change)
    enable(shop, "abandoned_cart", discount_percent=10)
    now = clock.now()
    add_checkout(shop, updated_at=now - timedelta(hours=25))
    sandbox.shop(SHOP).faults["discount"] = "invalid:1"
    run_once(now)
    [send] = sends()
    assert (send.state, send.reason, send.discount_code) == ("planned", "discount", None)
    assert smtp.inbox.messages == []
    run_once(send.due_at)
    [send] = sends()
    assert send.state == "sent" and send.discount_code
    assert send.discount_code in smtp.inbox.messages[0].get_body(("plain",)).get_content()
