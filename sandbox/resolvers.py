"""Field resolvers for the query side of the schema.

Fields whose snake_case name is an attribute of the record need no resolver; the rest are
registered with `@field(type, name)`. Access scopes are checked where Shopify checks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from graphql import GraphQLError

from . import payloads
from .connections import Edge, connection, iso, search
from .models import Checkout, Customer, Order, Product, gid

RESOLVERS: dict[tuple[str, str], callable] = {}
ALL_ORDERS_AGE = timedelta(days=60)


@dataclass
class Context:
    """What a GraphQL execution knows: whose shop, which scopes, and (in bulk runs) which window."""

    store: object
    shop: object
    scopes: set[str]
    api_version: str
    bulk: bool = False
    window: tuple[int, int] = (0, 0)
    root_items: list | None = None


def field(type_name: str, field_name: str):
    def register(fn):
        RESOLVERS[(type_name, field_name)] = fn
        return fn

    return register


@cache
def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resolve(source, info, **args):
    """The default resolver: a registered function, else a dict key, else the snake_case attribute."""
    fn = RESOLVERS.get((info.parent_type.name, info.field_name))
    if fn is not None:
        return fn(source, info, **args)
    if isinstance(source, dict):
        return source.get(info.field_name)
    if info.field_name == "id":
        return gid(source)
    if info.field_name == "legacyResourceId":
        return source.id
    return getattr(source, snake(info.field_name), None)


def require(info, scope: str):
    if scope not in info.context.scopes:
        raise GraphQLError(
            f"Access denied for {info.field_name} field. Required access: `{scope}` access scope.",
            extensions={
                "code": "ACCESS_DENIED",
                "documentation": "https://shopify.dev/api/usage/access-scopes",
                "requiredAccess": f"`{scope}` access scope.",
            },
        )


def paged(info, items, key, args):
    """A connection; the root connection of a bulk run is cut into windows by `bulk.run`."""
    ctx = info.context
    if ctx.bulk and info.path.prev is None:
        if ctx.root_items is None:
            ctx.root_items = connection(items(), key, args, bulk=True)["nodes"]
        window = ctx.root_items[ctx.window[0] : ctx.window[1]]
        return {"edges": [Edge(i, key) for i in window], "nodes": window, "pageInfo": {}}
    return connection(items(), key, args, bulk=ctx.bulk)


def money(amount: Decimal, currency: str) -> dict:
    return {"amount": amount, "currencyCode": currency}


def bag(amount: Decimal, currency: str) -> dict:
    return {"shopMoney": money(amount, currency), "presentmentMoney": money(amount, currency)}


def stamp(dt: datetime | None) -> int:
    return int(dt.timestamp()) if dt else 0


# --- shop ---------------------------------------------------------------------------------
@field("Query", "shop")
def shop(_, info):
    s = info.context.shop
    a = s.address
    url = s.storefront_url
    return {
        "id": f"gid://shopify/Shop/{s.id}",
        "name": s.name,
        "email": s.email,
        "contactEmail": s.email,
        "currencyCode": s.currency,
        "ianaTimezone": s.timezone,
        "timezoneAbbreviation": info.context.store.now().astimezone(s.tz).tzname(),
        "myshopifyDomain": s.domain,
        "url": url,
        "shopOwnerName": s.owner,
        "primaryDomain": {
            "id": f"gid://shopify/Domain/{s.id + 1}",
            "host": url.split("://", 1)[1].split("/")[0],
            "url": url,
            "sslEnabled": url.startswith("https"),
        },
        "billingAddress": {
            "id": f"gid://shopify/ShopAddress/{s.id + 2}",
            "address1": a.address1,
            "address2": a.address2,
            "city": a.city,
            "company": a.company,
            "country": a.country,
            "countryCodeV2": a.country_code,
            "phone": a.phone,
            "province": a.province,
            "provinceCode": a.province_code,
            "zip": a.zip,
        },
    }


@field("Query", "shopLocales")
def shop_locales(_, info, published=None):
    return [loc for loc in info.context.shop.locales if published is None or loc["published"] == published]


# --- customers ----------------------------------------------------------------------------
CUSTOMER_SEARCH = {
    "email": lambda c: c.email,
    "first_name": lambda c: c.first_name,
    "last_name": lambda c: c.last_name,
    "created_at": lambda c: c.created_at,
    "updated_at": lambda c: c.updated_at,
    "id": lambda c: c.id,
    "orders_count": lambda c: len(c.orders),
    "locale": lambda c: c.locale,
    "email_marketing_state": lambda c: c.marketing_state,
}
CUSTOMER_SORT = {
    "CREATED_AT": lambda c: stamp(c.created_at),
    "UPDATED_AT": lambda c: stamp(c.updated_at),
    "NAME": lambda c: c.display_name.lower(),
}


@field("Query", "customers")
def customers(_, info, query=None, sortKey="ID", **args):
    require(info, "read_customers")
    shop = info.context.shop
    items = lambda: search(
        list(shop.customers.values()), query, CUSTOMER_SEARCH, ("email", "first_name", "last_name"), shop.tz
    )
    return paged(info, items, CUSTOMER_SORT.get(sortKey, lambda c: c.id), args)


@field("Query", "customer")
def customer(_, info, id):
    require(info, "read_customers")
    return lookup(info.context.shop, id, "Customer")


@field("Customer", "numberOfOrders")
def number_of_orders(c, info):
    return len(c.orders)


@field("Customer", "amountSpent")
def amount_spent(c, info):
    return money(c.amount_spent, info.context.shop.currency)


@field("Customer", "lastOrder")
def last_order(c, info):
    return max(c.orders, key=lambda o: o.created_at, default=None)


@field("Customer", "defaultEmailAddress")
def default_email_address(c, info):
    if not c.email:
        return None
    return {
        "emailAddress": c.email,
        "marketingState": c.marketing_state,
        "marketingOptInLevel": c.opt_in_level,
        "marketingUpdatedAt": c.consent_updated_at,
    }


@field("Customer", "emailMarketingConsent")
def email_marketing_consent(c, info):
    if not c.email:
        return None
    return {
        "marketingState": c.marketing_state,
        "marketingOptInLevel": c.opt_in_level,
        "consentUpdatedAt": c.consent_updated_at,
    }


@field("Customer", "metafield")
def customer_metafield(c, info, key, namespace=None):
    # Without a namespace Shopify reads the app's own reserved one, which the sandbox does not model.
    return c.metafields.get((namespace, key)) if namespace else None


@field("Customer", "orders")
def customer_orders(c, info, query=None, sortKey="ID", **args):
    return order_page(info, lambda: c.orders, query, sortKey, args)


# --- orders -------------------------------------------------------------------------------
ORDER_SEARCH = {
    "created_at": lambda o: o.created_at,
    "updated_at": lambda o: o.updated_at,
    "processed_at": lambda o: o.processed_at or o.created_at,
    "id": lambda o: o.id,
    "email": lambda o: o.email,
    "name": lambda o: o.name,
    "financial_status": lambda o: o.financial_status,
    "customer_id": lambda o: o.customer.id if o.customer else None,
    "checkout_token": lambda o: o.checkout_token,
    "status": lambda o: "cancelled" if o.cancelled_at else ("closed" if o.closed_at else "open"),
}
ORDER_SORT = {
    "CREATED_AT": lambda o: stamp(o.created_at),
    "PROCESSED_AT": lambda o: stamp(o.processed_at or o.created_at),
    "UPDATED_AT": lambda o: stamp(o.updated_at),
    "ORDER_NUMBER": lambda o: o.number,
    "TOTAL_PRICE": lambda o: int(o.total * 100),
    "FINANCIAL_STATUS": lambda o: o.financial_status,
    "FULFILLMENT_STATUS": lambda o: o.fulfillment_status,
    "CUSTOMER_NAME": lambda o: o.customer.display_name.lower() if o.customer else "",
}


def order_page(info, items, query, sort_key, args):
    """Orders older than 60 days are invisible without `read_all_orders`, as on Shopify."""
    require(info, "read_orders")
    ctx = info.context
    oldest = None if "read_all_orders" in ctx.scopes else ctx.store.now() - ALL_ORDERS_AGE

    def visible():
        found = search(list(items()), query, ORDER_SEARCH, ("email", "name"), ctx.shop.tz)
        return found if oldest is None else [o for o in found if o.created_at >= oldest]

    return paged(info, visible, ORDER_SORT.get(sort_key, lambda o: o.id), args)


@field("Query", "orders")
def orders(_, info, query=None, sortKey="ID", **args):
    return order_page(info, lambda: info.context.shop.orders.values(), query, sortKey, args)


@field("Query", "order")
def order(_, info, id):
    require(info, "read_orders")
    return lookup(info.context.shop, id, "Order")


RESOLVERS.update(
    {
        ("Order", "processedAt"): lambda o, info: o.processed_at or o.created_at,
        ("Order", "fulfillments"): lambda o, info, first=None: o.fulfillments[:first],
        ("Order", "closed"): lambda o, info: o.closed_at is not None,
        ("Order", "cancelReason"): lambda o, info: o.cancel_reason.upper() if o.cancel_reason else None,
        ("Order", "customerAcceptsMarketing"): lambda o, info: o.buyer_accepts_marketing,
        ("Order", "currencyCode"): lambda o, info: o.currency,
        ("Order", "totalPriceSet"): lambda o, info: bag(o.total, o.currency),
        ("Order", "subtotalPriceSet"): lambda o, info: bag(o.total, o.currency),
        ("Order", "totalDiscountsSet"): lambda o, info: bag(o.discount, o.currency),
        ("Order", "discountCode"): lambda o, info: o.discount_codes[0] if o.discount_codes else None,
        ("Order", "displayFinancialStatus"): lambda o, info: o.financial_status,
        ("Order", "displayFulfillmentStatus"): lambda o, info: o.fulfillment_status,
        ("Order", "test"): lambda o, info: False,
        ("Order", "lineItems"): lambda o, info, **args: paged(info, lambda: o.line_items, lambda li: li.id, args),
        ("LineItem", "name"): lambda li, info: (
            f"{li.product.title} - {li.variant.title}" if li.variant.title != "Default Title" else li.product.title
        ),
        ("LineItem", "title"): lambda li, info: li.product.title,
        ("LineItem", "variantTitle"): lambda li, info: (
            None if li.variant.title == "Default Title" else li.variant.title
        ),
        ("LineItem", "sku"): lambda li, info: li.variant.sku,
        ("LineItem", "vendor"): lambda li, info: li.product.vendor,
        ("LineItem", "currentQuantity"): lambda li, info: li.quantity,
        ("LineItem", "originalUnitPriceSet"): lambda li, info: bag(li.price, info.context.shop.currency),
        ("LineItem", "originalTotalSet"): lambda li, info: bag(li.price * li.quantity, info.context.shop.currency),
    }
)


# --- abandoned checkouts ------------------------------------------------------------------
CHECKOUT_SEARCH = {"created_at": lambda c: c.created_at, "updated_at": lambda c: c.updated_at, "id": lambda c: c.id}
CHECKOUT_SORT = {
    "CREATED_AT": lambda c: stamp(c.created_at),
    "TOTAL_PRICE": lambda c: int(c.subtotal * 100),
    "CUSTOMER_NAME": lambda c: c.customer.display_name.lower() if c.customer else "",
}


@field("Query", "abandonedCheckouts")
def abandoned_checkouts(_, info, query=None, sortKey="ID", **args):
    """Every checkout with contact information, completed (recovered) ones too, as Shopify lists them."""
    require(info, "read_orders")
    shop = info.context.shop
    items = lambda: search(
        [c for c in shop.checkouts.values() if c.email], query, CHECKOUT_SEARCH, ("email", "name"), shop.tz
    )
    return paged(info, items, CHECKOUT_SORT.get(sortKey, lambda c: c.id), args)


RESOLVERS.update(
    {
        ("AbandonedCheckout", "abandonedCheckoutUrl"): lambda c, info: payloads.recover_url(info.context.shop, c),
        ("AbandonedCheckout", "discountCodes"): lambda c, info: [],  # the storefront takes no codes at checkout
        ("AbandonedCheckout", "subtotalPriceSet"): lambda c, info: bag(c.subtotal, c.currency),
        ("AbandonedCheckout", "totalPriceSet"): lambda c, info: bag(c.subtotal, c.currency),  # no tax or shipping
        ("AbandonedCheckout", "lineItems"): lambda c, info, **args: paged(
            info, lambda: c.line_items, lambda li: li.id, args
        ),
        ("AbandonedCheckoutLineItem", "id"): lambda li, info: f"gid://shopify/AbandonedCheckoutLineItem/{li.id}",
    }
)
# A checkout's lines are the same records as an order's, so they read the same.
RESOLVERS.update(
    {
        ("AbandonedCheckoutLineItem", f): RESOLVERS[("LineItem", f)]
        for f in ("title", "variantTitle", "originalUnitPriceSet")
    }
)


# --- products -----------------------------------------------------------------------------
PRODUCT_SEARCH = {
    "title": lambda p: p.title,
    "handle": lambda p: p.handle,
    "status": lambda p: p.status,
    "product_type": lambda p: p.product_type,
    "vendor": lambda p: p.vendor,
    "id": lambda p: p.id,
    "created_at": lambda p: p.created_at,
    "updated_at": lambda p: p.updated_at,
    "published_status": lambda p: "published" if p.published else "unpublished",
    "inventory_total": lambda p: p.total_inventory,
}
PRODUCT_SORT = {
    "TITLE": lambda p: p.title.lower(),
    "CREATED_AT": lambda p: stamp(p.created_at),
    "UPDATED_AT": lambda p: stamp(p.updated_at),
    "INVENTORY_TOTAL": lambda p: p.total_inventory,
    "PRODUCT_TYPE": lambda p: p.product_type,
    "VENDOR": lambda p: p.vendor,
}


@field("Query", "products")
def products(_, info, query=None, sortKey="ID", **args):
    require(info, "read_products")
    shop = info.context.shop
    items = lambda: search(list(shop.products.values()), query, PRODUCT_SEARCH, ("title",), shop.tz)
    return paged(info, items, PRODUCT_SORT.get(sortKey, lambda p: p.id), args)


@field("Query", "product")
def product(_, info, id):
    require(info, "read_products")
    return lookup(info.context.shop, id, "Product")


def truncate(text: str, size: int | None) -> str:
    """Shopify's `truncateAt`: the plain-text description cut at a word, with an ellipsis."""
    plain = " ".join(re.sub(r"<[^>]+>", " ", text or "").split())
    if size is None or len(plain) <= size:
        return plain
    return plain[:size].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def image(p: Product, base_url: str) -> dict:
    return {
        "id": f"gid://shopify/ProductImage/{p.id + 3}",
        "url": f"{base_url}/static/img/{p.handle}.svg",
        "altText": p.title,
        "width": 800,
        "height": 800,
    }


RESOLVERS.update(
    {
        ("Product", "onlineStoreUrl"): lambda p, info: (
            f"{info.context.shop.storefront_url}/products/{p.handle}" if p.published and p.status == "ACTIVE" else None
        ),
        ("Product", "description"): lambda p, info, truncateAt=None: truncate(p.description, truncateAt),
        ("Product", "publishedAt"): lambda p, info: p.created_at if p.published else None,
        ("Product", "tracksInventory"): lambda p, info: True,
        ("Product", "featuredImage"): lambda p, info: image(p, info.context.store.base_url),
        ("Product", "featuredMedia"): lambda p, info: {
            "id": f"gid://shopify/MediaImage/{p.id + 4}",
            "alt": p.title,
            "image": image(p, info.context.store.base_url),
            "mediaContentType": "IMAGE",
            "status": "READY",
            "preview": {"image": image(p, info.context.store.base_url), "status": "READY"},
        },
        ("Product", "priceRangeV2"): lambda p, info: {
            "minVariantPrice": money(min(v.price for v in p.variants), info.context.shop.currency),
            "maxVariantPrice": money(max(v.price for v in p.variants), info.context.shop.currency),
        },
        ("Product", "variants"): lambda p, info, **args: paged(info, lambda: p.variants, lambda v: v.id, args),
        ("ProductVariant", "displayName"): lambda v, info: f"{v.product.title} - {v.title}",
        ("ProductVariant", "inventoryQuantity"): lambda v, info: v.inventory,
        ("ProductVariant", "availableForSale"): lambda v, info: v.inventory > 0 and v.product.status == "ACTIVE",
        ("Image", "url"): lambda img, info, transform=None: img["url"],
    }
)


# --- nodes --------------------------------------------------------------------------------
def lookup(shop, ref: str, expected: str | None = None):
    """The record behind a gid, or None; `expected` limits it to one type."""
    m = re.fullmatch(r"gid://shopify/(\w+)/(\d+)", ref or "")
    if not m or (expected and m[1] != expected):
        return None
    kind, id_ = m[1], int(m[2])
    tables = {
        "Customer": shop.customers,
        "Order": shop.orders,
        "Product": shop.products,
        "ProductVariant": shop.variants,
    }
    if kind in tables:
        return tables[kind].get(id_)
    lists = {
        "WebhookSubscription": shop.subscriptions,
        "BulkOperation": shop.bulk_operations,
        "DiscountCodeNode": shop.discount_codes,
        "AbandonedCheckout": shop.checkouts.values(),
    }
    return next((x for x in lists.get(kind, ()) if x.id == id_), None)


NODE_SCOPES = {Customer: "read_customers", Order: "read_orders", Product: "read_products", Checkout: "read_orders"}


@field("Query", "node")
def node(_, info, id):
    found = lookup(info.context.shop, id)
    for cls, scope in NODE_SCOPES.items():
        if isinstance(found, cls):
            require(info, scope)
    return found


@field("Query", "nodes")
def nodes(_, info, ids):
    return [node(_, info, id) for id in ids]


#: abstract types whose only modelled member is not named by the record's own type
MEMBERS = {"DiscountCode": "DiscountCodeBasic", "Media": "MediaImage"}


def type_of(obj, info, abstract_type) -> str:
    if abstract_type.name == "DiscountCode" and obj.free_shipping:
        return "DiscountCodeFreeShipping"
    return MEMBERS.get(abstract_type.name) or obj.TYPE


# --- webhooks, bulk, discounts ------------------------------------------------------------
@field("Query", "webhookSubscriptions")
def webhook_subscriptions(_, info, topics=None, format=None, uri=None, callbackUrl=None, sortKey="CREATED_AT", **args):
    address = uri or callbackUrl
    items = lambda: [
        s
        for s in info.context.shop.subscriptions
        if (not topics or s.topic in topics)
        and (not format or s.format == format)
        and (not address or s.uri == address)
    ]
    return paged(info, items, lambda s: s.id, args)


RESOLVERS.update(
    {
        ("Query", "webhookSubscription"): lambda _, info, id: lookup(info.context.shop, id, "WebhookSubscription"),
        ("WebhookSubscription", "callbackUrl"): lambda s, info: s.uri,
        ("WebhookSubscription", "includeFields"): lambda s, info: [],
        ("WebhookSubscription", "metafieldNamespaces"): lambda s, info: list(s.metafield_namespaces),
        ("WebhookSubscription", "updatedAt"): lambda s, info: s.created_at,
        ("WebhookSubscription", "apiVersion"): lambda s, info: {
            "handle": s.api_version,
            "displayName": s.api_version,
            "supported": True,
        },
        ("Query", "bulkOperation"): lambda _, info, id: lookup(info.context.shop, id, "BulkOperation"),
        ("Query", "currentBulkOperation"): lambda _, info, type="QUERY": (
            info.context.shop.bulk_operations[-1] if type == "QUERY" and info.context.shop.bulk_operations else None
        ),
        ("BulkOperation", "type"): lambda op, info: "QUERY",
        ("Query", "codeDiscountNode"): lambda _, info, id: lookup(info.context.shop, id, "DiscountCodeNode"),
        ("Query", "codeDiscountNodeByCode"): lambda _, info, code: next(
            (d for d in info.context.shop.discount_codes if d.code.lower() == code.lower()), None
        ),
        ("DiscountCodeNode", "codeDiscount"): lambda d, info: d,
        ("DiscountCodeBasic", "status"): lambda d, info: discount_status(d, info.context.store.now()),
        ("DiscountCodeBasic", "summary"): lambda d, info: (
            f"{d.percentage * 100:g}% off entire order" if d.percentage is not None else f"{d.amount} off entire order"
        ),
        ("DiscountCodeBasic", "asyncUsageCount"): lambda d, info: 0,
        ("DiscountCodeBasic", "codes"): lambda d, info, **args: paged(info, lambda: d.codes, lambda c: c.id, args),
        ("DiscountCodeFreeShipping", "status"): lambda d, info: discount_status(d, info.context.store.now()),
        ("DiscountCodeFreeShipping", "summary"): lambda d, info: (
            "Free shipping on all products • " + (", ".join(d.countries) if d.countries else "For all countries")
        ),
        ("DiscountCodeFreeShipping", "asyncUsageCount"): lambda d, info: 0,
        ("DiscountCodeFreeShipping", "codes"): lambda d, info, **args: paged(
            info, lambda: d.codes, lambda c: c.id, args
        ),
    }
)


def discount_status(d, now: datetime) -> str:
    if d.starts_at > now:
        return "SCHEDULED"
    return "EXPIRED" if d.ends_at and d.ends_at <= now else "ACTIVE"


SCALARS = {
    "DateTime": lambda v: iso(v) if isinstance(v, datetime) else v,
    "Decimal": lambda v: decimal_text(v),
    "Money": lambda v: f"{Decimal(v):.2f}",
    "UnsignedInt64": lambda v: str(v),
    "URL": lambda v: str(v),
    "Date": lambda v: str(v),
    "UtcOffset": lambda v: str(v),
}


def decimal_text(v) -> str:
    """Shopify's Decimal: `"18.0"`, `"12.5"`, `"185000.0"`."""
    d = Decimal(v).normalize()
    text = format(d, "f")
    return text if "." in text else text + ".0"
