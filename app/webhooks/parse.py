"""REST webhook bodies -> platform-neutral records.

Only what the automations need is read; addresses, phone numbers and payment details in
the bodies are ignored. A body missing a field we rely on raises BadPayload (a 400).
"""

from decimal import Decimal, InvalidOperation

from app import clock
from app.customers import birthdays
from app.customers.records import CheckoutRecord, CustomerRecord, Line, OrderRecord
from app.text import clean


class BadPayload(ValueError):
    """The body lacks a field we need, or a field has the wrong type."""


def order(body: dict) -> OrderRecord:
    customer = _dict(body.get("customer"))
    placed_at = timestamp(body.get("created_at")) or timestamp(body.get("processed_at"))
    if placed_at is None:
        raise BadPayload("order has no created_at")
    return OrderRecord(
        id=required_id(body.get("id"), "order id"),
        updated_at=timestamp(body.get("updated_at")) or placed_at,
        placed_at=placed_at,
        customer_id=optional_id(customer.get("id")),
        email=_text(body.get("email") or body.get("contact_email") or customer.get("email"), 320),
        first_name=_text(customer.get("first_name"), 255),
        locale=_text(body.get("customer_locale"), 16),
        checkout_token=_text(body.get("checkout_token"), 64),
        total=_money(body.get("current_total_price", body.get("total_price"))),
        currency=_text(body.get("currency"), 3) or "USD",
        discount_codes=[
            clean(str(d.get("code")))[:64]
            for d in _list(body.get("discount_codes"))
            if isinstance(d, dict) and d.get("code")
        ],
        cancelled_at=timestamp(body.get("cancelled_at")),
        test=body.get("test") is True,
        accepts_marketing=body.get("buyer_accepts_marketing") is True,
        lines=[_line(item) for item in _list(body.get("line_items"))],
        processed_at=timestamp(body.get("processed_at")),
        paid_at=(timestamp(body.get("processed_at")) or placed_at) if body.get("financial_status") in PAID else None,
        fulfilled_at=_fulfilled_at(body),
    )


#: REST `financial_status` values of an order whose money was received (refunds came after a payment).
PAID = frozenset({"paid", "partially_refunded", "refunded"})


def _fulfilled_at(body: dict):
    """When the last successful fulfilment was made, once the whole order is fulfilled."""
    if body.get("fulfillment_status") != "fulfilled":
        return None
    times = [
        timestamp(f.get("created_at"))
        for f in _list(body.get("fulfillments"))
        if isinstance(f, dict) and f.get("status") in (None, "success")
    ]
    return max((t for t in times if t is not None), default=None)


def checkout(body: dict) -> CheckoutRecord:
    token = _text(body.get("token"), 64)
    updated_at = timestamp(body.get("updated_at")) or timestamp(body.get("created_at"))
    if not token or updated_at is None:
        raise BadPayload("checkout needs token and updated_at")
    customer = _dict(body.get("customer"))
    return CheckoutRecord(
        token=token,
        updated_at=updated_at,
        email=_text(body.get("email") or customer.get("email"), 320),
        customer_id=optional_id(customer.get("id")),
        first_name=_text(customer.get("first_name"), 255),
        locale=_text(body.get("customer_locale"), 16),
        accepts_marketing=body.get("buyer_accepts_marketing") is True,
        items=[_line(item) for item in _list(body.get("line_items"))],
        total=_money(body.get("total_price")),
        currency=_text(body.get("currency"), 3) or "USD",
        recovery_url=_text(body.get("abandoned_checkout_url"), 2000),
        completed_at=timestamp(body.get("completed_at")),
    )


def customer(body: dict) -> CustomerRecord:
    updated_at = timestamp(body.get("updated_at"))
    birth_date, birth_date_at = _birth_date(body, updated_at)
    return CustomerRecord(
        id=required_id(body.get("id"), "customer id"),
        email=_text(body.get("email"), 320),
        first_name=_text(body.get("first_name"), 255),
        locale=_text(body.get("locale"), 16),
        updated_at=updated_at,
        created_at=timestamp(body.get("created_at")),
        birth_date=birth_date,
        birth_date_at=birth_date_at,
    )


def _birth_date(body: dict, updated_at):
    """`facts.birth_date` from `metafields`, which a subscription with `metafield_namespaces`
    adds to the body (REST metafield objects: namespace, key, value, type, updated_at ...)."""
    for item in _list(body.get("metafields")):
        if isinstance(item, dict) and (item.get("namespace"), item.get("key")) == (birthdays.NAMESPACE, birthdays.KEY):
            stated = timestamp(item.get("updated_at")) or updated_at
            return birthdays.from_metafield(item.get("value"), stated, clock.now().date())
    return None, None


def consent(body: dict) -> tuple[int, str | None, str, str | None]:
    """customers_email_marketing_consent/update -> (customer id, email, state, consent_updated_at text)."""
    statement = body.get("email_marketing_consent")
    if not isinstance(statement, dict) or not isinstance(statement.get("state"), str):
        raise BadPayload("email_marketing_consent.state missing")
    return (
        required_id(body.get("customer_id"), "customer_id"),
        _text(body.get("email_address"), 320),
        clean(statement["state"])[:16],
        statement.get("consent_updated_at"),
    )


def redaction(body: dict) -> tuple[int | None, str | None, list[int]]:
    """customers/redact -> (customer id, email, ids of the orders to redact)."""
    person = _dict(body.get("customer"))
    orders = [required_id(value, "orders_to_redact") for value in _list(body.get("orders_to_redact"))]
    return optional_id(person.get("id")), _text(person.get("email"), 320), orders


def timestamp(value):
    """A payload or header timestamp as naive UTC; anything but a usable ISO-8601 string counts as absent."""
    return clock.parse_iso(value)


def _line(item) -> Line:
    item = _dict(item)
    quantity = item.get("current_quantity", item.get("quantity"))
    return Line(
        product_id=optional_id(item.get("product_id")),
        variant_id=optional_id(item.get("variant_id")),
        quantity=_count(quantity),
        title=_text(item.get("title") or item.get("name"), 255) or "",
        variant_title=_text(item.get("variant_title"), 255),
        price=_money(item.get("price")) if item.get("price") is not None else None,
    )


def required_id(value, what: str) -> int:
    number = optional_id(value)
    if number is None:
        raise BadPayload(f"{what} missing or not a number")
    return number


def optional_id(value) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and value.startswith("gid://"):
        value = value.rsplit("/", 1)[-1]
    if isinstance(value, float) and not (value.is_integer() and abs(value) < 2**63):
        raise BadPayload(f"not an id: {value!r}"[:200])  # 1e400 and Infinity parse as floats
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise BadPayload(f"not an id: {value!r}"[:200]) from None
    if not 0 < number < 2**63:
        raise BadPayload(f"id out of range: {number}")
    return number


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise BadPayload(f"not a quantity: {value!r}"[:200])
    return value


def _money(value) -> Decimal:
    if value is None or value == "":
        return Decimal("0")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise BadPayload(f"not an amount: {value!r}"[:200]) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise BadPayload(f"amount out of range: {value!r}"[:200])
    return amount.quantize(Decimal("0.01"))


def _text(value, size: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadPayload(f"expected text, got {type(value).__name__}")
    value = clean(value)
    return value[:size] if value else None


def _dict(value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(f"expected an object, got {type(value).__name__}")
    return value


def _list(value) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadPayload(f"expected a list, got {type(value).__name__}")
    return value
