"""The answer links emails carry: `{APP_URL}/s/{token}` per survey answer, `{APP_URL}/b/{token}` for the birthday form."""

from flask import current_app

from app.answers import tokens
from app.answers.questions import QUESTIONS


def survey_links(shop_id: int, send_id: int, question: str) -> dict[str, str]:
    """One link per answer of `question` ("reason" or "nps"), in the question's order."""
    base = current_app.config["APP_URL"].rstrip("/")
    return {
        answer: f"{base}/s/{tokens.survey(shop_id, send_id, question, answer)}"
        for answer in QUESTIONS[question].answers
    }


def birthday_link(shop_id: int, customer_id: int, locale: str | None = None) -> str:
    base = current_app.config["APP_URL"].rstrip("/")
    return f"{base}/b/{tokens.birthday(shop_id, customer_id, locale)}"
