"""What the automation cards show beyond their settings: the feedback card's NPS block (the last 30 and 90
days in the shop's days, the promoter/passive/detractor spread, each score's count and the latest comments)
and, on every card, what the control group is for and where its lift is stated; in English and Vietnamese."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.answers import store
from app.extensions import db

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7
NOW = datetime(2026, 11, 20, 5, 0)  # noon on 20 Nov in Ho Chi Minh City


def local(m: int, d: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, m, d, hour, minute, tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture(autouse=True)
def clock_at_now():
    with time_machine.travel(NOW.isoformat() + "+00:00", tick=False):
        yield


@pytest.fixture
def answered(shop):
    shop.timezone = "Asia/Ho_Chi_Minh"
    db.session.commit()
    # Last 30 days = 22 Oct to 20 Nov (local): 10, 9 (00:30 on 22 Oct), 7, 3 → promoters 2, passives 1,
    # detractors 1 of 4: 50 % − 25 % = NPS +25.
    # Last 90 days = 23 Aug to 20 Nov adds 6 (23:30 on 21 Oct), 0, 10 (00:30 on 23 Aug) → 7 answers,
    # promoters 3 (10, 9, 10), passives 1, detractors 3 (3, 6, 0): 3/7 − 3/7 = NPS 0.
    # Outside both: a 10 at 23:30 on 22 Aug, and a we-miss-you answer (another question).
    given = [
        (10, "Lovely tea", local(11, 19)),
        (9, None, local(10, 22, 0, 30)),
        (7, None, local(11, 1)),
        (3, "Parcel came <b>late</b>", local(11, 10)),
        (6, None, local(10, 21, 23, 30)),
        (0, "Never again", local(9, 1)),
        (10, None, local(8, 23, 0, 30)),
        (10, "Too old to count", local(8, 22, 23, 30)),
    ]
    for send_id, (score, comment, at) in enumerate(given, start=1):
        store.record(shop.id, send_id, None, "nps", str(score), comment, at=at)
    store.record(shop.id, 99, None, "reason", "price", "Too dear", at=local(11, 18))
    db.session.commit()


def _page(client, shop, mint, locale):
    response = client.get(f"/app?shop={shop.domain}&host=x&locale={locale}&id_token={mint(shop.domain)}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _period(html: str, days: int) -> str:
    start = html.index(f'data-nps-days="{days}"')
    following = [i for i in (html.find("data-nps-days", start + 1), html.find("nps__subtitle", start)) if i > 0]
    return _text(html[start : min(following)])


def _feedback_card(html: str) -> str:
    start = html.index('data-key="feedback"')
    end = html.find('<section class="card automation"', start)
    return html[start : end if end > 0 else None]


def test_the_feedback_card_shows_nps_spread_and_comments_in_english(client, shop, mint, answered):
    html = _page(client, shop, mint, "en")
    assert html.count("data-nps ") == 1  # on the feedback card only
    card = _feedback_card(html)
    assert "What your customers say (NPS)" in card
    month = _period(card, 30)
    assert "Last 30 days +25 4 answers" in month
    assert "Promoters (9–10): 2 (50 %)" in month
    assert "Passives (7–8): 1 (25 %)" in month and "Detractors (0–6): 1 (25 %)" in month
    quarter = _period(card, 90)
    assert "Last 90 days 0 7 answers" in quarter
    assert "Promoters (9–10): 3 (43 %)" in quarter and "Detractors (0–6): 3 (43 %)" in quarter
    # Answers by score 0..10 over 90 days: 0, 3, 6, 7 and 9 once, 10 twice.
    assert "Answers 1 0 0 1 0 0 1 1 0 1 2" in quarter
    comments = _text(card[card.index("data-nps-comments") :])
    assert comments.index("Lovely tea") < comments.index("Parcel came") < comments.index("Never again")
    assert "10/10" in comments and "Nov 19, 2026" in comments
    assert "Too old to count" not in card and "Too dear" not in card
    assert "Parcel came &lt;b&gt;late&lt;/b&gt;" in card  # the customer's words are text, never markup


def test_the_block_in_vietnamese(client, shop, mint, answered):
    card = _feedback_card(_page(client, shop, mint, "vi"))
    assert "Khách hàng nói gì về shop (NPS)" in card
    month = _period(card, 30)
    assert "30 ngày qua +25 4 lượt trả lời" in month
    assert "Khách ủng hộ (9–10): 2 (50 %)" in month and "Khách chưa hài lòng (0–6): 1 (25 %)" in month
    assert "Nhận xét gần đây (90 ngày)" in card


def test_without_answers_the_block_says_so(client, shop, mint):
    card = _feedback_card(_page(client, shop, mint, "en"))
    assert "Last 30 days — No answers yet" in _period(card, 30)
    assert "No comments yet." in card and "nps__bar" not in card


@pytest.mark.parametrize(
    ("locale", "words"),
    [("en", "the Retention tab compares their purchases"), ("vi", "thẻ Giữ chân khách so sánh việc mua hàng")],
)
def test_every_card_says_what_the_control_group_is_for_and_where_its_lift_is(client, shop, mint, locale, words):
    html = _page(client, shop, mint, locale)
    for key in ("abandoned_cart", "winback", "feedback"):
        card = html[html.index(f'data-key="{key}"') :]
        field = card[card.index(f'id="{key}-holdout_percent"') :]
        assert f'aria-describedby="{key}-holdout_percent-help"' in field[:400]
        assert words in field[: field.index("</div>")]
