"""Reconciliation: re-read customers, orders and abandoned checkouts changed since a moment,
through the same writes as webhooks, so a missed or lost delivery is healed within the hour
(Shopify does not promise delivery; its own guidance is to reconcile from the API)."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from app import clock
from app.customers.checkouts import store_checkout
from app.customers.models import Checkout
from app.customers.orders import store_orders
from app.customers.profiles import store_customers
from app.extensions import db
from app.history import parse, queries
from app.shops.graphql import Client

#: The checkout token in a recovery link (".../checkouts/<token>/recover?key=..."), as in the
#: `abandoned_checkout_url` of checkout webhooks.
TOKEN_IN_LINK = re.compile(r"/checkouts/([A-Za-z0-9_-]{1,64})/recover$")

FIRST_LOOK_BACK = timedelta(days=2)
OVERLAP = timedelta(minutes=10)


def run(client: Client, shop_id: int, since: datetime) -> dict:
    """Apply every customer, order and abandoned checkout updated after `since`; returns how many
    of each were read."""
    search = f"updated_at:>'{clock.iso(since)}'"
    counts = {"orders": 0, "customers": 0, "checkouts": 0}
    for page in _pages(client, queries.RECENT_CUSTOMERS, "customers", search):
        store_customers(shop_id, [parse.customer(node) for node in page])
        db.session.commit()
        counts["customers"] += len(page)
    for page in _pages(client, queries.RECENT_ORDERS, "orders", search):
        store_orders(shop_id, [parse.order(node, (node.get("lineItems") or {}).get("nodes") or []) for node in page])
        db.session.commit()
        counts["orders"] += len(page)
    # After orders: a checkout whose order we now hold is stored closed.
    for page in _pages(client, queries.RECENT_CHECKOUTS, "abandonedCheckouts", search):
        for node in page:
            _heal_checkout(shop_id, node)
        db.session.commit()
        counts["checkouts"] += len(page)
    return counts


def _heal_checkout(shop_id: int, node: dict) -> None:
    """Apply an abandoned checkout newer than ours. The API has no checkout token, which joins a
    checkout to its order: a checkout is known by the token inside its recovery link, or else by
    the link itself. One we cannot join is left alone: emailing it could chase a buyer who has
    already ordered."""
    url, updated_at = node.get("abandonedCheckoutUrl"), clock.parse_iso(node.get("updatedAt"))
    if not url or updated_at is None:
        return
    match = TOKEN_IN_LINK.search(urlsplit(url).path)
    known = db.session.get(Checkout, (shop_id, match.group(1))) if match else None
    if known is None:
        known = db.session.scalar(select(Checkout).where(Checkout.shop_id == shop_id, Checkout.recovery_url == url))
    if known is not None and known.platform_updated_at >= updated_at:
        return  # nothing was missed
    if known is None and match is None:
        return
    # The API has no tick box, so the healed copy claims none: an old tick re-dated now would be an
    # opt-in nobody gave. It has no checkout email either (only the customer's own): keep ours.
    record = parse.abandoned_checkout(node, token=known.token if known else match.group(1), accepts_marketing=False)
    if known is not None:
        record.email = known.email or record.email
        record.customer_id = record.customer_id or known.customer_id
        record.first_name = record.first_name or known.first_name
        record.locale = record.locale or known.locale
    if record.email:
        store_checkout(shop_id, record)


def _pages(client: Client, query: str, field: str, search: str):
    after = None
    while True:
        connection = client.execute(query, {"query": search, "after": after})[field]
        yield connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return
        after = connection["pageInfo"]["endCursor"]
