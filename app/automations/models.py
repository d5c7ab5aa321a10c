"""Automation settings per shop (the send plan itself is `app.records.models.Send`)."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db, shop_fk


class AutomationSetting(db.Model):
    """A merchant's switch and tuning for one automation; absent means defaults, switched off."""

    __tablename__ = "automation_settings"

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Only the values the merchant changed; the automation module holds the defaults.
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The engine has planned every trigger that became due up to here (it rescans a margin for late data).
    planned_until: Mapped[datetime | None] = mapped_column(DateTime)
    #: Planning has seen every customer, order and checkout written before this (our clock, less
    #: planning.SLACK): the catch-up is rescanned only for rows written since (their `changed_at`).
    changes_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The last tick that rescanned the whole catch-up regardless of writes (planning.FULL_EVERY).
    rescanned_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now, onupdate=clock.now)
