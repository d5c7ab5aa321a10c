"""The birthday form `/b/<token>`: GET shows, POST stores at once (400 on an impossible date, in
the customer's language), and the store's `facts.birth_date` is written when the shop allows it."""

import html
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select

from app import jobs
from app.answers.jobs import write_birthday
from app.answers.links import birthday_link
from app.customers.models import Customer
from app.extensions import db
from app.jobs.models import Job
from tests.answers.conftest import CUSTOMER
from tests.history.conftest import start_store

TODAY = datetime(2026, 12, 1, 10, 0)


@pytest.fixture
def form(shop, customer):
    return urlsplit(birthday_link(shop.id, CUSTOMER, "vi")).path


def stored(shop) -> Customer:
    db.session.expire_all()
    return db.session.get(Customer, (shop.id, CUSTOMER))


def test_get_shows_a_form_and_stores_nothing(client, shop, form):
    page = client.get(form)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Sinh nhật của bạn là ngày nào?" in text
    assert 'name="day"' in text and 'name="month"' in text and 'name="year"' in text and "<script" not in text
    assert "#b5451b" in text
    assert stored(shop).birth_date is None


@pytest.mark.parametrize(
    "data, kept",
    [
        ({"birth_date": "1994-03-08"}, "1994-03-08"),
        ({"birth_date": "--02-29"}, "--02-29"),
        ({"day": "8", "month": "3", "year": "1994"}, "1994-03-08"),
        ({"day": "29", "month": "2", "year": ""}, "--02-29"),
    ],
)
def test_post_stores_the_birthday_at_once(client, shop, form, data, kept):
    with time_machine.travel(TODAY, tick=False):
        page = client.post(form, data=data)
    assert page.status_code == 200 and "Cảm ơn bạn!" in page.get_data(as_text=True)
    assert (stored(shop).birth_date, stored(shop).birth_date_at) == (kept, TODAY)


@pytest.mark.parametrize(
    "value, message",
    [
        ("2001-02-30", "Ngày này không có thật"),
        ("1999-02-29", "Ngày này không có thật"),
        ("--04-31", "Ngày này không có thật"),
        ("2030-01-01", "Ngày này ở tương lai"),
        ("1800-01-01", "kiểm tra lại năm sinh"),
        ("01/02/1990", "chọn giúp shop ngày và tháng"),
    ],
)
def test_an_impossible_date_is_a_400_in_the_customers_language_and_changes_nothing(client, shop, form, value, message):
    with time_machine.travel(TODAY, tick=False):
        page = client.post(form, data={"birth_date": value})
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert stored(shop).birth_date is None


def test_english_customers_get_english(client, shop, customer):
    path = urlsplit(birthday_link(shop.id, CUSTOMER, "en-US")).path
    with time_machine.travel(TODAY, tick=False):
        page = client.post(path, data={"day": "31", "month": "4"})
    assert page.status_code == 400 and "That date doesn't exist" in html.unescape(page.get_data(as_text=True))


def test_a_tampered_token_is_a_400(client, form):
    assert client.get(form[:-3] + "xyz").status_code == 400
    assert client.post(form[:-3] + "xyz", data={"birth_date": "1990-01-01"}).status_code == 400


def test_without_write_customers_the_write_back_waits_for_the_scope(client, shop, form):
    """Nothing reaches the store until the merchant grants write_customers; the birthday is kept with
    us and the job waits (app/scopes_update wakes it)."""
    with time_machine.travel(TODAY, tick=False):
        client.post(form, data={"birth_date": "1994-03-08"})
        assert jobs.run_due() >= 1  # no store is configured here: a call to it would fail the job
        job = db.session.scalar(select(Job).where(Job.kind == "write_birthday"))
        assert job.state == "queued" and job.run_at >= TODAY + timedelta(hours=12) and job.last_error is None
    assert stored(shop).birth_date == "1994-03-08"


class TestWriteBack:
    """Through real HTTP to the sandbox store, which implements `metafieldsSet` as Shopify does."""

    @pytest.fixture
    def sandbox(self, app_port):
        running, store = start_store(f"http://127.0.0.1:{app_port}", 0.02)
        yield store
        running.shutdown()
        store.close()

    @pytest.fixture
    def app_config(self, sandbox):
        return {"SHOPIFY_STORE_URL": sandbox.base_url + "/{shop}"}

    @pytest.fixture
    def store_shop(self, sandbox):
        shop = sandbox.shop("demo-shop.myshopify.com")
        for grant in sandbox.grants.values():
            grant.scope += ",write_customers"
        shop.installed_scope += ",write_customers"
        return shop

    @pytest.fixture
    def shop(self, make_shop, store_shop):
        shop = make_shop("demo-shop.myshopify.com", name="Demo")
        shop.scopes += ",write_customers"  # the optional scope, granted
        db.session.commit()
        return shop

    @pytest.fixture
    def customer(self, shop, store_shop):
        theirs = next(c for c in store_shop.customers.values() if not c.metafields)
        person = Customer(shop_id=shop.id, id=theirs.id, email=theirs.email, locale="en")
        db.session.add(person)
        db.session.commit()
        return theirs

    def test_a_birthday_with_a_year_is_written_to_the_store(self, client, shop, customer, store_shop):
        path = urlsplit(birthday_link(shop.id, customer.id, "en")).path
        assert client.post(path, data={"birth_date": "1994-03-08"}).status_code == 200
        job = db.session.scalar(select(Job).where(Job.kind == "write_birthday"))
        assert job is not None and job.data == {"customer_id": customer.id}
        assert jobs.run_due() >= 1
        assert customer.metafields[("facts", "birth_date")].value == "1994-03-08"
        assert customer.metafields[("facts", "birth_date")].type == "date"

    def test_a_birthday_without_a_year_stays_with_us(self, client, shop, customer, store_shop):
        path = urlsplit(birthday_link(shop.id, customer.id, "en")).path
        client.post(path, data={"birth_date": "--03-08"})
        assert db.session.scalar(select(Job).where(Job.kind == "write_birthday")) is None
        assert not customer.metafields

    def test_the_write_back_sends_the_newest_birthday(self, client, shop, customer, store_shop):
        path = urlsplit(birthday_link(shop.id, customer.id, "en")).path
        client.post(path, data={"birth_date": "1994-03-08"})
        client.post(path, data={"birth_date": "1994-03-09"})
        write_birthday(db.session.scalar(select(Job).where(Job.kind == "write_birthday")))
        assert customer.metafields[("facts", "birth_date")].value == "1994-03-09"
