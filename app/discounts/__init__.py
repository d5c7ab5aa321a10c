"""One discount code per email, created in the store just before the email is sent.

Each code is usable once, only by that customer when we know who they are, and
expires after VALIDITY (the email prints the date). Two kinds: a percentage off the
order (`create_code`) and free shipping (`create_free_shipping_code`, recorded with
percent 0). If the store refuses or throttles, either raises NotNow and the engine
defers the send: an email never goes out with a code that does not exist.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from app import clock, jobs
from app.discounts.models import IssuedCode
from app.extensions import db
from app.jobs import kinds
from app.shops.graphql import Client, GraphQLError, UserErrors, gid

VALIDITY = timedelta(days=7)
#: A code reused for a retried send must still leave the customer most of the week.
REUSE_MIN_LEFT = timedelta(days=6)
#: No 0/O, 1/I/L: codes are read off a phone and typed at checkout.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "COMEBACK"

CREATE = """
mutation CreateEmailCode($discount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $discount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}
"""
CREATE_FREE_SHIPPING = """
mutation CreateFreeShippingCode($discount: DiscountCodeFreeShippingInput!) {
  discountCodeFreeShippingCreate(freeShippingCodeDiscount: $discount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}
"""
#: `IssuedCode.percent` of a free-shipping code.
FREE_SHIPPING = 0


class NotNow(RuntimeError):
    """The store refused or throttled the discount; try the send again later."""


def new_code() -> str:
    """A human-friendly random code, e.g. COMEBACK-7QK2-M9XD (about 40 bits of chance)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{PREFIX}-{chars[:4]}-{chars[4:]}"


def create_code(shop, send, percent: int) -> tuple[str, datetime]:
    """A fresh code for `send` worth `percent`% off, and when it expires (naive UTC)."""
    if not 1 <= int(percent) <= 100:
        raise ValueError(f"a discount is 1-100 percent, got {percent}")
    return _issue(shop, send, int(percent))


def create_free_shipping_code(shop, send) -> tuple[str, datetime]:
    """A fresh free-shipping code for `send` (every destination), and when it expires (naive UTC)."""
    return _issue(shop, send, FREE_SHIPPING)


def _issue(shop, send, percent: int) -> tuple[str, datetime]:
    mutation, name = (
        (CREATE_FREE_SHIPPING, "discountCodeFreeShippingCreate")
        if percent == FREE_SHIPPING
        else (CREATE, "discountCodeBasicCreate")
    )
    reusable = _reusable(shop.id, send, percent)
    if reusable is not None:
        send.discount_code = reusable.code
        return reusable.code, reusable.expires_at
    starts_at = clock.now().replace(microsecond=0)
    expires_at = starts_at + VALIDITY
    try:
        client = Client.for_shop(shop)
        # The engine retries the whole send later; waiting long here would stall its batch.
        client.attempts = 2
        for _ in range(3):
            code = new_code()
            try:
                payload = client.mutate(
                    mutation, {"discount": _input(send, code, percent, starts_at, expires_at)}, name
                )
            except UserErrors as error:
                if any(e.get("code") == "TAKEN" for e in error.errors):
                    continue
                raise NotNow(f"the store refused the discount: {error}") from error
            break
        else:
            raise NotNow("the store refused three fresh codes as taken")
    except GraphQLError as error:
        raise NotNow(f"the store did not create the discount: {error}") from error
    platform_id = (payload.get("codeDiscountNode") or {}).get("id")
    db.session.add(
        IssuedCode(
            shop_id=shop.id,
            code=code,
            send_id=send.id,
            platform_id=platform_id,
            percent=percent,
            expires_at=expires_at,
            created_at=starts_at,
        )
    )
    send.discount_code = code
    # Orders using the code are credited to the email by app.mail.attribution's periodic job.
    jobs.enqueue(shop.id, kinds.ATTRIBUTION, unique_key="periodic", run_at=starts_at + kinds.ATTRIBUTION.every)
    return code, expires_at


def _input(send, code: str, percent: int, starts_at: datetime, expires_at: datetime) -> dict:
    buyers = {"customers": {"add": [gid("Customer", send.customer_id)]}} if send.customer_id else {"all": "ALL"}
    common = {
        "title": f"Comeback {send.automation or 'email'} {code}",
        "code": code,
        "startsAt": clock.iso(starts_at),
        "endsAt": clock.iso(expires_at),
        "usageLimit": 1,
        "appliesOncePerCustomer": True,
        "context": buyers,
    }
    if percent == FREE_SHIPPING:
        # Shipping is the customer's stated reason for not coming back: the code must work wherever they live.
        return {
            **common,
            "destination": {"all": True},
            "combinesWith": {"orderDiscounts": True, "productDiscounts": True, "shippingDiscounts": False},
        }
    return {
        **common,
        "customerGets": {"value": {"percentage": round(percent / 100, 4)}, "items": {"all": True}},
        "combinesWith": {"orderDiscounts": False, "productDiscounts": False, "shippingDiscounts": True},
    }


def _reusable(shop_id: int, send, percent: int) -> IssuedCode | None:
    """The code made for this send on an earlier, deferred attempt, if it still has time left."""
    if send.id is None:
        return None
    return db.session.scalar(
        select(IssuedCode)
        .where(
            IssuedCode.shop_id == shop_id,
            IssuedCode.send_id == send.id,
            IssuedCode.percent == percent,
            IssuedCode.expires_at >= clock.now() + REUSE_MIN_LEFT,
        )
        .order_by(IssuedCode.expires_at.desc())
        .limit(1)
    )
