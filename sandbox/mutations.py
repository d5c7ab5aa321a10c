"""Mutations other than bulk: webhook subscriptions, discount codes (percentage and free shipping), consent.

Failures come back as `userErrors` with Shopify's fields and messages, never as exceptions.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from .models import DiscountCode, RedeemCode, Subscription
from .resolvers import field, lookup, require

ADDRESS_SCHEMES = ("https://", "http://", "pubsub://", "arn:aws:events:")


@field("Mutation", "webhookSubscriptionCreate")
def webhook_subscription_create(_, info, topic, webhookSubscription):
    ctx = info.context
    key = "uri" if webhookSubscription.get("uri") else "callbackUrl"
    uri = webhookSubscription.get(key)
    problem = None
    if not uri:
        problem = "Address can't be blank"
    elif not uri.startswith(ADDRESS_SCHEMES):
        problem = "Address is invalid"
    elif any(s.topic == topic and s.uri == uri for s in ctx.shop.subscriptions):
        problem = "Address for this topic has already been taken"
    if problem:
        return {
            "webhookSubscription": None,
            "userErrors": [{"field": ["webhookSubscription", key], "message": problem}],
        }
    sub = Subscription(
        ctx.store.next_id(),
        topic,
        uri,
        webhookSubscription.get("format") or "JSON",
        ctx.api_version,
        ctx.store.now(),
        list(webhookSubscription.get("metafieldNamespaces") or []),
    )
    ctx.shop.subscriptions.append(sub)
    return {"webhookSubscription": sub, "userErrors": []}


@field("Mutation", "webhookSubscriptionDelete")
def webhook_subscription_delete(_, info, id):
    shop = info.context.shop
    sub = lookup(shop, id, "WebhookSubscription")
    if sub is None:
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
        }
    shop.subscriptions.remove(sub)
    return {"deletedWebhookSubscriptionId": id, "userErrors": []}


@field("Mutation", "discountCodeBasicCreate")
def discount_code_basic_create(_, info, basicCodeDiscount):
    value = (basicCodeDiscount.get("customerGets") or {}).get("value") or {}
    amount = (value.get("discountAmount") or {}).get("amount")
    return _create_code(
        info,
        "basicCodeDiscount",
        basicCodeDiscount,
        percentage=value.get("percentage"),
        amount=Decimal(str(amount)) if amount is not None else None,
    )


@field("Mutation", "discountCodeFreeShippingCreate")
def discount_code_free_shipping_create(_, info, freeShippingCodeDiscount):
    destination = freeShippingCodeDiscount.get("destination") or {}
    countries = destination.get("countries") or {}
    chosen = [c for c in countries.get("add") or [] if c not in (countries.get("remove") or [])]
    return _create_code(
        info, "freeShippingCodeDiscount", freeShippingCodeDiscount, free_shipping=True, countries=chosen
    )


def _create_code(info, argument: str, given: dict, **kind):
    require(info, "write_discounts")
    ctx = info.context
    buyers = (given.get("context") or given.get("customerSelection") or {}).get("customers") or {}
    customer_ids = [lookup(ctx.shop, ref, "Customer") for ref in buyers.get("add") or []]
    errors = _discount_errors(ctx, argument, given, customer_ids)
    if errors:
        return {"codeDiscountNode": None, "userErrors": errors}
    code = DiscountCode(
        ctx.store.next_id(),
        given["title"],
        given["code"],
        ctx.store.now(),
        _time(given["startsAt"]),
        _time(given.get("endsAt")),
        given.get("usageLimit"),
        bool(given.get("appliesOncePerCustomer")),
        [c.id for c in customer_ids],
        kind.pop("percentage", None),
        kind.pop("amount", None),
        **kind,
    )
    code.codes.append(RedeemCode(ctx.store.next_id(), given["code"]))
    ctx.shop.discount_codes.append(code)
    return {"codeDiscountNode": code, "userErrors": []}


def _discount_errors(ctx, argument: str, given: dict, customers: list) -> list[dict]:
    def error(path, code, message):
        return [{"field": [argument, *path], "code": code, "message": message, "extraInfo": None}]

    if ctx.shop.fault("discount"):
        return error(["code"], "INVALID", "Code is invalid (sandbox fault switched on)")
    for name, label in (("title", "Title"), ("code", "Code"), ("startsAt", "Starts at")):
        if not given.get(name):
            return error([name], "BLANK", f"{label} can't be blank")
    if len(given["code"]) > 255:
        return error(["code"], "TOO_LONG", "Code is too long (maximum is 255 characters)")
    if any(c.code.lower() == given["code"].lower() for d in ctx.shop.discount_codes for c in d.codes):
        return error(["code"], "TAKEN", "Code must be unique. Please try a different code.")
    if given.get("endsAt") and _time(given["endsAt"]) <= _time(given["startsAt"]):
        return error(["endsAt"], "INVALID", "Ends at needs to be after starts_at")
    if None in customers:
        return error(["context", "customers", "add"], "INVALID", "Customer does not exist")
    if argument == "freeShippingCodeDiscount":  # no value to check: the shipping is the value
        destination = given.get("destination") or {}
        if destination.get("all") and destination.get("countries"):
            return error(["destination"], "INVALID", "Only one of all or countries can be specified")
        return []
    value = (given.get("customerGets") or {}).get("value") or {}
    percentage = value.get("percentage")
    if percentage is None and not value.get("discountAmount"):
        return error(["customerGets", "value"], "BLANK", "Value can't be blank")
    if percentage is not None and not 0 < percentage <= 1:
        return error(
            ["customerGets", "value", "percentage"], "VALUE_OUTSIDE_RANGE", "Value must be between 0.0 and 1.0"
        )
    return []


def _time(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@field("Mutation", "customerEmailMarketingConsentUpdate")
def customer_email_marketing_consent_update(_, info, input):
    require(info, "write_customers")
    ctx = info.context
    customer = lookup(ctx.shop, input["customerId"], "Customer")
    consent = input["emailMarketingConsent"]

    def error(path, code, message):
        return {"customer": None, "userErrors": [{"field": ["input", *path], "code": code, "message": message}]}

    if customer is None:
        return error(["customerId"], "INVALID", "Customer not found")
    if not customer.email:
        return error(["customerId"], "INVALID", "Customer must have an email address")
    if consent["marketingState"] in ("INVALID", "REDACTED"):
        return error(
            ["emailMarketingConsent", "marketingState"], "INCLUSION", "Marketing state is not included in the list"
        )
    ctx.shop.set_consent(
        customer,
        consent["marketingState"],
        at=_time(consent.get("consentUpdatedAt")),
        opt_in_level=consent.get("marketingOptInLevel"),
        source="api",
    )
    return {"customer": customer, "userErrors": []}


#: Standard metafield definitions the sandbox knows (namespace, key) -> type; Shopify's own list is longer.
STANDARD_DEFINITIONS = {("facts", "birth_date"): "date"}
DATE_VALUE = r"\d{4}-\d{2}-\d{2}"


@field("Mutation", "metafieldsSet")
def metafields_set(_, info, metafields):
    """Create or update up to 25 metafields at once; all or nothing, as on Shopify. The sandbox
    models customer owners only (what the app writes: the birthday)."""
    require(info, "write_customers")
    ctx = info.context
    errors, owners = [], []
    if len(metafields) > 25:
        errors.append(_metafield_error(None, ["metafields"], "TOO_LONG", "Exceeded the maximum number of metafields"))
    for index, given in enumerate(metafields):
        owner = lookup(ctx.shop, given["ownerId"], "Customer")
        owners.append(owner)
        errors += _metafield_problems(index, given, owner)
    if errors:
        return {"metafields": [], "userErrors": errors}
    written = [
        ctx.shop.set_metafield(owner, given["namespace"], given["key"], given["value"], _metafield_type(given))
        for owner, given in zip(owners, metafields, strict=True)
    ]
    return {"metafields": written, "userErrors": []}


def _metafield_type(given: dict) -> str | None:
    return given.get("type") or STANDARD_DEFINITIONS.get((given.get("namespace"), given["key"]))


def _metafield_problems(index: int, given: dict, owner) -> list[dict]:
    if owner is None:
        return [_metafield_error(index, ["metafields", str(index), "ownerId"], "INVALID", "Owner does not exist.")]
    if not given.get("namespace"):
        return [_metafield_error(index, ["metafields", str(index), "namespace"], "BLANK", "Namespace can't be blank")]
    kind = _metafield_type(given)
    if kind is None:
        return [_metafield_error(index, ["metafields", str(index), "type"], "BLANK", "Type can't be blank")]
    defined = STANDARD_DEFINITIONS.get((given["namespace"], given["key"]))
    if defined is not None and kind != defined:
        message = f"Type '{kind}' must be consistent with the definition's type: '{defined}'."
        return [_metafield_error(index, ["metafields", str(index), "type"], "INVALID_TYPE", message)]
    if kind == "date" and not _real_date(given["value"]):
        message = "Value must be in YYYY-MM-DD format."
        return [_metafield_error(index, ["metafields", str(index), "value"], "INVALID_VALUE", message)]
    return []


def _real_date(value: str) -> bool:
    if not re.fullmatch(DATE_VALUE, value or ""):
        return False
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _metafield_error(index, path, code, message) -> dict:
    return {"field": path, "code": code, "message": message, "elementIndex": index}
