"""The links inside emails: unsubscribe (RFC 8058 one-click), click redirect, open pixel.

All three carry a signed token (see `tokens`); a tampered token is a 400 and
changes nothing. None of them needs a session: the token is the credential.
"""

import base64
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, redirect, render_template
from sqlalchemy import select

from app.customers.consent import suppression_reason
from app.extensions import db
from app.mail import jobs as mail_jobs
from app.mail import tokens
from app.mail.events import record
from app.mail.rendering import language
from app.records.models import EmailEvent
from app.shops.models import Shop

bp = Blueprint("mail_links", __name__)

# The smallest transparent GIF: what an open pixel answers.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/u/<token>")
def unsubscribe_page(token: str):
    """Ask before unsubscribing: mail scanners follow every link, so a GET changes nothing."""
    request_ = _unsubscribe_request(token)
    shop = db.session.get(Shop, request_.shop_id)
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
    shop = db.session.get(Shop, request_.shop_id)
    if shop is not None:
        mail_jobs.unsubscribe(shop, request_.email, request_.send_id, request_.locale)
        db.session.commit()
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
        shop_id, send_id, url = tokens.read_click(token)
    except tokens.BadToken:
        abort(400, "This link is damaged. Please copy the whole link from the email.")
    if urlsplit(url).scheme not in ("http", "https"):
        abort(400, "This link does not lead to a web page.")
    if db.session.get(Shop, shop_id) is not None:
        record(shop_id, send_id, "click", url=url[:2000])
        mail_jobs.schedule_attribution(shop_id)
        db.session.commit()
    return redirect(url, code=302)


@bp.get("/o/<token>.gif")
def opened(token: str):
    try:
        shop_id, send_id = tokens.read_opened(token)
    except tokens.BadToken:
        abort(400, "invalid pixel")
    # One open per email is what the stats need; image proxies re-fetch the pixel many times.
    seen = db.session.scalar(
        select(EmailEvent.id)
        .where(EmailEvent.shop_id == shop_id, EmailEvent.send_id == send_id, EmailEvent.kind == "open")
        .limit(1)
    )
    if seen is None and db.session.get(Shop, shop_id) is not None:
        record(shop_id, send_id, "open")
        db.session.commit()
    return PIXEL, 200, {"Content-Type": "image/gif", "Cache-Control": "no-store, max-age=0"}


def _unsubscribe_request(token: str) -> tokens.Unsubscribe:
    try:
        return tokens.read_unsubscribe(token)
    except tokens.BadToken:
        abort(400, "This unsubscribe link is damaged. Please copy the whole link from the email.")


def _shop_name(shop: Shop | None) -> str:
    return (shop.name or shop.domain) if shop is not None else ""
