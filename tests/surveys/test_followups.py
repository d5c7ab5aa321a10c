"""The two surveys end to end through the engine, with time under control: the ask email with its
one-click answers, each answer's follow-up decided at the next tick, notices to the shop."""

from datetime import timedelta

import pytest

from app.answers import store
from app.automations.engine import run_once
from app.extensions import db
from app.records.models import Send
from tests.automations.conftest import NOW
from tests.settings.tokens import session_token

LAPSE = NOW - timedelta(days=75, hours=1)


def _ask(shop, enable, add_customer, add_order, sends, key="we_miss_you", **settings):
    enable(shop, key, discount_percent=0, **settings)
    add_customer(shop, id=1, email="bob@example.com", last_order_at=LAPSE if key == "we_miss_you" else NOW)
    placed = LAPSE if key == "we_miss_you" else NOW - timedelta(days=14, hours=1)
    add_order(shop, 10, placed, customer_id=1)
    run_once(NOW)
    [ask] = [s for s in sends() if s.trigger_ref.startswith("ask:")]
    assert ask.state == "sent"
    return ask


def _answer(shop, ask, answer, comment=None, at=None):
    assert store.record(
        shop.id,
        ask.id,
        ask.customer_id,
        "reason" if ask.automation == "we_miss_you" else "nps",
        answer,
        comment,
        at=at or NOW + timedelta(minutes=5),
    )
    db.session.commit()


def test_the_ask_carries_six_one_click_answers(shop, enable, add_customer, add_order, sends, smtp):
    _ask(shop, enable, add_customer, add_order, sends)
    [message] = smtp.inbox.to("bob@example.com")
    text = message.get_body(("plain",)).get_content()
    assert text.count("/s/") == 6 and "Shipping cost too much" in text


def test_quality_gets_an_apology_and_the_shop_a_notice_once_not_held_by_quiet_hours(
    shop, enable, add_customer, add_order, sends, smtp, change
):
    ask = _ask(shop, enable, add_customer, add_order, sends)
    change(shop, settings={"notification_email": "boss@demo-shop.test"})
    _answer(shop, ask, "quality")
    night = NOW.replace(hour=23)  # quiet hours (21:00-08:00 UTC here): the customer's apology waits, the notice not
    run_once(night)
    [notice] = smtp.inbox.to("boss@demo-shop.test")
    body = notice.get_body(("plain",)).get_content()
    assert "Bob" in body and "bob@example.com" in body and "I wasn't happy with the quality" in body
    assert "List-Unsubscribe" not in notice
    assert len(smtp.inbox.to("bob@example.com")) == 1
    run_once(NOW + timedelta(days=1, hours=-3))  # 09:00 next day
    assert len(smtp.inbox.to("bob@example.com")) == 2
    assert "sorry" in smtp.inbox.to("bob@example.com")[1]["Subject"].lower()
    run_once(NOW + timedelta(days=1))
    assert len(smtp.inbox.to("boss@demo-shop.test")) == 1 and len(smtp.inbox.to("bob@example.com")) == 2


def test_a_changed_answer_before_the_tick_decides_and_is_then_final(shop, enable, add_customer, add_order, sends, smtp):
    ask = _ask(shop, enable, add_customer, add_order, sends)
    _answer(shop, ask, "quality")
    _answer(shop, ask, "no_need", at=NOW + timedelta(minutes=6))
    run_once(NOW + timedelta(minutes=10))
    assert [s.trigger_ref.split(":")[0] for s in sends()] == ["ask"]
    _answer(shop, ask, "quality", at=NOW + timedelta(minutes=11))
    run_once(NOW + timedelta(minutes=15))
    assert {s.trigger_ref.split(":")[0] for s in sends()} == {"ask", "quality", "quality_notice"}
    # Decided: a later change is refused and plans nothing more.
    store.record(shop.id, ask.id, 1, "reason", "price", at=NOW + timedelta(minutes=16))
    db.session.commit()
    db.session.expire_all()
    assert store.answer_for(shop.id, ask.id).answer == "quality"
    run_once(NOW + timedelta(minutes=20))
    assert {s.trigger_ref.split(":")[0] for s in sends()} == {"ask", "quality", "quality_notice"}


def test_a_follow_up_is_skipped_when_the_customer_ordered_or_unsubscribed(
    shop, enable, add_customer, add_order, sends, smtp, change
):
    ask = _ask(shop, enable, add_customer, add_order, sends)
    add_order(shop, 11, NOW + timedelta(minutes=1), customer_id=1)
    _answer(shop, ask, "quality")
    run_once(NOW + timedelta(minutes=10))
    quality = [s for s in sends() if s.trigger_ref.startswith("quality:")][0]
    assert (quality.state, quality.reason) == ("skipped", "ordered")
    assert len(smtp.inbox.to("bob@example.com")) == 1


def test_feedback_follow_ups_by_score_and_one_survey_per_every_days(
    shop, enable, add_customer, add_order, sends, smtp, change
):
    enable(shop, "feedback", detractor_discount_percent=0)
    add_customer(shop, id=1, email="bob@example.com", last_order_at=NOW - timedelta(days=14, hours=1))
    add_order(shop, 10, NOW - timedelta(days=14, hours=2), customer_id=1)
    add_order(shop, 11, NOW - timedelta(days=14, hours=1), customer_id=1)
    run_once(NOW)
    asks = [s for s in sends() if s.trigger_ref.startswith("ask:")]
    assert sorted((s.state, s.reason) for s in asks) == [("sent", None), ("skipped", "surveyed_recently")]
    [ask] = [s for s in asks if s.state == "sent"]
    assert smtp.inbox.to("bob@example.com")[0].get_body(("plain",)).get_content().count("/s/") == 11
    store.record(shop.id, ask.id, 1, "nps", "3", "Parcel came late", at=NOW + timedelta(minutes=1))
    db.session.commit()
    run_once(NOW + timedelta(minutes=5))
    [notice] = smtp.inbox.to(shop.email)
    body = notice.get_body(("plain",)).get_content()
    assert "3 out of 10" in body and "Parcel came late" in body
    apology = smtp.inbox.to("bob@example.com")[-1].get_body(("plain",)).get_content()
    assert "Parcel came late" in apology


def test_a_promoter_is_asked_for_a_review_only_when_there_is_a_review_page(
    shop, enable, add_customer, add_order, sends, smtp
):
    enable(shop, "feedback")
    add_customer(shop, id=1, email="bob@example.com", last_order_at=NOW - timedelta(days=14, hours=1))
    add_customer(shop, id=2, email="ann@example.com", last_order_at=NOW - timedelta(days=14, hours=1))
    add_order(shop, 10, NOW - timedelta(days=14, hours=1), customer_id=1)
    add_order(shop, 11, NOW - timedelta(days=14, hours=1), customer_id=2)
    run_once(NOW)
    asks = {s.recipient: s for s in sends() if s.trigger_ref.startswith("ask:")}
    store.record(shop.id, asks["bob@example.com"].id, 1, "nps", "10", at=NOW + timedelta(minutes=1))
    db.session.commit()
    run_once(NOW + timedelta(minutes=5))
    [promoter] = [s for s in sends() if s.trigger_ref.startswith("promoter:")]
    assert (promoter.state, promoter.reason) == ("skipped", "no_review_url")
    enable(shop, "feedback", review_url="https://reviews.example/demo")
    store.record(shop.id, asks["ann@example.com"].id, 2, "nps", "9", at=NOW + timedelta(minutes=6))
    store.record(shop.id, asks["ann@example.com"].id, 2, "nps", "9", at=NOW + timedelta(minutes=6))
    db.session.commit()
    run_once(NOW + timedelta(minutes=10))
    last = smtp.inbox.to("ann@example.com")[-1].get_body(("plain",)).get_content()
    assert "Write a review" in last


def test_holdout_is_the_same_for_an_address_across_triggers(shop, enable, add_customer, add_order, sends):
    enable(shop, "feedback", holdout_percent=50, every_days=1)
    for n in range(1, 21):
        add_customer(shop, id=n, email=f"c{n}@example.com", last_order_at=NOW - timedelta(days=14, hours=1))
        add_order(shop, 100 + n, NOW - timedelta(days=30), customer_id=n)
        add_order(shop, 200 + n, NOW - timedelta(days=14, hours=1), customer_id=n)
    run_once(NOW - timedelta(days=16))
    run_once(NOW)
    states = {}
    for send in sends():
        states.setdefault(send.recipient, set()).add(send.state == "held_out")
    assert all(len(held) == 1 for held in states.values())
    assert 0 < sum(True in held for held in states.values()) < 20


def test_we_miss_you_waits_a_day_after_the_winback_email_of_the_same_lapse(
    shop, enable, add_customer, add_order, sends, smtp
):
    lapse = NOW - timedelta(days=180, hours=1)
    enable(shop, "we_miss_you", after_days=180, discount_percent=0)
    add_customer(shop, id=1, email="bob@example.com", last_order_at=lapse)
    add_order(shop, 10, lapse, customer_id=1)
    # The win-back email of this lapse went this morning.
    db.session.add(
        Send(
            shop_id=shop.id,
            automation="winback",
            recipient="bob@example.com",
            customer_id=1,
            trigger_ref="lapse:10",
            due_at=NOW.replace(hour=9),
            state="sent",
            sent_at=NOW.replace(hour=9),
        )
    )
    db.session.commit()
    run_once(NOW)
    [ask] = sends(automation="we_miss_you")
    assert (ask.state, ask.reason) == ("planned", "spacing") and ask.due_at.date() > NOW.date()
    assert smtp.inbox.to("bob@example.com") == []
    run_once(ask.due_at)
    [ask] = sends(automation="we_miss_you")
    assert ask.state == "sent" and ask.sent_at.date() != NOW.date()


@pytest.mark.parametrize(
    ("shop_locale", "customer_locale", "notice_words", "apology_words"),
    [
        ("vi", "en", ("Một khách hàng chấm điểm thấp", "đã chấm 3/10"), "sorry"),
        ("en-US", "vi-VN", ("A customer scored you low", "3 out of 10"), "xin lỗi"),
    ],
)
def test_the_shop_notice_is_in_the_shops_language_whatever_the_customers_or_the_admins(
    shop,
    enable,
    add_customer,
    add_order,
    sends,
    smtp,
    change,
    client,
    shop_locale,
    customer_locale,
    notice_words,
    apology_words,
):
    change(shop, locale=shop_locale)
    # The merchant works in the other language: the settings page and its API in the admin's locale.
    admin = "en" if shop_locale == "vi" else "vi"
    headers = {"Authorization": f"Bearer {session_token(shop.domain)}"}
    response = client.patch(
        f"/api/automations/feedback?locale={admin}",
        json={"enabled": True, "detractor_discount_percent": 0},
        headers=headers,
    )
    assert response.status_code == 200
    add_customer(shop, id=1, email="bob@example.com", locale=customer_locale, last_order_at=NOW - timedelta(days=15))
    add_order(shop, 10, NOW - timedelta(days=14, hours=1), customer_id=1)
    run_once(NOW)
    [ask] = [s for s in sends() if s.trigger_ref.startswith("ask:")]
    _answer(shop, ask, "3", "Parcel came late")
    run_once(NOW + timedelta(minutes=10))
    [notice] = smtp.inbox.to(shop.email)
    subject, body = notice["Subject"], notice.get_body(("plain",)).get_content()
    assert subject == notice_words[0] and notice_words[1] in body and "Parcel came late" in body
    apology = smtp.inbox.to("bob@example.com")[-1]
    assert apology_words in apology["Subject"].lower()
