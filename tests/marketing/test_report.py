"""Each automation's results in Shopify's Marketing page, once write_marketing_events is granted."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import time_machine
from sqlalchemy import select

from app import jobs
from app.automations import settings as automation_settings
from app.customers.models import Order
from app.extensions import db
from app.jobs.models import Job
from app.marketing.figures import utc_offset
from app.marketing.jobs import schedule
from app.records.models import EmailEvent, Send
from app.shops.models import Shop
from tests.shops.test_managed_install import SHOP, open_from_admin
from tests.shops.test_scopes import grant

# 12:00 UTC on 20 Nov is 07:00 in New York: "yesterday" there is 19 Nov.
NOW = datetime(2026, 11, 20, 12, 0)
YESTERDAY_NY = datetime(2026, 11, 19, 15, 0)  # 10:00 New York


def installed_shop(client, sandbox):
    open_from_admin(client, sandbox)
    db.session.expire_all()
    return db.session.scalar(select(Shop).where(Shop.domain == SHOP))


def a_day_of_results(shop):
    automation_settings.update(shop, "winback", {"enabled": True})
    send = Send(
        shop_id=shop.id,
        automation="winback",
        recipient="an@example.com",
        trigger_ref="t:an",
        due_at=YESTERDAY_NY,
        state="sent",
        sent_at=YESTERDAY_NY,
        created_at=YESTERDAY_NY,
    )
    db.session.add(send)
    db.session.flush()
    for kind in ("open", "open", "click"):  # a second open of the same email counts once
        db.session.add(EmailEvent(shop_id=shop.id, send_id=send.id, kind=kind, at=YESTERDAY_NY + timedelta(hours=1)))
    db.session.add(
        Order(
            shop_id=shop.id,
            id=9001,
            email="an@example.com",
            placed_at=YESTERDAY_NY + timedelta(hours=2),
            total=Decimal("42.50"),
            attributed_send_id=send.id,
        )
    )
    db.session.commit()


def marketing_calls(sandbox):
    return [c for c in sandbox.shop(SHOP).api_calls if "marketing" in c.operation]


def test_granting_the_scope_reports_each_automation_with_yesterdays_engagement(app, client, sandbox, live_app):
    with time_machine.travel(NOW, tick=False):
        shop = installed_shop(client, sandbox)
        a_day_of_results(shop)
        grant(sandbox, "write_marketing_events")
        sandbox.wait_idle()
        jobs.run_due(limit=50)

    activity = sandbox.shop(SHOP).marketing_activities["comeback-winback"]
    assert activity["status"] == "ACTIVE" and activity["marketingChannelType"] == "EMAIL"
    day = activity["engagements"]["2026-11-19"]
    assert (day["sendsCount"], day["uniqueViewsCount"], day["uniqueClicksCount"]) == (1, 1, 1)
    assert day["orders"] == "1" and day["sales"] == {"amount": Decimal("42.50"), "currencyCode": "USD"}
    assert day["utcOffset"] == "-05:00" and not day["isCumulative"]
    # Never switched on and nothing to show: not listed in the merchant's Marketing page.
    assert "comeback-abandoned_cart" not in sandbox.shop(SHOP).marketing_activities


def test_a_day_is_reported_once_and_the_next_report_is_after_the_shops_midnight(app, client, sandbox, live_app):
    with time_machine.travel(NOW, tick=False):
        shop = installed_shop(client, sandbox)
        a_day_of_results(shop)
        grant(sandbox, "write_marketing_events")
        sandbox.wait_idle()
        jobs.run_due(limit=50)
        reported = len([c for c in marketing_calls(sandbox) if "Engagement" in c.operation])
        jobs.run_due(limit=50)  # same day again: nothing due
    assert len([c for c in marketing_calls(sandbox) if "Engagement" in c.operation]) == reported == 1
    job = db.session.scalar(select(Job).where(Job.kind == "report_marketing"))
    assert job.run_at == datetime(2026, 11, 21, 6, 0)  # 01:00 in New York


def test_without_the_scope_nothing_is_reported(app, client, sandbox, live_app):
    with time_machine.travel(NOW, tick=False):
        shop = installed_shop(client, sandbox)
        a_day_of_results(shop)
        schedule(shop.id)
        db.session.commit()
        jobs.run_due(limit=50)
    assert marketing_calls(sandbox) == []


def test_utc_offset_follows_daylight_saving():
    assert utc_offset(date(2026, 7, 1), "America/New_York") == "-04:00"
    assert utc_offset(date(2026, 12, 1), "Asia/Ho_Chi_Minh") == "+07:00"
