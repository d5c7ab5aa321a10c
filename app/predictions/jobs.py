"""The worker's "fit_purchase_model" job: after a history import, then daily."""

from datetime import timedelta

from app import clock, jobs
from app.customers import days
from app.extensions import db
from app.predictions import fit_shop
from app.shops.models import Shop

EVERY = timedelta(days=1)
KIND = "fit_purchase_model"


def schedule(shop_id: int) -> None:
    """Fit now (the job then repeats itself daily)."""
    jobs.enqueue(shop_id, KIND, unique_key="daily")


@jobs.handler(KIND)
def fit_purchase_model(job):
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed:
        return None
    if not days.present(shop.id):
        days.rebuild(shop.id)  # a shop whose orders came before order days existed
    fit_shop(shop)
    db.session.commit()
    return clock.now() + EVERY
