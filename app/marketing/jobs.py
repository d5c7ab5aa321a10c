"""The daily report to Shopify's Marketing page, run by the worker.

Queued when the shop grants `write_marketing_events` (app/scopes_update) and then once a day,
an hour after the shop's midnight, for the day that just ended. `job.data["through"]` keeps the
last day reported, so a worker that was down catches up (at most CATCH_UP_DAYS back) and a
day is never reported twice.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app import clock, jobs
from app.automations import settings as automation_settings
from app.automations.registry import AUTOMATIONS
from app.extensions import db
from app.jobs import kinds
from app.marketing import activities, figures
from app.shops.graphql import Client
from app.shops.models import Shop

KIND = kinds.REPORT_MARKETING
CATCH_UP_DAYS = 7


def _today(zone: str) -> date:
    return clock.now().replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()


def _next_run(zone: str) -> datetime:
    """01:00 tomorrow in the shop's time zone, as naive UTC."""
    tomorrow = _today(zone) + timedelta(days=1)
    return datetime.combine(tomorrow, time(1), ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


@jobs.handler(KIND)
def report_marketing(job) -> datetime | None:
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed or not activities.granted(shop):
        return None  # app/scopes_update queues it again when the scope is granted
    zone = shop.timezone or "UTC"
    yesterday = _today(zone) - timedelta(days=1)
    through = date.fromisoformat(job.data["through"]) if job.data.get("through") else None
    first = max(yesterday - timedelta(days=CATCH_UP_DAYS - 1), (through or date.min) + timedelta(days=1))
    client = Client.for_shop(shop)
    listed = set(job.data.get("listed") or [])
    days = [first + timedelta(days=i) for i in range((yesterday - first).days + 1)]
    for key, automation in AUTOMATIONS.items():
        enabled = bool(automation_settings.as_json(shop, key).get("enabled"))
        per_day = [(day, figures.of_day(shop.id, key, day, zone)) for day in days]
        if not enabled and key not in listed and all(f.empty for _, f in per_day):
            continue  # never switched on, nothing to show: no activity in the merchant's list
        title = automation.title.get(shop.locale) or automation.title.get("en") or key
        activities.upsert(client, shop, key, title, enabled)
        listed.add(key)
        for day, day_figures in per_day:
            if not day_figures.empty:
                activities.report(client, shop, key, day, day_figures)
    job.data = {"through": yesterday.isoformat(), "listed": sorted(listed)}
    return _next_run(zone)


def schedule(shop_id: int) -> None:
    jobs.enqueue(shop_id, KIND, unique_key="daily")
