"""Background jobs run by the worker: history import steps, token refresh, reconciliation."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db, shop_fk
from app.ids import new_id


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        #: At most one live job of a kind and key per shop (queueing twice is harmless).
        UniqueConstraint("shop_id", "kind", "unique_key", name="uq_jobs_shop_kind_key"),
        Index("ix_jobs_state_run_at", "state", "run_at"),
    )

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, default=new_id)
    #: Name of a handler registered with `jobs.handler`.
    kind: Mapped[str] = mapped_column(String(40))
    unique_key: Mapped[str] = mapped_column(String(100), default="")
    #: queued -> running -> done | failed.
    state: Mapped[str] = mapped_column(String(10), default="queued")
    run_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Asked for again while running: the run under way may have missed the new work, so it
    #: is queued again when it ends instead of being marked done.
    rerun: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A running job whose lease ran out was abandoned by a dead worker and may be taken again.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    #: Handler-owned state: arguments, cursor for resuming, progress (done, total).
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
