"""The send plan as a queue: claim due rows, move them through their states, recover leases.

Every transition is one conditional UPDATE that names the state it leaves and the
claim token that holds the row, so a worker that lost its lease (paused, killed,
too slow) can change nothing any more. Claims use `FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several workers take disjoint batches; SQLite serialises writers.
"""

import os
import secrets
import socket
from datetime import datetime, timedelta

from sqlalchemy import any_, bindparam, case, select, tuple_, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.records.models import Send

SENDS = Send.__table__
#: How long a claimed row may wait for its decision before another worker may take it. Short, so
#: a killed worker's claims are back in the plan within a minute; a live worker renews it (`renew`).
CLAIM_LEASE = timedelta(seconds=40)
#: A live worker renews its claims at least this often.
HEARTBEAT = timedelta(seconds=10)
#: How long a row may stay "sending"; past that its worker is presumed dead and the row is "unknown".
SEND_LEASE = timedelta(minutes=10)


def claim_token() -> str:
    """Who holds a claim: host, process and a nonce, so two ticks of one process never share a token."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def expire_leases(now: datetime) -> tuple[int, int]:
    """(released, unknown): claims never handed to SMTP go back to the plan; sends in flight become unknown."""
    released = db.session.execute(
        update(Send)
        .where(Send.state == "claimed", Send.lease_until < now)
        .values(state="planned", lease_until=None, worker=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    # The mail server may have accepted the message before the worker died: never retry it.
    unknown = db.session.execute(
        update(Send)
        .where(Send.state == "sending", Send.lease_until < now)
        .values(state="unknown", reason="lease_expired", lease_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return released, unknown


#: What a shop's settings defer; the automation's own settings may defer for its own reasons too.
SHOP_DEFERRALS = ("quiet_hours", "send_window", "frequency_cap", "daily_limit")


def redecide(shop_id: int, now: datetime, reasons: tuple[str, ...], automation: str | None = None) -> int:
    """Sends deferred for one of `reasons` are due again at once: the merchant changed what deferred
    them, so the next tick decides them anew (a rule that still holds defers them again)."""
    query = update(Send).where(
        Send.shop_id == shop_id, Send.state == "planned", Send.reason.in_(reasons), Send.due_at > now
    )
    if automation is not None:
        query = query.where(Send.automation == automation)
    return db.session.execute(query.values(due_at=now).execution_options(synchronize_session=False)).rowcount


def renew(token: str, now: datetime) -> int:
    """The heartbeat: extend the lease of every row this claim token still holds undecided."""
    renewed = db.session.execute(
        update(Send)
        .where(Send.state == "claimed", Send.worker == token)
        .values(lease_until=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return renewed


def release(token: str) -> int:
    """Give back every row this claim token still holds unsent (claimed, not handed to SMTP)."""
    released = db.session.execute(
        update(Send)
        .where(Send.state == "claimed", Send.worker == token)
        .values(state="planned", lease_until=None, worker=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return released


def claim(now: datetime, limit: int, token: str) -> list[Send]:
    """Take up to `limit` due rows for this worker, oldest due first, and commit the claim."""
    due = (
        select(Send.shop_id, Send.id)
        .where(Send.state == "planned", Send.due_at <= now)
        .order_by(Send.due_at)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # One statement claims and returns the rows: no second round trip to load them. It runs in a
    # session of its own, closed at once: the rows come out detached, as this worker's snapshot,
    # changed only through `move`, which mirrors what it wrote. The engine's many commits then
    # neither expire them nor reload them one by one.
    with Session(db.engine, expire_on_commit=False) as session:
        sends = session.scalars(
            update(Send)
            .where(tuple_(Send.shop_id, Send.id).in_(due))
            .values(state="claimed", lease_until=now + CLAIM_LEASE, worker=token)
            .returning(Send)
        ).all()
        session.commit()
    return sorted(sends, key=lambda send: send.due_at)


def move(send: Send, token: str, leaving: tuple[str, ...], **values) -> bool:
    """Change `send` if it is still in one of `leaving` under this token; False when it is no longer ours."""
    return bool(move_many([send], token, leaving, **values))


def move_many(
    sends: list[Send], token: str, leaving: tuple[str, ...], *, each: dict[int, dict] | None = None, **values
) -> list[Send]:
    """Change the sends still in one of `leaving` under this token, in one statement; `each` adds
    values per send id. Returns the sends that moved (the others are no longer ours)."""
    if not sends:
        return []
    each = each or {}
    written = dict(values)
    for name in {name for per_send in each.values() for name in per_send}:
        written[name] = case(
            {send_id: per_send[name] for send_id, per_send in each.items() if name in per_send},
            value=SENDS.c.id,
            else_=SENDS.c[name],
        )
    # Through the table (the ORM's bulk-update machinery costs more than the statement here).
    moved = set(
        db.session.scalars(
            update(SENDS)
            .where(
                _among(SENDS.c.shop_id, {send.shop_id for send in sends}),
                _among(SENDS.c.id, [send.id for send in sends]),
                SENDS.c.state.in_(leaving),
                SENDS.c.worker == token,
            )
            .values(**written)
            .returning(SENDS.c.id)
        )
    )
    done = [send for send in sends if send.id in moved]
    for send in done:
        _mirror(send, {**values, **each.get(send.id, {})})
    return done


def _among(column, values):
    """`column IN values`. On PostgreSQL one array parameter (`= ANY`): the statement's text does not
    change with the number of values, so it is parsed and planned once. (Send ids are unique across
    shops; the shop ids are there so the primary key index is used.)"""
    values = sorted(values)
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def _mirror(send: Send, values: dict) -> None:
    """Show what UPDATE wrote on the loaded object without making it dirty."""
    for name, value in values.items():
        set_committed_value(send, name, value)
