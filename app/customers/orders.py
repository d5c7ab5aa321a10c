"""Orders and their lines, and the customer figures derived from them.

Stats (orders_count, total_spent, first/last order) are recomputed from the orders table for
each touched customer rather than incremented, so duplicates, out-of-order updates and
cancellations can never make them drift. An order also closes the checkout it came from,
whichever of the two arrives first (they join on the checkout token).
"""
from decimal import Decimal

from sqlalchemy import delete, func, insert, select, update

from app.customers import consent
from app.customers.bulk import upsert
from app.customers.models import Checkout, Customer, Order, OrderLine
from app.customers.products import remember_from_lines
from app.customers.profiles import ensure_customers
from app.customers.records import OrderRecord
from app.extensions import db

CHUNK = 500  # ids per IN (...) list: well under every driver's parameter limit

ORDER_COLUMNS = ("customer_id", "email", "checkout_token", "placed_at", "platform_updated_at", "total",
                 "currency", "discount_codes", "cancelled_at")


def store_orders(shop_id: int, records: list[OrderRecord], *, consent_from_orders: bool = True) -> list[int]:
    """Apply orders (newest `updated_at` wins); returns the ids that changed.

    `consent_from_orders` records "accepts marketing" ticks as consent statements; the import
    turns it off because the customer's own marketing state is the newer truth there.
    """
    newest: dict[int, OrderRecord] = {}
    for record in records:
        known = newest.get(record.id)
        if known is None or (known.updated_at and record.updated_at and record.updated_at >= known.updated_at):
            newest[record.id] = record
    if not newest:
        return []
    ensure_customers(shop_id, {r.customer_id: {"email": r.email, "first_name": r.first_name, "locale": r.locale}
                               for r in newest.values() if r.customer_id is not None})
    rows = [{"shop_id": shop_id, "id": r.id, "customer_id": r.customer_id, "email": consent.normalise_email(r.email),
             "checkout_token": r.checkout_token, "placed_at": r.placed_at, "platform_updated_at": r.updated_at,
             "total": r.total, "currency": r.currency, "discount_codes": r.discount_codes,
             "cancelled_at": r.cancelled_at} for _, r in sorted(newest.items())]
    # Upserting the order first also serialises two concurrent updates of one order (row lock),
    # so their line rewrites below cannot interleave.
    applied = upsert(Order, rows, keys=("shop_id", "id"), update=ORDER_COLUMNS, newer="platform_updated_at",
                     returning="id")
    if not applied:
        return []
    fresh = [newest[order_id] for order_id in sorted(applied)]
    _replace_lines(shop_id, fresh)
    remember_from_lines(shop_id, [line for r in fresh for line in r.lines])
    customer_ids = sorted({r.customer_id for r in fresh if r.customer_id is not None})
    refresh_stats(shop_id, customer_ids)
    if consent_from_orders:
        for r in fresh:
            if r.accepts_marketing and r.customer_id is not None:
                customer = db.session.get(Customer, (shop_id, r.customer_id))
                consent.apply_statement(customer, consent.SUBSCRIBED, r.placed_at)
    close_checkouts(shop_id, sorted({r.checkout_token for r in fresh if r.checkout_token}))
    return [r.id for r in fresh]


def _replace_lines(shop_id: int, fresh: list[OrderRecord]) -> None:
    ids = [r.id for r in fresh]
    for start in range(0, len(ids), CHUNK):
        db.session.execute(delete(OrderLine).where(OrderLine.shop_id == shop_id,
                                                   OrderLine.order_id.in_(ids[start:start + CHUNK])))
    lines = [{"shop_id": shop_id, "order_id": r.id, "position": position, "product_id": line.product_id,
              "variant_id": line.variant_id, "quantity": line.quantity}
             for r in fresh for position, line in enumerate(r.lines)]
    if lines:
        db.session.execute(insert(OrderLine), lines)


def refresh_stats(shop_id: int, customer_ids: list[int]) -> None:
    """Recompute each customer's order figures from their live (not cancelled) orders."""
    def over_live(expression):
        return (select(expression).where(Order.shop_id == Customer.shop_id, Order.customer_id == Customer.id,
                                         Order.cancelled_at.is_(None)).scalar_subquery())
    for start in range(0, len(customer_ids), CHUNK):
        db.session.execute(
            update(Customer)
            .where(Customer.shop_id == shop_id, Customer.id.in_(customer_ids[start:start + CHUNK]))
            .values(orders_count=over_live(func.count()),
                    total_spent=over_live(func.coalesce(func.sum(Order.total), Decimal("0"))),
                    first_order_at=over_live(func.min(Order.placed_at)),
                    last_order_at=over_live(func.max(Order.placed_at)))
            .execution_options(synchronize_session=False))


def close_checkouts(shop_id: int, tokens: list[str]) -> None:
    """Mark checkouts whose order we hold as ordered (the order may have arrived first)."""
    ordered = (select(Order.id).where(Order.shop_id == Checkout.shop_id, Order.checkout_token == Checkout.token)
               .order_by(Order.id).limit(1).scalar_subquery())
    for start in range(0, len(tokens), CHUNK):
        db.session.execute(
            update(Checkout)
            .where(Checkout.shop_id == shop_id, Checkout.token.in_(tokens[start:start + CHUNK]))
            .values(order_id=ordered)
            .execution_options(synchronize_session=False))
