"""The email record: every planned email (`Send`) and what happened to it after it left (`EmailEvent`).

It sits below the engine, mail and customers packages, which all read and write it, and imports
nothing of theirs.
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db, shop_fk
from app.ids import new_id


class Send(db.Model):
    """One planned email. The unique key is the exactly-once guarantee.

    States: planned -> claimed -> sending -> sent; or skipped / failed (with a reason);
    `unknown` when the hand-over to SMTP may have happened (the worker died while sending, or
    the connection broke during DATA): never retried, the mail server may have accepted it.
    """

    __tablename__ = "sends"
    __table_args__ = (
        # trigger_ref before recipient: the same index answers "is this trigger planned already?"
        # (one email per checkout or lapse, whatever the address), and every write updates one index less.
        UniqueConstraint("shop_id", "automation", "trigger_ref", "recipient", name="uq_sends_key"),
        # The claim query scans only rows still to send; the partial index stays small however
        # many sends are done. It is the one hot index not led by shop_id, because claiming is
        # across shops (per shard, once distributed).
        Index(
            "ix_sends_planned_due",
            "due_at",
            postgresql_where=text("state = 'planned'"),
            sqlite_where=text("state = 'planned'"),
        ),
        # The frequency cap counts what went to an address; rows not sent yet stay out of it,
        # so planning a backlog does not grow it.
        Index(
            "ix_sends_shop_recipient_sent",
            "shop_id",
            "recipient",
            "sent_at",
            postgresql_where=text("sent_at IS NOT NULL"),
            sqlite_where=text("sent_at IS NOT NULL"),
        ),
        # Retention figures (app/measures) read one automation's emails of a period, and its held-out
        # customers (state held_out, timed by due_at) for the holdout comparison.
        Index("ix_sends_shop_automation_sent", "shop_id", "automation", "sent_at"),
        Index(
            "ix_sends_shop_automation_held_out",
            "shop_id",
            "automation",
            "due_at",
            postgresql_where=text("state = 'held_out'"),
            sqlite_where=text("state = 'held_out'"),
        ),
        # Lease recovery looks only at rows in flight.
        Index(
            "ix_sends_in_flight",
            "lease_until",
            postgresql_where=text("state IN ('claimed', 'sending')"),
            sqlite_where=text("state IN ('claimed', 'sending')"),
        ),
    )

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, default=new_id)
    automation: Mapped[str] = mapped_column(String(40))
    #: Lower-cased email address: the frequency cap and suppressions apply per address.
    recipient: Mapped[str] = mapped_column(String(320))
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    #: What triggered it, e.g. "checkout:<token>" or "lapse:<last order id>": one email per trigger.
    trigger_ref: Mapped[str] = mapped_column(String(120))
    #: When it may go next: the trigger's due time, moved by deferrals and retries.
    due_at: Mapped[datetime] = mapped_column(DateTime)
    #: The trigger's own due time; the 7-day catch-up limit counts from here, whatever deferrals did.
    became_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(10), default="planned")
    #: Why it was skipped, deferred or failed, in a stable code ("ordered", "quiet_hours", ...).
    reason: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    #: The claim token of the worker holding the lease; transitions check it, so a late worker changes nothing.
    worker: Mapped[str | None] = mapped_column(String(100))
    #: Automation-specific data captured when planned (e.g. which checkout).
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    discount_code: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class EmailEvent(db.Model):
    """What happened to an email after it left: opens, clicks, bounces, unsubscribes."""

    __tablename__ = "email_events"
    __table_args__ = (
        Index("ix_email_events_shop_send", "shop_id", "send_id"),
        Index("ix_email_events_shop_at", "shop_id", "at"),
    )

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, default=new_id)
    #: The `sends.id` the event belongs to (same shop).
    send_id: Mapped[int] = mapped_column(BigInteger)
    #: open, click, unsubscribe, bounce.
    kind: Mapped[str] = mapped_column(String(12))
    #: The link followed (clicks).
    url: Mapped[str | None] = mapped_column(Text)
    #: The mail server's reply (bounces).
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
