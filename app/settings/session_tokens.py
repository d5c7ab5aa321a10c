"""Shopify session tokens: the only way the settings page and its API know which shop is asking.

A session token is a JWT the store admin signs with our API secret (HS256). It lives about
a minute, so every API call carries a fresh one in `Authorization: Bearer`; the first page
load carries it as the `id_token` query parameter. We never fall back to cookies: a request
that a third-party site forges in the merchant's browser carries no Bearer header, which is
what makes the API safe against CSRF without tokens of our own.
"""

import warnings
from functools import wraps

import jwt
from flask import current_app, g, jsonify, request

from app.extensions import db
from app.shops.domains import valid_shop
from app.shops.models import Shop

#: Clocks of the admin and this server differ a little; Shopify's libraries allow a few seconds.
LEEWAY_SECONDS = 10
RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"


class InvalidSession(Exception):
    """The token is missing, badly signed, expired, or names no installed shop."""


def shop_domain(token: str) -> str:
    """The shop a token speaks for, after checking signature, audience, times, `iss` and `dest`."""
    config = current_app.config
    try:
        # The key is the app's client secret, chosen by Shopify, not by us: a short one (demo,
        # tests) deserves no warning per request, and a warning must never become a 500.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            claims = jwt.decode(
                token,
                config["SHOPIFY_API_SECRET"],
                algorithms=["HS256"],
                audience=config["SHOPIFY_API_KEY"],
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "nbf", "iss", "dest", "aud"]},
            )
    except jwt.PyJWTError as error:
        raise InvalidSession(str(error)) from None
    dest, iss = claims["dest"], claims["iss"]
    if not isinstance(dest, str) or not isinstance(iss, str):
        raise InvalidSession("dest and iss must be strings")
    domain = dest.removeprefix("https://")
    # iss is the shop's admin, dest the shop: a token whose two halves disagree is not Shopify's.
    if not (dest.startswith("https://") and valid_shop(domain) and iss == f"{dest}/admin"):
        raise InvalidSession("iss and dest do not name the same shop")
    return domain


def installed_shop(token: str) -> Shop:
    domain = shop_domain(token)
    shop = db.session.scalar(db.select(Shop).where(Shop.domain == domain))
    if shop is None or not shop.installed:
        raise InvalidSession("the shop is not installed")
    return shop


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidSession("no Bearer session token")
    return token.strip()


def invalid_session_response(message: str = "invalid session token"):
    """401 with the header that makes App Bridge fetch a new token and retry once."""
    response = jsonify(error=message)
    response.status_code = 401
    response.headers[RETRY_HEADER] = "1"
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def require_session(view):
    """Decorate an API view: `g.shop` is the token's installed shop, or the answer is 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            shop = installed_shop(bearer_token())
        except InvalidSession as error:
            return invalid_session_response(str(error))
        # A page of one shop must not act on another through a stale `shop` parameter.
        if request.args.get("shop", shop.domain) != shop.domain:
            return invalid_session_response("the token is for another shop")
        g.shop = shop
        return view(*args, **kwargs)

    return wrapper
