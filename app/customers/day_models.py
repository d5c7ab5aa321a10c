"""The order days' tables (`app.customers.days` derives them from the orders)."""

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Date, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from app.customers.models import Money
from app.extensions import db, shop_fk


class CustomerDay(db.Model):
    __tablename__ = "customer_days"
    __table_args__ = (
        # Every period figure is a range over `day`; the included columns make them index-only on PostgreSQL.
        Index(
            "ix_customer_days_shop_day",
            "shop_id",
            "day",
            "next_day",
            postgresql_include=["customer_id", "prev_day", "orders", "revenue"],
        ),
        # Each customer's first day: new customers, one-time and repeat buyers.
        Index(
            "ix_customer_days_shop_first",
            "shop_id",
            "day",
            "next_day",
            "orders",
            postgresql_where=text("prev_day IS NULL"),
            sqlite_where=text("prev_day IS NULL"),
        ),
    )

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Decimal] = mapped_column(Money)
    #: The customer's previous day with an order; None on their first.
    prev_day: Mapped[date | None] = mapped_column(Date)
    #: The customer's next day with an order; None on their latest.
    next_day: Mapped[date | None] = mapped_column(Date)


class ShopDay(db.Model):
    __tablename__ = "shop_days"

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Decimal] = mapped_column(Money)
