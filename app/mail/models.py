"""What happened to an email after it left: opens, clicks, bounces, unsubscribes."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db, shop_fk
from app.ids import new_id


class EmailEvent(db.Model):
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
