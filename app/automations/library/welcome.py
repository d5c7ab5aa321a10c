"""Welcome: a new customer account that agreed to marketing and has not ordered gets a welcome
`delay_hours` after it was created, with the birthday form's link and an optional first-order code.

"New" is judged from what we hold: the account's row appeared (customers/create, or an import)
no more than a day after the store last changed the profile. A profile the store has not touched
for longer is an old account met at the history import, not a sign-up: it gets no welcome.
"""

from datetime import timedelta

from sqlalchemy import and_, exists, or_, select

from app.answers.links import birthday_link
from app.automations import fields as f
from app.automations.base import Automation, Step, Trigger, customer_of, hours, language
from app.customers.models import Customer, Order
from app.extensions import db
from app.lifecycle.planned import unplanned
from app.lifecycle.usage import days_between

#: How much older than our row (in days) the store's last change of a profile may be for it to be a sign-up.
FRESH_DAYS = 1


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
            select(
                Customer.id, Customer.email, Customer.locale, Customer.created_at, Customer.platform_updated_at
            ).where(
                Customer.shop_id == shop.id,
                Customer.created_at > window.since,
                Customer.created_at <= window.until + timedelta(days=FRESH_DAYS),
                Customer.email.is_not(None),
                Customer.consent_state == "subscribed",
                Customer.orders_count == 0,
                ~ordered,
                or_(
                    Customer.platform_updated_at.is_(None),
                    days_between(Customer.created_at, Customer.platform_updated_at) <= FRESH_DAYS,
                ),
            )
        ).all()
        for ref, (customer_id, email, locale, created_at, stated_at) in unplanned(
            window, rows, lambda r: str(r.id), lambda r: r.id
        ):
            # Signed up when the store first stated the profile, if that was before we met it.
            at = min(created_at, stated_at or created_at)
            if not window.since < at <= window.until:
                continue
            yield Trigger(
                ref=ref,
                at=at,
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
                .order_by(Customer.created_at.desc())
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
