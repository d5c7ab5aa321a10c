"""The win-back family's and the feedback survey's emails in both languages: snapshots and what a reader needs.

Contexts are written out here, as the automations build them, so a change of copy or layout
shows up as a snapshot diff to review.
"""

import pytest
import time_machine

from app.mail.compose import compose
from tests.mail.test_emails import _match, _parse

REASONS = ("price", "shipping", "quality", "found_elsewhere", "no_need", "other")
LABELS = {
    "en": (
        "Prices are too high",
        "Shipping costs too much",
        "The quality wasn't what I expected",
        "I found another shop",
        "I don't need anything right now",
        "Something else",
    ),
    "vi": (
        "Giá hơi cao",
        "Phí giao hàng cao",
        "Chất lượng chưa như mong đợi",
        "Mình đã mua ở chỗ khác",
        "Hiện mình chưa có nhu cầu",
        "Lý do khác",
    ),
}
EXPIRES = "2026-03-09T09:00:00"


def _discount(percent):
    return {"code": "COMEBACK-7QK2-M9XD", "percent": percent, "expires_at": EXPIRES}


def we_miss_you(lang):
    answers = [
        {"value": v, "label": label, "url": f"https://comeback.test/s/tok-{v}"}
        for v, label in zip(REASONS, LABELS[lang])
    ]
    return {"first_name": "Lan", "answers": answers, "discount": _discount(15)}


def feedback(lang):
    return {"first_name": "Lan", "scores": [{"value": n, "url": f"https://comeback.test/s/tok-{n}"} for n in range(11)]}


EMAILS = {
    "we_miss_you": we_miss_you,
    "we_miss_you_shipping": lambda lang: {"first_name": "Lan", "discount": _discount(0)},
    "we_miss_you_price": lambda lang: {"first_name": "Lan", "discount": _discount(20)},
    "we_miss_you_quality": lambda lang: {"first_name": None},
    "feedback": feedback,
    "feedback_promoter": lambda lang: {"first_name": "Lan", "score": 10, "review_url": "https://reviews.example/acme"},
    "feedback_detractor": lambda lang: {
        "first_name": "Lan",
        "score": 3,
        "comment": "The parcel came <b>late</b> & damaged",
        "discount": _discount(10),
    },
    "shop_notice": lambda lang: {
        "survey": "we_miss_you",
        "customer_name": "Lan Nguyễn",
        "customer_email": "lan@example.com",
        "answer_label": LABELS[lang][2],
        "comment": None,
        "answered_at": "2026-03-02T08:30:00",
    },
    "shop_notice_feedback": lambda lang: {
        "survey": "feedback",
        "customer_name": "Lan Nguyễn",
        "customer_email": "lan@example.com",
        "score": 3,
        "comment": "The parcel came late",
        "discount_percent": 10,
        "answered_at": "2026-03-02T08:30:00",
    },
}


@pytest.fixture
def app_config():
    return {"APP_URL": "https://comeback.test"}


def _render(shop, send, name, lang, marketing=True):
    template = "shop_notice" if name.startswith("shop_notice") else name
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        return compose(
            shop,
            send,
            template=template,
            context=EMAILS[name](lang),
            subject={"en": "Subject", "vi": "Tiêu đề"},
            marketing=marketing,
        )


@pytest.mark.parametrize("name", EMAILS)
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_snapshots(name, lang, vn_shop, us_shop, make_send):
    shop = vn_shop if lang == "vi" else us_shop
    notice = name.startswith("shop_notice")
    message = _render(shop, make_send(shop, automation=name), name, lang, marketing=not notice)
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    _parse(html)
    assert "None" not in text and "{{" not in html and "{%" not in text
    _match(f"{name}.{lang}.html", html)
    _match(f"{name}.{lang}.txt", f"Subject: {message['Subject']}\n\n{text}")
