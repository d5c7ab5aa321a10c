"""Loyalty: a thank-you `delay_days` after a customer's `nth_order`-th order (by default the
second: the moment a one-time buyer becomes a repeat buyer), with an optional code.

One email per customer and `nth_order`: the trigger is named by the customer, so an order
cancelled later that renumbers the rest never brings a second thank-you.
"""

from sqlalchemy import select

from app.automations import fields as f
from app.automations.base import Automation, Step, Trigger, customer_of, days, language
from app.customers.models import Customer, Order
from app.extensions import db
from app.lifecycle.orders import numbered_orders
from app.lifecycle.planned import by_customer, unplanned


class Loyalty(Automation):
    key = "loyalty"
    title = {"en": "Thank-you for coming back", "vi": "Cảm ơn khách quay lại"}
    steps = (Step("thanks", days("delay_days"), "loyalty", label={"en": "Thank-you", "vi": "Lời cảm ơn"}),)
    default_subject = {
        "en": "Thank you for coming back, {{ first_name }}",
        "vi": "Cảm ơn {{ first_name }} đã quay lại",
    }
    priority = 30
    fields = (
        f.Int("nth_order", 2, {"en": "After the customer's order number", "vi": "Sau đơn hàng thứ"}, 2, 20),
        f.Int("delay_days", 1, {"en": "Days after that order", "vi": "Số ngày sau đơn hàng đó"}, 0, 30),
    )
    words = {
        "en": {"order_cancelled": "that order was cancelled"},
        "vi": {"order_cancelled": "đơn hàng đó đã bị hủy"},
    }

    def triggers(self, shop, values, window):
        nth = values["nth_order"]
        moments = numbered_orders(shop.id, window.since, window.until, number=nth)
        for ref, moment in unplanned(window, moments, lambda m: f"{m.customer_id}:{nth}", by_customer):
            yield Trigger(
                ref=ref,
                at=moment.placed_at,
                recipient=moment.email.lower(),
                customer_id=moment.customer_id,
                locale=language(moment.locale, shop.locale),
                context={"order_id": moment.order_id, "orders_count": nth},
            )

    def exit_reason(self, shop, send, values):
        if customer_of(shop, send.customer_id) is None:
            return "customer_gone"
        order = db.session.get(Order, (shop.id, send.context.get("order_id")))
        if order is None or order.cancelled_at is not None:
            return "order_cancelled"
        return None

    def context(self, shop, send, values):
        customer = customer_of(shop, send.customer_id)
        return {"first_name": customer.first_name if customer else None, "orders_count": send.context["orders_count"]}

    def sample(self, shop, values, locale, customer_id, step):
        nth = values["nth_order"]
        customer = customer_of(shop, customer_id)
        if customer is None:  # the shop's most recent repeat buyer, as the merchant will see them
            customer = db.session.scalar(
                select(Customer)
                .where(Customer.shop_id == shop.id, Customer.orders_count >= 2, Customer.email.is_not(None))
                .order_by(Customer.last_order_at.desc())
                .limit(1)
            )
        send = self.sample_send(shop, step, customer, locale)
        return send, {"first_name": customer.first_name if customer else "Alex", "orders_count": nth}


AUTOMATION = Loyalty()
