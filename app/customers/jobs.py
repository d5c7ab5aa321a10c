"""The worker's "rebuild_order_days" job: the order days (and their daily summaries) again from the
orders, after the shop's time zone changed (every order may fall on another local day)."""

from app import jobs
from app.customers import days
from app.extensions import db
from app.jobs import kinds


@jobs.handler(kinds.REBUILD_ORDER_DAYS)
def rebuild_order_days(job) -> None:
    days.rebuild(job.shop_id)
    db.session.commit()
