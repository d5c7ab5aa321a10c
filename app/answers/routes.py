"""The answer pages: `/s/<token>` (one survey answer) and `/b/<token>` (the birthday form).

GET shows and records nothing (mail scanners follow every link); POST records. No session, no
CSRF token: the signed token in the URL is the credential, and a forged form cannot know it.
Pages are small server-rendered HTML, usable on a phone without JavaScript.
"""

import re

from flask import Blueprint, Flask, render_template, request

from app import clock
from app.answers import birthday_form, store, tokens
from app.answers.branding import branding
from app.answers.questions import COMMENT_MAX, QUESTIONS, WORDS, language
from app.extensions import db
from app.records.models import Send
from app.shops.models import Shop

bp = Blueprint("answers", __name__)
#: Control characters other than tab and newline never reach the database.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(birthday_form.bp)


@bp.get("/s/<token>")
def survey_page(token: str):
    asked, send, shop = _survey(token)
    if isinstance(asked, tuple):
        return asked
    return _page(shop, send, asked.question, asked.answer, "", token)


@bp.post("/s/<token>")
def survey_answer(token: str):
    asked, send, shop = _survey(token)
    if isinstance(asked, tuple):
        return asked
    question = QUESTIONS[asked.question]
    lang = language(send.locale, shop.locale)
    words = WORDS[lang]
    chosen = request.form.get("answer", asked.answer)
    comment = CONTROL.sub("", request.form.get("comment", "")).strip()
    if chosen not in question.answers:
        return _page(shop, send, asked.question, asked.answer, comment, token, error=words["bad_answer"], status=400)
    if len(comment) > COMMENT_MAX:
        error = words["too_long"].format(max=COMMENT_MAX)
        return _page(shop, send, asked.question, chosen, comment, token, error=error, status=400)
    recorded = store.record(shop.id, send.id, send.customer_id, asked.question, chosen, comment, clock.now())
    db.session.commit()
    return render_template(
        "answers/thanks.html",
        lang=lang,
        words=words,
        heading=words["thanks"],
        text=words["thanks_text" if recorded else "kept"].format(shop=shop.name or shop.domain),
        changeable=recorded,
        **branding(shop),
    )


def _survey(token: str):
    """(asked, send, shop), or (an error response, None, None)."""
    try:
        asked = tokens.read_survey(token)
    except tokens.BadToken:
        return _error(None, "bad_link", 400), None, None
    shop = db.session.get(Shop, asked.shop_id)
    send = db.session.get(Send, (asked.shop_id, asked.send_id)) if shop is not None else None
    if asked.question not in QUESTIONS or asked.answer not in QUESTIONS[asked.question].answers:
        return _error(shop, "bad_link", 400), None, None
    if send is None:
        # The email is gone (the shop or the customer was redacted): nothing may be recorded about them.
        return _error(shop, "closed", 410), None, None
    return asked, send, shop


def _page(shop, send, question: str, chosen: str, comment: str, token: str, error: str | None = None, status=200):
    lang = language(send.locale, shop.locale)
    words = WORDS[lang]
    return (
        render_template(
            "answers/survey.html",
            lang=lang,
            words=words,
            question=QUESTIONS[question],
            title=words[question].format(shop=shop.name or shop.domain),
            chosen=chosen,
            comment=comment,
            token=token,
            error=error,
            **branding(shop),
        ),
        status,
    )


def _error(shop, key: str, status: int):
    lang = language(request.accept_languages.best_match(["vi", "en"]), shop.locale if shop else None)
    words = WORDS[lang]
    brand = branding(shop) if shop is not None else {"shop_name": "", "accent": "#008060", "logo_url": None}
    return (
        render_template("answers/thanks.html", lang=lang, words=words, heading=words[key], text="", **brand),
        status,
    )
