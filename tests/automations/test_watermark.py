"""Planning's watermark: a steady tick rescans the catch-up only for rows written since the last one,
and no email is lost or doubled by it (a change between ticks, a crash mid-tick, a settings change,
late data)."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from app.automations import planning
from app.automations.models import AutomationSetting
from app.automations.registry import AUTOMATIONS
from app.customers.models import Checkout, Customer, Order
from app.extensions import db
from app.webhooks.handlers import Delivery
from app.webhooks.inbox import accept, apply_pending
from tests.automations.conftest import NOW

PAYLOADS = Path(__file__).parents[1] / "payloads"

MINUTE = timedelta(minutes=1)


def tick(moment, at):
    with at(moment):
        return planning.plan(moment)


def switch_on(enable, at, shop, key, **changes):
    """Switched on a day before NOW (settings stamped then, not by the real clock)."""
    with at(NOW - timedelta(days=1)):
        enable(shop, key, **changes)


def mark(shop, key):
    db.session.expire_all()
    return db.session.get(AutomationSetting, (shop.id, key))


def lapsed(shop, add_customer, add_order, id, last, at, written):
    """Customer `id` whose last order (id 100 + id) was `last`, written to our database at `written`."""
    with at(written):
        add_customer(shop, id=id, email=f"c{id}@example.com", last_order_at=last)
        add_order(shop, 100 + id, last, customer_id=id)


def test_a_steady_tick_asks_only_for_rows_written_since_the_last(shop, enable, add_customer, add_order, sends, at):
    """The mechanism itself: a trigger in the catch-up whose rows were not written since the last
    tick is not looked at again (it was looked at then); a full rescan still finds it."""
    switch_on(enable, at, shop, "winback")
    tick(NOW, at)
    # A lapse due two days ago whose rows carry an old stamp, as if written before the last tick
    # (a row the previous tick saw): the steady tick does not rescan it.
    lapsed(shop, add_customer, add_order, 1, NOW - timedelta(days=182), at, written=NOW - timedelta(hours=1))
    tick(NOW + MINUTE, at)
    assert sends() == []
    # The periodic full rescan (the net for due times that move without a write) finds it.
    tick(NOW + planning.FULL_EVERY, at)
    assert [s.trigger_ref for s in sends()] == ["lapse:101"]


def test_a_change_between_ticks_is_planned_at_the_next_tick(shop, enable, add_customer, add_order, sends, at):
    switch_on(enable, at, shop, "winback")
    tick(NOW, at)
    # A day-late order webhook: the customer's lapse became due two days ago.
    lapsed(shop, add_customer, add_order, 1, NOW - timedelta(days=182), at, written=NOW + MINUTE / 2)
    assert tick(NOW + MINUTE, at)["planned"] == 1
    # And only once, whatever the following ticks rescan.
    tick(NOW + 2 * MINUTE, at)
    tick(NOW + planning.FULL_EVERY, at)
    [send] = sends()
    assert (send.trigger_ref, send.state, send.became_due_at) == ("lapse:101", "planned", NOW - timedelta(days=2))


def test_a_write_that_commits_after_the_tick_read_its_watermark_is_still_seen(
    shop, enable, add_customer, add_order, sends, at
):
    """A row stamped just before the watermark but committed after the tick's scans (a long import
    transaction): the next rescan reaches SLACK further back."""
    switch_on(enable, at, shop, "winback")
    tick(NOW, at)
    lapsed(shop, add_customer, add_order, 1, NOW - timedelta(days=182), at, written=NOW - planning.SLACK / 2)
    assert tick(NOW + MINUTE, at)["planned"] == 1


def test_a_crash_mid_tick_leaves_the_watermark_and_the_next_tick_plans_once(
    shop, enable, add_checkout, sends, at, monkeypatch
):
    switch_on(enable, at, shop, "abandoned_cart", reminder_enabled=True)
    tick(NOW, at)
    before = mark(shop, "abandoned_cart").changes_seen_at
    with at(NOW + MINUTE / 2):
        # A checkout updated 80 hours ago, known only now: both steps are due.
        add_checkout(shop, token="late", updated_at=NOW - timedelta(hours=80))
    automation = AUTOMATIONS["abandoned_cart"]
    real = type(automation).triggers

    def dies_at_the_reminder(self, shop, values, window):
        if window.step.name == "reminder":
            raise RuntimeError("worker killed")
        return real(self, shop, values, window)

    monkeypatch.setattr(type(automation), "triggers", dies_at_the_reminder)
    with pytest.raises(RuntimeError):
        tick(NOW + MINUTE, at)
    db.session.rollback()
    assert mark(shop, "abandoned_cart").changes_seen_at == before
    assert sends() == []  # the first step's row went with the tick

    monkeypatch.setattr(type(automation), "triggers", real)
    tick(NOW + 2 * MINUTE, at)
    tick(NOW + 3 * MINUTE, at)
    assert sorted(s.trigger_ref for s in sends()) == ["checkout:late", "reminder:late"]


def test_a_settings_change_rescans_the_whole_catch_up(shop, enable, add_customer, add_order, sends, at):
    """Rows untouched for months become due when the merchant shortens the delay: planned at once."""
    switch_on(enable, at, shop, "winback")
    lapsed(shop, add_customer, add_order, 1, NOW - timedelta(days=95), at, written=NOW - timedelta(days=60))
    tick(NOW, at)
    tick(NOW + MINUTE, at)
    assert sends() == []
    with at(NOW + 2 * MINUTE):
        enable(shop, "winback", after_days=90)
    tick(NOW + 3 * MINUTE, at)
    [send] = sends()
    assert (send.trigger_ref, send.became_due_at) == ("lapse:101", NOW - timedelta(days=5))


@pytest.mark.parametrize(("days_late", "planned"), [(6, ["lapse:101"]), (8, [])])
def test_late_data_is_planned_within_the_catch_up_and_not_beyond(
    shop, enable, add_customer, add_order, sends, at, days_late, planned
):
    """A history import finishing after many steady ticks brings lapses that became due days ago."""
    switch_on(enable, at, shop, "winback")
    for minutes in range(3):
        tick(NOW + minutes * MINUTE, at)
    last = NOW - timedelta(days=180 + days_late)
    lapsed(shop, add_customer, add_order, 1, last, at, written=NOW + 3 * MINUTE)
    tick(NOW + 4 * MINUTE, at)
    tick(NOW + planning.FULL_EVERY, at)
    assert [(s.trigger_ref, s.state) for s in sends()] == [(ref, "planned") for ref in planned]


def test_a_lifecycle_trigger_of_a_changed_customer_is_found_by_the_rescan(
    shop, enable, add_customer, add_order, sends, at
):
    """Automations built on the lifecycle questions narrow by customer: a late first order still
    starts the repeat-purchase journey."""
    switch_on(enable, at, shop, "repeat_purchase")
    tick(NOW, at)
    with at(NOW + MINUTE / 2):
        add_customer(shop, id=1, email="c1@example.com")
        add_order(shop, 101, NOW - timedelta(days=10), customer_id=1)  # the 7-day check-in is 3 days due
    tick(NOW + MINUTE, at)
    tick(NOW + 2 * MINUTE, at)
    assert [s.trigger_ref for s in sends()] == ["check_in:101"]


def test_webhooks_stamp_the_rows_they_write(shop, sends, at):
    """What the rescan reads: an order webhook stamps the order, its customer (figures rewritten)
    and its checkout (closed) with the time it was applied, through the bulk upserts."""
    order = json.loads((PAYLOADS / "orders__create.json").read_text())
    with at(NOW - timedelta(days=1)):
        checkout = json.loads((PAYLOADS / "checkouts__create.json").read_text())
        accept(shop.id, Delivery("checkouts/create", "w-0", None, NOW), json.dumps(checkout))
        apply_pending(shop.id)
    order.update(checkout_token=checkout["token"])
    with at(NOW):
        accept(shop.id, Delivery("orders/create", "w-1", None, NOW), json.dumps(order))
        apply_pending(shop.id)
    db.session.expire_all()
    stamps = [
        db.session.get(Order, (shop.id, order["id"])).changed_at,
        db.session.get(Customer, (shop.id, order["customer"]["id"])).changed_at,
        db.session.get(Checkout, (shop.id, checkout["token"])).changed_at,
    ]
    assert all(NOW <= stamp < NOW + MINUTE for stamp in stamps), stamps
