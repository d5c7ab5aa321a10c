"""Delivery receipts: how a webhook delivered twice is applied once."""
from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db, shop_fk


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
