"""Unsubscribe (one-click and by the page's button), click redirects and the open pixel."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import jobs
from app.customers.consent import marketing_allowed
from app.customers.models import Customer
from app.extensions import db
from app.mail import tokens
from app.mail.compose import compose
from app.records.models import EmailEvent
from tests.mail.conftest import cart_context


@pytest.fixture
def email(us_shop, make_send):
    db.session.add(Customer(shop_id=us_shop.id, id=55, email="lan@example.com", consent_state="subscribed"))
    db.session.commit()
    send = make_send(us_shop, customer_id=55)
    return compose(us_shop, send, template="abandoned_cart", context=cart_context(), subject="Hi")


def _path(url: str) -> str:
    return urlsplit(url).path


def test_one_click_unsubscribe_stops_marketing_at_once(email, us_shop, client):
    assert marketing_allowed(us_shop.id, "lan@example.com")[0]
    answer = client.post(_path(email["List-Unsubscribe"].strip("<>")), data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert marketing_allowed(us_shop.id, "lan@example.com") == (False, "unsubscribed")
    assert db.session.scalars(select(EmailEvent.kind)).all() == ["unsubscribe"]
    # A second POST (mail clients retry) changes nothing more.
    assert (
        client.post(_path(email["List-Unsubscribe"].strip("<>")), data={"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )
    assert db.session.scalars(select(EmailEvent.kind)).all() == ["unsubscribe"]


def test_the_page_asks_first_and_a_get_changes_nothing(email, us_shop, client):
    url = _path(email["List-Unsubscribe"].strip("<>"))
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'method="post"' in html and f'action="{url}"' in html
    assert marketing_allowed(us_shop.id, "lan@example.com")[0]


def test_the_page_speaks_the_tokens_language(vn_shop, client):
    token = tokens.unsubscribe(vn_shop, None, "mai@example.com", "vi")
    html = client.get(f"/u/{token}").get_data(as_text=True)
    assert "Hủy đăng ký" in html and 'lang="vi"' in html
    done = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"}).get_data(as_text=True)
    assert "Bạn đã hủy đăng ký thành công" in done


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_token_is_refused(email, us_shop, client, method):
    token = _path(email["List-Unsubscribe"].strip("<>")).rsplit("/", 1)[1]
    other = tokens.unsubscribe(us_shop, None, "someone-else@example.com", "en")
    forged = other[:60] + token[60:]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged):
        answer = getattr(client, method)(f"/u/{bad}", data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 400
    assert marketing_allowed(us_shop.id, "lan@example.com")[0]
    assert marketing_allowed(us_shop.id, "someone-else@example.com")[1] != "unsubscribed"


def test_a_click_redirects_only_to_its_signed_url_and_is_recorded(us_shop, client):
    token = tokens.click(us_shop, 1001, "https://shop.example/products/a")
    answer = client.get(f"/t/{token}")
    assert answer.status_code == 302 and answer.location == "https://shop.example/products/a"
    assert db.session.scalars(select(EmailEvent.url)).all() == ["https://shop.example/products/a"]
    payload, signature = token.split(".")
    evil = tokens.click(us_shop, 1001, "https://evil.example/").split(".")[0]
    assert client.get(f"/t/{evil}.{signature}").status_code == 400
    assert client.get(f"/t/{payload}.x{signature}").status_code == 400
    assert client.get("/t/not-a-token").status_code == 400
    assert len(db.session.scalars(select(EmailEvent)).all()) == 1


def test_the_open_pixel_counts_one_open_per_email(us_shop, client):
    token = tokens.opened(us_shop, 1001)
    for _ in range(3):
        answer = client.get(f"/o/{token}.gif")
        assert answer.status_code == 200 and answer.mimetype == "image/gif"
    assert db.session.scalars(select(EmailEvent.kind)).all() == ["open"]
    assert client.get(f"/o/{token[:-1]}.gif").status_code == 400


def test_the_unsubscribe_is_written_back_to_the_store_when_allowed(email, us_shop, client):
    us_shop.scopes += ",write_customers"
    db.session.commit()
    client.post(_path(email["List-Unsubscribe"].strip("<>")), data={"List-Unsubscribe": "One-Click"})
    job = jobs.latest(us_shop.id, "consent_writeback")
    assert job is not None and job.data["customer_id"] == 55


def test_shop_links_point_at_the_store_the_app_talks_to(app, us_shop, make_send, client):
    """In `make demo` the store is the sandbox on plain http (its storefront under /<shop>): a link to
    https://127.0.0.1:5001 was a TLS error. With Shopify (the default) the shop's primary domain is used."""
    send = make_send(us_shop)
    app.config["SHOPIFY_STORE_URL"] = "http://127.0.0.1:5001/{shop}"
    us_shop.primary_domain = "127.0.0.1:5001"
    html = compose(us_shop, send, template="abandoned_cart", context=cart_context(), subject="Hi").get_body(("html",))
    targets = {client.get(path).location for path in re.findall(r"/t/[A-Za-z0-9._-]+", html.get_content())}
    assert "http://127.0.0.1:5001/acme-goods.myshopify.com" in targets
    assert not [t for t in targets if t.startswith("https://127.0.0.1")]

    app.config["SHOPIFY_STORE_URL"] = "https://{shop}"
    us_shop.primary_domain = "acme.example"
    html = compose(us_shop, send, template="abandoned_cart", context=cart_context(), subject="Hi").get_body(("html",))
    targets = {client.get(path).location for path in re.findall(r"/t/[A-Za-z0-9._-]+", html.get_content())}
    assert "https://acme.example" in targets
