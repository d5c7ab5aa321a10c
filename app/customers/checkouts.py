"""Open checkouts: the candidates for an abandoned-cart email.

A checkout keeps the newest snapshot the store sent (by `updated_at`), its items with what an
email shows, and the id of the order that came from it, if we hold that order, whichever
arrived first.
"""
from sqlalchemy import select

from app.customers import consent
from app.customers.bulk import upsert
from app.customers.models import Checkout, Customer, Order, Product
from app.customers.products import remember_from_lines
from app.customers.profiles import ensure_customers
from app.customers.records import CheckoutRecord
from app.extensions import db

COLUMNS = ("email", "customer_id", "first_name", "locale", "accepts_marketing", "items", "total", "currency",
           "recovery_url", "platform_updated_at", "completed_at", "order_id")


def store_checkout(shop_id: int, record: CheckoutRecord) -> bool:
    """Apply one checkout snapshot; returns False when we already hold a newer one."""
    if record.customer_id is not None:
        ensure_customers(shop_id, {record.customer_id: {"email": record.email, "first_name": record.first_name,
                                                        "locale": record.locale}})
    remember_from_lines(shop_id, record.items)
    order_id = db.session.scalar(select(Order.id).where(Order.shop_id == shop_id,
                                                        Order.checkout_token == record.token)
                                 .order_by(Order.id).limit(1))
    row = {"shop_id": shop_id, "token": record.token, "email": consent.normalise_email(record.email),
           "customer_id": record.customer_id, "first_name": record.first_name, "locale": record.locale,
           "accepts_marketing": record.accepts_marketing, "items": _items(shop_id, record),
           "total": record.total, "currency": record.currency, "recovery_url": record.recovery_url,
           "platform_updated_at": record.updated_at, "completed_at": record.completed_at, "order_id": order_id}
    applied = upsert(Checkout, [row], keys=("shop_id", "token"), update=COLUMNS, newer="platform_updated_at",
                     returning="token")
    if applied and record.accepts_marketing and record.customer_id is not None:
        # Ticking the box is an opt-in stated now; an unticked box withdraws nothing.
        consent.apply_statement(db.session.get(Customer, (shop_id, record.customer_id)),
                                consent.SUBSCRIBED, record.updated_at)
    return bool(applied)


def _items(shop_id: int, record: CheckoutRecord) -> list[dict]:
    """The cart as an email shows it; images come from the products cache when we know them."""
    ids = {line.product_id for line in record.items if line.product_id is not None}
    images = dict(db.session.execute(select(Product.id, Product.image_url)
                                     .where(Product.shop_id == shop_id, Product.id.in_(ids))).all()) if ids else {}
    return [{"product_id": line.product_id, "variant_id": line.variant_id, "title": line.title,
             "variant_title": line.variant_title, "quantity": line.quantity,
             "price": None if line.price is None else str(line.price),
             "image_url": images.get(line.product_id)} for line in record.items]
