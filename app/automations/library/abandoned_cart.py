"""Abandoned cart: a checkout with an email, not completed and without an order, gets one email.

A two-step journey from the checkout's last update: the first email after `delay_hours`, so
a buyer still editing the cart is not chased, and an optional reminder after
`reminder_delay_hours`, which goes only after the first email went and may carry the
discount instead of it.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import exists, select

from app.automations import fields as f
from app.automations.base import Automation, Skip, Step, Trigger, hours, language, previous_sent
from app.customers.consent import marketing_allowed
from app.customers.models import Checkout, Customer, Order, Product
from app.extensions import db
from app.shops.domains import storefront_url

#: How long a reminder waits for a first email that is still deferred (quiet hours, cap).
FIRST_PENDING_RETRY = timedelta(hours=1)

FIRST = Step("checkout", hours("delay_hours"), "abandoned_cart", label={"en": "First email", "vi": "Email đầu"})
REMINDER = Step(
    "reminder",
    hours("reminder_delay_hours"),
    "abandoned_cart",
    subject="reminder_subject",
    discount="reminder_discount_percent",
    # The reminder follows a first email that went: it waits for one still deferred, and never replaces it.
    condition=previous_sent(skip="first_not_sent", wait="waiting_first", retry=FIRST_PENDING_RETRY),
    enabled=lambda values: values["reminder_enabled"],
    supersedes=False,
    label={"en": "Second reminder", "vi": "Nhắc lần hai"},
)


class AbandonedCart(Automation):
    key = "abandoned_cart"
    title = {"en": "Abandoned cart", "vi": "Giỏ hàng bị bỏ quên"}
    steps = (FIRST, REMINDER)
    priority = 90
    deferrals = ("cart_changed", "waiting_first", "spacing")
    default_subject = {"en": "You left something in your cart", "vi": "Bạn còn sản phẩm trong giỏ hàng"}
    fields = (
        f.Int("delay_hours", 24, {"en": "Send after (hours)", "vi": "Gửi sau (giờ)"}, 1, 72),
        f.Bool("reminder_enabled", False, {"en": "Second reminder", "vi": "Nhắc lần hai"}),
        f.Int(
            "reminder_delay_hours",
            72,
            {"en": "Second reminder after (hours)", "vi": "Nhắc lần hai sau (giờ)"},
            2,
            168,
        ),
        f.Text(
            "reminder_subject",
            {"en": "Your cart is still waiting", "vi": "Giỏ hàng của bạn vẫn đang chờ"},
            {"en": "Second reminder subject", "vi": "Tiêu đề nhắc lần hai"},
            1,
            150,
        ),
        f.Int(
            "reminder_discount_percent",
            0,
            {"en": "Second reminder discount (%)", "vi": "Giảm giá lần nhắc hai (%)"},
            0,
            100,
        ),
    )
    words = {
        "en": {
            "checkout_gone": "the checkout no longer exists",
            "first_not_sent": "the first email was not sent",
            "empty_cart": "the cart is empty",
            "cart_changed": "the cart changed",
            "waiting_first": "waiting for the first email to go out",
            "ordered": "the customer ordered",
        },
        "vi": {
            "checkout_gone": "phiên thanh toán không còn tồn tại",
            "first_not_sent": "email đầu tiên chưa được gửi",
            "empty_cart": "giỏ hàng trống",
            "cart_changed": "giỏ hàng đã thay đổi",
            "waiting_first": "đang chờ email đầu tiên được gửi",
            "ordered": "khách hàng đã đặt hàng",
        },
    }

    def validate(self, shop, values: dict) -> None:
        if values["reminder_delay_hours"] <= values["delay_hours"]:
            raise f.FieldError(
                "reminder_delay_hours must be later than delay_hours",
                "reminder_delay_hours phải muộn hơn delay_hours",
            )

    def triggers(self, shop, values, window):
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
                Checkout.platform_updated_at > window.since,
                Checkout.platform_updated_at <= window.until,
                Checkout.email.is_not(None),
                Checkout.completed_at.is_(None),
                Checkout.order_id.is_(None),
                ~_order_for(Checkout.shop_id, Checkout.token),
                window.changed(Checkout.changed_at),
                window.unplanned(Checkout.token),
            )
        )
        for token, email, customer_id, locale, customer_locale, updated_at in db.session.execute(query):
            yield Trigger(
                ref=token,
                at=updated_at,
                recipient=email.lower(),
                customer_id=customer_id,
                locale=language(locale, customer_locale, shop.locale),
                context={"checkout": token},
            )

    def exit_reason(self, shop, send, values):
        checkout = db.session.get(Checkout, (shop.id, send.context["checkout"]))
        if checkout is None:
            return "checkout_gone"
        if checkout.completed_at or checkout.order_id or db.session.scalar(select(_order_for(shop.id, checkout.token))):
            return "ordered"
        return None

    def wait_until(self, shop, send, values, now):
        checkout = db.session.get(Checkout, (shop.id, send.context["checkout"]))
        # The buyer came back and changed the cart: the delay starts again from that change.
        again = checkout.platform_updated_at + self.step_of(send).delay_for(values)
        if again > now:
            return again, "cart_changed"
        return None

    def consent(self, shop, send):
        checkout = db.session.get(Checkout, (shop.id, send.context["checkout"]))
        return marketing_allowed(
            shop.id, send.recipient, accepted_at_checkout=(checkout.accepts_marketing, checkout.platform_updated_at)
        )

    def context(self, shop, send, values):
        checkout = db.session.get(Checkout, (shop.id, send.context["checkout"]))
        if not checkout.items:
            raise Skip("empty_cart")
        return _cart_context(checkout, self.step_of(send))

    def sample(self, shop, values, locale, customer_id, step):
        query = select(Checkout).where(Checkout.shop_id == shop.id).order_by(Checkout.platform_updated_at.desc())
        if customer_id is not None:
            query = query.where(Checkout.customer_id == customer_id)
        checkout = next((c for c in db.session.scalars(query.limit(20)) if c.items), None) or _sample_checkout(shop)
        send = self.draft(
            shop,
            step,
            checkout.token,
            checkout.email or shop.email or "",
            checkout.customer_id,
            locale,
            {"checkout": checkout.token},
        )
        return send, _cart_context(checkout, step)


def _order_for(shop_id, token):
    return exists(select(Order.id).where(Order.shop_id == shop_id, Order.checkout_token == token))


def _cart_context(checkout: Checkout, step: Step) -> dict:
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
        "reminder": 2 if step is REMINDER else 1,
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
        recovery_url=f"{storefront_url(current_app.config, shop)}/cart",
        platform_updated_at=datetime.min,
    )


AUTOMATION = AbandonedCart()
