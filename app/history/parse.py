"""GraphQL nodes (bulk JSONL rows and query answers) -> platform-neutral records."""

from decimal import Decimal, InvalidOperation

from app import clock
from app.customers import birthdays
from app.customers.models import EXCERPT
from app.customers.records import CheckoutRecord, CustomerRecord, Line, OrderRecord, ProductRecord, clip
from app.shops.graphql import numeric_id


def product(node: dict) -> ProductRecord:
    image = (((node.get("featuredMedia") or {}).get("preview") or {}).get("image") or {}).get("url")
    price = ((node.get("priceRangeV2") or {}).get("minVariantPrice") or {}).get("amount")
    return ProductRecord(
        id=numeric_id(node["id"]),
        title=(node.get("title") or "")[:255],
        price=_money(price),
        image_url=image,
        url=node.get("onlineStoreUrl"),
        # On the online store and active: the only products an email may link to.
        published=node.get("status") == "ACTIVE" and bool(node.get("onlineStoreUrl")),
        in_stock=not node.get("tracksInventory", True) or (node.get("totalInventory") or 0) > 0,
        product_type=clip(node.get("productType"), 255),
        tags=[str(tag)[:255] for tag in node.get("tags") or []][:50],
        handle=clip(node.get("handle"), 255),
        excerpt=clip(" ".join((node.get("description") or "").split()), EXCERPT),
    )


def customer(node: dict) -> CustomerRecord:
    address = node.get("defaultEmailAddress") or {}
    state = address.get("marketingState")
    metafield = node.get("metafield") or {}
    birth_date, birth_date_at = (
        birthdays.from_metafield(
            metafield.get("value"), clock.parse_iso(metafield.get("updatedAt")), clock.now().date()
        )
        if metafield
        else (None, None)
    )
    return CustomerRecord(
        id=numeric_id(node["id"]),
        email=clip(address.get("emailAddress"), 320),
        first_name=node.get("firstName"),
        locale=node.get("locale"),
        updated_at=clock.parse_iso(node.get("updatedAt")),
        created_at=clock.parse_iso(node.get("createdAt")),
        consent_state=state.lower() if state else None,
        consent_at=clock.parse_iso(address.get("marketingUpdatedAt")),
        birth_date=birth_date,
        birth_date_at=birth_date_at,
    )


def order(node: dict, line_rows: list[dict]) -> OrderRecord:
    placed_at = clock.parse_iso(node["createdAt"])
    processed_at = clock.parse_iso(node.get("processedAt")) or placed_at
    return OrderRecord(
        id=numeric_id(node["id"]),
        updated_at=clock.parse_iso(node.get("updatedAt")) or placed_at,
        placed_at=placed_at,
        customer_id=numeric_id((node.get("customer") or {}).get("id")),
        email=clip(node.get("email"), 320),
        locale=clip(node.get("customerLocale"), 16),
        checkout_token=clip(node.get("checkoutToken"), 64),
        total=_money(((node.get("totalPriceSet") or {}).get("shopMoney") or {}).get("amount")) or Decimal("0"),
        currency=(node.get("currencyCode") or "USD")[:3],
        discount_codes=list(node.get("discountCodes") or []),
        cancelled_at=clock.parse_iso(node.get("cancelledAt")),
        test=node.get("test") is True,
        accepts_marketing=bool(node.get("customerAcceptsMarketing")),
        lines=[line(row) for row in line_rows],
        processed_at=processed_at,
        paid_at=processed_at if node.get("displayFinancialStatus") in PAID else None,
        fulfilled_at=_fulfilled_at(node),
    )


#: `displayFinancialStatus` values of an order whose money was received.
PAID = frozenset({"PAID", "PARTIALLY_REFUNDED", "REFUNDED"})


def _fulfilled_at(node: dict):
    """When the last successful fulfilment was made, once the whole order is fulfilled."""
    if node.get("displayFulfillmentStatus") != "FULFILLED":
        return None
    times = [
        clock.parse_iso(f.get("createdAt")) for f in node.get("fulfillments") or [] if f.get("status") == "SUCCESS"
    ]
    return max((t for t in times if t is not None), default=None)


def abandoned_checkout(node: dict, token: str, accepts_marketing: bool) -> CheckoutRecord:
    """An `AbandonedCheckout` under the token we know it by. The API gives neither the token nor
    the buyer's tick box, so both come from the caller (history.reconcile)."""
    person = node.get("customer") or {}
    money = (node.get("totalPriceSet") or {}).get("shopMoney") or {}
    return CheckoutRecord(
        token=token,
        updated_at=clock.parse_iso(node.get("updatedAt")),
        email=clip((person.get("defaultEmailAddress") or {}).get("emailAddress"), 320),
        customer_id=numeric_id(person.get("id")),
        first_name=clip(person.get("firstName"), 255),
        locale=clip(person.get("locale"), 16),
        accepts_marketing=accepts_marketing,
        items=[line(row) for row in (node.get("lineItems") or {}).get("nodes") or []],
        total=_money(money.get("amount")) or Decimal("0"),
        currency=(money.get("currencyCode") or "USD")[:3],
        recovery_url=node.get("abandonedCheckoutUrl"),
        completed_at=clock.parse_iso(node.get("completedAt")),
    )


def line(row: dict) -> Line:
    price = ((row.get("originalUnitPriceSet") or {}).get("shopMoney") or {}).get("amount")
    return Line(
        product_id=numeric_id((row.get("product") or {}).get("id")),
        variant_id=numeric_id((row.get("variant") or {}).get("id")),
        quantity=int(row.get("currentQuantity", row.get("quantity")) or 0),
        title=(row.get("title") or "")[:255],
        variant_title=row.get("variantTitle"),
        price=_money(price),
    )


def _money(value) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
