"""Background jobs of the webhooks package: applying the inbox, forgetting old delivery receipts.

Shopify retries a delivery for about 4 hours and may deliver up to a day late, so receipts
are kept 48 hours; after that they only cost space. The sweep reschedules itself hourly
for as long as the shop exists (`ensure_sweep` is called by the periodic reconcile job).
"""

from datetime import timedelta

from sqlalchemy import delete

from app import clock, jobs
from app.extensions import db
from app.jobs import kinds
from app.shops.models import Shop
from app.webhooks.inbox import apply_pending
from app.webhooks.models import WebhookReceipt

KEEP = timedelta(hours=48)


def ensure_sweep(shop_id: int) -> None:
    jobs.enqueue(shop_id, kinds.SWEEP_RECEIPTS, unique_key="periodic", run_at=kinds.SWEEP_RECEIPTS.next_run())


def sweep(shop_id: int, now=None) -> int:
    """Delete this shop's receipts older than 48 hours; returns how many went."""
    cutoff = (now or clock.now()) - KEEP
    result = db.session.execute(
        delete(WebhookReceipt).where(WebhookReceipt.shop_id == shop_id, WebhookReceipt.received_at < cutoff)
    )
    return result.rowcount


@jobs.handler(kinds.SWEEP_RECEIPTS)
def sweep_receipts(job):
    sweep(job.shop_id)
    if db.session.get(Shop, job.shop_id) is None:
        return None
    return jobs.AGAIN


#: After deliveries were last applied, keep looking each tick this long before stopping.
IDLE_STOP = timedelta(minutes=10)


@jobs.handler(kinds.APPLY_WEBHOOKS)
def apply_webhooks(job):
    """Drain the shop's inbox; stays scheduled every tick while deliveries keep coming."""
    while apply_pending(job.shop_id):
        job.data = {**job.data, "last_applied": clock.iso(clock.now())}
        db.session.commit()
    last = clock.parse_iso(job.data.get("last_applied")) or job.created_at
    return None if clock.now() - last > IDLE_STOP else clock.now()
