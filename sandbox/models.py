"""The store's records: slotted dataclasses (compared by identity), so a 100,000-order store stays small and quick.

Values are kept the way the GraphQL Admin API names them (enum values upper case, money as
`Decimal`, times as aware UTC datetimes); `payloads` turns them into the REST shapes of webhooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar


def gid(obj) -> str:
    """Shopify's global id, the `id` every GraphQL node answers with."""
    return f"gid://shopify/{obj.TYPE}/{obj.id}"


@dataclass(slots=True, eq=False)
class Address:
    first_name: str
    last_name: str
    address1: str
    city: str
    province: str
    province_code: str
    zip: str
    country: str
    country_code: str
    address2: str | None = None
    phone: str | None = None
    company: str | None = None


@dataclass(slots=True, eq=False)
class Variant:
    TYPE: ClassVar[str] = "ProductVariant"
    id: int
    product: Product
    title: str
    price: Decimal
    sku: str
    inventory: int
    grams: int = 250


@dataclass(slots=True, eq=False)
class Product:
    TYPE: ClassVar[str] = "Product"
    id: int
    title: str
    handle: str
    product_type: str
    vendor: str
    description: str
    status: str  #: ACTIVE, DRAFT or ARCHIVED
    published: bool  #: on the online store (only ACTIVE products can be)
    created_at: datetime
    updated_at: datetime
    tags: list[str] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)

    @property
    def total_inventory(self) -> int:
        return sum(max(v.inventory, 0) for v in self.variants)


@dataclass(slots=True, eq=False)
class Customer:
    TYPE: ClassVar[str] = "Customer"
    id: int
    email: str | None
    first_name: str
    last_name: str
    locale: str
    created_at: datetime
    updated_at: datetime
    marketing_state: str  #: CustomerEmailAddressMarketingState: SUBSCRIBED, NOT_SUBSCRIBED, ...
    opt_in_level: str | None  #: SINGLE_OPT_IN, CONFIRMED_OPT_IN, UNKNOWN
    consent_updated_at: datetime | None
    address: Address | None = None
    phone: str | None = None
    note: str | None = None
    orders: list[Order] = field(default_factory=list)
    amount_spent: Decimal = Decimal(0)
    #: (namespace, key) -> Metafield, e.g. ("facts", "birth_date").
    metafields: dict = field(default_factory=dict)

    def seed_metafield(self, namespace: str, key: str, value: str, type: str, at: datetime) -> Metafield:
        """A metafield the customer had before the app came (seeding: no webhook). Its id is the
        customer's (one per customer), so adding it moves no other id."""
        m = Metafield(self.id, namespace, key, value, type, "CUSTOMER", at, at)
        self.metafields[(namespace, key)] = m
        return m

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or (self.email or "")


@dataclass(slots=True, eq=False)
class LineItem:
    TYPE: ClassVar[str] = "LineItem"
    id: int
    variant: Variant
    quantity: int

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def price(self) -> Decimal:
        return self.variant.price


@dataclass(slots=True, eq=False)
class Order:
    TYPE: ClassVar[str] = "Order"
    id: int
    number: int
    email: str | None
    customer: Customer | None
    created_at: datetime
    updated_at: datetime
    currency: str
    line_items: list[LineItem]
    token: str
    checkout_token: str | None
    customer_locale: str | None
    buyer_accepts_marketing: bool = False
    financial_status: str = "PAID"  #: OrderDisplayFinancialStatus
    fulfillment_status: str = "UNFULFILLED"  #: OrderDisplayFulfillmentStatus
    discount_codes: list[str] = field(default_factory=list)
    discount: Decimal = Decimal(0)
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    #: When the payment was taken; None: at `created_at` (an online payment at checkout).
    processed_at: datetime | None = None
    fulfillments: list[Fulfillment] = field(default_factory=list)

    def seed_fulfillment(self, at: datetime) -> None:
        """Shipped before the app came (seeding: no webhook): one fulfillment whose id is the order's."""
        self.fulfillment_status, self.updated_at = "FULFILLED", at
        self.fulfillments.append(Fulfillment(self.id, f"{self.name}.1", at))

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def subtotal(self) -> Decimal:
        return sum((li.price * li.quantity for li in self.line_items), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount


@dataclass(slots=True, eq=False)
class Fulfillment:
    TYPE: ClassVar[str] = "Fulfillment"
    id: int
    name: str
    created_at: datetime
    status: str = "SUCCESS"  #: FulfillmentStatus
    delivered_at: datetime | None = None

    @property
    def updated_at(self) -> datetime:
        return self.delivered_at or self.created_at


@dataclass(slots=True, eq=False)
class Metafield:
    TYPE: ClassVar[str] = "Metafield"
    id: int
    namespace: str
    key: str
    value: str
    type: str
    owner_type: str
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True, eq=False)
class Checkout:
    TYPE: ClassVar[str] = "AbandonedCheckout"
    token: str
    cart_token: str
    recover_key: str
    email: str | None
    customer: Customer | None
    line_items: list[LineItem]
    created_at: datetime
    updated_at: datetime
    currency: str
    customer_locale: str | None
    buyer_accepts_marketing: bool = False
    address: Address | None = None
    completed_at: datetime | None = None
    order: Order | None = None

    @property
    def id(self) -> int:
        """Numeric, made from the token: webhooks carry only the token, GraphQL only this id."""
        return int(self.token[:12], 16)

    @property
    def name(self) -> str:
        return f"#{self.id}"

    @property
    def subtotal(self) -> Decimal:
        return sum((li.price * li.quantity for li in self.line_items), Decimal(0))


@dataclass(slots=True, eq=False)
class Subscription:
    TYPE: ClassVar[str] = "WebhookSubscription"
    id: int
    topic: str  #: the enum value, e.g. ORDERS_CREATE
    uri: str
    format: str
    api_version: str
    created_at: datetime
    metafield_namespaces: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Delivery:
    """One POST of one event to one address; `redeliver` sends the same bytes and ids again."""

    webhook_id: str
    event_id: str
    topic: str
    uri: str
    body: bytes
    headers: dict[str, str]
    at: datetime
    status: int | None = None  #: the receiver's HTTP status; None when the POST failed or is held
    error: str | None = None
    attempt: int = 1


@dataclass(slots=True, eq=False)
class ApiCall:
    """What the app asked of the store, for the inspector page and for tests."""

    at: datetime
    kind: str  #: "graphql" or "oauth"
    operation: str
    status: int
    cost: float | None = None
    detail: str = ""


@dataclass(slots=True, eq=False)
class DiscountCode:
    TYPE: ClassVar[str] = "DiscountCodeNode"
    id: int
    title: str
    code: str
    created_at: datetime
    starts_at: datetime
    ends_at: datetime | None
    usage_limit: int | None
    applies_once_per_customer: bool
    customer_ids: list[int]
    percentage: float | None
    amount: Decimal | None
    codes: list[RedeemCode] = field(default_factory=list)
    #: A `DiscountCodeFreeShipping` (no percentage or amount) rather than a `DiscountCodeBasic`.
    free_shipping: bool = False
    #: ISO country codes the free shipping applies to; empty means every country.
    countries: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class ConsentChange:
    at: datetime
    customer_id: int
    email: str | None
    state: str
    opt_in_level: str | None
    source: str  #: "api" (the app's mutation), "storefront", "checkout" (the buyer's tick box) or "python"


@dataclass(slots=True, eq=False)
class BulkOperation:
    TYPE: ClassVar[str] = "BulkOperation"
    id: int
    query: str
    created_at: datetime
    status: str = "CREATED"  #: BulkOperationStatus
    error_code: str | None = None
    completed_at: datetime | None = None
    object_count: int = 0
    root_object_count: int = 0
    file_size: int | None = None
    url: str | None = None
    partial_data_url: str | None = None


@dataclass(slots=True, eq=False)
class Grant:
    """An access token with its refresh token, as handed out by `/admin/oauth/access_token`."""

    shop: str
    access_token: str
    scope: str
    expires_at: datetime | None  #: None for a non-expiring offline token
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None


@dataclass(slots=True, eq=False)
class AuthCode:
    code: str
    shop: str
    scope: str
    expires_at: datetime
    used: bool = False


@dataclass(slots=True, eq=False)
class RedeemCode:
    TYPE: ClassVar[str] = "DiscountRedeemCode"
    id: int
    code: str
    async_usage_count: int = 0
