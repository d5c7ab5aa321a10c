"""Writing a birthday given on our form back to the store, as the customer's `facts.birth_date`
metafield, so the merchant (and every other app) sees it too. Only for a birthday with a year (the
`date` type needs one); while the shop has not granted `write_customers` (an optional scope, asked
from the settings page) the job waits, and `app/scopes_update` wakes it.
"""

import logging
from datetime import timedelta

from app import clock, jobs
from app.customers import birthdays
from app.customers.models import Customer
from app.extensions import db
from app.jobs import kinds
from app.shops.graphql import Client, gid
from app.shops.models import Shop

log = logging.getLogger(__name__)

WAIT_FOR_SCOPE = timedelta(days=1)

METAFIELDS_SET = """
mutation WriteBirthday($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key value updatedAt }
    userErrors { field message code }
  }
}"""


@jobs.handler(kinds.WRITE_BIRTHDAY)
def write_birthday(job):
    """Write the birthday we hold now (not the one of when the job was queued: a newer answer wins)."""
    shop = db.session.get(Shop, job.shop_id)
    customer = db.session.get(Customer, (job.shop_id, int(job.data["customer_id"])))
    if shop is None or not shop.installed or customer is None or not customer.birth_date:
        return None
    if customer.birth_date.startswith("--"):
        return None
    if "write_customers" not in (shop.scopes or "").split(","):
        return clock.now() + WAIT_FOR_SCOPE  # kept with us until the merchant grants the scope
    Client.for_shop(shop).mutate(
        METAFIELDS_SET,
        {
            "metafields": [
                {
                    "ownerId": gid("Customer", customer.id),
                    "namespace": birthdays.NAMESPACE,
                    "key": birthdays.KEY,
                    "type": "date",
                    "value": customer.birth_date,
                }
            ]
        },
        "metafieldsSet",
    )  # UserErrors raise: the job is retried, then failed with the store's message
    return None
