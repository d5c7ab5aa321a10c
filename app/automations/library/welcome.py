"""Welcome: a new customer account that agreed to marketing and has not ordered gets a welcome
`delay_hours` after the store created it, with the birthday form's link and an optional first-order code.

"New" is the store's word: the account's `createdAt` (customers/create, an import, reconciliation).
An old account met at the history import was created long ago, outside the catch-up: no welcome.
An account whose creation the store has not stated (known only from an order or a checkout) is
not welcomed either.
"""

from sqlalchemy import and_, exists, select

from app.answers.links import birthday_link
from app.automations import fields as f
from app.automations.base import Automation, Step, Trigger, customer_of, hours, language
from app.customers.models import Customer, Order
from app.extensions import db
from app.lifecycle.planned import unplanned


class Welcome(Automation):
    key = "welcome"
    title = {"en": "Welcome", "vi": "Chào mừng khách mới"}
    steps = (Step("welcome", hours("delay_hours"), "welcome", label={"en": "Welcome", "vi": "Lời chào"}),)
    default_subject = {
        "en": "Welcome to {{ shop_name }}, {{ first_name }}",
        "vi": "Chào mừng {{ first_name }} đến với {{ shop_name }}",
    }
    priority = 60
    fields = (f.Int("delay_hours", 1, {"en": "Hours after sign-up", "vi": "Số giờ sau khi tạo tài khoản"}, 0, 72),)
    words = {
        "en": {"ordered": "the customer has ordered since"},
        "vi": {"ordered": "khách đã đặt hàng từ đó"},
    }

    def triggers(self, shop, values, window):
        ordered = exists(select(Order.id).where(Order.shop_id == shop.id, Order.customer_id == Customer.id))
        rows = db.session.execute(
            select(Customer.id, Customer.email, Customer.locale, Customer.platform_created_at).where(
                Customer.shop_id == shop.id,
                Customer.platform_created_at > window.since,
                Customer.platform_created_at <= window.until,
                Customer.email.is_not(None),
                Customer.consent_state == "subscribed",
                Customer.orders_count == 0,
                ~ordered,
                window.changed(Customer.changed_at),
            )
        ).all()
        for ref, (customer_id, email, locale, created_at) in unplanned(
            window, rows, lambda r: str(r.id), lambda r: r.id
        ):
            yield Trigger(
                ref=ref,
                at=created_at,
                recipient=email.lower(),
                customer_id=customer_id,
                locale=language(locale, shop.locale),
            )

    def exit_reason(self, shop, send, values):
        if customer_of(shop, send.customer_id) is None:
            return "customer_gone"
        ordered = select(Order.id).where(and_(Order.shop_id == shop.id, Order.customer_id == send.customer_id))
        return "ordered" if db.session.scalar(ordered.limit(1)) is not None else None

    def context(self, shop, send, values):
        customer = customer_of(shop, send.customer_id)
        return {"first_name": customer.first_name if customer else None, "birthday_url": _birthday_url(shop, send)}

    def sample(self, shop, values, locale, customer_id, step):
        customer = customer_of(shop, customer_id)
        if customer is None:  # the newest account that has not ordered
            customer = db.session.scalar(
                select(Customer)
                .where(Customer.shop_id == shop.id, Customer.orders_count == 0, Customer.email.is_not(None))
                .order_by(Customer.platform_created_at.desc().nulls_last(), Customer.created_at.desc())
                .limit(1)
            )
        send = self.sample_send(shop, step, customer, locale)
        return send, {
            "first_name": customer.first_name if customer else "Alex",
            "birthday_url": _birthday_url(shop, send),
        }


def _birthday_url(shop, send) -> str | None:
    """The birthday form of this customer (a birthday given there counts at once)."""
    return birthday_link(shop.id, send.customer_id, send.locale) if send.customer_id else None


AUTOMATION = Welcome()
