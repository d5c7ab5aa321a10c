"""The inbox: accept a delivery in one short transaction, apply it in the worker.

`accept` inserts the delivery's receipts and its body together, so a repeated delivery
(even at the same instant) fails on the receipt key and is neither stored nor applied twice.
The request then answers at once; `apply_pending` (the "apply_webhooks" job, run by every
tick until the inbox stays empty) applies bodies in batches, each in the transaction that
deletes it from the inbox, so a crash re-applies nothing and loses nothing.
"""

import hashlib
import json
import logging
import time
from datetime import datetime

from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from app import clock, jobs
from app.customers import redaction
from app.customers.checkouts import store_checkouts
from app.customers.orders import store_orders
from app.extensions import db
from app.ids import new_id
from app.jobs import kinds
from app.shops.models import Shop
from app.webhooks import parse
from app.webhooks.handlers import CHECKOUT_TOPICS, ORDER_TOPICS, TOPICS, Delivery
from app.webhooks.models import WebhookInbox, WebhookReceipt

REDACTIONS = ("customers/redact", "shop/redact")

log = logging.getLogger(__name__)
BATCH = 500
# The hot path writes through the tables, not the mapped classes: Core inserts skip the ORM's
# bulk-insert machinery, about a third of the request's cost.
RECEIPTS, INBOX = WebhookReceipt.__table__, WebhookInbox.__table__
#: A process that just made sure a shop's apply job is queued need not ask again for a few
#: seconds: the job keeps running every tick while deliveries come (see webhooks.jobs). Keyed
#: by the shop row's identity (id and creation time), so a recreated shop is asked about anew.
ENSURED_FOR = 5.0
_ensured: dict[tuple, float] = {}


def receipt_rows(shop_id: int, delivery: Delivery) -> list[dict]:
    now = clock.now()
    return [
        {"shop_id": shop_id, "key": key, "topic": delivery.topic, "received_at": now}
        for key in (
            f"w:{delivery.webhook_id}" if delivery.webhook_id else None,
            f"e:{delivery.event_id}" if delivery.event_id else None,
        )
        if key
    ]


def accept(shop_id: int, delivery: Delivery, body: str, shop_created_at=None) -> bool:
    """Store a verified delivery for the worker; False if it was already received."""
    receipts = receipt_rows(shop_id, delivery)
    delivery_row = {
        "shop_id": shop_id,
        "id": new_id(),
        "topic": delivery.topic,
        "body": body,
        "triggered_at": delivery.triggered_at,
        "received_at": clock.now(),
    }
    try:
        if db.engine.dialect.name == "postgresql":
            _store_in_one_statement(receipts, delivery_row)
        else:
            _store_in_one_transaction(receipts, delivery_row)
        stored = True
    except IntegrityError:
        db.session.rollback()
        stored = False
    # After the delivery is stored: a job that is running now runs again (jobs.enqueue), so it
    # cannot finish having missed this delivery. A duplicate asks too: its first copy may have
    # been stored by a process that died before asking.
    _ensure_apply_job(shop_id, shop_created_at)
    return stored


def _ensure_apply_job(shop_id: int, shop_created_at) -> None:
    key = (shop_id, shop_created_at)
    if time.monotonic() - _ensured.get(key, -ENSURED_FOR) < ENSURED_FOR:
        return
    try:
        jobs.enqueue(shop_id, kinds.APPLY_WEBHOOKS, unique_key="inbox")
        db.session.commit()
    except Exception as error:  # noqa: BLE001 - the delivery is stored: answer 200, the next one asks again
        db.session.rollback()
        log.warning("apply job for shop %s not queued (the next delivery or reconcile will): %s", shop_id, error)
        return
    _ensured[key] = time.monotonic()


#: Receipts and body in one statement, which is atomic on its own: run outside a transaction it
#: is one round trip to the server instead of four (BEGIN, receipts, body, COMMIT), which took
#: PostgreSQL's webhook rate from ~45% to ~67% of a bare endpoint's (bench/webhooks.py).
STORE_ON_POSTGRES = text("""
    WITH receipts AS (
        INSERT INTO webhook_receipts (shop_id, key, topic, received_at)
        SELECT :shop_id, key, :topic, :received_at FROM unnest(CAST(:keys AS varchar[])) AS key
    )
    INSERT INTO webhook_inbox (shop_id, id, topic, body, triggered_at, received_at)
    VALUES (:shop_id, :id, :topic, :body, :triggered_at, :received_at)
""")


def _store_in_one_statement(receipts: list[dict], delivery_row: dict) -> None:
    # A concurrent twin waits on the receipt key, then fails on it: nothing of it is stored.
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            STORE_ON_POSTGRES, {**delivery_row, "keys": [row["key"] for row in receipts]}
        )


def _store_in_one_transaction(receipts: list[dict], delivery_row: dict) -> None:
    # On a connection of its own, not the session: nothing here needs the ORM's bookkeeping.
    with db.engine.begin() as conn:
        if receipts:
            # First write of the transaction: a concurrent twin waits here, then fails on the key.
            # executemany form: the statement is compiled once per process and cached (a multi-row
            # `.values([...])` is compiled on every request).
            conn.execute(insert(RECEIPTS), receipts)
        conn.execute(insert(INBOX), delivery_row)


#: Topics applied a batch at a time: (topics, body -> record, write the records, what for the log).
BATCHED = (
    (ORDER_TOPICS, parse.order, store_orders, "a batch of orders"),
    (CHECKOUT_TOPICS, parse.checkout, store_checkouts, "a batch of checkouts"),
)


def drain(before: datetime) -> int:
    """Apply every delivery received up to `before`, every shop's; returns how many.

    The worker's tick calls this first, so every webhook answered before the tick began is
    applied before the tick decides any email (an order still in the inbox cancels its cart email).
    """
    applied = 0
    while shop_ids := list(
        db.session.scalars(select(WebhookInbox.shop_id).where(WebhookInbox.received_at <= before).distinct().limit(100))
    ):
        for shop_id in shop_ids:
            while done := apply_pending(shop_id, before=before):
                applied += done
    return applied


def apply_pending(shop_id: int, limit: int = BATCH, before: datetime | None = None) -> int:
    """Apply up to `limit` waiting deliveries of a shop in one transaction; returns how many.

    Orders, and checkouts, of the batch are each written together (one multi-row upsert: newest
    wins within the batch as across batches); the rest go through their topic handler one by one.
    On PostgreSQL one worker at a time applies a shop's inbox (a transaction advisory lock): a
    second waits, then finds what the first applied gone.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(CAST(:key AS bigint))"), {"key": _inbox_key(shop_id)})
    shop = db.session.get(Shop, shop_id)
    query = select(WebhookInbox).where(WebhookInbox.shop_id == shop_id)
    if before is not None:
        query = query.where(WebhookInbox.received_at <= before)
    rows = list(db.session.scalars(query.order_by(WebhookInbox.id).limit(limit)))
    batched = set()
    for topics, read, write, what in BATCHED:
        group = [row for row in rows if row.topic in topics]
        # One bad body fails its group: the group is then applied one by one below, so only it is lost.
        if group and _guarded(lambda: write(shop_id, [read(json.loads(r.body)) for r in group]), what, shop_id):  # noqa: B023 - called at once
            batched.update(row.id for row in group)
    for row in rows:
        if row.id not in batched:
            delivery = Delivery(topic=row.topic, webhook_id=None, event_id=None, triggered_at=row.triggered_at)
            _guarded(lambda: TOPICS[row.topic](shop, json.loads(row.body), delivery), row.topic, shop_id)  # noqa: B023 - called at once
    if rows:
        db.session.execute(
            delete(WebhookInbox).where(WebhookInbox.shop_id == shop_id, WebhookInbox.id.in_([row.id for row in rows]))
        )
    db.session.commit()
    if any(row.topic in REDACTIONS for row in rows):
        redaction.checkpoint()  # the redacted rows and the request itself leave no copy behind
    return len(rows)


def _inbox_key(shop_id: int) -> int:
    """The advisory lock key of a shop's inbox (a signed 64-bit number apart from the address locks)."""
    digest = hashlib.blake2b(f"inbox:{shop_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _guarded(apply, what: str, shop_id: int) -> bool:
    """Run `apply` in a savepoint; a failure other than the database being unavailable is logged."""
    try:
        with db.session.begin_nested():
            apply()
    except OperationalError:
        raise  # the database is unavailable: the job retries the whole batch later
    except Exception as error:  # noqa: BLE001 - one bad body must not block the shop's inbox
        # Bodies are checked before they are accepted, so this is a bug: log it loudly, drop the body.
        log.error("webhook %s for shop %s could not be applied: %s", what, shop_id, error)
        return False
    return True
