"""Reconciliation: re-read orders and customers changed since a moment, through the same writes
as webhooks, so a missed or lost delivery is healed within the hour (Shopify does not promise
delivery; its own guidance is to reconcile from the API)."""
from datetime import datetime, timedelta

from app import clock
from app.customers.orders import store_orders
from app.customers.profiles import store_customers
from app.extensions import db
from app.history import parse, queries
from app.shops.graphql import Client

FIRST_LOOK_BACK = timedelta(days=2)
OVERLAP = timedelta(minutes=10)


def run(client: Client, shop_id: int, since: datetime) -> dict:
    """Apply every order and customer updated after `since`; returns how many of each were read."""
    search = f"updated_at:>'{clock.iso(since)}'"
    counts = {"orders": 0, "customers": 0}
    for page in _pages(client, queries.RECENT_CUSTOMERS, "customers", search):
        store_customers(shop_id, [parse.customer(node) for node in page])
        db.session.commit()
        counts["customers"] += len(page)
    for page in _pages(client, queries.RECENT_ORDERS, "orders", search):
        store_orders(shop_id, [parse.order(node, (node.get("lineItems") or {}).get("nodes") or [])
                               for node in page])
        db.session.commit()
        counts["orders"] += len(page)
    return counts


def _pages(client: Client, query: str, field: str, search: str):
    after = None
    while True:
        connection = client.execute(query, {"query": search, "after": after})[field]
        yield connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return
        after = connection["pageInfo"]["endCursor"]
