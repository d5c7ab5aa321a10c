"""Asking the store about products first seen on an order or checkout line (image, link, stock).

Lines carry only title and price; until the store describes a product it is not shown in
emails. Products the store no longer knows are kept (orders point at them) but unpublished.
"""

from sqlalchemy import select, update

from app import clock
from app.customers.models import Product
from app.customers.products import store_products
from app.extensions import db
from app.history import parse
from app.history.queries import PRODUCTS_BY_ID
from app.shops.graphql import Client, gid

PAGE = 50  # ids per call: about 300 cost points


def refresh_unknown(client: Client, shop_id: int) -> int:
    """Describe every cached product the store has not described yet; returns how many were asked."""
    asked = 0
    while True:
        ids = list(
            db.session.scalars(
                select(Product.id)
                .where(Product.shop_id == shop_id, Product.refreshed_at.is_(None))
                .order_by(Product.id)
                .limit(PAGE)
            )
        )
        if not ids:
            return asked
        found = [
            node for node in client.execute(PRODUCTS_BY_ID, {"ids": [gid("Product", i) for i in ids]})["nodes"] if node
        ]
        store_products(shop_id, [parse.product(node) for node in found])
        gone = set(ids) - {parse.product(node).id for node in found}
        if gone:
            db.session.execute(
                update(Product)
                .where(Product.shop_id == shop_id, Product.id.in_(gone))
                .values(published=False, refreshed_at=clock.now())
            )
        db.session.commit()
        asked += len(ids)
