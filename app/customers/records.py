"""Platform-neutral records that webhooks, the history import and reconciliation all produce.

Parsers turn the store's shapes (REST webhook bodies, GraphQL nodes) into these, and one
code path writes them, so an order seen by webhook and the same order seen by import agree.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.text import clean


def clip(value: str | None, size: int = 255) -> str | None:
    """Fit a text into its column (an over-long value would fail the whole batch), without control
    characters; empty is None."""
    value = clean(value) if isinstance(value, str) else value
    return value[:size] if value else None


@dataclass(slots=True)
class Line:
    """One line of an order or checkout: what was bought, and enough to show it in an email."""

    product_id: int | None
    variant_id: int | None
    quantity: int
    title: str = ""
    variant_title: str | None = None
    price: Decimal | None = None


@dataclass(slots=True)
class OrderRecord:
    id: int
    updated_at: datetime | None
    placed_at: datetime
    customer_id: int | None
    email: str | None
    first_name: str | None = None
    locale: str | None = None
    checkout_token: str | None = None
    total: Decimal = Decimal("0")
    currency: str = "USD"
    discount_codes: list[str] = field(default_factory=list)
    cancelled_at: datetime | None = None
    #: A test order (Shopify's `test`): stored, but never counted in figures.
    test: bool = False
    #: The buyer ticked "email me news and offers" on this order (an opt-in made at placed_at).
    accepts_marketing: bool = False
    lines: list[Line] = field(default_factory=list)
    processed_at: datetime | None = None
    #: The order is paid, and (first seen paid) when: the store gives no payment time, so a
    #: paid order seen for the first time was paid when processed, and an order we knew unpaid
    #: was paid at the update that shows it paid (see customers.orders).
    paid_at: datetime | None = None
    fulfilled_at: datetime | None = None


@dataclass(slots=True)
class CustomerRecord:
    id: int
    email: str | None
    first_name: str | None
    locale: str | None
    updated_at: datetime | None
    #: When the store created the account (never changes; None when the source did not say).
    created_at: datetime | None = None
    #: A consent statement carried with the profile (import), applied if newer than ours.
    consent_state: str | None = None
    consent_at: datetime | None = None
    #: The `facts.birth_date` metafield ("YYYY-MM-DD") and its `updatedAt`; None when the source
    #: did not carry the metafield (absent is not "deleted": a payload without metafields knows nothing).
    birth_date: str | None = None
    birth_date_at: datetime | None = None


@dataclass(slots=True)
class CheckoutRecord:
    token: str
    updated_at: datetime
    email: str | None
    customer_id: int | None
    first_name: str | None
    locale: str | None
    accepts_marketing: bool
    items: list[Line]
    total: Decimal
    currency: str
    recovery_url: str | None
    completed_at: datetime | None


@dataclass(slots=True)
class ProductRecord:
    id: int
    title: str
    price: Decimal | None
    image_url: str | None
    url: str | None
    published: bool
    in_stock: bool
    product_type: str | None = None
    tags: list[str] = field(default_factory=list)
    handle: str | None = None
    excerpt: str | None = None
