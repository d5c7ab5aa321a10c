"""We miss you: `after_days` after the last order, one email per lapse with a code and a one-question
survey (why not back?); the answer decides the follow-up at the next tick.

shipping → a free-shipping code; price → a `discount_percent`+5 % code; quality → an apology, and
the shop gets a notice naming the customer and the answer; the other answers → nothing. Every
step of a lapse is one journey: an order since the lapse ends it. Spaced a day from `winback`.
"""

from datetime import timedelta

from sqlalchemy import select

from app.answers.links import survey_links
from app.automations import fields as f
from app.automations.base import Automation, Step, Trigger, customer_of, days, language
from app.customers.models import Customer, Order
from app.extensions import db
from app.surveys import followups
from app.surveys.followups import ASK

QUESTION = "reason"
NOW = timedelta(0)


class WeMissYou(Automation):
    key = "we_miss_you"
    title = {"en": "We miss you (with survey)", "vi": "Nhớ bạn (kèm khảo sát)"}
    default_subject = [
        {"en": "We miss you, {{ first_name }}", "vi": "{{ first_name }} ơi, chúng mình nhớ bạn lắm!"},
        {"en": "Free shipping on us, {{ first_name }}", "vi": "Miễn phí giao hàng cho bạn, {{ first_name }}"},
        {"en": "A better price, just for you", "vi": "Ưu đãi lớn hơn, dành riêng cho bạn"},
        {"en": "We're sorry, {{ first_name }}", "vi": "Chúng mình xin lỗi bạn, {{ first_name }}"},
        {"en": "A customer was unhappy with the quality", "vi": "Có khách chưa hài lòng về chất lượng sản phẩm"},
    ]
    default_discount = 15
    priority = 40
    excludes = {"winback": timedelta(days=1)}
    fields = (
        f.Int("after_days", 75, {"en": "Days since the last order", "vi": "Số ngày kể từ đơn hàng cuối"}, 30, 365),
    )
    steps = (
        Step(
            ASK, days("after_days"), "we_miss_you", subject=("subject", 0), label={"en": "We miss you", "vi": "Nhớ bạn"}
        ),
        Step(
            "shipping",
            NOW,
            "we_miss_you_shipping",
            subject=("subject", 1),
            discount=None,
            free_shipping=True,
            supersedes=False,
            label={"en": "Answer: shipping", "vi": "Trả lời: phí giao hàng"},
        ),
        Step(
            "price",
            NOW,
            "we_miss_you_price",
            subject=("subject", 2),
            supersedes=False,
            label={"en": "Answer: price", "vi": "Trả lời: giá"},
        ),
        Step(
            "quality",
            NOW,
            "we_miss_you_quality",
            subject=("subject", 3),
            discount=None,
            supersedes=False,
            label={"en": "Answer: quality", "vi": "Trả lời: chất lượng"},
        ),
        Step(
            "quality_notice",
            NOW,
            "shop_notice",
            subject=("subject", 4),
            discount=None,
            notice=True,
            supersedes=False,
            label={"en": "Notice to you: quality", "vi": "Thông báo cho bạn: chất lượng"},
        ),
    )
    #: The answer each follow-up step answers.
    answers = {"shipping": "shipping", "price": "price", "quality": "quality", "quality_notice": "quality"}
    words = {
        "en": {"ordered": "the customer ordered since"},
        "vi": {"ordered": "khách hàng đã đặt hàng lại"},
    }

    def triggers(self, shop, values, window):
        if window.step.name != ASK:
            yield from followups.answered(shop, self.key, QUESTION, (self.answers[window.step.name],), window)
            return
        last_order = (
            select(Order.id)
            .where(
                Order.shop_id == Customer.shop_id,
                Order.customer_id == Customer.id,
                Order.placed_at == Customer.last_order_at,
                Order.cancelled_at.is_(None),
            )
            .order_by(Order.id.desc())
            .limit(1)
            .correlate(Customer)
            .scalar_subquery()
        )
        query = select(Customer.id, Customer.email, Customer.locale, Customer.last_order_at, last_order).where(
            Customer.shop_id == shop.id,
            Customer.last_order_at > window.since,
            Customer.last_order_at <= window.until,
            Customer.email.is_not(None),
            # The customer's figures are rewritten with each of their orders (and its cancellation).
            window.changed(Customer.changed_at),
            window.unplanned(last_order),
        )
        for customer_id, email, locale, last_order_at, order_id in db.session.execute(query):
            if order_id is not None:
                yield Trigger(
                    ref=str(order_id),
                    at=last_order_at,
                    recipient=email.lower(),
                    customer_id=customer_id,
                    locale=language(locale, shop.locale),
                    context={"last_order_id": order_id},
                )

    def exit_reason(self, shop, send, values):
        if customer_of(shop, send.customer_id) is None:
            return "customer_gone"
        lapse = db.session.get(Order, (shop.id, send.context["last_order_id"]))
        newer = select(Order.id).where(
            Order.shop_id == shop.id,
            Order.customer_id == send.customer_id,
            Order.id != send.context["last_order_id"],
            Order.cancelled_at.is_(None),
        )
        if lapse is not None:
            newer = newer.where(Order.placed_at >= lapse.placed_at)
        return "ordered" if db.session.scalar(newer.limit(1)) is not None else None

    def percent_for(self, send, values):
        step = self.step_of(send)
        if step.name == "price":
            return min(100, values["discount_percent"] + 5)
        return super().percent_for(send, values)

    def context(self, shop, send, values):
        step = self.step_of(send)
        if step.notice:
            return followups.notice_context(shop, send, "we_miss_you")
        context = {"first_name": followups.first_name(shop, send)}
        if step.name == ASK:
            context["answers"] = followups.labelled(survey_links(shop.id, send.id, QUESTION), send.locale)
        return context

    def sample(self, shop, values, locale, customer_id, step):
        customer = customer_of(shop, customer_id)
        answer = followups.sample_answer(self.answers.get(step.name, "quality"))
        send = self.sample_send(shop, step, customer, locale, context=answer)
        if step.notice:
            return send, followups.notice_context(shop, send, "we_miss_you")
        context = {"first_name": (customer.first_name if customer else None) or "Alex"}
        if step.name == ASK:
            links = {
                value: f"#{value}" for value in ("price", "shipping", "quality", "found_elsewhere", "no_need", "other")
            }
            context["answers"] = followups.labelled(links, locale)
        return send, context


AUTOMATION = WeMissYou()
