"""Delivery receipts (how a webhook delivered twice is applied once) and the inbox of accepted deliveries."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db, shop_fk
from app.ids import new_id


class WebhookReceipt(db.Model):
    """One row per delivery id and one per event id seen; the primary key refuses a repeat."""

    __tablename__ = "webhook_receipts"
    #: The sweep deletes one shop's receipts older than 48 h.
    __table_args__ = (Index("ix_webhook_receipts_shop_received", "shop_id", "received_at"),)

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    #: "w:<X-Shopify-Webhook-Id>" or "e:<X-Shopify-Event-Id>".
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)


class WebhookInbox(db.Model):
    """Deliveries accepted but not applied yet: the request stores the verified body and answers at
    once; the worker's "apply_webhooks" job applies them in batches (see webhooks.inbox)."""

    __tablename__ = "webhook_inbox"

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    #: Time-ordered, so deliveries are applied in arrival order (not required: handlers keep the newest).
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, default=new_id)
    topic: Mapped[str] = mapped_column(String(64))
    #: The raw JSON body exactly as signed by the store.
    body: Mapped[str] = mapped_column(Text)
    triggered_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
