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

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm.attributes import set_committed_value

from app.automations.models import Send
from app.extensions import db

#: How long a claimed row may wait for its decision before another worker may take it.
CLAIM_LEASE = timedelta(minutes=10)
#: How long a row may stay "sending"; past that its worker is presumed dead and the row is "unknown".
SEND_LEASE = timedelta(minutes=10)


def claim_token() -> str:
    """Who holds a claim: host, process and a nonce, so two ticks of one process never share a token."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def expire_leases(now: datetime) -> tuple[int, int]:
    """(released, unknown): claims never handed to SMTP go back to the plan; sends in flight become unknown."""
    released = db.session.execute(
        update(Send).where(Send.state == "claimed", Send.lease_until < now)
        .values(state="planned", lease_until=None, worker=None)
        .execution_options(synchronize_session=False)).rowcount
    # The mail server may have accepted the message before the worker died: never retry it.
    unknown = db.session.execute(
        update(Send).where(Send.state == "sending", Send.lease_until < now)
        .values(state="unknown", reason="lease_expired", lease_until=None)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return released, unknown


def claim(now: datetime, limit: int, token: str) -> list[Send]:
    """Take up to `limit` due rows for this worker, oldest due first, and commit the claim."""
    due = (select(Send.shop_id, Send.id).where(Send.state == "planned", Send.due_at <= now)
           .order_by(Send.due_at).limit(limit))
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # One statement claims and returns the rows: no second round trip to load them.
    sends = db.session.scalars(
        update(Send).where(tuple_(Send.shop_id, Send.id).in_(due))
        .values(state="claimed", lease_until=now + CLAIM_LEASE, worker=token)
        .returning(Send).execution_options(populate_existing=True)).all()
    # What RETURNING gave is exactly what was committed: keep it instead of reloading row by row.
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    return sorted(sends, key=lambda send: send.due_at)


def move(send: Send, token: str, leaving: tuple[str, ...], **values) -> bool:
    """Change `send` if it is still in one of `leaving` under this token; False when it is no longer ours."""
    done = db.session.execute(
        update(Send).where(Send.shop_id == send.shop_id, Send.id == send.id,
                           Send.state.in_(leaving), Send.worker == token)
        .values(**values).execution_options(synchronize_session=False)).rowcount == 1
    if done:
        _mirror(send, values)
    return done


def _mirror(send: Send, values: dict) -> None:
    """Show what UPDATE wrote on the loaded object without making it dirty."""
    for name, value in values.items():
        set_committed_value(send, name, value)
