"""The discount codes we created in stores, one per email."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db, shop_fk


class IssuedCode(db.Model):
    """A code that exists in the store; an order using it is credited to its email."""

    __tablename__ = "discount_codes"
    __table_args__ = (Index("ix_discount_codes_shop_send", "shop_id", "send_id"),)

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    #: Upper-case, as printed in the email ("COMEBACK-7QK2-M9XD").
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    send_id: Mapped[int | None] = mapped_column(BigInteger)
    #: The store's `DiscountCodeNode` gid, to look the discount up or delete it later.
    platform_id: Mapped[str | None] = mapped_column(String(100))
    #: Percent off the order; 0 for a free-shipping code (`discounts.FREE_SHIPPING`).
    percent: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
