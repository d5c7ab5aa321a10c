"""The settings page's background job: the merchant's "send me a test" email."""

import logging

from app import jobs
from app.automations import preview
from app.extensions import db
from app.jobs import kinds
from app.shops.models import Shop

log = logging.getLogger(__name__)


class TryLater(RuntimeError):
    """The mail server deferred the test; the job queue retries it with a growing delay."""


@jobs.handler(kinds.SEND_TEST)
def send_test(job) -> None:
    """Render and send the test now. A deferral is retried; anything else is final and logged."""
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed:
        return None
    delivery = preview.send_test(
        shop, job.data["automation"], job.data["locale"], job.data["to"], job.data.get("step", 0)
    )
    if delivery.status == "temporary":
        raise TryLater(delivery.detail)
    if delivery.status != "sent":  # refused, or lost with the connection: resending could duplicate
        log.warning("test email of shop %s not delivered (%s): %s", shop.domain, delivery.status, delivery.detail)
    return None
