"""The per-automation block of /api/metrics and the holdout comparison, by hand."""

import math
from datetime import date
from decimal import Decimal

from app.customers.models import Order
from app.extensions import db
from app.measures import Period, report
from app.measures.automations import HELD_OUT, verdict
from app.records.models import EmailEvent, Send
from tests.measures.conftest import local

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


def send(shop, customer_id, at, state="sent", automation="winback"):
    row = Send(
        shop_id=shop.id,
        automation=automation,
        recipient=f"c{customer_id}@example.com",
        customer_id=customer_id,
        trigger_ref=f"lapse:{customer_id}:{at}",
        due_at=at,
        state=state,
        sent_at=at if state == "sent" else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_sent_opened_clicked_orders_and_rates(shop, order):
    # Three winback emails sent in October (one on Sep 30 local time, which is outside), opens and clicks
    # unique per email, one credited order of 45.00:
    # open rate 2/3 = 66.7, click rate 1/3 = 33.3, conversion 1/3 = 33.3
    first, second, third = (send(shop, c, local(2026, 10, d)) for c, d in ((1, 3), (2, 4), (3, 5)))
    send(shop, 4, local(2026, 9, 30, 23))
    for row, kind in ((first, "open"), (first, "open"), (first, "click"), (second, "open")):
        db.session.add(EmailEvent(shop_id=shop.id, send_id=row.id, kind=kind))
    db.session.commit()
    placed = order(1, local(2026, 10, 6), "45.00")
    db.session.get(Order, (shop.id, placed.id)).attributed_send_id = first.id
    db.session.commit()
    winback = report(shop, OCTOBER)["automations"]["winback"]
    assert (winback["sent"], winback["opened"], winback["clicked"]) == (3, 2, 1)
    assert (winback["orders"], winback["revenue"]) == (1, "45.00")
    assert (winback["open_rate"], winback["click_rate"], winback["conversion_rate"]) == (66.7, 33.3, 33.3)
    assert third.id  # sent, never opened: in `sent` only
    nothing = report(shop, OCTOBER)["automations"]["abandoned_cart"]
    assert (nothing["sent"], nothing["open_rate"], nothing["conversion_rate"]) == (0, None, None)


def test_holdout_group_counts(shop, order):
    # Held out: customers 11 and 12 on Oct 10. 11 orders 2 days later (30.00) and 9 days later (outside the
    # 5-day window); 12 never. Emailed: customer 13 on Oct 10, orders on Oct 11 (20.00).
    for customer in (11, 12):
        send(shop, customer, local(2026, 10, 10), state=HELD_OUT)
    send(shop, 13, local(2026, 10, 10))
    order(11, local(2026, 10, 12), "30.00")
    order(11, local(2026, 10, 19), "70.00")
    order(13, local(2026, 10, 11), "20.00")
    holdout = report(shop, OCTOBER)["automations"]["winback"]["holdout"]
    assert (holdout["customers"], holdout["orders"], holdout["revenue"]) == (2, 1, "30.00")
    assert (holdout["conversion_rate"], holdout["revenue_per_customer"]) == (50.0, "15.00")
    assert holdout["emailed"]["customers"] == 1 and holdout["emailed"]["revenue_per_customer"] == "20.00"
    assert holdout["confidence"] == "not_enough_data"


def test_two_proportion_test_by_hand():
    # Emailed 40 of 200 bought (20 %), held out 20 of 200 (10 %). Pooled p = 60/400 = 0.15;
    # standard error = sqrt(0.15 * 0.85 * (1/200 + 1/200)) = 0.0357071; z = 0.10 / 0.0357071 = 2.80056;
    # two-sided p = erfc(2.80056 / sqrt 2) = 0.0051.
    result = verdict(200, 40, 200, 20)
    assert result["lift_points"] == 10.0
    assert math.isclose(result["p_value"], 0.0051, abs_tol=0.0001)
    assert result["confidence"] == "likely"
    # 22 vs 20 of 200: z = 0.01 / 0.0304 = 0.33, p = 0.74 -> could be chance.
    assert verdict(200, 22, 200, 20)["confidence"] == "unclear"
    # Fewer than 30 in a group: no verdict.
    assert verdict(29, 10, 200, 20)["confidence"] == "not_enough_data"


def test_revenue_is_money_text(shop):
    assert report(shop, OCTOBER)["automations"]["winback"]["holdout"]["revenue"] == "0.00"
    assert Decimal(report(shop, OCTOBER)["revenue"]) == Decimal("0.00")
