"""The new facts and tables under the compliance webhooks: redaction leaves nothing, and a data
request hands over the birthday, order times and answers."""

from datetime import datetime

from sqlalchemy import func, select

from app.answers import store
from app.answers.models import Answer
from app.customers import birthdays, data_requests
from app.customers.redaction import redact_customer, redact_shop
from app.extensions import db
from tests.answers.conftest import CUSTOMER, EMAIL
from tests.customers.test_redaction import rows_mentioning


def answered(shop, make_send):
    with_customer = make_send()
    without_customer = make_send(automation="feedback", trigger="order:9")
    without_customer.customer_id = None  # known only by address: found through its email
    db.session.commit()
    store.record(shop.id, with_customer.id, CUSTOMER, "reason", "other", "Mình chuyển nhà rồi")
    store.record(shop.id, without_customer.id, None, "nps", "4", "Giao hàng chậm")
    birthdays.store(shop.id, CUSTOMER, "1994-03-08", datetime(2026, 11, 1))
    db.session.commit()


def test_customer_redaction_removes_their_answers_and_birthday(shop, make_send):
    answered(shop, make_send)
    redact_customer(shop.id, CUSTOMER, EMAIL, [])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert rows_mentioning({EMAIL, str(CUSTOMER), "1994-03-08", "Mình chuyển nhà rồi", "Giao hàng chậm"}) == []


def test_shop_redaction_removes_every_answer(shop, make_send):
    answered(shop, make_send)
    redact_shop(shop.id)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_a_data_request_hands_over_the_birthday_and_the_answers(shop, make_send):
    answered(shop, make_send)
    payload = data_requests.assemble(shop.id, CUSTOMER, EMAIL)
    assert payload["customer"]["birth_date"] == "1994-03-08"
    given = sorted((a["question"], a["answer"], a["comment"]) for a in payload["other_records"]["answers"])
    assert given == [("nps", "4", "Giao hàng chậm"), ("reason", "other", "Mình chuyển nhà rồi")]
