"""The settings page's background job: the merchant's "send me a test" email."""
from app import jobs
from app.automations import preview
from app.extensions import db
from app.shops.models import Shop


@jobs.handler("send_test")
def send_test(job) -> None:
    """Render and send the test now; a failure raises, and the job queue retries with backoff."""
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed:
        return None
    preview.send_test(shop, job.data["automation"], job.data["locale"], job.data["to"])
    return None
