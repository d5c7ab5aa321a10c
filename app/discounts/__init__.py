"""One discount code per email, created in the store just before the email is sent.

Each code is usable once, only by that customer when we know who they are, and
works through the VALIDITY-th day after the email goes, to that day's end in the shop's time
zone: never less than VALIDITY from the send, and the date the email prints ("valid until
9 March", "có hiệu lực đến hết ngày 9 tháng 3") is the last whole day it works. Two kinds: a percentage off the
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
    starts_at = clock.now().replace(microsecond=0)
    expires_at = ends_at(starts_at, shop.timezone)
    reusable = _reusable(shop.id, send, percent, expires_at)
    if reusable is not None:
        send.discount_code = reusable.code
        return reusable.code, reusable.expires_at
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


def ends_at(sent_at: datetime, timezone: str | None) -> datetime:
    """The last second (naive UTC) of the VALIDITY-th day after `sent_at` in the shop's time zone."""
    zone = clock.zone(timezone)
    last_day = clock.local_day(sent_at, zone) + VALIDITY
    return clock.day_start(last_day + timedelta(days=1), zone) - timedelta(seconds=1)


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


def _reusable(shop_id: int, send, percent: int, ends: datetime) -> IssuedCode | None:
    """The code made for this send on an earlier, deferred attempt, if it lasts as long as a fresh
    one would (made the same day): a code made days before the email finally goes would leave the
    customer less than the week. An older one never reached anyone (the email did not go) and simply
    expires unused in the store."""
    if send.id is None:
        return None
    return db.session.scalar(
        select(IssuedCode)
        .where(
            IssuedCode.shop_id == shop_id,
            IssuedCode.send_id == send.id,
            IssuedCode.percent == percent,
            IssuedCode.expires_at >= ends,
        )
        .order_by(IssuedCode.expires_at.desc())
        .limit(1)
    )
