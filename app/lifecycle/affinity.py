"""Category affinity: products of the kinds a customer bought (product type and tags), never
what they already own, ranked by how many of their kinds a product shares and then by recent
sales; the shop's bestsellers fill what affinity cannot.
"""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from app import clock
from app.customers.models import Order, OrderLine, Product
from app.customers.queries import bestsellers
from app.extensions import db

SALES_DAYS = 90


def owned(shop_id: int, customer_id: int):
    """SQL: the product ids this customer ever bought."""
    theirs = select(Order.id).where(Order.shop_id == shop_id, Order.customer_id == customer_id)
    return select(OrderLine.product_id).where(
        OrderLine.shop_id == shop_id, OrderLine.order_id.in_(theirs), OrderLine.product_id.is_not(None)
    )


def kinds(product: Product) -> set[str]:
    """A product's categories: its type and its tags, compared without case."""
    found = {f"type:{product.product_type.strip().lower()}"} if (product.product_type or "").strip() else set()
    for tag in product.tags or []:
        if isinstance(tag, str) and tag.strip():
            found.add(f"tag:{tag.strip().lower()}")
    return found


def picked_for(shop_id: int, customer_id: int, limit: int = 4, now: datetime | None = None) -> list[Product]:
    """Up to `limit` products for this customer: affinity first, bestsellers after."""
    now = now or clock.now()
    bought = list(
        db.session.scalars(
            select(Product).where(Product.shop_id == shop_id, Product.id.in_(owned(shop_id, customer_id)))
        )
    )
    wanted = Counter()
    for product in bought:
        wanted.update(kinds(product))
    picked: list[Product] = []
    if wanted:
        types = [k.removeprefix("type:") for k in wanted if k.startswith("type:")]
        # Candidates are the shop's sellable products the customer does not own; types narrow them in
        # SQL, tags (a JSON list) are compared here, over one shop's catalogue.
        candidates = db.session.scalars(
            select(Product).where(
                Product.shop_id == shop_id,
                Product.published.is_(True),
                Product.in_stock.is_(True),
                Product.id.not_in(owned(shop_id, customer_id)),
                (func.lower(Product.product_type).in_(types) | Product.tags.is_not(None))
                if types
                else Product.tags.is_not(None),
            )
        )
        sales = _units_sold(shop_id, now - timedelta(days=SALES_DAYS))
        scored = []
        for product in candidates:
            score = sum(wanted[kind] for kind in kinds(product) if kind in wanted)
            if score:
                scored.append((-score, -sales.get(product.id, 0), product.id, product))
        picked = [row[-1] for row in sorted(scored, key=lambda row: row[:3])[:limit]]
    if len(picked) < limit:
        seen = {p.id for p in picked}
        for product in bestsellers(shop_id, limit=limit + len(seen), exclude_customer_id=customer_id, now=now):
            if product.id not in seen and len(picked) < limit:
                picked.append(product)
    return picked


def _units_sold(shop_id: int, since: datetime) -> dict[int, int]:
    in_window = select(Order.id).where(Order.shop_id == shop_id, Order.cancelled_at.is_(None), Order.placed_at >= since)
    rows = db.session.execute(
        select(OrderLine.product_id, func.sum(OrderLine.quantity))
        .where(and_(OrderLine.shop_id == shop_id, OrderLine.order_id.in_(in_window)))
        .group_by(OrderLine.product_id)
    )
    return {product_id: int(units or 0) for product_id, units in rows}
