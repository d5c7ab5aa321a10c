"""Writing a birthday given on our form back to the store, as the customer's `facts.birth_date`
metafield, so the merchant (and every other app) sees it too. Only for shops that granted
`write_customers` (an optional scope), and only for a birthday with a year (the `date` type needs one).
"""

import logging

from app import jobs
from app.customers import birthdays
from app.customers.models import Customer
from app.extensions import db
from app.jobs import kinds
from app.shops.graphql import Client, gid
from app.shops.models import Shop

log = logging.getLogger(__name__)

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
    if "write_customers" not in (shop.scopes or "").split(",") or customer.birth_date.startswith("--"):
        return None
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
