"""Signed, opaque tokens for answer links: the token is the customer's credential (no session,
no login), and it cannot be altered to name another email, answer or customer."""

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app import security


class BadToken(ValueError):
    """Tampered with, truncated, or made for another purpose."""


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
    return _serializer("answer").dumps([shop_id, send_id, question, answer])


def read_survey(token: str) -> SurveyAnswer:
    shop_id, send_id, question, answer = _load("answer", token, 4)
    return SurveyAnswer(int(shop_id), int(send_id), str(question), str(answer))


def birthday(shop_id: int, customer_id: int, locale: str | None) -> str:
    return _serializer("birthday").dumps([shop_id, customer_id, locale or ""])


def read_birthday(token: str) -> BirthdayForm:
    shop_id, customer_id, locale = _load("birthday", token, 3)
    return BirthdayForm(int(shop_id), int(customer_id), str(locale))


def _serializer(purpose: str) -> URLSafeSerializer:
    return _cached(current_app.config["SECRET_KEY"], purpose)


@lru_cache(maxsize=8)
def _cached(_secret_key: str, purpose: str) -> URLSafeSerializer:
    return security.serializer(purpose)


def _load(purpose: str, token: str, size: int) -> list:
    try:
        payload = _serializer(purpose).loads(token)
    except BadSignature:
        raise BadToken(f"invalid {purpose} token") from None
    if not isinstance(payload, list) or len(payload) != size:
        raise BadToken(f"malformed {purpose} token")
    try:
        int(payload[0]), int(payload[1])
    except (TypeError, ValueError):
        raise BadToken(f"malformed {purpose} token") from None
    return payload
