"""Orders and their lines, and the customer figures derived from them.

Stats (orders_count, total_spent, first/last order) are recomputed from the orders table for
each touched customer rather than incremented, so duplicates, out-of-order updates and
cancellations can never make them drift. An order also closes the checkout it came from,
whichever of the two arrives first (they join on the checkout token).
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, delete, func, insert, literal, select, update

from app import clock
from app.customers import consent, days
from app.customers.bulk import insert_rows, run, upsert
from app.customers.models import Checkout, Customer, Order, OrderLine
from app.customers.products import remember_from_lines
from app.customers.profiles import ensure_customers
from app.customers.records import OrderRecord
from app.extensions import db

CHUNK = 500  # ids per IN (...) list: well under every driver's parameter limit

ORDER_COLUMNS = (
    "customer_id",
    "email",
    "checkout_token",
    "placed_at",
    "platform_updated_at",
    "total",
    "currency",
    "discount_codes",
    "cancelled_at",
    "processed_at",
    "fulfilled_at",
    "test",
)


def _paid_at(ours, theirs):
    """Ours once known. Else, an order we held unpaid that now shows paid was paid at this update
    (cash on delivery: paid when delivered); an order first seen paid keeps `paid_at` as offered."""
    return func.coalesce(ours.paid_at, case((theirs.paid_at.is_not(None), theirs.platform_updated_at)))


ORDER_COMPUTED = {"paid_at": _paid_at}


def store_orders(shop_id: int, records: list[OrderRecord], *, bulk: bool = False) -> list[int]:
    """Apply orders (newest `updated_at` wins); returns the ids that changed.

    `bulk` is the history import: the customer's own marketing state (imported just before) is
    newer than an order's tick box, so ticks are not recorded as consent; and customer figures
    and checkouts are derived once at the end (`derive_all`) instead of per batch.
    """
    newest: dict[int, OrderRecord] = {}
    for record in records:
        known = newest.get(record.id)
        if known is None or (known.updated_at and record.updated_at and record.updated_at >= known.updated_at):
            newest[record.id] = record
    if not newest:
        return []
    if not bulk:
        ensure_customers(
            shop_id,
            {
                r.customer_id: {"email": r.email, "first_name": r.first_name, "locale": r.locale}
                for r in newest.values()
                if r.customer_id is not None
            },
        )
    rows = [
        {
            "shop_id": shop_id,
            "id": r.id,
            "customer_id": r.customer_id,
            "email": consent.normalise_email(r.email),
            "checkout_token": r.checkout_token,
            "placed_at": r.placed_at,
            "platform_updated_at": r.updated_at,
            "total": r.total,
            "currency": r.currency,
            "discount_codes": r.discount_codes,
            "cancelled_at": r.cancelled_at,
            "processed_at": r.processed_at,
            "paid_at": r.paid_at,
            "fulfilled_at": r.fulfilled_at,
            "test": r.test,
        }
        for _, r in sorted(newest.items())
    ]
    # Whom and when the orders named before this update: an order moved to another customer (or
    # re-dated) leaves figures and order days to recompute on its former side too.
    before = {} if bulk else _held(shop_id, sorted(newest))
    # Upserting the order first also serialises two concurrent updates of one order (row lock),
    # so their line rewrites below cannot interleave.
    applied = upsert(
        Order,
        rows,
        keys=("shop_id", "id"),
        update=ORDER_COLUMNS,
        newer="platform_updated_at",
        returning="id",
        computed=ORDER_COMPUTED,
    )
    if not applied:
        return []
    fresh = [newest[order_id] for order_id in sorted(applied)]
    _replace_lines(shop_id, fresh)
    remember_from_lines(shop_id, [line for r in fresh for line in r.lines])
    if bulk:
        return [r.id for r in fresh]
    touched = [(r.customer_id, r.placed_at) for r in fresh] + [before[r.id] for r in fresh if r.id in before]
    refresh_stats(shop_id, sorted({customer for customer, _ in touched if customer is not None}))
    days.refresh(shop_id, touched)
    for r in fresh:
        if r.accepts_marketing and r.customer_id is not None:
            customer = db.session.get(Customer, (shop_id, r.customer_id))
            consent.apply_statement(customer, consent.SUBSCRIBED, r.placed_at)
    close_checkouts(shop_id, sorted({r.checkout_token for r in fresh if r.checkout_token}))
    return [r.id for r in fresh]


def _held(shop_id: int, order_ids: list[int]) -> dict[int, tuple[int | None, datetime]]:
    """order id -> (customer_id, placed_at) as we hold it now."""
    held = {}
    for start in range(0, len(order_ids), CHUNK):
        query = select(Order.id, Order.customer_id, Order.placed_at).where(
            Order.shop_id == shop_id, Order.id.in_(order_ids[start : start + CHUNK])
        )
        held.update(
            {order_id: (customer_id, placed_at) for order_id, customer_id, placed_at in db.session.execute(query)}
        )
    return held


def derive_all(shop_id: int) -> None:
    """After a bulk import: create customers that orders name but the customer export missed,
    recompute every customer's figures and order days, and close every checkout whose order we now hold."""
    known = select(Customer.id).where(Customer.shop_id == shop_id, Customer.id == Order.customer_id)
    missing = (
        select(
            Order.shop_id,
            Order.customer_id,
            func.min(Order.email),
            literal("not_subscribed"),
            literal(0),
            literal(Decimal("0")),
            literal(clock.now()),
            literal(clock.now()),
        )
        .where(Order.shop_id == shop_id, Order.customer_id.is_not(None), ~known.exists())
        .group_by(Order.shop_id, Order.customer_id)
    )
    db.session.execute(
        insert(Customer.__table__).from_select(
            ["shop_id", "id", "email", "consent_state", "orders_count", "total_spent", "created_at", "changed_at"],
            missing,
        )
    )
    db.session.execute(_stats(update(Customer).where(Customer.shop_id == shop_id)))
    days.rebuild(shop_id)
    db.session.execute(
        update(Checkout)
        .where(Checkout.shop_id == shop_id, Checkout.order_id.is_(None))
        .values(order_id=_ordered())
        .execution_options(synchronize_session=False)
    )


def _replace_lines(shop_id: int, fresh: list[OrderRecord]) -> None:
    ids = [r.id for r in fresh]
    for start in range(0, len(ids), CHUNK):
        db.session.execute(
            delete(OrderLine).where(OrderLine.shop_id == shop_id, OrderLine.order_id.in_(ids[start : start + CHUNK]))
        )
    lines = [
        {
            "shop_id": shop_id,
            "order_id": r.id,
            "position": position,
            "product_id": line.product_id,
            "variant_id": line.variant_id,
            "quantity": line.quantity,
        }
        for r in fresh
        for position, line in enumerate(r.lines)
    ]
    if lines:
        run(insert_rows(OrderLine, lines), lines)


def refresh_stats(shop_id: int, customer_ids: list[int]) -> None:
    """Recompute each customer's order figures from their orders that are not cancelled.

    Test orders count here (automations treat them like any order, so a merchant can try a
    flow with one); only the retention figures (`days`) leave them out."""
    for start in range(0, len(customer_ids), CHUNK):
        db.session.execute(
            _stats(
                update(Customer).where(
                    Customer.shop_id == shop_id, Customer.id.in_(customer_ids[start : start + CHUNK])
                )
            )
        )


def _stats(statement):
    def over_live(expression):
        return (
            select(expression)
            .where(Order.shop_id == Customer.shop_id, Order.customer_id == Customer.id, Order.cancelled_at.is_(None))
            .scalar_subquery()
        )

    return statement.values(
        orders_count=over_live(func.count()),
        total_spent=over_live(func.coalesce(func.sum(Order.total), Decimal("0"))),
        first_order_at=over_live(func.min(Order.placed_at)),
        last_order_at=over_live(func.max(Order.placed_at)),
    ).execution_options(synchronize_session=False)


def _ordered():
    """The id of an order we hold for the checkout being updated (the order may have arrived first)."""
    return (
        select(Order.id)
        .where(Order.shop_id == Checkout.shop_id, Order.checkout_token == Checkout.token)
        .order_by(Order.id)
        .limit(1)
        .scalar_subquery()
    )


def close_checkouts(shop_id: int, tokens: list[str]) -> None:
    """Mark checkouts whose order we hold as ordered."""
    for start in range(0, len(tokens), CHUNK):
        db.session.execute(
            update(Checkout)
            .where(Checkout.shop_id == shop_id, Checkout.token.in_(tokens[start : start + CHUNK]))
            .values(order_id=_ordered())
            .execution_options(synchronize_session=False)
        )
