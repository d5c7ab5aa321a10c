"""The links inside emails: unsubscribe (RFC 8058 one-click), click redirect, open pixel.

All three carry a signed token (see `tokens`); a tampered token is a 400 and
changes nothing. None of them needs a session: the token is the credential.
"""

import base64
import logging
import time
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, redirect, render_template
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.customers.consent import suppression_reason
from app.extensions import db
from app.mail import jobs as mail_jobs
from app.mail import tokens
from app.mail.events import record
from app.mail.rendering import language
from app.records.models import EmailEvent
from app.shops.models import Shop
from app.text import UNSAFE

log = logging.getLogger(__name__)
bp = Blueprint("mail_links", __name__)

# The smallest transparent GIF: what an open pixel answers.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/u/<token>")
def unsubscribe_page(token: str):
    """Ask before unsubscribing: mail scanners follow every link, so a GET changes nothing."""
    request_ = _unsubscribe_request(token)
    shop = _shop(request_.shop_id, request_.domain)
    already = shop is not None and suppression_reason(shop.id, request_.email) is not None
    return render_template(
        "mail/unsubscribe.html",
        lang=language(request_.locale),
        token=token,
        email=request_.email,
        shop_name=_shop_name(shop),
        done=already,
    )


@bp.post("/u/<token>")
def unsubscribe(token: str):
    """RFC 8058 one-click (`List-Unsubscribe=One-Click`) and the page's button both land here.

    No CSRF token: the signed token in the URL is the proof that the request comes
    from this recipient's email; a forged form cannot know it.
    """
    request_ = _unsubscribe_request(token)
    shop = _with_retries(lambda: _unsubscribe(request_))
    if shop is _BUSY:
        # The opt-out must not be lost: 503 with Retry-After makes the client (or the mail
        # provider's one-click handler) try again.
        return _busy(request_.locale)
    return render_template(
        "mail/unsubscribe.html",
        lang=language(request_.locale),
        token=token,
        email=request_.email,
        shop_name=_shop_name(shop),
        done=True,
    )


@bp.get("/t/<token>")
def click(token: str):
    try:
        link = tokens.read_click(token)
    except tokens.BadToken:
        abort(400, "This link is damaged. Please copy the whole link from the email.")
    url = link.url
    # A store's URL with a line break or other control character would split the Location header.
    if UNSAFE.search(url) or urlsplit(url).scheme not in ("http", "https"):
        abort(400, "This link does not lead to a web page.")
    if _shop(link.shop_id, link.domain) is not None:
        record(link.shop_id, link.send_id, "click", url=url[:2000])
        mail_jobs.schedule_attribution(link.shop_id)
        db.session.commit()
    return redirect(url, code=302)


@bp.get("/o/<token>.gif")
def opened(token: str):
    try:
        link = tokens.read_opened(token)
    except tokens.BadToken:
        abort(400, "invalid pixel")
    shop_id, send_id = link.shop_id, link.send_id
    # One open per email is what the stats need; image proxies re-fetch the pixel many times.
    seen = db.session.scalar(
        select(EmailEvent.id)
        .where(EmailEvent.shop_id == shop_id, EmailEvent.send_id == send_id, EmailEvent.kind == "open")
        .limit(1)
    )
    if seen is None and _shop(shop_id, link.domain) is not None:
        record(shop_id, send_id, "open")
        db.session.commit()
    return PIXEL, 200, {"Content-Type": "image/gif", "Cache-Control": "no-store, max-age=0"}


def _unsubscribe_request(token: str) -> tokens.Unsubscribe:
    try:
        return tokens.read_unsubscribe(token)
    except tokens.BadToken:
        abort(400, "This unsubscribe link is damaged. Please copy the whole link from the email.")


def _shop(shop_id: int, domain: str | None) -> Shop | None:
    """The shop a link was made for: the same id and, in tokens that carry it, the same domain
    (a link of an erased shop must never act on another shop)."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or (domain is not None and shop.domain != domain):
        return None
    return shop


def _unsubscribe(request_: tokens.Unsubscribe) -> Shop | None:
    shop = _shop(request_.shop_id, request_.domain)
    if shop is not None:
        mail_jobs.unsubscribe(shop, request_.email, request_.send_id, request_.locale)
        db.session.commit()
    return shop


_BUSY = object()
#: Waits between attempts when the database is busy or unreachable (about 1.5 s in all).
RETRY_WAITS = (0.1, 0.4, 1.0)


def _with_retries(work):
    """`work()`, tried again while the database is busy (SQLite locked, a failover); _BUSY at the end."""
    for wait in (*RETRY_WAITS, None):
        try:
            return work()
        except OperationalError as error:
            db.session.rollback()
            log.warning("unsubscribe: database busy (%s)", error)
            if wait is None:
                return _BUSY
            time.sleep(wait)


def _busy(locale: str):
    message = (
        "Hệ thống đang bận, chưa ghi nhận được yêu cầu hủy đăng ký của bạn. Vui lòng thử lại sau ít phút."
        if language(locale) == "vi"
        else "We are busy and could not record your unsubscribe yet. Please try again in a minute."
    )
    return message, 503, {"Retry-After": "5", "Content-Type": "text/plain; charset=utf-8"}


def _shop_name(shop: Shop | None) -> str:
    return (shop.name or shop.domain) if shop is not None else ""
