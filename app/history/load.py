"""Streaming a bulk operation's JSONL result into the database, in constant memory.

The file is read line by line over HTTP (never whole), rows are grouped into batches of
BATCH root objects with their nested rows (which follow their parent, pointing back with
`__parentId`), and each batch is written with multi-row upserts and committed together
with the job's cursor (lines done). After a crash the job re-opens the file and skips
what a committed batch already covered.
"""

import json
import time
from collections.abc import Callable, Iterator

import requests
from flask import current_app
from sqlalchemy import text

from app.customers.orders import store_orders
from app.customers.products import store_products
from app.customers.profiles import store_customers
from app.extensions import db
from app.history import parse

BATCH = 1000


def lines(url: str, skip: int = 0) -> Iterator[bytes]:
    """The file's lines after the first `skip`, streamed."""
    with requests.get(url, stream=True, timeout=current_app.config["HTTP_TIMEOUT"]) as response:
        response.raise_for_status()
        for number, raw in enumerate(response.iter_lines(chunk_size=256 * 1024)):
            if number >= skip and raw:
                yield raw


def write(shop_id: int, phase: str, roots: list[dict], children: dict[str, list[dict]]) -> None:
    if phase == "products":
        store_products(shop_id, [parse.product(node) for node in roots])
    elif phase == "customers":
        store_customers(shop_id, [parse.customer(node) for node in roots])
    else:
        store_orders(shop_id, [parse.order(node, children.get(node["id"], [])) for node in roots], bulk=True)


def load(
    shop_id: int, phase: str, rows: Iterator[bytes], cursor: int, checkpoint: Callable[[int], None], deadline: float
) -> tuple[int, bool]:
    """Write `rows` (the file after `cursor` lines) in batches; `checkpoint(lines_done)` is
    called before each commit. Stops at a batch boundary once `deadline` (time.monotonic) has
    passed. Returns (lines done, finished)."""
    roots, children, pending = [], {}, 0
    for raw in rows:
        row = json.loads(raw)
        parent = row.get("__parentId")
        if parent is None and len(roots) >= BATCH:
            cursor = _flush(shop_id, phase, roots, children, cursor + pending, checkpoint)
            roots, children, pending = [], {}, 0
            if time.monotonic() > deadline:
                return cursor, False
        if parent is None:
            roots.append(row)
        else:
            children.setdefault(parent, []).append(row)
        pending += 1
    if pending:
        cursor = _flush(shop_id, phase, roots, children, cursor + pending, checkpoint)
    return cursor, True


def _flush(shop_id, phase, roots, children, cursor, checkpoint) -> int:
    if db.engine.dialect.name == "postgresql":
        # The tables grow from empty during an import. psycopg prepares a statement run 5 times, and
        # PostgreSQL's generic plan for it, costed on an empty table, is a sequential scan that then
        # slows every batch as the table grows (62% of a 100k import's time went in one DELETE).
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    write(shop_id, phase, roots, children)
    checkpoint(cursor)
    db.session.commit()
    return cursor
