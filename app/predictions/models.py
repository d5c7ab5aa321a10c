"""The fitted purchase model of each shop (one row per shop, replaced at each fit)."""

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db, shop_fk


class PurchaseModel(db.Model):
    __tablename__ = "purchase_models"

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    #: When the last fit was tried; with `r` None it found not enough data.
    fitted_at: Mapped[datetime] = mapped_column(DateTime)
    #: Customers with an order at the fit, and how many of them bought on two days or more.
    customers: Mapped[int] = mapped_column(Integer, default=0)
    repeat_customers: Mapped[int] = mapped_column(Integer, default=0)
    #: Why there is no model ("not_enough_data"), or None.
    reason: Mapped[str | None] = mapped_column(String(40))
    r: Mapped[float | None] = mapped_column(Float)
    alpha: Mapped[float | None] = mapped_column(Float)
    a: Mapped[float | None] = mapped_column(Float)
    b: Mapped[float | None] = mapped_column(Float)
    log_likelihood: Mapped[float | None] = mapped_column(Float)
    p: Mapped[float | None] = mapped_column(Float)
    q: Mapped[float | None] = mapped_column(Float)
    gamma: Mapped[float | None] = mapped_column(Float)

    @property
    def fitted(self) -> bool:
        return self.r is not None
