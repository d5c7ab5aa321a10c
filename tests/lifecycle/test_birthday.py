"""Birthday: on the birthday in the shop's time zone (or days before), once a year, 29 Feb on 28 Feb."""

from datetime import datetime, timedelta

from tests.lifecycle.conftest import NOW


def test_on_the_birthday_with_a_code_once_a_year(shop, enable, add_customer, smtp, sends, tick, change):
    enable(shop, "birthday", discount_percent=0)
    add_customer(shop, id=1, email="ann@example.com", first_name="Ann", birth_date="1990-06-11")
    tick(NOW)
    assert smtp.inbox.messages == []  # tomorrow
    tick(NOW + timedelta(days=1))
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Happy birthday, Ann! A gift from Demo Shop"
    tick(NOW + timedelta(days=2))
    tick(NOW.replace(year=NOW.year + 1) + timedelta(days=1))
    assert [s.trigger_ref for s in sends(state="sent")] == [f"birthday:1:{NOW.year}", f"birthday:1:{NOW.year + 1}"]


def test_midnight_in_the_shops_time_zone(shop, enable, add_customer, smtp, tick, change):
    change(shop, timezone="Asia/Ho_Chi_Minh")  # UTC+7
    enable(shop, "birthday", discount_percent=0)
    add_customer(shop, id=1, email="ann@example.com", birth_date="--06-11")
    tick(datetime(2026, 6, 10, 16, 30))  # 23:30 in Hà Nội
    assert smtp.inbox.messages == []
    tick(datetime(2026, 6, 11, 1, 30))  # 08:30 on the 11th there, after quiet hours
    assert len(smtp.inbox.messages) == 1


def test_days_before(shop, enable, add_customer, smtp, tick):
    enable(shop, "birthday", discount_percent=0, days_before=3)
    add_customer(shop, id=1, email="ann@example.com", birth_date="1990-06-13")
    tick(NOW)
    [message] = smtp.inbox.messages
    assert "Your birthday is coming up" in message.get_body(("plain",)).get_content()


def test_29_february_falls_on_28_february_in_a_common_year(shop, enable, add_customer, smtp, tick):
    enable(shop, "birthday", discount_percent=0)
    add_customer(shop, id=1, email="ann@example.com", birth_date="2000-02-29")
    tick(datetime(2027, 2, 28, 12))
    assert len(smtp.inbox.messages) == 1
    tick(datetime(2028, 2, 28, 12))
    assert len(smtp.inbox.messages) == 1  # a leap year: the day itself
    tick(datetime(2028, 2, 29, 12))
    assert len(smtp.inbox.messages) == 2


def test_a_changed_birthday_cancels_the_planned_email(shop, enable, add_customer, smtp, sends, tick, change):
    from app.automations import planning

    enable(shop, "birthday", discount_percent=0)
    customer = add_customer(shop, id=1, email="ann@example.com", birth_date="1990-06-10")
    planning.plan(NOW)
    change(customer, birth_date="1990-09-01")
    tick(NOW)
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] == [("skipped", "birthday_changed")]


def test_no_consent_no_email(shop, enable, add_customer, smtp, tick):
    enable(shop, "birthday", discount_percent=0)
    add_customer(shop, id=1, email="ann@example.com", birth_date="1990-06-10", consent="unsubscribed")
    tick(NOW)
    assert smtp.inbox.messages == []
