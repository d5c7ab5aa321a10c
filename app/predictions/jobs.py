"""The worker's "fit_purchase_model" job: after a history import, then daily."""

from app import jobs
from app.customers import days
from app.extensions import db
from app.jobs import kinds
from app.predictions import fit_shop
from app.shops.models import Shop


def schedule(shop_id: int) -> None:
    """Fit now (the job then repeats itself daily)."""
    jobs.enqueue(shop_id, kinds.FIT_PURCHASE_MODEL, unique_key="daily")


@jobs.handler(kinds.FIT_PURCHASE_MODEL)
def fit_purchase_model(job):
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed:
        return None
    if not days.present(shop.id):
        days.rebuild(shop.id)  # a shop whose orders came before order days existed
    fit_shop(shop)
    db.session.commit()
    return jobs.AGAIN
