"""Signed tokens for the links in an email: unsubscribe, click redirect, open pixel.

Tokens never expire (an unsubscribe link must work for years) and carry only ids,
the shop's domain, the address and the target URL; the signature is what makes them
trustworthy, so a click can only redirect to the URL it was signed for (no open redirect).
The shop's domain binds a link to that shop: should its id ever name another shop, the
link acts on nothing. Unsubscribe tokens are encrypted, not only signed: they carry the
address, and URLs end up in access logs.

Tokens made before the domain was added (and signed, readable unsubscribe tokens) are
still read, with `domain` None: links in emails already sent keep working.
"""

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app import security
from app.security import Sealer


class BadToken(ValueError):
    """The token was tampered with, truncated or made for another purpose."""


@dataclass(frozen=True)
class Unsubscribe:
    shop_id: int
    send_id: int | None
    email: str
    locale: str
    #: The shop's myshopify domain (None in a token made before it was added).
    domain: str | None = None


@dataclass(frozen=True)
class Link:
    """A click (with its url) or an open (url None)."""

    shop_id: int
    send_id: int
    url: str | None
    domain: str | None


def unsubscribe(shop, send_id: int | None, email: str, locale: str) -> str:
    return _sealer("unsubscribe").seal([shop.id, send_id, email, locale, shop.domain])


def read_unsubscribe(token: str) -> Unsubscribe:
    payload = _sealer("unsubscribe").open(token)
    if payload is None:  # an older, signed token
        payload = load("unsubscribe", token, 4) + [None]
    if not isinstance(payload, list) or len(payload) != 5:
        raise BadToken("malformed unsubscribe token")
    shop_id, send_id, email, locale, domain = payload
    try:
        return Unsubscribe(int(shop_id), _id_or_none(send_id), str(email), str(locale), _text_or_none(domain))
    except (TypeError, ValueError, OverflowError):
        raise BadToken("malformed unsubscribe token") from None


def click(shop, send_id: int, url: str) -> str:
    return serializer("click").dumps([shop.id, send_id, url, shop.domain])


def read_click(token: str) -> Link:
    payload = load("click", token, 3, 4)
    shop_id, send_id, url, domain = (payload + [None])[:4]
    return Link(*_ids(shop_id, send_id), str(url), _text_or_none(domain))


def opened(shop, send_id: int) -> str:
    return serializer("open").dumps([shop.id, send_id, shop.domain])


def read_opened(token: str) -> Link:
    payload = load("open", token, 2, 3)
    shop_id, send_id, domain = (payload + [None])[:3]
    return Link(*_ids(shop_id, send_id), None, _text_or_none(domain))


def serializer(purpose: str) -> URLSafeSerializer:
    # One per key and purpose: an email signs a dozen links, thousands of emails a minute.
    return _serializer(current_app.config["SECRET_KEY"], purpose)


@lru_cache(maxsize=16)
def _serializer(_secret_key: str, purpose: str) -> URLSafeSerializer:
    return security.serializer(purpose)


def _sealer(purpose: str) -> Sealer:
    return _cached_sealer(current_app.config["SECRET_KEY"], purpose)


@lru_cache(maxsize=16)
def _cached_sealer(_secret_key: str, purpose: str) -> Sealer:
    return security.sealer(purpose)


def load(purpose: str, token: str, *sizes: int) -> list:
    """The payload list of a `purpose` token of one of `sizes`, or BadToken (also used by the answer links)."""
    try:
        payload = serializer(purpose).loads(token)
    except BadSignature:
        raise BadToken(f"invalid {purpose} token") from None
    if not isinstance(payload, list) or len(payload) not in sizes:
        raise BadToken(f"malformed {purpose} token")
    return payload


def _ids(shop_id, send_id) -> tuple[int, int]:
    # Only ever what we signed; the checks keep a future mistake from becoming a 500.
    if type(shop_id) is not int or type(send_id) is not int:
        raise BadToken("malformed token")
    return shop_id, send_id


def _id_or_none(value) -> int | None:
    if value is None:
        return None
    if type(value) is not int:
        raise ValueError("not an id")
    return value


def _text_or_none(value) -> str | None:
    return value if isinstance(value, str) else None
