"""What the survey automations share: follow-ups triggered by answers, and the notice to the shop.

A follow-up step's trigger is an answer to the journey's first email ("ask"), given in the
planning window; its ref is the ask's own ref, so the follow-up belongs to the same journey
(same exit checks, exactly once per journey and step). Planning a follow-up freezes the answer
(`answers.store.mark_decided`): from then on the customer can no longer change what it was
decided on, which is "decided at the next tick" of INTERFACE.md.
"""

from datetime import datetime

from sqlalchemy import func, select

from app import clock
from app.answers import store
from app.answers.models import Answer
from app.answers.questions import WORDS, language
from app.automations.base import Trigger, customer_of
from app.extensions import db
from app.records.models import Send

ASK = "ask"
#: Answers looked up at once.
CHUNK = 500


def answered(shop, automation: str, question: str, answers, window):
    """Triggers for `window.step`: answers in `answers` to this automation's ask emails, given in the window."""
    prefix = f"{ASK}:"
    ref = func.substr(Send.trigger_ref, len(prefix) + 1)
    # The answers first, then their emails by key: joined in one statement, PostgreSQL walked every
    # "ask" send of the automation (the trigger_ref prefix), a cost that grew with the plan.
    given = list(
        db.session.scalars(
            select(Answer.send_id).where(
                Answer.shop_id == shop.id,
                Answer.question == question,
                Answer.answer.in_(tuple(answers)),
                Answer.answered_at > window.since,
                Answer.answered_at <= window.until,
                # Every answer, and every change of one, is stamped with its own time.
                window.changed(Answer.answered_at),
            )
        )
    )
    found = []
    for first in range(0, len(given), CHUNK):
        ids = given[first : first + CHUNK]
        query = (
            select(Answer, Send.recipient, Send.customer_id, Send.locale, Send.context, ref)
            .join(Send, (Send.shop_id == Answer.shop_id) & (Send.id == Answer.send_id))
            .where(
                Answer.shop_id == shop.id,
                Answer.send_id.in_(ids),
                Send.shop_id == shop.id,
                Send.id.in_(ids),
                Send.automation == automation,
                Send.trigger_ref.like(prefix + "%"),
                window.unplanned(ref),
            )
        )
        found += db.session.execute(query).all()
    for answer, recipient, customer_id, locale, context, trigger_ref in found:
        # Frozen in the planning transaction: the follow-up is decided on this answer and no other.
        store.mark_decided(shop.id, answer.send_id)
        yield Trigger(
            ref=trigger_ref,
            at=answer.answered_at,
            recipient=recipient,
            customer_id=customer_id,
            locale=locale or shop.locale or "en",
            context={
                **(context or {}),
                "asked_send_id": answer.send_id,
                "answer": answer.answer,
                "comment": answer.comment,
                "answered_at": clock.iso(answer.answered_at),
            },
        )


def notice_context(shop, send, survey: str, **extra) -> dict:
    """The notice's variables: who answered what, in the language of the notice (the shop's)."""
    customer = customer_of(shop, send.customer_id)
    words = WORDS[language(send.locale, shop.locale)]
    name = (customer.first_name or "") if customer else ""
    email = (customer.email if customer else None) or send.context.get("customer_email") or ""
    answer = send.context.get("answer")
    return {
        "survey": survey,
        "customer_name": name or email,
        "customer_email": email,
        "answer_label": words.get(answer, answer),
        "score": int(answer) if survey == "feedback" and answer is not None else None,
        "comment": send.context.get("comment"),
        "answered_at": send.context.get("answered_at"),
        **extra,
    }


def first_name(shop, send) -> str | None:
    customer = customer_of(shop, send.customer_id)
    return customer.first_name if customer else None


def labelled(links: dict[str, str], locale: str | None) -> list[dict]:
    """[{"value", "label", "url"}] for an email's answer buttons, labelled as the answer page says them."""
    words = WORDS[language(locale)]
    return [{"value": value, "label": words.get(value, value), "url": url} for value, url in links.items()]


def sample_answer(answer: str, comment: str | None = None, at: datetime | None = None) -> dict:
    """A believable decided answer for previews."""
    return {"answer": answer, "comment": comment, "answered_at": clock.iso(at or clock.now())}
