"""Birthday: a greeting with a code on the customer's birthday in the shop's time zone, or
`days_before` it; once a year (the trigger is "customer:year of the birthday").

The birthday comes from the store's `facts.birth_date` metafield or from our birthday form
(`/b/<token>`, linked from the welcome email); a 29 February birthday is celebrated on
28 February in common years. Due at local midnight: quiet hours move it to the morning.
"""

from datetime import UTC, date, timedelta

from sqlalchemy import select

from app import clock
from app.automations import fields as f
from app.automations.base import Automation, Step, Trigger, customer_of, language
from app.customers.birthdays import month_day
from app.customers.models import Customer
from app.extensions import db
from app.lifecycle.birthdays import birthday_in, birthdays_due, zone
from app.lifecycle.planned import by_customer, unplanned


class Birthday(Automation):
    key = "birthday"
    title = {"en": "Birthday", "vi": "Chúc mừng sinh nhật"}
    steps = (Step("birthday", timedelta(0), "birthday", label={"en": "Birthday greeting", "vi": "Lời chúc sinh nhật"}),)
    default_subject = {
        "en": "Happy birthday, {{ first_name }}! A gift from {{ shop_name }}",
        "vi": "Chúc mừng sinh nhật {{ first_name }}! {{ shop_name }} có quà cho bạn",
    }
    default_discount = 15
    priority = 40
    fields = (f.Int("days_before", 0, {"en": "Days before the birthday", "vi": "Gửi trước sinh nhật (ngày)"}, 0, 14),)
    words = {
        "en": {"birthday_changed": "the customer's birthday changed or was removed"},
        "vi": {"birthday_changed": "ngày sinh của khách đã thay đổi hoặc bị xóa"},
    }

    def triggers(self, shop, values, window):
        found = birthdays_due(shop.id, shop.timezone, values["days_before"], window.since, window.until)
        for ref, due in unplanned(window, found, lambda b: f"{b.customer_id}:{b.birthday.year}", by_customer):
            yield Trigger(
                ref=ref,
                at=due.due_at,
                recipient=due.email.lower(),
                customer_id=due.customer_id,
                locale=language(due.locale, shop.locale),
                context={"birthday": due.birthday.isoformat(), "days_before": values["days_before"]},
            )

    def exit_reason(self, shop, send, values):
        """The birthday the email was planned for must still be the customer's."""
        customer = customer_of(shop, send.customer_id)
        planned = date.fromisoformat(send.context["birthday"])
        if customer is None or not customer.birth_date:
            return "birthday_changed"
        month, day = month_day(customer.birth_date)
        return None if birthday_in(planned.year, month, day) == planned else "birthday_changed"

    def context(self, shop, send, values):
        customer = customer_of(shop, send.customer_id)
        return {
            "first_name": customer.first_name if customer else None,
            "birthday": send.context["birthday"],
            "days_before": send.context.get("days_before", 0),
        }

    def sample(self, shop, values, locale, customer_id, step):
        customer = customer_of(shop, customer_id)
        if customer is None:  # someone whose birthday the shop knows
            customer = db.session.scalar(
                select(Customer)
                .where(Customer.shop_id == shop.id, Customer.birth_date.is_not(None), Customer.email.is_not(None))
                .order_by(Customer.id)
                .limit(1)
            )
        today = clock.now().replace(tzinfo=UTC).astimezone(zone(shop.timezone)).date()
        send = self.sample_send(shop, step, customer, locale)
        return send, {
            "first_name": customer.first_name if customer else "Alex",
            "birthday": (today + timedelta(days=values["days_before"])).isoformat(),
            "days_before": values["days_before"],
        }


AUTOMATION = Birthday()
