"""Open checkouts: the candidates for an abandoned-cart email.

A checkout keeps the newest snapshot the store sent (by `updated_at`), its items with what an
email shows, and the id of the order that came from it, if we hold that order, whichever
arrived first.
"""

from sqlalchemy import func, select

from app.customers import consent
from app.customers.bulk import upsert
from app.customers.models import Checkout, Customer, Order, Product
from app.customers.products import remember_from_lines
from app.customers.profiles import ensure_customers
from app.customers.records import CheckoutRecord
from app.extensions import db

COLUMNS = (
    "email",
    "customer_id",
    "first_name",
    "locale",
    "accepts_marketing",
    "items",
    "total",
    "currency",
    "recovery_url",
    "platform_updated_at",
    "completed_at",
    "order_id",
)


def store_checkout(shop_id: int, record: CheckoutRecord) -> bool:
    """Apply one checkout snapshot; returns False when we already hold a newer one."""
    return bool(store_checkouts(shop_id, [record]))


def store_checkouts(shop_id: int, records: list[CheckoutRecord]) -> list[str]:
    """Apply checkout snapshots (newest `updated_at` wins); returns the tokens that changed."""
    newest: dict[str, CheckoutRecord] = {}
    for record in records:
        known = newest.get(record.token)
        if known is None or record.updated_at >= known.updated_at:
            newest[record.token] = record
    if not newest:
        return []
    fresh = [newest[token] for token in sorted(newest)]
    ensure_customers(
        shop_id,
        {
            r.customer_id: {"email": r.email, "first_name": r.first_name, "locale": r.locale}
            for r in fresh
            if r.customer_id is not None
        },
    )
    remember_from_lines(shop_id, [line for r in fresh for line in r.items])
    # The order may have arrived first: it closes the checkout as it is stored.
    ordered = dict(
        db.session.execute(
            select(Order.checkout_token, func.min(Order.id))
            .where(Order.shop_id == shop_id, Order.checkout_token.in_(list(newest)))
            .group_by(Order.checkout_token)
        ).all()
    )
    images = _images(shop_id, {line.product_id for r in fresh for line in r.items if line.product_id is not None})
    rows = [
        {
            "shop_id": shop_id,
            "token": r.token,
            "email": consent.normalise_email(r.email),
            "customer_id": r.customer_id,
            "first_name": r.first_name,
            "locale": r.locale,
            "accepts_marketing": r.accepts_marketing,
            "items": _items(r, images),
            "total": r.total,
            "currency": r.currency,
            "recovery_url": r.recovery_url,
            "platform_updated_at": r.updated_at,
            "completed_at": r.completed_at,
            "order_id": ordered.get(r.token),
        }
        for r in fresh
    ]
    applied = upsert(
        Checkout, rows, keys=("shop_id", "token"), update=COLUMNS, newer="platform_updated_at", returning="token"
    )
    for token in sorted(applied):
        record = newest[token]
        if record.accepts_marketing and record.customer_id is not None:
            # Ticking the box is an opt-in stated now; an unticked box withdraws nothing.
            consent.apply_statement(
                db.session.get(Customer, (shop_id, record.customer_id)), consent.SUBSCRIBED, record.updated_at
            )
    return applied


def _images(shop_id: int, product_ids: set[int]) -> dict[int, str | None]:
    if not product_ids:
        return {}
    return dict(
        db.session.execute(
            select(Product.id, Product.image_url).where(Product.shop_id == shop_id, Product.id.in_(sorted(product_ids)))
        ).all()
    )


def _items(record: CheckoutRecord, images: dict[int, str | None]) -> list[dict]:
    """The cart as an email shows it; images come from the products cache when we know them."""
    return [
        {
            "product_id": line.product_id,
            "variant_id": line.variant_id,
            "title": line.title,
            "variant_title": line.variant_title,
            "quantity": line.quantity,
            "price": None if line.price is None else str(line.price),
            "image_url": images.get(line.product_id),
        }
        for line in record.items
    ]
