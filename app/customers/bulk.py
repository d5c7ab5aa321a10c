"""Multi-row inserts and upserts that behave the same on SQLite and PostgreSQL.

Webhooks and the history import write through these, so both get "newest `updated_at` wins"
from the database itself (ON CONFLICT ... DO UPDATE ... WHERE), not from a read-then-write
that two concurrent deliveries could interleave.
"""

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import JSON, String, Text, bindparam, cast, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from app import clock
from app.extensions import db


def _on_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def insert_rows(model, rows: Sequence[dict]):
    """An INSERT of `rows` (dicts with the same keys) in the dialect that knows ON CONFLICT.
    Add the conflict clause, then execute it with `run(stmt, rows)`.

    On PostgreSQL the rows travel as one array per column, unnested into the INSERT: one short
    statement whatever the batch size, which psycopg parses once and PostgreSQL plans once. As a
    multi-row VALUES every batch was a new 200 KB statement: a third of a history import's time
    went on parsing them, and psycopg's statement cache grew by ~30 MB.
    """
    table = model.__table__
    stamp(table, rows)
    if not _on_postgres():
        return sqlite.insert(table)
    names = list(rows[0])
    return postgresql.insert(table).from_select(names, select(*[_unnest(table.c[name], rows) for name in names]))


def stamp(table, rows: Sequence[dict]) -> None:
    """Set `changed_at` (now) on rows of a table that has one: planning rescans rows written since
    its last tick, and a multi-row INSERT skips the column's Python default on PostgreSQL."""
    if "changed_at" in table.c:
        now = clock.now()
        for row in rows:
            row.setdefault("changed_at", now)


def changed(table, excluded) -> dict:
    """The ON CONFLICT DO UPDATE part that stamps `changed_at` too (empty for tables without one)."""
    return {"changed_at": excluded.changed_at} if "changed_at" in table.c else {}


def _unnest(column, rows: Sequence[dict]):
    values = [row[column.name] for row in rows]
    if isinstance(column.type, JSON):
        # An array of JSON documents would be read as nested arrays: send text, cast per row.
        texts = [None if value is None else json.dumps(value) for value in values]
        return cast(func.unnest(bindparam(f"rows_{column.name}", texts, type_=postgresql.ARRAY(Text))), column.type)
    # VARCHAR(n)[] would cut an over-long value silently; VARCHAR[] leaves the column to refuse it.
    element = String() if isinstance(column.type, String) else column.type
    return func.unnest(bindparam(f"rows_{column.name}", values, type_=postgresql.ARRAY(element)))


def run(stmt, rows: Sequence[dict]):
    """Execute a statement made by `insert_rows` (on PostgreSQL the rows are already inside it)."""
    return db.session.execute(stmt) if _on_postgres() else db.session.execute(stmt, list(rows))


def upsert(
    model,
    rows: Sequence[dict],
    *,
    keys: Iterable[str],
    update: Iterable[str] = (),
    newer: str | None = None,
    returning: str | None = None,
    computed: dict | None = None,
) -> list:
    """Insert `rows` (no key twice); on a key conflict overwrite the `update` columns.

    `computed` maps more columns to `fn(ours, theirs)` (the table's columns, the row offered),
    the SQL value they take on a conflict (e.g. keep ours unless we have none).
    `newer` names a timestamp column: an existing row is only overwritten by a row at least as
    new (a late or replayed event changes nothing). With `returning`, the values of that column
    for the rows actually inserted or updated are returned (stale rows are left out).
    """
    if not rows:
        return []
    table = model.__table__
    stmt = insert_rows(model, rows)
    set_ = {name: stmt.excluded[name] for name in update}
    set_.update({name: fn(table.c, stmt.excluded) for name, fn in (computed or {}).items()})
    if set_:
        set_.update(changed(table, stmt.excluded))
    if set_:
        where = None
        if newer is not None:
            where = or_(table.c[newer].is_(None), table.c[newer] <= stmt.excluded[newer])
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_, where=where)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    if returning is None:
        run(stmt, rows)
        return []
    return list(run(stmt.returning(table.c[returning]), rows).scalars())
