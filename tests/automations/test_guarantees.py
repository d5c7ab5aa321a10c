"""The engine's promises: catch-up, the switch, uninstall, caps, sending hours, retries, leases."""

from datetime import datetime, timedelta

import pytest

from app.automations import planning, queue
from app.automations.engine import run_once
from app.customers.models import Suppression
from app.extensions import db
from app.records.models import Send
from app.settings import shop_settings
from tests.automations.conftest import NOW
from tests.support.smtp import SMTPServer


def run(moment, at):
    with at(moment):
        return run_once(moment)


def test_catch_up_serves_seven_days_and_counts_what_is_older(shop, enable, add_checkout, smtp, sends, at):
    # Checkouts abandoned while the automation was still off: due 6 days and 9 days ago.
    add_checkout(shop, token="recent", email="recent@example.com", updated_at=NOW - timedelta(days=7))
    add_checkout(shop, token="old", email="old@example.com", updated_at=NOW - timedelta(days=10))
    enable(shop, "abandoned_cart")
    counts = run(NOW, at)
    assert counts["sent"] == 1 and counts["too_late"] == 1
    assert [m["To"] for m in smtp.inbox.messages] == ["recent@example.com"]
    assert {s.trigger_ref: (s.state, s.reason) for s in sends()} == {
        "checkout:recent": ("sent", None),
        "checkout:old": ("skipped", "too_late"),
    }


def test_a_planned_send_older_than_seven_days_is_skipped_when_the_worker_comes_back(
    shop, enable, add_checkout, smtp, sends, at
):
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    with at(NOW):
        planning.plan(NOW)
    assert run(NOW + timedelta(days=8), at)["too_late"] == 1
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] == [("skipped", "too_late")]


def test_switching_off_skips_what_is_planned_and_switching_on_again_does_not_resend(
    shop, enable, add_checkout, smtp, sends, at
):
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    with at(NOW):
        planning.plan(NOW)
    enable(shop, "abandoned_cart", enabled=False)
    run(NOW, at)
    enable(shop, "abandoned_cart")
    run(NOW + timedelta(minutes=1), at)
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] == [("skipped", "disabled")]


def test_nothing_goes_out_after_uninstall(shop, enable, add_checkout, smtp, sends, at, change):
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    with at(NOW):
        planning.plan(NOW)
    shop.forget_tokens()
    change(shop, uninstalled_at=NOW)
    run(NOW, at)
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] == [("skipped", "uninstalled")]


def test_unsubscribed_and_bounced_addresses_are_skipped_at_send_time(shop, enable, add_checkout, smtp, sends, at):
    from app.customers.consent import suppress

    enable(shop, "abandoned_cart")
    add_checkout(shop, token="a", email="gone@example.com")
    add_checkout(shop, token="b", email="bounce@example.com")
    with at(NOW):
        planning.plan(NOW)
        suppress(shop.id, "gone@example.com", "unsubscribed")
        suppress(shop.id, "bounce@example.com", "bounced")
        db.session.commit()
    run(NOW, at)
    assert smtp.inbox.messages == []
    assert {s.recipient: s.reason for s in sends()} == {
        "gone@example.com": "unsubscribed",
        "bounce@example.com": "bounced",
    }


def sent_before(shop, recipient, *moments):
    for number, moment in enumerate(moments):
        db.session.add(
            Send(
                shop_id=shop.id,
                automation="winback",
                recipient=recipient,
                trigger_ref=f"old:{number}",
                due_at=moment,
                became_due_at=moment,
                state="sent",
                sent_at=moment,
            )
        )
    db.session.commit()


def test_frequency_cap_defers_until_the_oldest_email_leaves_the_window(shop, enable, add_checkout, smtp, sends, at):
    enable(shop, "abandoned_cart")
    sent_before(shop, "ann@example.com", NOW - timedelta(days=6), NOW - timedelta(days=1))
    add_checkout(shop)
    assert run(NOW, at)["deferred"] == 1
    [send] = sends(trigger_ref="checkout:tok1")
    assert (send.state, send.reason, send.due_at) == ("planned", "frequency_cap", NOW + timedelta(days=1))
    run(NOW + timedelta(hours=23), at)
    assert smtp.inbox.messages == []
    run(NOW + timedelta(days=1), at)
    assert len(smtp.inbox.messages) == 1


def test_the_cap_is_a_shop_setting(shop, enable, add_checkout, smtp, at, change):
    change(shop, settings={"frequency_cap": {"count": 3, "days": 7}})
    enable(shop, "abandoned_cart")
    sent_before(shop, "ann@example.com", NOW - timedelta(days=6), NOW - timedelta(days=1))
    add_checkout(shop)
    run(NOW, at)
    assert len(smtp.inbox.messages) == 1


def test_quiet_hours_defer_to_the_next_local_morning(shop, enable, add_checkout, smtp, sends, at, change):
    change(shop, timezone="Asia/Ho_Chi_Minh")
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    evening = datetime(2026, 6, 10, 15, 30)  # 22:30 in Saigon
    assert run(evening, at)["deferred"] == 1
    [send] = sends()
    # Waiting, not failed: the activity list shows the reason.
    assert (send.state, send.reason, send.due_at) == ("planned", "quiet_hours", datetime(2026, 6, 11, 1, 0))
    run(datetime(2026, 6, 11, 0, 59), at)
    assert smtp.inbox.messages == []
    run(datetime(2026, 6, 11, 1, 0), at)
    assert len(smtp.inbox.messages) == 1


def test_a_deferred_send_goes_at_the_next_tick_when_quiet_hours_are_switched_off(
    shop, enable, add_checkout, smtp, sends, at, change
):
    """Was: it stayed deferred to 08:00 although nothing deferred it any more."""
    change(shop, timezone="Asia/Ho_Chi_Minh")
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    evening = datetime(2026, 6, 10, 15, 30)  # 22:30 in Saigon
    assert run(evening, at)["deferred"] == 1
    with at(evening + timedelta(minutes=5)):
        shop_settings.update(shop, {"quiet_hours": {"enabled": False}})
    assert run(evening + timedelta(minutes=6), at)["sent"] == 1
    assert len(smtp.inbox.messages) == 1


def test_quiet_hours_across_a_daylight_saving_change(shop, enable, add_checkout, smtp, sends, at, change):
    change(shop, timezone="America/New_York")
    enable(shop, "abandoned_cart")
    night = datetime(2026, 3, 8, 4, 0)  # 23:00 EST on Saturday; clocks spring forward at 02:00
    add_checkout(shop, updated_at=night - timedelta(hours=25))
    run(night, at)
    [send] = sends()
    assert (send.reason, send.due_at) == ("quiet_hours", datetime(2026, 3, 8, 12, 0))  # 08:00 EDT
    run(datetime(2026, 3, 8, 12, 0), at)
    assert len(smtp.inbox.messages) == 1


def test_vietnam_rules_add_a_send_window_a_daily_limit_and_a_subject_label(
    shop, enable, add_checkout, smtp, sends, at, change
):
    change(
        shop,
        country_code="VN",
        timezone="Asia/Ho_Chi_Minh",
        settings={"quiet_hours": {"enabled": False}, "frequency_cap": {"count": 10, "days": 7}},
    )
    enable(shop, "abandoned_cart")
    for number in range(4):
        add_checkout(shop, token=f"t{number}", updated_at=NOW - timedelta(hours=25, minutes=number))
    early = datetime(2026, 6, 10, 23, 30)  # 06:30 in Saigon: outside 07:00-22:00
    run(early, at)
    assert {(s.state, s.reason, s.due_at) for s in sends()} == {("planned", "send_window", datetime(2026, 6, 11, 0))}
    run(datetime(2026, 6, 11, 0, 0), at)
    assert len(smtp.inbox.messages) == 3
    assert all(m["Subject"].startswith("[QC] ") for m in smtp.inbox.messages)
    [waiting] = sends(state="planned")
    # Three a day: the fourth waits for the next local day's window (07:00 = 00:00 UTC).
    assert (waiting.reason, waiting.due_at) == ("daily_limit", datetime(2026, 6, 12, 0, 0))


def test_smtp_unreachable_counts_no_attempt_and_the_email_goes_at_the_first_tick_after(
    shop, enable, add_checkout, app, sends, at
):
    """Was: each send backed off 5, 10, 20 ... minutes and failed for good after 12 attempts."""
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    down = SMTPServer()
    port = down.port
    app.config["MAIL_URL"] = down.url
    down.stop()
    moment = NOW
    for _ in range(6):  # a five-day outage (one tick a day shown; each tick the same)
        assert run(moment, at).get("mail_unreachable") == 1
        [send] = sends()
        assert (send.state, send.reason, send.attempts, send.due_at) == ("planned", "mail_unreachable", 0, moment)
        moment += timedelta(days=1)
    back = SMTPServer(port=port)
    try:
        assert run(moment, at)["sent"] == 1
        assert len(back.inbox.messages) == 1
        [send] = sends()
        assert (send.state, send.attempts, send.sent_at) == ("sent", 0, moment)
    finally:
        back.stop()


def test_a_refused_address_fails_for_good_and_is_suppressed(shop, enable, add_checkout, smtp, sends, at):
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    smtp.inbox.reject_rcpt["ann@example.com"] = "550 5.1.1 no such user"
    run(NOW, at)
    [send] = sends()
    assert (send.state, send.reason) == ("failed", "permanent")
    assert db.session.get(Suppression, (shop.id, "ann@example.com")).reason == "bounced"
    run(NOW + timedelta(days=1), at)
    assert sends()[0].state == "failed"


def test_expired_claims_return_to_the_plan_and_sends_in_flight_become_unknown(
    shop, enable, add_checkout, smtp, sends, at
):
    enable(shop, "abandoned_cart")
    add_checkout(shop, token="claimed", email="claimed@example.com")
    add_checkout(shop, token="inflight", email="inflight@example.com")
    with at(NOW):
        planning.plan(NOW)
        token = queue.claim_token()
        for send in queue.claim(NOW, 10, token):
            if send.trigger_ref == "checkout:inflight":  # a worker died after committing "sending"
                queue.move(send, token, ("claimed",), state="sending", sent_at=NOW, lease_until=NOW + queue.SEND_LEASE)
        db.session.commit()
    # Before the leases expire, nothing is touched.
    assert run(NOW + timedelta(seconds=30), at) == {}
    # What the dead worker claimed but had not begun to send is back and out within a minute
    # (was: 10 minutes); what it was handing to SMTP waits for its own lease, then is unknown.
    counts = run(NOW + timedelta(seconds=60), at)
    assert counts["released"] == 1 and counts["sent"] == 1
    assert [m["To"] for m in smtp.inbox.messages] == ["claimed@example.com"]
    assert run(NOW + timedelta(minutes=11), at)["unknown"] == 1
    assert {s.trigger_ref: (s.state, s.reason) for s in sends()} == {
        "checkout:claimed": ("sent", None),
        "checkout:inflight": ("unknown", "lease_expired"),
    }


def test_a_worker_that_lost_its_lease_changes_nothing(shop, enable, add_checkout, sends, at):
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    with at(NOW):
        planning.plan(NOW)
    [slow] = queue.claim(NOW, 10, "slow-worker")
    later = NOW + queue.CLAIM_LEASE + timedelta(seconds=1)
    queue.expire_leases(later)
    [fast] = queue.claim(later, 10, "fast-worker")
    assert not queue.move(slow, "slow-worker", ("claimed",), state="sending")
    db.session.commit()
    assert [(s.state, s.worker) for s in sends()] == [("claimed", "fast-worker")]


def test_planning_twice_plans_once(shop, enable, add_checkout, sends, at):
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    with at(NOW):
        planning.plan(NOW)
        from app.automations.models import AutomationSetting

        db.session.get(AutomationSetting, (shop.id, "abandoned_cart")).planned_until = None
        db.session.commit()
        planning.plan(NOW)
    assert len(sends()) == 1


@pytest.mark.parametrize("percent", [0, 15])
def test_discount_code_is_created_just_before_the_send(
    shop, enable, add_checkout, smtp, sends, at, monkeypatch, percent
):
    made = []

    def create_code(shop, send, percent):
        made.append((send.id, percent))
        send.discount_code = f"COMEBACK-{len(made)}"
        return send.discount_code, NOW + timedelta(days=7)

    monkeypatch.setattr("app.automations.engine.create_code", create_code)
    enable(shop, "abandoned_cart", discount_percent=percent)
    add_checkout(shop)
    run(NOW, at)
    [message] = smtp.inbox.messages
    text = message.get_body(("plain",)).get_content()
    if percent:
        assert len(made) == 1 and "COMEBACK-1" in text and "15%" in text
        assert sends()[0].discount_code == "COMEBACK-1"
    else:
        assert made == [] and "COMEBACK" not in text


def test_a_store_refusing_the_discount_defers_the_send_until_it_can(
    shop, enable, add_checkout, smtp, sends, at, monkeypatch
):
    from app.discounts import NotNow

    refusals = [NotNow("throttled"), NotNow("throttled")]

    def create_code(shop, send, percent):
        if refusals:
            raise refusals.pop(0)
        send.discount_code = "COMEBACK-OK"
        return "COMEBACK-OK", NOW + timedelta(days=7)

    monkeypatch.setattr("app.automations.engine.create_code", create_code)
    enable(shop, "abandoned_cart", discount_percent=10)
    add_checkout(shop)
    run(NOW, at)
    [send] = sends()
    assert (send.state, send.reason, send.due_at) == ("planned", "discount", NOW + timedelta(minutes=5))
    assert smtp.inbox.messages == []
    run(NOW + timedelta(minutes=5), at)
    run(NOW + timedelta(minutes=15), at)
    [message] = smtp.inbox.messages
    assert "COMEBACK-OK" in message.get_body(("plain",)).get_content()


def test_a_live_worker_renews_its_claims_while_a_slow_batch_is_decided(shop, enable, add_checkout, sends, at):
    """Short leases must not take work from a worker that is alive: its heartbeat renews them."""
    enable(shop, "abandoned_cart")
    add_checkout(shop)
    with at(NOW):
        planning.plan(NOW)
        token = queue.claim_token()
        [send] = queue.claim(NOW, 10, token)
    with at(NOW + timedelta(seconds=35)):
        assert queue.renew(token, NOW + timedelta(seconds=35)) == 1
    assert queue.expire_leases(NOW + timedelta(seconds=70)) == (0, 0)
    assert sends()[0].state == "claimed"
