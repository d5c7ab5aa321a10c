"""The compliance deletions: `customers/redact` and `shop/redact`.

They walk every table in the metadata rather than a fixed list, so a table another feature
adds later (with `shop_id` and a `customer_id`, `email` or `recipient` column) is redacted
too. Rows that point at a deleted row without naming the customer (order lines; email events,
survey answers and any other table with a `send_id`) are deleted through their parent first.
"""

from sqlalchemy import delete, or_, select

from app.customers import consent, days
from app.customers.models import Customer, Order, OrderLine
from app.extensions import db
from app.records.models import Send
from app.shops.models import Shop

CHUNK = 500


def redact_customer(
    shop_id: int, customer_id: int | None, email: str | None, order_ids: list[int] | tuple = ()
) -> None:
    """Delete every row about this customer (by id and by address) in every table.

    The address is kept only as a keyed hash in suppressions, because the contract says a
    redacted address never gets marketing again.
    """
    email = consent.normalise_email(email)
    if customer_id is None and email is None and not order_ids:
        return
    # (id, customer_id, placed_at) of every order to delete: named by the customer, or listed.
    listed = sorted(set(order_ids))
    pick = select(Order.id, Order.customer_id, Order.placed_at).where(Order.shop_id == shop_id)
    named = naming(Order, customer_id, email)
    found = set(db.session.execute(pick.where(named)).all()) if named is not None else set()
    for start in range(0, len(listed), CHUNK):
        found.update(db.session.execute(pick.where(Order.id.in_(listed[start : start + CHUNK]))).all())
    orders = set(listed) | {order_id for order_id, _, _ in found}
    sends = list(db.session.scalars(select(Send.id).where(Send.shop_id == shop_id, naming(Send, customer_id, email))))
    for table in db.metadata.sorted_tables:
        if "shop_id" in table.c and "send_id" in table.c:
            _delete_in(table, table.c.send_id, shop_id, sends)
    _delete_in(OrderLine, OrderLine.order_id, shop_id, sorted(orders))
    _delete_in(Order, Order.id, shop_id, sorted(orders))
    if customer_id is not None:
        db.session.execute(delete(Customer).where(Customer.shop_id == shop_id, Customer.id == customer_id))
    for table in db.metadata.sorted_tables:
        names = naming(table, customer_id, email)
        if "shop_id" in table.c and names is not None:
            db.session.execute(delete(table).where(table.c.shop_id == shop_id, names))
    # The order days are derived from the orders just deleted: the shop's totals and any other
    # customer id that placed one under this address are recomputed from what is left.
    days.refresh(shop_id, [(customer, placed_at) for _, customer, placed_at in found])
    if email is not None:
        consent.suppress(shop_id, email, "redacted")


def redact_shop(shop_id: int) -> None:
    """Delete every row of the shop, in every table, and the shop itself."""
    for table in reversed(db.metadata.sorted_tables):
        if "shop_id" in table.c:
            db.session.execute(delete(table).where(table.c.shop_id == shop_id))
    db.session.execute(delete(Shop).where(Shop.id == shop_id))


def checkpoint() -> None:
    """Call after committing a redaction. On SQLite, copy the WAL into the database file and empty
    it: the WAL still holds the pages as they were (secure_delete zeroes only the new versions)."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def naming(source, customer_id: int | None, email: str | None):
    """A condition matching rows that name this customer, or None if the table names no one.
    (The data request walks the tables with it too, so both find the same rows.)"""
    columns = source.c if hasattr(source, "c") else source.__table__.c
    conditions = []
    if customer_id is not None and "customer_id" in columns:
        conditions.append(columns.customer_id == customer_id)
    for name in ("email", "recipient"):
        if email is not None and name in columns:
            conditions.append(columns[name] == email)
    return or_(*conditions) if conditions else None


def _delete_in(model, column, shop_id: int, ids: list[int]) -> None:
    table = model if hasattr(model, "c") else model.__table__
    for start in range(0, len(ids), CHUNK):
        db.session.execute(delete(table).where(table.c.shop_id == shop_id, column.in_(ids[start : start + CHUNK])))
