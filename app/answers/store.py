"""Recording and reading answers: the last answer wins until a follow-up has been decided on it.

`mark_decided` is one conditional UPDATE, so of two workers deciding the same answer exactly
one wins, and an answer arriving at that moment either lands before the decision or not at all.
"""

from datetime import datetime

from sqlalchemy import select, update

from app import clock
from app.answers.models import Answer
from app.customers.bulk import insert_rows, run
from app.extensions import db


def record(
    shop_id: int,
    send_id: int,
    customer_id: int | None,
    question: str,
    answer: str,
    comment: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Record (or replace) the answer to an email; False when its follow-up is already decided
    (the answer then stays as it was)."""
    row = {
        "shop_id": shop_id,
        "send_id": send_id,
        "customer_id": customer_id,
        "question": question,
        "answer": answer,
        "comment": comment or None,
        "answered_at": at or clock.now(),
    }
    stmt = insert_rows(Answer, [row])
    stmt = stmt.on_conflict_do_update(
        index_elements=["shop_id", "send_id"],
        set_={name: stmt.excluded[name] for name in ("question", "answer", "comment", "answered_at")},
        where=Answer.__table__.c.decided_at.is_(None),
    )
    # RETURNING, not rowcount: psycopg reports a conflict whose update was refused as a row.
    return run(stmt.returning(Answer.__table__.c.send_id), [row]).first() is not None


def answer_for(shop_id: int, send_id: int) -> Answer | None:
    """The answer given to an email, if any."""
    return db.session.get(Answer, (shop_id, send_id))


def mark_decided(shop_id: int, send_id: int, at: datetime | None = None) -> bool:
    """Freeze the answer because its follow-up is being decided now; False if already decided or none."""
    return bool(
        db.session.execute(
            update(Answer)
            .where(Answer.shop_id == shop_id, Answer.send_id == send_id, Answer.decided_at.is_(None))
            .values(decided_at=at or clock.now())
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def undecided(shop_id: int, question: str, limit: int = 500) -> list[Answer]:
    """Answers still waiting for their follow-up to be decided, oldest first."""
    return list(
        db.session.scalars(
            select(Answer)
            .where(Answer.shop_id == shop_id, Answer.question == question, Answer.decided_at.is_(None))
            .order_by(Answer.answered_at)
            .limit(limit)
        )
    )


def between(shop_id: int, question: str, start: datetime, end: datetime) -> list[Answer]:
    """Answers to `question` given in [start, end), oldest first (for NPS and the answers' spread)."""
    return list(
        db.session.scalars(
            select(Answer)
            .where(
                Answer.shop_id == shop_id,
                Answer.question == question,
                Answer.answered_at >= start,
                Answer.answered_at < end,
            )
            .order_by(Answer.answered_at)
        )
    )
