"""The minimal picture of a shop's customers: only what the automations need.

No street addresses, phone numbers or payment data are stored (see the data
inventory in the README). Keys are the platform's own ids, prefixed by shop_id.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, Integer, Numeric, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db, shop_fk
from app.ids import new_id

Money = Numeric(14, 2)


def changed_at():
    """When we last wrote the row (our clock, not the store's): planning rescans only rows written
    since its previous tick (automations.planning). Every write stamps it: the ORM and Core
    insert/update by this default, the bulk upserts (customers.bulk) explicitly. None: not written
    since the column came (the first tick after it rescans everything anyway)."""
    return mapped_column(DateTime, default=clock.now, onupdate=clock.now)


#: Characters of a product description kept (the store cuts it at a word: `description(truncateAt:)`).
EXCERPT = 300


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_shop_email", "shop_id", "email"),
        Index("ix_customers_shop_last_order", "shop_id", "last_order_at"),
        Index("ix_customers_shop_changed", "shop_id", "changed_at"),
        Index("ix_customers_shop_signed_up", "shop_id", "platform_created_at"),
    )

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    #: Shopify's numeric customer id.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: Lower-cased; None for customers known only by phone.
    email: Mapped[str | None] = mapped_column(String(320))
    first_name: Mapped[str | None] = mapped_column(String(255))
    #: The customer's language ("vi", "en-US"); decides the email template's language.
    locale: Mapped[str | None] = mapped_column(String(16))
    #: subscribed, not_subscribed, pending, unsubscribed, redacted, invalid.
    consent_state: Mapped[str] = mapped_column(String(16), default="not_subscribed")
    #: When that consent statement was made; a newer statement wins, an older one is ignored.
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    orders_count: Mapped[int] = mapped_column(Integer, default=0)
    total_spent: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    first_order_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_order_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The platform's `updated_at` of the newest profile we applied (out-of-order guard).
    platform_updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: When the account was created in the store (`Customer.createdAt`, the webhook's `created_at`):
    #: the sign-up the welcome email follows. None for a customer known only from an order or checkout.
    platform_created_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Birthday (the store's `facts.birth_date` metafield, or our birthday form): "YYYY-MM-DD",
    #: or "--MM-DD" when the customer gave no year. The birthday email is all it is for.
    birth_date: Mapped[str | None] = mapped_column(String(10))
    #: When that birthday was stated (the metafield's `updatedAt`, or the form's answer); newer wins.
    birth_date_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    changed_at: Mapped[datetime | None] = changed_at()


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_shop_checkout", "shop_id", "checkout_token"),
        Index("ix_orders_shop_customer", "shop_id", "customer_id", "placed_at"),
        Index("ix_orders_shop_placed", "shop_id", "placed_at"),
        Index("ix_orders_shop_changed", "shop_id", "changed_at"),
        # The orders credited to emails (retention figures per automation); partial, so it stays small.
        Index(
            "ix_orders_shop_attributed",
            "shop_id",
            "attributed_send_id",
            postgresql_where=text("attributed_send_id IS NOT NULL"),
            sqlite_where=text("attributed_send_id IS NOT NULL"),
        ),
    )

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    email: Mapped[str | None] = mapped_column(String(320))
    #: Joins the order to its checkout (checkout `token`); closes an abandoned cart.
    checkout_token: Mapped[str | None] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(DateTime)
    platform_updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    #: Codes used on the order; a code we issued attributes the order to its email.
    discount_codes: Mapped[list] = mapped_column(JSON, default=list)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The store's `processed_at`: when the order was really taken (earlier than `placed_at` for
    #: orders imported into the store from elsewhere).
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: When it was paid (cash on delivery: at delivery); None while unpaid.
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: When it was fulfilled (shipped); None until fully fulfilled. Journeys after a purchase count from here.
    fulfilled_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: A test order: the retention figures leave it out (`live()`); automations treat it as any order.
    test: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The email this order is credited to (discount code used, or a click within the window).
    attributed_send_id: Mapped[int | None] = mapped_column(BigInteger)
    #: Written with its lines: a change of them is a change of the order.
    changed_at: Mapped[datetime | None] = changed_at()


def live():
    """The orders the retention figures count: neither cancelled nor test."""
    return Order.cancelled_at.is_(None) & Order.test.is_(False)


class OrderLine(db.Model):
    """Which products an order contained: feeds bestsellers and "already bought"."""

    __tablename__ = "order_lines"
    # No index on product_id: it tempted SQLite's planner into walking every line the shop ever sold
    # for bestsellers; through the primary key (shop_id, order_id) a 90-day window takes ~15 ms at
    # 100k orders instead of ~330 ms (bench/import.py).

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: Position in the order; with order_id, the line's identity.
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    #: The variant bought and how many: a one-click reorder link is `/cart/{variant_id}:{quantity}`.
    variant_id: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer, default=1)


class Checkout(db.Model):
    """A checkout that may become an abandoned cart."""

    __tablename__ = "checkouts"
    __table_args__ = (
        Index("ix_checkouts_shop_updated", "shop_id", "platform_updated_at"),
        Index("ix_checkouts_shop_changed", "shop_id", "changed_at"),
    )

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320))
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    first_name: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(16))
    #: The buyer ticked "email me news and offers" (a consent statement made at platform_updated_at).
    accepts_marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Snapshot of the cart: [{product_id, variant_id, title, variant_title, quantity, price, image_url}].
    items: Mapped[list] = mapped_column(JSON, default=list)
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    recovery_url: Mapped[str | None] = mapped_column(Text)
    #: The platform's updated_at: the abandoned-cart delay counts from here; newest wins.
    platform_updated_at: Mapped[datetime] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Set when an order with this checkout_token arrives (in any order of events).
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    changed_at: Mapped[datetime | None] = changed_at()


class Product(db.Model):
    """What an email needs to show a product; filled by import, order lines and the API."""

    __tablename__ = "products"

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(255), default="")
    image_url: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(Money)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The store's product type and tags: what "the same kind of product" means (category affinity).
    product_type: Mapped[str | None] = mapped_column(String(255))
    tags: Mapped[list | None] = mapped_column(JSON)
    handle: Mapped[str | None] = mapped_column(String(255))
    #: The start of the product's own description (plain text, at most EXCERPT characters): care tips.
    excerpt: Mapped[str | None] = mapped_column(Text)
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Suppression(db.Model):
    """An address that must get no more marketing email from this shop."""

    __tablename__ = "suppressions"

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    #: unsubscribed, bounced, redacted, complained.
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)


class DataRequest(db.Model):
    """A `customers/data_request`: the stored data, assembled for the merchant to hand over."""

    __tablename__ = "data_requests"

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, default=new_id)
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    email: Mapped[str | None] = mapped_column(String(320))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
