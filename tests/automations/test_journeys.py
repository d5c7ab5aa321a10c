"""Journeys: steps in order from one trigger, conditions on the previous step, exits, superseded and
too-late steps, notices to the shop, the holdout and spacing between automations.

The journey here is a test automation added to the registry for the test (as a module in
`app/automations/library/` would be); it reuses the win-back template.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.automations import fields as f
from app.automations import registry
from app.automations.base import Automation, Step, Trigger, days, previous_not_clicked
from app.automations.engine import held_out, run_once
from app.customers.models import Customer, Order
from app.extensions import db
from app.records.models import EmailEvent, Send
from tests.automations.conftest import NOW


def _order_after(shop_id, customer_id, placed_at):
    return select(Order.id).where(
        Order.shop_id == shop_id, Order.customer_id == customer_id, Order.placed_at > placed_at
    )


class FollowUp(Automation):
    """Three emails after an order (days 1, 3, 7); the second only if the first was not clicked;
    a newer order ends the journey; a notice to the shop alongside the first."""

    key = "test_follow_up"
    title = {"en": "Follow-up", "vi": "Theo dõi"}
    default_subject = [{"en": f"Step {n}", "vi": f"Bước {n}"} for n in (1, 2, 3)]
    fields = (f.Numbers("days", [1, 3, 7], {"en": "Days", "vi": "Ngày"}, 1, 120, length=3, increasing=True),)
    steps = (
        Step("one", days("days", 0), "winback", subject=("subject", 0)),
        Step("two", days("days", 1), "winback", subject=("subject", 1), condition=previous_not_clicked),
        Step("three", days("days", 2), "winback", subject=("subject", 2)),
        Step("notice", days("days", 0), "winback", subject=("subject", 0), notice=True),
    )
    excludes = {"winback": timedelta(days=2)}

    def triggers(self, shop, values, window):
        query = (
            select(Order.id, Order.placed_at, Customer.id, Customer.email)
            .join(Customer, (Customer.shop_id == Order.shop_id) & (Customer.id == Order.customer_id))
            .where(
                Order.shop_id == shop.id,
                Order.placed_at > window.since,
                Order.placed_at <= window.until,
                window.unplanned(Order.id),
            )
        )
        for order_id, placed_at, customer_id, email in db.session.execute(query):
            yield Trigger(str(order_id), placed_at, email, customer_id, "en", {"order": order_id})

    def exit_reason(self, shop, send, values):
        placed = db.session.get(Order, (shop.id, send.context["order"])).placed_at
        return "ordered" if db.session.scalar(_order_after(shop.id, send.customer_id, placed)) else None

    def context(self, shop, send, values):
        products = [{"title": "Tea", "url": "https://demo-shop.myshopify.com/products/tea", "price": "5.00"}]
        return {"first_name": "Bob", "products": products}


@pytest.fixture
def journey(monkeypatch, shop, enable, add_customer, add_order):
    automation = FollowUp()
    monkeypatch.setitem(registry.AUTOMATIONS, automation.key, automation)
    enable(shop, automation.key)
    add_customer(shop, id=1, email="bob@example.com")
    add_order(shop, 100, NOW, customer_id=1)
    return automation


def _tick(moment, at):
    with at(moment):
        return run_once(moment)


def _states(sends):
    return {s.trigger_ref: (s.state, s.reason) for s in sends(automation="test_follow_up")}


def test_three_steps_go_in_order_from_the_trigger(journey, smtp, sends, at):
    for day in (1, 2, 3, 5, 7, 8):
        _tick(NOW + timedelta(days=day, minutes=1), at)
    to_bob = [m["Subject"] for m in smtp.inbox.to("bob@example.com")]
    assert to_bob == ["Step 1", "Step 2", "Step 3"]
    # Day 7 counts from the order, not from the second email (the weekly cap of 2 then moved it
    # a day); the notice went to the shop, unmarketed.
    by_ref = {s.trigger_ref: s for s in sends(automation="test_follow_up")}
    assert by_ref["three:100"].became_due_at == NOW + timedelta(days=7)
    [notice] = smtp.inbox.to("owner@demo-shop.test")
    assert notice["List-Unsubscribe"] is None and by_ref["notice:100"].state == "sent"


def test_a_click_on_the_first_skips_the_second_but_not_the_third(journey, smtp, sends, at):
    _tick(NOW + timedelta(days=1, minutes=1), at)
    first = next(s for s in sends() if s.trigger_ref == "one:100")
    db.session.add(EmailEvent(shop_id=first.shop_id, send_id=first.id, kind="click", at=NOW + timedelta(days=2)))
    db.session.commit()
    for day in (3, 7):
        _tick(NOW + timedelta(days=day, minutes=1), at)
    assert [m["Subject"] for m in smtp.inbox.to("bob@example.com")] == ["Step 1", "Step 3"]
    assert _states(sends)["two:100"] == ("skipped", "clicked")


def test_an_exit_ends_the_journey(journey, shop, add_order, smtp, sends, at):
    _tick(NOW + timedelta(days=1, minutes=1), at)
    add_order(shop, 101, NOW + timedelta(days=2), customer_id=1)
    # The newer order starts a journey of its own; this one ends at its next step.
    for day in (3, 7):
        _tick(NOW + timedelta(days=day, minutes=1), at)
    states = _states(sends)
    assert states["two:100"] == states["three:100"] == ("skipped", "ordered")
    assert [m["Subject"] for m in smtp.inbox.to("bob@example.com")] == ["Step 1", "Step 1"]  # 100, then 101


def test_consent_withdrawn_ends_the_journey_even_if_given_again(journey, shop, smtp, sends, at, change):
    customer = db.session.get(Customer, (shop.id, 1))
    change(customer, consent_state="unsubscribed", consent_at=NOW)
    _tick(NOW + timedelta(days=1, minutes=1), at)
    change(customer, consent_state="subscribed", consent_at=NOW + timedelta(days=2))
    for day in (3, 7):
        _tick(NOW + timedelta(days=day, minutes=1), at)
    states = _states(sends)
    assert states["one:100"] == ("skipped", "no_consent")
    assert states["two:100"] == states["three:100"] == ("skipped", "journey_ended")
    assert smtp.inbox.to("bob@example.com") == []


def test_steps_due_at_once_send_only_the_latest(journey, smtp, sends, at):
    # The worker was down from day 0 to day 4: steps one and two are both due; only two goes.
    _tick(NOW + timedelta(days=4), at)
    assert [m["Subject"] for m in smtp.inbox.to("bob@example.com")] == ["Step 2"]
    assert _states(sends)["one:100"] == ("skipped", "superseded")


def test_a_step_due_more_than_seven_days_ago_is_too_late_and_the_journey_goes_on(
    journey, shop, enable, smtp, sends, at
):
    enable(shop, "test_follow_up", days=[1, 9, 20])
    _tick(NOW + timedelta(days=12), at)  # step one due 11 days ago; step two due 3 days ago
    states = _states(sends)
    assert states["one:100"] == ("skipped", "too_late")
    assert states["two:100"] == ("sent", None)
    _tick(NOW + timedelta(days=20, minutes=1), at)
    assert [m["Subject"] for m in smtp.inbox.to("bob@example.com")] == ["Step 2", "Step 3"]


def test_a_notice_to_the_shop_ignores_quiet_hours_and_consent(journey, shop, smtp, sends, at, change):
    change(shop, timezone="Asia/Ho_Chi_Minh")  # 12:00 UTC is 19:00 there; 15:00 UTC is 22:00: quiet
    customer = db.session.get(Customer, (shop.id, 1))
    change(customer, consent_state="unsubscribed", consent_at=NOW)
    _tick(NOW + timedelta(days=1, hours=3), at)
    states = _states(sends)
    assert states["notice:100"] == ("sent", None)
    assert states["one:100"] == ("skipped", "no_consent")
    assert len(smtp.inbox.to("owner@demo-shop.test")) == 1


def test_holdout_customers_get_nothing_and_are_recorded(
    journey, shop, enable, add_customer, add_order, smtp, sends, at
):
    enable(shop, "test_follow_up", holdout_percent=50)
    for n in range(2, 22):
        add_customer(shop, id=n, email=f"c{n}@example.com")
        add_order(shop, 100 + n, NOW, customer_id=n)
    _tick(NOW + timedelta(days=1, minutes=1), at)
    firsts = [s for s in sends(automation="test_follow_up") if s.trigger_ref.startswith("one:")]
    held = {s.recipient for s in firsts if s.state == "held_out"}
    assert 0 < len(held) < len(firsts)
    assert held == {s.recipient for s in firsts if held_out(s, 50)}
    assert not held & {m["To"] for m in smtp.inbox.messages}
    # Every later step of a held-out customer is held out too (the hash is per address).
    _tick(NOW + timedelta(days=3, minutes=1), at)
    seconds = {s.recipient: s.state for s in sends(automation="test_follow_up") if s.trigger_ref.startswith("two:")}
    assert {r for r, state in seconds.items() if state == "held_out"} == held


def test_spacing_keeps_two_automations_apart_for_one_address(journey, shop, smtp, sends, at):
    db.session.add(
        Send(
            shop_id=shop.id,
            automation="winback",
            recipient="bob@example.com",
            trigger_ref="lapse:1",
            due_at=NOW,
            state="sent",
            sent_at=NOW + timedelta(hours=12),
        )
    )
    db.session.commit()
    _tick(NOW + timedelta(days=1, minutes=1), at)
    first = next(s for s in sends() if s.trigger_ref == "one:100")
    assert (first.state, first.reason, first.due_at) == ("planned", "spacing", NOW + timedelta(days=2, hours=12))
