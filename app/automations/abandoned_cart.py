"""Abandoned cart: a checkout with an email, not completed and without an order, gets one email.

The delay counts from the checkout's last update, so a buyer still editing the cart
is not chased. An optional second reminder (its own trigger_ref, so its own
exactly-once key) follows later and may carry the discount instead of the first.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import exists, literal, select

from app.automations.base import Automation, Field, Skip, Trigger, language, not_planned
from app.customers.consent import marketing_allowed
from app.customers.models import Checkout, Customer, Order, Product
from app.extensions import db
from app.records.models import Send

FIRST, REMINDER = "checkout:", "reminder:"
#: How long a reminder waits for a first email that is still deferred (quiet hours, cap).
FIRST_PENDING_RETRY = timedelta(hours=1)


class AbandonedCart(Automation):
    key = "abandoned_cart"
    template = "abandoned_cart"
    title = {"en": "Abandoned cart", "vi": "Giỏ hàng bị bỏ quên"}
    default_subject = {"en": "You left something in your cart", "vi": "Bạn còn sản phẩm trong giỏ hàng"}
    fields = (
        Field("delay_hours", "int", 24, {"en": "Send after (hours)", "vi": "Gửi sau (giờ)"}, 1, 72),
        Field("reminder_enabled", "bool", False, {"en": "Second reminder", "vi": "Nhắc lần hai"}),
        Field(
            "reminder_delay_hours",
            "int",
            72,
            {"en": "Second reminder after (hours)", "vi": "Nhắc lần hai sau (giờ)"},
            2,
            168,
        ),
        Field(
            "reminder_subject",
            "text",
            {"en": "Your cart is still waiting", "vi": "Giỏ hàng của bạn vẫn đang chờ"},
            {"en": "Second reminder subject", "vi": "Tiêu đề nhắc lần hai"},
            1,
            150,
        ),
        Field(
            "reminder_discount_percent",
            "int",
            0,
            {"en": "Second reminder discount (%)", "vi": "Giảm giá lần nhắc hai (%)"},
            0,
            100,
        ),
    )

    def validate(self, values: dict) -> None:
        if values["reminder_delay_hours"] <= values["delay_hours"]:
            raise ValueError("reminder_delay_hours must be later than delay_hours")

    def candidates(self, shop, values, start, end):
        stages = [(FIRST, values["delay_hours"])]
        if values["reminder_enabled"]:
            stages.append((REMINDER, values["reminder_delay_hours"]))
        for prefix, hours in stages:
            delay = timedelta(hours=hours)
            # Only the columns a trigger needs: planning a big backlog must not load whole carts.
            query = (
                select(
                    Checkout.token,
                    Checkout.email,
                    Checkout.customer_id,
                    Checkout.locale,
                    Customer.locale,
                    Checkout.platform_updated_at,
                )
                .outerjoin(Customer, (Customer.shop_id == Checkout.shop_id) & (Customer.id == Checkout.customer_id))
                .where(
                    Checkout.shop_id == shop.id,
                    Checkout.platform_updated_at > start - delay,
                    Checkout.platform_updated_at <= end - delay,
                    Checkout.email.is_not(None),
                    Checkout.completed_at.is_(None),
                    Checkout.order_id.is_(None),
                    ~_order_for(Checkout.shop_id, Checkout.token),
                    not_planned(shop.id, self.key, literal(prefix) + Checkout.token),
                )
            )
            for token, email, customer_id, locale, customer_locale, updated_at in db.session.execute(query):
                yield Trigger(
                    recipient=email.lower(),
                    customer_id=customer_id,
                    trigger_ref=prefix + token,
                    due_at=updated_at + delay,
                    locale=language(locale, customer_locale, shop.locale),
                    context={"checkout": token, "reminder": prefix == REMINDER},
                )

    def exit_reason(self, shop, send, values):
        checkout = db.session.get(Checkout, (shop.id, send.context["checkout"]))
        if checkout is None:
            return "checkout_gone"
        if checkout.completed_at or checkout.order_id or db.session.scalar(select(_order_for(shop.id, checkout.token))):
            return "ordered"
        # A reminder follows a first email that went; one still waiting is handled by wait_until.
        if send.context.get("reminder") and _first_state(shop.id, checkout.token) not in _FIRST_OK + _FIRST_PENDING:
            return "first_not_sent"
        return None

    def wait_until(self, shop, send, values, now):
        checkout = db.session.get(Checkout, (shop.id, send.context["checkout"]))
        hours = values["reminder_delay_hours" if send.context.get("reminder") else "delay_hours"]
        # The buyer came back and changed the cart: the delay starts again from that change.
        again = checkout.platform_updated_at + timedelta(hours=hours)
        if again > now:
            return again, "cart_changed"
        if send.context.get("reminder") and _first_state(shop.id, checkout.token) in _FIRST_PENDING:
            return now + FIRST_PENDING_RETRY, "waiting_first"
        return None

    def consent(self, shop, send):
        checkout = db.session.get(Checkout, (shop.id, send.context["checkout"]))
        return marketing_allowed(
            shop.id, send.recipient, accepted_at_checkout=(checkout.accepts_marketing, checkout.platform_updated_at)
        )

    def subject(self, send, values):
        texts = values["reminder_subject" if send.context.get("reminder") else "subject"]
        return texts[send.locale or "en"]

    def discount_percent(self, send, values):
        return values["reminder_discount_percent" if send.context.get("reminder") else "discount_percent"]

    def context(self, shop, send, values):
        checkout = db.session.get(Checkout, (shop.id, send.context["checkout"]))
        if not checkout.items:
            raise Skip("empty_cart")
        return _cart_context(checkout, send)

    def sample(self, shop, values, locale, customer_id):
        query = select(Checkout).where(Checkout.shop_id == shop.id).order_by(Checkout.platform_updated_at.desc())
        if customer_id is not None:
            query = query.where(Checkout.customer_id == customer_id)
        checkout = next((c for c in db.session.scalars(query.limit(20)) if c.items), None) or _sample_checkout(shop)
        send = Send(
            shop_id=shop.id,
            automation=self.key,
            recipient=checkout.email or shop.email or "",
            customer_id=checkout.customer_id,
            trigger_ref=FIRST + checkout.token,
            locale=locale,
            context={"checkout": checkout.token, "reminder": False},
        )
        return send, _cart_context(checkout, send)


_FIRST_OK = ("sent",)
_FIRST_PENDING = ("planned", "claimed", "sending")


def _order_for(shop_id, token):
    return exists(select(Order.id).where(Order.shop_id == shop_id, Order.checkout_token == token))


def _first_state(shop_id: int, token: str) -> str | None:
    return db.session.scalar(
        select(Send.state)
        .where(Send.shop_id == shop_id, Send.automation == AbandonedCart.key, Send.trigger_ref == FIRST + token)
        .limit(1)
    )


def _cart_context(checkout: Checkout, send: Send) -> dict:
    # Checkout payloads carry no pictures; the product cache (import, refresh) usually has them.
    ids = {item.get("product_id") for item in checkout.items if not item.get("image_url")} - {None}
    pictures = (
        dict(
            db.session.execute(
                select(Product.id, Product.image_url).where(Product.shop_id == checkout.shop_id, Product.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return {
        "first_name": checkout.first_name,
        "items": [
            {
                "title": item.get("title", ""),
                "variant_title": item.get("variant_title"),
                "quantity": item.get("quantity", 1),
                "price": str(item.get("price", "")),
                "image_url": item.get("image_url") or pictures.get(item.get("product_id")),
                "url": checkout.recovery_url,
            }
            for item in checkout.items
        ],
        "total": str(checkout.total),
        "currency": checkout.currency,
        "recovery_url": checkout.recovery_url,
        # The templates number the emails of a cart: 1, then 2 for the reminder.
        "reminder": 2 if send.context.get("reminder") else 1,
    }


def _sample_checkout(shop) -> Checkout:
    """A believable cart for a shop with no checkouts yet: its own products if it has some."""
    products = list(db.session.scalars(select(Product).where(Product.shop_id == shop.id).limit(2)))
    items = [
        {
            "title": p.title,
            "variant_title": None,
            "quantity": 1,
            "price": str(p.price or "25.00"),
            "image_url": p.image_url,
            "product_id": p.id,
        }
        for p in products
    ] or [
        {"title": "Linen shirt", "variant_title": "M / Sand", "quantity": 1, "price": "49.00", "image_url": None},
        {"title": "Canvas tote", "variant_title": None, "quantity": 2, "price": "18.00", "image_url": None},
    ]
    total = sum(Decimal(i["price"]) * i["quantity"] for i in items)
    return Checkout(
        shop_id=shop.id,
        token="preview",
        email=shop.email,
        first_name="Alex",
        items=items,
        total=total,
        currency=shop.currency,
        recovery_url=f"https://{shop.primary_domain or shop.domain}/cart",
        platform_updated_at=datetime.min,
    )


AUTOMATION = AbandonedCart()
