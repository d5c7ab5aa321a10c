"""Signed, opaque tokens for answer links: the token is the customer's credential (no session,
no login), and it cannot be altered to name another email, answer or customer.

They are signed and read like the email's own links (`app.mail.tokens`), under their own purposes."""

from dataclasses import dataclass

from app.mail.tokens import BadToken, load, serializer

__all__ = ["BadToken", "SurveyAnswer", "BirthdayForm", "survey", "read_survey", "birthday", "read_birthday"]


@dataclass(frozen=True)
class SurveyAnswer:
    shop_id: int
    send_id: int
    question: str
    answer: str


@dataclass(frozen=True)
class BirthdayForm:
    shop_id: int
    customer_id: int
    locale: str


def survey(shop_id: int, send_id: int, question: str, answer: str) -> str:
    return serializer("answer").dumps([shop_id, send_id, question, answer])


def read_survey(token: str) -> SurveyAnswer:
    shop_id, send_id, question, answer = _load("answer", token, 4)
    return SurveyAnswer(int(shop_id), int(send_id), str(question), str(answer))


def birthday(shop_id: int, customer_id: int, locale: str | None) -> str:
    return serializer("birthday").dumps([shop_id, customer_id, locale or ""])


def read_birthday(token: str) -> BirthdayForm:
    shop_id, customer_id, locale = _load("birthday", token, 3)
    return BirthdayForm(int(shop_id), int(customer_id), str(locale))


def _load(purpose: str, token: str, size: int) -> list:
    payload = load(purpose, token, size)
    try:
        int(payload[0]), int(payload[1])
    except (TypeError, ValueError):
        raise BadToken(f"malformed {purpose} token") from None
    return payload
