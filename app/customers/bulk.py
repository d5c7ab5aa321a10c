"""Multi-row upserts that behave the same on SQLite and PostgreSQL.

Webhooks and the history import write through these, so both get "newest `updated_at` wins"
from the database itself (ON CONFLICT ... DO UPDATE ... WHERE), not from a read-then-write
that two concurrent deliveries could interleave.
"""
from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert(model):
    """The dialect's INSERT, which knows ON CONFLICT."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model.__table__)


def upsert(model, rows: Sequence[dict], *, keys: Iterable[str], update: Iterable[str] = (),
           newer: str | None = None, keep_when_null: Iterable[str] = (), returning: str | None = None) -> list:
    """Insert `rows`; on a key conflict overwrite the `update` columns.

    `newer` names a timestamp column: an existing row is only overwritten by a row at least as
    new (a late or replayed event changes nothing). `keep_when_null` columns keep the stored
    value when the incoming one is null. With `returning`, the values of that column for the
    rows actually inserted or updated are returned (stale rows are left out).
    """
    if not rows:
        return []
    table = model.__table__
    stmt = insert(model)
    keep = set(keep_when_null)
    set_ = {name: (stmt.excluded[name] if name not in keep
                   else func.coalesce(stmt.excluded[name], table.c[name])) for name in update}
    if set_:
        where = None
        if newer is not None:
            where = or_(table.c[newer].is_(None), table.c[newer] <= stmt.excluded[newer])
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_, where=where)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    if returning is None:
        db.session.execute(stmt, list(rows))
        return []
    stmt = stmt.returning(table.c[returning])
    return list(db.session.scalars(stmt, list(rows)))
