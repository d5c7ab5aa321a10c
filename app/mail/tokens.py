"""Signed tokens for the links in an email: unsubscribe, click redirect, open pixel.

Tokens never expire (an unsubscribe link must work for years) and carry only ids,
the address and the target URL; the signature is what makes them trustworthy, so a
click can only redirect to the URL it was signed for (no open redirect).
"""

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app import security


class BadToken(ValueError):
    """The token was tampered with, truncated or made for another purpose."""


@dataclass(frozen=True)
class Unsubscribe:
    shop_id: int
    send_id: int | None
    email: str
    locale: str


def unsubscribe(shop_id: int, send_id: int | None, email: str, locale: str) -> str:
    return serializer("unsubscribe").dumps([shop_id, send_id, email, locale])


def read_unsubscribe(token: str) -> Unsubscribe:
    shop_id, send_id, email, locale = load("unsubscribe", token, 4)
    return Unsubscribe(int(shop_id), send_id, str(email), str(locale))


def click(shop_id: int, send_id: int, url: str) -> str:
    return serializer("click").dumps([shop_id, send_id, url])


def read_click(token: str) -> tuple[int, int, str]:
    shop_id, send_id, url = load("click", token, 3)
    return int(shop_id), int(send_id), str(url)


def opened(shop_id: int, send_id: int) -> str:
    return serializer("open").dumps([shop_id, send_id])


def read_opened(token: str) -> tuple[int, int]:
    shop_id, send_id = load("open", token, 2)
    return int(shop_id), int(send_id)


def serializer(purpose: str) -> URLSafeSerializer:
    # One per key and purpose: an email signs a dozen links, thousands of emails a minute.
    return _serializer(current_app.config["SECRET_KEY"], purpose)


@lru_cache(maxsize=16)
def _serializer(_secret_key: str, purpose: str) -> URLSafeSerializer:
    return security.serializer(purpose)


def load(purpose: str, token: str, size: int) -> list:
    """The payload list of a `purpose` token, or BadToken (also used by the answer links)."""
    try:
        payload = serializer(purpose).loads(token)
    except BadSignature:
        raise BadToken(f"invalid {purpose} token") from None
    if not isinstance(payload, list) or len(payload) != size:
        raise BadToken(f"malformed {purpose} token")
    return payload
