"""The birthday code as the (sandbox) store holds it: valid for 7 days from the moment the email goes."""

from datetime import UTC, time, timedelta

from sqlalchemy import select

from app import clock
from app.automations.engine import run_once
from app.extensions import db
from app.mail.rendering import long_date
from app.shops.models import Shop

SHOP = "demo-shop.myshopify.com"


def test_the_birthday_code_works_through_the_seventh_day_after_the_email(
    install, sandbox, change, enable, add_customer, smtp, sends
):
    install(SHOP)
    shop = db.session.scalar(select(Shop).where(Shop.domain == SHOP))
    # The real clock, whatever hour it is: no quiet hours.
    change(shop, settings={"quiet_hours": {"enabled": False}})
    zone = clock.zone(shop.timezone)
    today = clock.now().replace(tzinfo=UTC).astimezone(zone).date()
    [someone, *_] = sandbox.shop(SHOP).customers.values()
    enable(shop, "birthday", discount_percent=15)
    add_customer(shop, id=someone.id, email="ann@example.com", first_name="Ann", birth_date=f"1990-{today:%m-%d}")

    assert run_once(clock.now())["sent"] == 1
    # The email went before this moment (a send's `sent_at` is its tick's time, a little earlier).
    gone = clock.now().replace(tzinfo=UTC)
    [send] = sends(state="sent")
    [stored] = [d for d in sandbox.shop(SHOP).discount_codes if d.code == send.discount_code]
    assert stored.percentage == 0.15 and stored.customer_ids == [someone.id]
    assert stored.starts_at <= gone and stored.ends_at >= gone + timedelta(days=7)
    # It ends as the 7th day after the email ends, in the shop's time zone: the date the email prints.
    last_day = today + timedelta(days=7)
    assert stored.ends_at.astimezone(zone).date() == last_day
    assert (stored.ends_at + timedelta(seconds=1)).astimezone(zone).time() == time(0)
    [message] = smtp.inbox.messages
    assert f"valid until {long_date(last_day, 'en')}." in message.get_body(("plain",)).get_content()
