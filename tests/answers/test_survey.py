"""Survey answer links `/s/<token>`: GET shows, POST records, the last answer wins until decided."""

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
import time_machine

from app.answers import store
from app.answers.links import survey_links
from app.answers.models import Answer
from app.extensions import db
from app.surveys.nps import summarize


def path(url: str) -> str:
    return urlsplit(url).path


def answers() -> list[Answer]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Answer)))


@pytest.fixture
def links(make_send):
    send = make_send()
    return send, survey_links(send.shop_id, send.id, "reason")


def test_links_name_every_answer_under_app_url(app, links):
    send, urls = links
    assert list(urls) == ["price", "shipping", "quality", "found_elsewhere", "no_need", "other"]
    assert all(url.startswith(f"{app.config['APP_URL']}/s/") for url in urls.values())
    assert len(set(urls.values())) == 6
    # Opaque: neither the answer nor the ids can be read or edited in the URL.
    assert not any("shipping" in path(url) or str(send.id) in path(url) for url in urls.values())


def test_get_shows_the_question_with_the_answer_chosen_and_records_nothing(client, links):
    _, urls = links
    page = client.get(path(urls["shipping"]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="vi"' in html and "Điều gì khiến bạn chưa quay lại với shop?" in html
    assert re.search(r'value="shipping" checked', html) and html.count(" checked") == 1
    assert "<script" not in html and 'method="post"' in html
    # Branded like the emails: the shop's logo and accent colour.
    assert "https://cdn.example.com/logo.png" in html and "#b5451b" in html
    assert answers() == []


def test_post_records_the_answer_and_thanks_in_the_customers_language(client, shop, links):
    send, urls = links
    with time_machine.travel(datetime(2026, 11, 20, 9, 0), tick=False):
        page = client.post(path(urls["shipping"]))
    assert page.status_code == 200 and "Cảm ơn bạn nhiều!" in page.get_data(as_text=True)
    [answer] = answers()
    assert (answer.send_id, answer.customer_id, answer.question, answer.answer) == (send.id, 4242, "reason", "shipping")
    assert answer.answered_at == datetime(2026, 11, 20, 9, 0) and answer.decided_at is None
    assert store.answer_for(shop.id, send.id).answer == "shipping"


def test_other_takes_a_short_comment(client, links):
    _, urls = links
    client.post(path(urls["other"]), data={"comment": "  Mình chuyển nhà\x07 rồi  "})
    [answer] = answers()
    assert (answer.answer, answer.comment) == ("other", "Mình chuyển nhà rồi")


def test_a_later_answer_replaces_the_earlier_one_until_a_follow_up_is_decided(client, shop, links):
    send, urls = links
    client.post(path(urls["price"]))
    client.post(path(urls["price"]), data={"answer": "quality"})  # changed on the page
    assert [a.answer for a in answers()] == ["quality"]
    assert store.mark_decided(shop.id, send.id) is True
    assert store.mark_decided(shop.id, send.id) is False  # decided exactly once
    db.session.commit()
    page = client.post(path(urls["shipping"]))
    assert page.status_code == 200 and "đang xử lý" in page.get_data(as_text=True)
    assert [a.answer for a in answers()] == ["quality"]


def test_nps_has_eleven_answers_and_an_optional_comment(client, shop, make_send):
    send = make_send(automation="feedback", locale="en")
    urls = survey_links(shop.id, send.id, "nps")
    assert list(urls) == [str(n) for n in range(11)]
    html = client.get(path(urls["9"])).get_data(as_text=True)
    assert "How likely are you to recommend Cà Phê Lan to a friend?" in html and 'value="9" checked' in html
    client.post(path(urls["9"]), data={"comment": "Great beans"})
    client.post(path(urls["3"]))
    [answer] = answers()
    assert (answer.question, answer.answer, answer.comment) == ("nps", "3", None)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_a_400_that_records_nothing(client, links, method):
    _, urls = links
    token = path(urls["price"]).rsplit("/", 1)[1]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token", token[:10]):
        assert getattr(client, method)(f"/s/{bad}").status_code == 400
    assert answers() == []


def test_an_answer_not_offered_by_the_question_is_a_400_in_the_customers_language(client, links):
    _, urls = links
    page = client.post(path(urls["price"]), data={"answer": "free-stuff"})
    assert page.status_code == 400 and "Bạn chọn giúp shop một câu trả lời nhé." in page.get_data(as_text=True)
    page = client.post(path(urls["price"]), data={"comment": "x" * 1001})
    assert page.status_code == 400 and "tối đa 1000 ký tự" in page.get_data(as_text=True)
    assert answers() == []


def test_answers_between_dates_give_the_nps(shop, make_send):
    scores = {
        "10": datetime(2026, 11, 2),
        "9": datetime(2026, 11, 3),
        "3": datetime(2026, 11, 4),
        "8": datetime(2026, 12, 1),
    }
    for n, (score, at) in enumerate(scores.items()):
        send = make_send(automation="feedback", trigger=f"order:{n}")
        store.record(shop.id, send.id, 4242, "nps", score, None, at)
    db.session.commit()
    november = store.between(shop.id, "nps", datetime(2026, 11, 1), datetime(2026, 12, 1))
    assert [a.answer for a in november] == ["10", "9", "3"]
    assert summarize(int(a.answer) for a in november)["nps"] == 33.3
    assert summarize([])["nps"] is None


def test_a_link_to_an_email_that_no_longer_exists_records_nothing(client, links):
    send, urls = links
    db.session.delete(send)
    db.session.commit()
    assert client.post(path(urls["price"])).status_code == 410
    assert answers() == []
