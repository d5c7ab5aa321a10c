"""Feedback: `after_days` after an order, the NPS question (0–10, eleven one-click answers and an
optional comment), at most one survey per customer per `every_days`; the answer decides the follow-up.

Promoters (9–10) get a thank-you asking for a review at `review_url` (none without one);
detractors (0–6) an apology with a `detractor_discount_percent` code, and the shop a notice with
the score and the comment; passives (7–8) nothing. NPS of a period: `app.surveys.nps`.
"""

from datetime import timedelta

from babel.dates import format_date
from sqlalchemy import and_, or_, select

from app import clock
from app.answers.links import survey_links
from app.automations import fields as f
from app.automations.base import WENT, Automation, Step, Trigger, customer_of, days, language
from app.customers.models import Customer, Order
from app.extensions import db
from app.records.models import Send
from app.surveys import followups, nps
from app.surveys.followups import ASK

QUESTION = "nps"
NOW = timedelta(0)
PROMOTERS = tuple(str(score) for score in (9, 10))
DETRACTORS = tuple(str(score) for score in range(7))


#: The settings card's NPS block: the last 30 and 90 days (the shop's days, today included).
PANEL_DAYS = (30, 90)
PANEL_COMMENTS = 5
PANEL_WORDS = {
    "en": {
        "title": "What your customers say (NPS)",
        "explain": "NPS is the share of promoters (9–10) minus the share of detractors (0–6), from −100 to +100.",
        "last_days": "Last {days} days",
        "answers": "{count} answers",
        "no_answers": "No answers yet",
        "promoters": "Promoters (9–10)",
        "passives": "Passives (7–8)",
        "detractors": "Detractors (0–6)",
        "spread": "Answers by score",
        "score": "Score",
        "count": "Answers",
        "comments": "Latest comments (90 days)",
        "no_comments": "No comments yet.",
    },
    "vi": {
        "title": "Khách hàng nói gì về shop (NPS)",
        "explain": "NPS là tỷ lệ khách ủng hộ (9–10) trừ đi tỷ lệ khách chưa hài lòng (0–6), từ −100 đến +100.",
        "last_days": "{days} ngày qua",
        "answers": "{count} lượt trả lời",
        "no_answers": "Chưa có lượt trả lời nào",
        "promoters": "Khách ủng hộ (9–10)",
        "passives": "Khách trung lập (7–8)",
        "detractors": "Khách chưa hài lòng (0–6)",
        "spread": "Số lượt trả lời theo điểm",
        "score": "Điểm",
        "count": "Lượt",
        "comments": "Nhận xét gần đây (90 ngày)",
        "no_comments": "Chưa có nhận xét nào.",
    },
}


def surveyed_recently(decision):
    """At most one survey per customer per `every_days`: skip when another ask to this address went
    within it, or is about to go and was due first (two orders' asks decided in one batch)."""
    send, since = decision.send, decision.now - timedelta(days=decision.values["every_days"])
    asks = select(Send.id).where(
        Send.shop_id == send.shop_id,
        Send.automation == send.automation,
        Send.recipient == send.recipient,
        Send.trigger_ref.like(f"{ASK}:%"),
        Send.id != send.id,
    )
    went = asks.where(Send.state.in_(WENT), Send.sent_at > since)
    first = asks.where(
        Send.state.in_(("planned", "claimed")),
        or_(Send.due_at < send.due_at, and_(Send.due_at == send.due_at, Send.id < send.id)),
        Send.due_at <= decision.now,
    )
    if db.session.scalar(went.limit(1)) is not None or db.session.scalar(first.limit(1)) is not None:
        return "surveyed_recently"
    return None


def review_link_set(decision):
    return None if decision.values["review_url"] else "no_review_url"


class Feedback(Automation):
    key = "feedback"
    title = {"en": "Feedback (NPS survey)", "vi": "Khảo sát mức độ hài lòng (NPS)"}
    default_subject = [
        {"en": "How did we do, {{ first_name }}?", "vi": "{{ first_name }} ơi, bạn thấy {{ shop_name }} thế nào?"},
        {"en": "Thank you, {{ first_name }}!", "vi": "Cảm ơn bạn nhiều, {{ first_name }}!"},
        {"en": "We're sorry, {{ first_name }}", "vi": "Chúng mình thành thật xin lỗi, {{ first_name }}"},
        {"en": "A customer scored you low", "vi": "Một khách hàng chấm điểm thấp"},
    ]
    default_discount = 0
    priority = 30
    fields = (
        f.Int("after_days", 14, {"en": "Days after the order", "vi": "Số ngày sau đơn hàng"}, 1, 90),
        f.Int(
            "every_days",
            90,
            {
                "en": "At most one survey per customer every (days)",
                "vi": "Mỗi khách nhận tối đa một khảo sát trong (ngày)",
            },
            1,
            365,
        ),
        f.Int(
            "detractor_discount_percent",
            10,
            {"en": "Apology code for low scores (%)", "vi": "Mã xin lỗi cho điểm thấp (%)"},
            0,
            100,
        ),
        f.Url("review_url", "", {"en": "Review page (for high scores)", "vi": "Trang đánh giá (cho điểm cao)"}),
    )
    steps = (
        Step(
            ASK,
            days("after_days"),
            "feedback",
            subject=("subject", 0),
            condition=surveyed_recently,
            label={"en": "NPS question", "vi": "Câu hỏi NPS"},
        ),
        Step(
            "promoter",
            NOW,
            "feedback_promoter",
            subject=("subject", 1),
            discount=None,
            supersedes=False,
            condition=review_link_set,
            label={"en": "Score 9–10: thank-you", "vi": "Điểm 9–10: lời cảm ơn"},
        ),
        Step(
            "detractor",
            NOW,
            "feedback_detractor",
            subject=("subject", 2),
            discount="detractor_discount_percent",
            supersedes=False,
            label={"en": "Score 0–6: apology", "vi": "Điểm 0–6: lời xin lỗi"},
        ),
        Step(
            "detractor_notice",
            NOW,
            "shop_notice",
            subject=("subject", 3),
            discount=None,
            notice=True,
            supersedes=False,
            label={"en": "Notice to you: low score", "vi": "Thông báo cho bạn: điểm thấp"},
        ),
    )
    answers = {"promoter": PROMOTERS, "detractor": DETRACTORS, "detractor_notice": DETRACTORS}
    words = {
        "en": {
            "surveyed_recently": "the customer had a survey shortly before",
            "no_review_url": "no review page is set",
        },
        "vi": {
            "surveyed_recently": "khách hàng vừa nhận một khảo sát gần đây",
            "no_review_url": "chưa có trang đánh giá",
        },
    }

    panel_template = "settings/panels/feedback.html"

    def panel(self, shop, locale):
        """NPS of the last 30 and 90 days, its spread (groups and each score), the latest comments."""
        lang = language(locale)
        words = PANEL_WORDS[lang]
        tz = clock.zone(shop.timezone)
        today = clock.local_day(clock.now(), tz)
        end = clock.day_start(today + timedelta(days=1), tz)
        periods = []
        for days_back in PANEL_DAYS:
            start = clock.day_start(today - timedelta(days=days_back - 1), tz)
            summary = nps.of_period(shop.id, start, end, comments=PANEL_COMMENTS)
            answers = summary["answers"]
            summary["groups"] = [
                {
                    "name": group,
                    "label": words[group],
                    "count": summary[group],
                    "share": round(summary[group] * 100 / answers) if answers else 0,
                }
                for group in ("promoters", "passives", "detractors")
            ]
            periods.append(
                {
                    **summary,
                    "days": days_back,
                    "label": words["last_days"].format(days=days_back),
                    "count": words["answers"].format(count=answers) if answers else words["no_answers"],
                }
            )
        comments = [
            {
                **comment,
                "group": nps.group(comment["score"]),
                "day": format_date(clock.local_day(clock.parse_iso(comment["answered_at"]), tz), "medium", locale=lang),
            }
            for comment in periods[-1]["comments"]
        ]
        return {"words": words, "periods": periods, "comments": comments}

    def triggers(self, shop, values, window):
        if window.step.name != ASK:
            yield from followups.answered(shop, self.key, QUESTION, self.answers[window.step.name], window)
            return
        query = (
            select(Order.id, Order.placed_at, Customer.id, Customer.email, Customer.locale)
            .join(Customer, (Customer.shop_id == Order.shop_id) & (Customer.id == Order.customer_id))
            .where(
                Order.shop_id == shop.id,
                Order.placed_at > window.since,
                Order.placed_at <= window.until,
                Order.cancelled_at.is_(None),
                Customer.email.is_not(None),
                window.changed(Order.changed_at, Customer.changed_at),
                window.unplanned(Order.id),
            )
        )
        for order_id, placed_at, customer_id, email, locale in db.session.execute(query):
            yield Trigger(
                ref=str(order_id),
                at=placed_at,
                recipient=email.lower(),
                customer_id=customer_id,
                locale=language(locale, shop.locale),
                context={"order_id": order_id},
            )

    def exit_reason(self, shop, send, values):
        return None if customer_of(shop, send.customer_id) else "customer_gone"

    def context(self, shop, send, values):
        step = self.step_of(send)
        if step.notice:
            return followups.notice_context(
                shop, send, "feedback", discount_percent=values["detractor_discount_percent"]
            )
        context = {"first_name": followups.first_name(shop, send)}
        if step.name == ASK:
            links = survey_links(shop.id, send.id, QUESTION)
            context["scores"] = [{"value": int(value), "url": url} for value, url in links.items()]
        else:
            context.update(
                score=send.context.get("answer"), comment=send.context.get("comment"), review_url=values["review_url"]
            )
        return context

    def sample(self, shop, values, locale, customer_id, step):
        customer = customer_of(shop, customer_id)
        answer = followups.sample_answer("10" if step.name == "promoter" else "3", None)
        send = self.sample_send(shop, step, customer, locale, context=answer)
        if step.notice:
            return send, followups.notice_context(
                shop, send, "feedback", discount_percent=values["detractor_discount_percent"]
            )
        context = {
            "first_name": (customer.first_name if customer else None) or "Alex",
            "score": answer["answer"],
            "comment": None,
            "review_url": values["review_url"],
        }
        if step.name == ASK:
            context["scores"] = [{"value": n, "url": "#"} for n in range(11)]
        return send, context


AUTOMATION = Feedback()
