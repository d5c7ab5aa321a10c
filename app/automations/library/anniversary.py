"""Anniversary: on each anniversary of a customer's first order, a thank-you naming how long they
have been a customer and how many orders they placed, with an optional code.

One email per customer and year (the trigger is "customer:years"); a first order on 29 February
is celebrated on 28 February in common years.
"""

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.automations.base import Automation, Step, Trigger, customer_of, language
from app.customers.models import Customer
from app.extensions import db
from app.lifecycle.orders import anniversaries, orders_count
from app.lifecycle.planned import by_customer, unplanned


class Anniversary(Automation):
    key = "anniversary"
    title = {"en": "First-order anniversary", "vi": "Kỷ niệm đơn hàng đầu tiên"}
    steps = (Step("anniversary", timedelta(0), "anniversary", label={"en": "Thank-you", "vi": "Lời cảm ơn"}),)
    default_subject = {
        "en": "Happy anniversary, {{ first_name }}: thank you from {{ shop_name }}",
        "vi": "{{ first_name }} ơi, cảm ơn bạn đã đồng hành cùng {{ shop_name }}",
    }
    priority = 20

    def triggers(self, shop, values, window):
        found = anniversaries(shop.id, window.since, window.until)
        for ref, anniversary in unplanned(window, found, lambda a: f"{a.customer_id}:{a.years}", by_customer):
            yield Trigger(
                ref=ref,
                at=anniversary.due_at,
                recipient=anniversary.email.lower(),
                customer_id=anniversary.customer_id,
                locale=language(anniversary.locale, shop.locale),
                context={"years": anniversary.years, "first_order_at": clock.iso(anniversary.first_order_at)},
            )

    def exit_reason(self, shop, send, values):
        return None if customer_of(shop, send.customer_id) else "customer_gone"

    def context(self, shop, send, values):
        customer = customer_of(shop, send.customer_id)
        return _context(
            customer.first_name if customer else None,
            send.context["years"],
            send.context["first_order_at"],
            orders_count(shop.id, send.customer_id),
        )

    def sample(self, shop, values, locale, customer_id, step):
        customer = customer_of(shop, customer_id)
        if customer is None:  # the shop's longest-standing customer who still buys
            customer = db.session.scalar(
                select(Customer)
                .where(Customer.shop_id == shop.id, Customer.first_order_at.is_not(None), Customer.email.is_not(None))
                .order_by(Customer.orders_count.desc(), Customer.first_order_at)
                .limit(1)
            )
        send = self.sample_send(shop, step, customer, locale)
        if customer is None:
            return send, _context("Alex", 1, clock.iso(clock.now() - timedelta(days=365)), 3)
        # The email this customer gets next: on the coming anniversary (today's counts as coming).
        now = clock.now()
        first = customer.first_order_at
        years = max(1, now.year - first.year + ((now.month, now.day) > (first.month, first.day)))
        return send, _context(customer.first_name, years, clock.iso(first), orders_count(shop.id, customer.id))


def _context(first_name, years: int, first_order_at: str, count: int) -> dict:
    return {
        "first_name": first_name,
        "years": years,
        "first_order_at": first_order_at,
        "orders_count": count,
        "returns": max(count - 1, 0),
    }


AUTOMATION = Anniversary()
