"""The live preview and "send me a test": real rendering, and mail only ever from the worker."""

import pytest

from app import jobs
from app.extensions import db
from app.jobs.models import Job
from app.worker import tick


@pytest.mark.parametrize("locale, words", [("en", "cart"), ("vi", "giỏ hàng")])
def test_the_preview_renders_the_email_in_each_language(client, auth, locale, words):
    response = client.get(f"/api/automations/abandoned_cart/preview?locale={locale}", headers=auth)
    assert response.status_code == 200
    preview = response.json
    assert preview["locale"] == locale and words in preview["subject"].lower()
    assert "<html" in preview["html"].lower() and preview["text"]


def test_the_preview_follows_the_merchants_changes(client, auth):
    client.patch("/api/automations/winback", headers=auth, json={"subject": {"en": "We saved you a seat"}})
    preview = client.get("/api/automations/winback/preview?locale=en", headers=auth).json
    assert "We saved you a seat" in preview["subject"]


@pytest.mark.parametrize(
    "query, status",
    [
        ("locale=fr", 400),
        ("locale=en&customer_id=abc", 400),
        ("locale=en&customer_id=-1", 400),
        ("locale=en&customer_id=99999999999999999999", 400),
        ("locale=en&customer_id=%C2%B2", 400),
    ],
)
def test_bad_preview_parameters_are_400(client, auth, query, status):
    response = client.get(f"/api/automations/abandoned_cart/preview?{query}", headers=auth)
    assert response.status_code == status and response.json["error"]


def test_previews_and_tests_of_unknown_automations_are_404(client, auth):
    assert client.get("/api/automations/no_such_automation/preview?locale=en", headers=auth).status_code == 404
    assert client.post("/api/automations/no_such_automation/test", headers=auth, json={}).status_code == 404


def test_send_me_a_test_is_queued_and_the_worker_sends_it(client, auth, shop, smtp):
    response = client.post("/api/automations/abandoned_cart/test", headers=auth, json={"locale": "vi"})
    assert response.status_code == 202
    assert response.json == {
        "queued": True,
        "to": "owner@demo-shop.test",
        "job": str(jobs.latest(shop.id, "send_test").id),
    }
    assert smtp.inbox.messages == []  # the web request sent nothing

    shop_id = shop.id
    tick()
    [message] = smtp.inbox.to("owner@demo-shop.test")
    assert "giỏ hàng" in str(message["Subject"]).lower()
    assert jobs.latest(shop_id, "send_test").state == "done"


def test_clicking_twice_while_the_test_waits_sends_one_email(client, auth, shop, smtp):
    for _ in range(2):
        assert client.post("/api/automations/winback/test", headers=auth, json={"locale": "en"}).status_code == 202
    assert db.session.scalar(db.select(db.func.count()).select_from(Job).where(Job.kind == "send_test")) == 1
    tick()
    assert len(smtp.inbox.messages) == 1


@pytest.mark.parametrize("body", [b"[]", b"{oops", b'{"locale": "fr"}'])
def test_a_bad_test_request_is_a_400_and_queues_nothing(client, auth, body):
    response = client.post(
        "/api/automations/winback/test", data=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert db.session.scalars(db.select(Job).where(Job.kind == "send_test")).all() == []


def test_a_store_without_an_email_cannot_ask_for_a_test(client, auth, shop):
    shop.email = None
    db.session.commit()
    response = client.post("/api/automations/winback/test", headers=auth)
    assert response.status_code == 400 and "email" in response.json["error"]


def test_without_a_locale_the_preview_speaks_the_shops_language(client, auth, shop):
    """Shopify's primary locale may carry a region ("vi-VN"); the preview still follows it."""
    shop.locale = "vi-VN"
    db.session.commit()
    preview = client.get("/api/automations/abandoned_cart/preview", headers=auth).json
    assert preview["locale"] == "vi" and "giỏ hàng" in preview["subject"].lower()
