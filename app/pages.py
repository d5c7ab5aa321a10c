"""Headers every HTML page carries, and the plain-message error pages."""

import logging

from flask import Flask, request
from sqlalchemy.exc import OperationalError

from app.extensions import db

log = logging.getLogger(__name__)


def plain(message: str, status: int):
    """A plain-text answer for a request that cannot be shown a page (bad link, refused install)."""
    return message, status, {"Content-Type": "text/plain; charset=utf-8"}


def frame_ancestors(shop: str | None) -> str:
    shop_origin = f"https://{shop} " if shop else ""
    return f"frame-ancestors {shop_origin}https://admin.shopify.com;"


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        if response.mimetype == "text/html":
            from app.shops.domains import valid_shop

            shop = request.args.get("shop")
            response.headers["Content-Security-Policy"] = frame_ancestors(shop if valid_shop(shop) else None)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        """The database is down, failing over or locked: 503 (clients and Shopify retry), not 500."""
        try:
            db.session.rollback()
        except OperationalError:
            pass
        log.warning("database unavailable: %s", error)
        message, status, headers = plain("The service is busy. Please try again in a minute.", 503)
        return message, status, {**headers, "Retry-After": "5"}
